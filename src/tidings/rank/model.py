"""The ranking model: a score that is a sum over named features, each explained in words.

This first version holds the fixed formula (freshness, coverage, follows, mutes) on
`Candidate`s; the learned model replaces it behind the same functions.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tidings.models import TargetKind
from tidings.rank.candidate import Candidate, Reader

HALF_LIFE_H = 18.0
FOLLOW_BOOST = 1.5
DIVERSITY_DECAY = 0.8


@dataclass
class Scored:
    candidate: Candidate
    score: float
    contributions: dict[str, float] = field(default_factory=dict)  # feature → points
    why: list[str] = field(default_factory=list)  # the top contributions, in words


def _follow_matches(c: Candidate, kind: TargetKind, target: str) -> bool:
    target = target.lower()
    if kind is TargetKind.TOPIC:
        return any(t == target or t.startswith(target + " ") for t in c.topics)
    if kind is TargetKind.ENTITY:
        return any(target == name.lower() for _, name, _ in c.entities)
    if kind is TargetKind.SOURCE:
        return any(target == o.lower() for o in c.outlets)
    return re.search(rf"\b{re.escape(target)}\b", c.about) is not None


def excluded(c: Candidate, reader: Reader) -> str:
    """Why the reader never sees this story ("" when they may)."""
    if c.story_id in reader.hidden:
        return "hidden"
    if reader.muted_entity_ids & c.entity_ids:
        return "muted entity"
    for f in reader.follows:
        if f.muted and _follow_matches(c, f.target_kind, f.target):
            return f"muted {f.target_kind}: {f.target}"
    return ""


def score(c: Candidate, reader: Reader, now: datetime) -> Scored:
    age_h = max(0.0, (now - c.last_seen).total_seconds() / 3600)
    parts = {"freshness": 0.5 ** (age_h / HALF_LIFE_H),
             "coverage": 0.5 * math.log1p(c.outlet_count)}
    why = []
    for f in reader.follows:
        if not f.muted and _follow_matches(c, f.target_kind, f.target):
            parts[f"follow:{f.target_kind}:{f.target}"] = FOLLOW_BOOST * f.weight
            why.append(f"you follow {f.target_kind} {f.target}")
    boost = reader.boosts.get(c.story_id)
    if boost:
        parts["rule"] = boost[0]
        why.append(boost[1])
    if c.outlet_count > 1:
        why.append(f"covered by {c.outlet_count} sources")
    if age_h < 6:
        why.append("new in the last 6 hours")
    return Scored(c, sum(parts.values()), parts, why or ["recent"])


def diversify(ranked: list[Scored], limit: int) -> list[Scored]:
    """Greedy re-rank so one topic or outlet does not fill the page (each repeat costs)."""
    pool = list(ranked)
    out: list[Scored] = []
    shown = Counter[str]()
    while pool and len(out) < limit:
        best = max(range(min(len(pool), 4 * limit)), key=lambda i: pool[i].score
                   * DIVERSITY_DECAY ** max((shown[t] for t in _facets(pool[i])), default=0))
        chosen = pool.pop(best)
        shown.update(_facets(chosen))
        out.append(chosen)
    return out


def _facets(s: Scored) -> list[str]:
    return [f"t:{t}" for t in s.candidate.topics] + [f"s:{i}" for i in s.candidate.source_ids[:1]]


def rank(cands: Sequence[Candidate], reader: Reader, now: datetime, *,
         limit: int = 50) -> list[Scored]:
    """The reader's feed: excluded stories dropped, the rest scored and diversified."""
    scored = sorted((score(c, reader, now) for c in cands if not excluded(c, reader)),
                    key=lambda s: -s.score)
    return diversify(scored, limit)


def headlines(cands: Sequence[Candidate], now: datetime, *, limit: int = 50) -> list[Scored]:
    """Not personalised: by coverage (outlets, then velocity), fresher first on ties."""
    def pop(c: Candidate) -> float:
        age_h = max(0.0, (now - c.last_seen).total_seconds() / 3600)
        return (math.log1p(c.outlet_count) + 0.3 * math.log1p(c.velocity)) * 0.5 ** (age_h / 24)
    ranked = sorted(cands, key=lambda c: -pop(c))[:limit]
    return [Scored(c, pop(c), {"coverage": pop(c)},
                   [f"covered by {c.outlet_count} sources"]) for c in ranked]
