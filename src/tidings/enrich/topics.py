"""Topics: the page's own label plus a small fixed taxonomy, each followable by name.

The taxonomy is the top level of the IPTC Media Topics scheme in our own wording. An article
gets a taxonomy topic when enough of that topic's cue words occur in its text (counted per
thousand words, so long articles need more), with organisation names as extra cues.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from tidings.models import Entity, EntityKind

# Cue words per topic; "stem*" matches any word starting with the stem. Lower case.
_CUES: dict[str, str] = {
    "Arts, culture and entertainment": "film films movie movies music* album albums concert* "
    "festival* artist artists museum* theatre theater novel novels actor actors actress "
    "celebrit* exhibition* comic comics cosplay* entertainment television painting*",
    "Conflict, war and peace": "war wars troops military invasion invad* soldier soldiers army "
    "armed ceasefire missile missiles bomb* airstrike* combat insurgent* militant* "
    "hostilities weapons terroris* offensive",
    "Crime, law and justice": "police arrest* charged court courts trial judge jury prosecut* "
    "lawyer lawyers convicted sentenced crime crimes criminal* murder* manslaughter guilty "
    "lawsuit illegal investigation* hack hacked hacker hackers hacking",
    "Disasters and accidents": "earthquake flood floods flooding hurricane tsunami wildfire* "
    "disaster* collapse collapsed crash* accident* killed injured victims rescue* evacuat* "
    "explosion",
    "Economy, business and finance": "economy economic* market markets shares stock stocks "
    "investor* company companies business* profit profits revenue inflation trade tariff* "
    "bank banks banking price prices oil growth billion budget deal deals",
    "Education": "school schools student students university universities teacher teachers "
    "education* pupils classroom college academic curriculum",
    "Environment": "climate emissions pollution ozone environment* carbon warming "
    "conservation biodiversity species renewable deforestation",
    "Health": "health hospital* doctor doctors patient patients disease* virus vaccin* medical "
    "medicine treatment* infection* eczema illness pandemic nurse nurses",
    "Human interest": "celebrat* anniversary family heartwarming birthday wedding inspir* hero",
    "Labour": "worker workers union unions strike strikes employment unemployment jobs wages "
    "labour labor employees pension pensions dockers",
    "Lifestyle and leisure": "travel tourism tourist tourists food fashion holiday holidays "
    "recipe recipes leisure hobby lantern lanterns shopping",
    "Politics": "government minister ministers ministry president election* parliament* senate "
    "congress politic* diplomat* foreign officials legislat* vote votes voting policy party "
    "treaty sanctions asylum visa visas summit",
    "Religion": "church religio* faith mosque temple pope bishop priest islam* christian* "
    "muslim muslims jewish buddhis* scientology pilgrim pilgrims hajj",
    "Science and technology": "scien* research* study technolog* computer* software internet "
    "website space nasa shuttle* robot* engineer* data digital astronaut*",
    "Society": "communit* social immigra* refugee refugees protest* rights discriminat* poverty "
    "humanitarian women gender racis*",
    "Sport": "football soccer tennis cricket olympic* championship* tournament* league match "
    "goal goals player players coach sport* athlete athletes medal medals striker",
    "Weather": "weather storm storms rain rainfall snow temperature temperatures heatwave "
    "forecast* drought",
}
TAXONOMY: list[str] = list(_CUES)
_EXACT: dict[str, str] = {}
_STEMS: dict[str, str] = {}
for _topic, _words in _CUES.items():
    for _word in _words.split():
        if _word.endswith("*"):
            _STEMS[_word[:-1]] = _topic
        else:
            _EXACT[_word] = _topic
_STEM_LENGTHS = sorted({len(s) for s in _STEMS}, reverse=True)
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
    scores: Counter[str] = Counter()
    for word in re.findall(r"[a-z]+", text.casefold()):
        topic = _EXACT.get(word) or _stem_topic(word)
        if topic:
            scores[topic] += 1
    for entity in entities:
        if entity.kind != EntityKind.ORG:
            continue
        for topic, pattern in _ORG_CUES.items():
            if pattern.search(entity.name):
                scores[topic] += entity.count
    return [(t, float(n)) for t, n in scores.most_common()]


def _stem_topic(word: str) -> str | None:
    for length in _STEM_LENGTHS:
        if len(word) >= length and (topic := _STEMS.get(word[:length])):
            return topic
    return None
