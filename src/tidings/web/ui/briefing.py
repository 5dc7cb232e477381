"""A story as a briefing: what its articles say together (pure: data in, data out).

The newest headline, a timeline of who reported what when, the people, organisations and
places across all its articles, quotes grouped by speaker, outlets with counts, and each
article's lead sentence.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from tidings.models import Article, Entity, EntityKind, Quote

KEY_PLAYERS_PER_KIND = 8
QUOTES_PER_SPEAKER = 4
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]?\s+(?=[A-Z0-9“\"‘'(])")


@dataclass
class Player:
    entity: Entity
    articles: int  # how many of the story's articles mention it
    mentions: int


@dataclass
class Said:
    article: Article
    quote: Quote


@dataclass
class Briefing:
    headline: str
    timeline: list[Article]  # oldest first
    players: dict[str, list[Player]]  # kind → most widely mentioned first
    quotes: list[tuple[str, list[Said]]]  # speaker → what they said, most quoted first
    outlets: list[tuple[str, int]]  # outlet name → articles, most first
    leads: dict[int, str] = field(default_factory=dict)  # article id → its lead sentence


def lead_sentence(text: str, limit: int = 320) -> str:
    """The first sentence of the first paragraph (cut at `limit` characters)."""
    first = next((p.strip() for p in text.split("\n") if p.strip()), "")
    sentence = _SENTENCE_END.split(first, maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _moment_key(article: Article) -> tuple[float, int]:
    moment = article.published_at or article.fetched_at
    return (moment.timestamp() if moment else 0.0, article.id or 0)


def key_players(entities: dict[int, list[Entity]]) -> dict[str, list[Player]]:
    """Entities across articles, by kind, ranked by how many articles mention them."""
    seen: dict[int, Player] = {}
    for found in entities.values():
        for e in found:
            if e.kind is EntityKind.OTHER or e.id is None:
                continue
            player = seen.setdefault(e.id, Player(e, 0, 0))
            player.articles += 1
            player.mentions += e.count
    ranked = sorted(seen.values(), key=lambda p: (-p.articles, -p.mentions, p.entity.name))
    out: dict[str, list[Player]] = {}
    for kind in (EntityKind.PERSON, EntityKind.ORG, EntityKind.PLACE):
        chosen = [p for p in ranked if p.entity.kind is kind][:KEY_PLAYERS_PER_KIND]
        if chosen:
            out[str(kind)] = chosen
    return out


def quotes_by_speaker(articles: list[Article], quotes: dict[int, list[Quote]]
                      ) -> list[tuple[str, list[Said]]]:
    """Who said what: one group per speaker, the same words from two outlets shown once."""
    groups: dict[str, list[Said]] = defaultdict(list)
    texts: dict[str, set[str]] = defaultdict(set)
    for article in sorted(articles, key=_moment_key):
        for q in quotes.get(article.id or 0, []):
            speaker = q.speaker.strip() or "Unattributed"
            key = " ".join(q.text.lower().split())
            if key in texts[speaker]:
                continue
            texts[speaker].add(key)
            groups[speaker].append(Said(article, q))
    ranked = sorted(groups.items(),
                    key=lambda kv: (kv[0] == "Unattributed", -len(kv[1]), kv[0]))
    return [(speaker, said[:QUOTES_PER_SPEAKER]) for speaker, said in ranked]


def brief(articles: list[Article], entities: dict[int, list[Entity]],
          quotes: dict[int, list[Quote]], outlet_names: dict[int, str]) -> Briefing:
    timeline = sorted(articles, key=_moment_key)
    newest = timeline[-1] if timeline else None
    counts = Counter(outlet_names.get(a.source_id or 0, "unknown outlet") for a in articles)
    return Briefing(
        headline=newest.title if newest else "",
        timeline=timeline,
        players=key_players(entities),
        quotes=quotes_by_speaker(articles, quotes),
        outlets=sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])),
        leads={a.id or 0: lead_sentence(a.text) for a in articles},
    )
