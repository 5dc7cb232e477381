"""Topics: the page's own label plus a small fixed taxonomy, each followable by name.

The taxonomy is the top level of the IPTC Media Topics scheme in our own wording. An article
gets a taxonomy topic when enough of that topic's cue words occur in its text (counted per
thousand words, so long articles need more), with organisation names as extra cues.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tidings.models import Entity, EntityKind

# Cue words per topic (regex alternatives, matched as whole words, case-insensitive).
_CUES: dict[str, str] = {
    "Arts, culture and entertainment": r"film|movie|music\w*|album|concert|festival|artists?|"
    r"museum|theatre|theater|novel|actor|actress|celebrit\w+|exhibition|comics?|cosplay|"
    r"entertainment|television|tv series|painting",
    "Conflict, war and peace": r"war|wars|troops|military|invasion|invad\w+|soldiers?|army|"
    r"armed|ceasefire|missiles?|bomb\w*|airstrikes?|combat|insurgents?|militants?|"
    r"peace talks|hostilities|weapons|terroris\w+",
    "Crime, law and justice": r"police|arrest\w*|charged|court|trial|judge|jury|prosecut\w+|"
    r"lawyers?|convicted|sentenced|crime|criminal|murder\w*|manslaughter|guilty|lawsuit|"
    r"illegal|investigation|hack\w*",
    "Disasters and accidents": r"earthquake|flood\w*|hurricane|tsunami|wildfire|disaster|"
    r"collapsed?|crash\w*|accident|killed|injured|victims|rescue\w*|evacuat\w+|explosion",
    "Economy, business and finance": r"economy|economic|market\w*|shares|stocks?|investors?|"
    r"compan(?:y|ies)|business\w*|profits?|revenue|inflation|trade|tariffs?|bank\w*|prices?|"
    r"oil|sanctions|growth|billion|million|budget|deals?",
    "Education": r"schools?|students?|universit(?:y|ies)|teachers?|education\w*|pupils|"
    r"classroom|college|academic|curriculum",
    "Environment": r"climate|emissions|pollution|ozone|environment\w*|carbon|warming|"
    r"conservation|biodiversity|species|renewable|deforestation",
    "Health": r"health|hospital\w*|doctors?|patients?|disease|virus|vaccin\w+|medical|"
    r"medicine|treatment|infection|eczema|illness|pandemic|nurses?",
    "Human interest": r"celebrat\w+|anniversary|family|heartwarming|birthday|wedding|"
    r"inspir\w+|hero",
    "Labour": r"workers|unions?|strike|employment|unemployment|jobs|wages|labour|labor|"
    r"employees|pensions?",
    "Lifestyle and leisure": r"travel|tourism|tourists|food|fashion|holiday|recipes?|"
    r"leisure|hobby|lanterns?|shopping",
    "Politics": r"government|minister|ministry|president|election\w*|parliament\w*|"
    r"senate|congress|politic\w+|diplomat\w*|foreign|officials|legislat\w+|votes?|voting|"
    r"policy|party|treaty|sanctions|asylum|visas?|summit",
    "Religion": r"church|religio\w+|faith|mosque|temple|pope|bishop|priest|islam\w*|"
    r"christian\w*|muslims?|jewish|buddhis\w+|scientology|pilgrims?|hajj",
    "Science and technology": r"scien\w+|research\w*|study|technolog\w+|computer|software|"
    r"internet|website|space|nasa|shuttle|robot\w*|engineer\w*|data|digital|astronaut\w*",
    "Society": r"communit\w+|social|immigra\w+|refugees?|protest\w*|rights|discriminat\w+|"
    r"poverty|humanitarian|women|gender|racis\w+",
    "Sport": r"football|soccer|tennis|cricket|olympic\w*|championship|tournament|league|"
    r"match|goals?|players?|coach|sport\w*|athletes?|competition|medal",
    "Weather": r"weather|storm|rain\w*|snow\w*|temperatures?|heatwave|forecast|drought",
}
TAXONOMY: list[str] = list(_CUES)
_PATTERNS = {topic: re.compile(rf"\b(?:{cues})\b", re.I) for topic, cues in _CUES.items()}
_ORG_CUES = {
    "Politics": re.compile(r"\b(?:Ministry|Parliament|Congress|Senate|Party|Government)\b"),
    "Education": re.compile(r"\b(?:University|College|School)\b"),
    "Religion": re.compile(r"\b(?:Church|Mosque|Temple)\b"),
    "Sport": re.compile(r"\b(?:FC|Olympic|League)\b"),
}
MIN_HITS = 3
MIN_PER_THOUSAND = 4.0
MAX_TOPICS = 3


def assign_topics(label: str, text: str, entities: Iterable[Entity] = ()) -> list[str]:
    """The page's own label (if any) first, then up to three taxonomy topics, best first."""
    scores = topic_scores(text, entities)
    words = max(1, len(text.split()))
    dense = MIN_PER_THOUSAND * words / 1000
    chosen = [t for t, hits in scores if hits >= max(MIN_HITS, dense)]
    topics = [label.strip()] if label.strip() else []
    return topics + [t for t in chosen[:MAX_TOPICS] if t not in topics]


def topic_scores(text: str, entities: Iterable[Entity] = ()) -> list[tuple[str, float]]:
    """Cue hits per taxonomy topic, highest first; organisation names add weight."""
    scores = {topic: float(len(pattern.findall(text))) for topic, pattern in _PATTERNS.items()}
    for entity in entities:
        if entity.kind != EntityKind.ORG:
            continue
        for topic, pattern in _ORG_CUES.items():
            if pattern.search(entity.name):
                scores[topic] += entity.count
    return sorted(((t, s) for t, s in scores.items() if s), key=lambda ts: -ts[1])
