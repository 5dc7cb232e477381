"""The ranking model: a score that is a sum over named features, each explained in words.

score = Σ weight_f · x_f over: follow (matches of the reader's follows), entity, topic and
source (affinities learned from feedback, `tidings.rank.learn`), freshness, coverage (outlet
count), velocity, novelty (already opened costs) and rule (boosts). The weights are the
reader's, learned online from a global prior. `why` is the top positive contributions in
words; every phrase comes from a contribution that scored the story.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

from tidings.models import Follow, TargetKind
from tidings.rank.candidate import Candidate, Reader
from tidings.rank.learn import Affinity, Profile, freshness

DIVERSITY_COST = 0.15  # points per story already shown with the same topic or outlet
WHY_MAX = 3
_PRIOR = Profile()


@dataclass
class Scored:
    candidate: Candidate
    score: float
    contributions: dict[str, float] = field(default_factory=dict)  # feature → points
    why: list[str] = field(default_factory=list)  # the top contributions, in words


class _Text(Protocol):
    """What a topic or keyword test reads of a story (a `Candidate`, or what the catalogue
    shares between every reader's candidate of it)."""

    @property
    def topics(self) -> tuple[str, ...]: ...
    @property
    def about(self) -> str: ...
    @property
    def matched(self) -> dict[tuple[str, str], bool]: ...


@dataclass(frozen=True, slots=True)
class _Matcher:
    kind: TargetKind
    target: str  # as the reader wrote it
    low: str
    weight: float
    muted: bool
    pattern: re.Pattern[str] | None  # keywords only
    key: tuple[str, str]  # (kind, lower-case target): this test's entry in `Candidate.matched`

    @property
    def spaced(self) -> str:
        return self.low + " "

    def matches(self, c: Candidate) -> bool:
        if self.kind is TargetKind.ENTITY:
            return self.low in c.entity_names
        if self.kind is TargetKind.SOURCE:  # the reader's names for sources: not memoised
            return any(self.low == o.lower() for o in c.outlets)
        return self.matches_text(c)

    def matches_text(self, c: _Text) -> bool:
        """A topic or keyword test, memoised in the story's `matched`."""
        hit = c.matched.get(self.key)
        if hit is None:
            c.matched[self.key] = hit = self.run_text(c)
        return hit

    def run_text(self, c: _Text) -> bool:
        """The topic or keyword test itself."""
        if self.kind is TargetKind.TOPIC:
            return any(t == self.low or t.startswith(self.spaced) for t in c.topics)
        # the substring test is cheap and rules out most stories before the regex runs
        return (self.pattern is not None and self.low in c.about
                and self.pattern.search(c.about) is not None)


@lru_cache(maxsize=4096)
def _compile(follows: tuple[tuple[str, str, float, bool], ...]) -> tuple[_Matcher, ...]:
    """Follow matchers built once per set of follows (not once per candidate)."""
    out = []
    for kind, target, weight, muted in follows:
        low = target.strip().lower()
        if not low:
            continue
        pattern = re.compile(rf"\b{re.escape(low)}\b") if kind == TargetKind.KEYWORD else None
        out.append(_Matcher(TargetKind(kind), target, low, weight, muted, pattern,
                            (str(kind), low)))
    return tuple(out)


def _matchers(follows: Sequence[Follow]) -> tuple[_Matcher, ...]:
    return _compile(tuple((str(f.target_kind), f.target, f.weight, f.muted) for f in follows))


@dataclass(frozen=True, slots=True)
class _Request:
    """What one ranking request works out once, not once per candidate."""

    profile: Profile
    follows: tuple[_Matcher, ...]
    mutes: tuple[_Matcher, ...]
    opened: frozenset[int]


def _request(reader: Reader) -> _Request:
    profile = profile_of(reader)
    ms = _matchers(reader.follows)
    return _Request(profile, tuple(m for m in ms if not m.muted),
                    tuple(m for m in ms if m.muted), reader.opened | set(profile.opened))


def excluded(c: Candidate, reader: Reader, req: _Request | None = None) -> str:
    """Why the reader never sees this story ("" when they may)."""
    if c.story_id in reader.hidden:
        return "hidden"
    if reader.muted_entity_ids & c.entity_ids:
        return "muted entity"
    for m in (req.mutes if req else _matchers(reader.follows)):
        if m.muted and m.matches(c):
            return f"muted {m.kind}: {m.target}"
    return ""


def profile_of(reader: Reader) -> Profile:
    return reader.profile if isinstance(reader.profile, Profile) else _PRIOR


def features(c: Candidate, reader: Reader, now: datetime,
             req: _Request | None = None) -> dict[str, float]:
    """x_f for every named feature (follows one by one, as follow:<kind>:<target>)."""
    req = req or _request(reader)
    age_h = max(0.0, (now - c.last_seen).total_seconds() / 3600)
    entity, topic, source = affinity_values(req.profile, c)
    x = {"entity": entity, "topic": topic, "source": source,
         "freshness": freshness(age_h), "coverage": math.log1p(c.outlet_count),
         "velocity": math.log1p(c.velocity)}
    for m in req.follows:
        if m.matches(c):
            x[f"follow:{m.kind}:{m.target}"] = m.weight
    if c.story_id in req.opened:
        x["novelty"] = -1.0  # opened before: the reader has seen it
    boost = reader.boosts.get(c.story_id)
    if boost:
        x["rule"] = boost[0]
    return x


def affinity_values(profile: Profile, c: Candidate) -> tuple[float, float, float]:
    """The entity, topic and source features of a story: the reader's learned affinities
    summed over its keys, each by its share (`learn.story_keys`, from what the candidate
    keeps precomputed)."""
    ents, tops, srcs = profile.entities, profile.topics, profile.sources
    entity = (sum(ents[i].value * share for i, share in c.entity_shares if i in ents)
              if ents else 0.0)
    topic = sum(tops[t].value for t in c.topics if t in tops) if tops else 0.0
    source = 0.0
    if srcs and c.source_ids:
        source = sum(srcs[i].value for i in c.source_ids if i in srcs) / len(c.source_ids)
    return entity, topic, source


def weight_of(profile: Profile, feature: str) -> float:
    return profile.weights.get(feature.split(":", 1)[0], 0.0)


def score(c: Candidate, reader: Reader, now: datetime, req: _Request | None = None, *,
          explained: bool = True) -> Scored:
    req = req or _request(reader)
    parts = {f: weight_of(req.profile, f) * v for f, v in features(c, reader, now, req).items()}
    parts = {f: v for f, v in parts.items() if v != 0.0}
    scored = Scored(c, sum(parts.values()), parts)
    if explained:
        _explain_all(scored, reader, now)
    return scored


def _explain_all(s: Scored, reader: Reader, now: datetime) -> None:
    """why = the top positive contributions, in words (done only for stories shown)."""
    age_h = max(0.0, (now - s.candidate.last_seen).total_seconds() / 3600)
    parts = s.contributions
    top = sorted([f for f, v in parts.items() if v > 0], key=parts.__getitem__, reverse=True)
    s.why = [explain(f, s.candidate, reader, age_h) for f in top[:WHY_MAX]] or [
        "in your sources"]


def explain(feature: str, c: Candidate, reader: Reader, age_h: float) -> str:
    """One contribution in words."""
    kind = feature.split(":", 1)[0]
    if kind == "follow":
        _, target_kind, target = feature.split(":", 2)
        return f"you follow {target_kind} {target}"
    if kind in ("entity", "topic", "source"):
        return _explain_affinity(kind, c, profile_of(reader))
    if kind == "coverage":
        mine = len(c.source_ids)
        if mine > 1:
            return f"{mine} of your sources cover this"
        return f"covered by {c.outlet_count} sources" if c.outlet_count > 1 else "one source"
    if kind == "velocity":
        return f"{c.velocity:.1f} new articles an hour"
    if kind == "rule":
        return reader.boosts[c.story_id][1]
    return _explain_freshness(age_h)


def _explain_freshness(age_h: float) -> str:
    if age_h < 1:
        return "new in the last hour"
    if age_h < 6:
        return "new in the last 6 hours"
    if age_h < 24:
        return "from the last day"
    return f"from {math.ceil(age_h / 24)} days ago"


def _affinity_keys(kind: str, c: Candidate, profile: Profile
                   ) -> tuple[Mapping[Any, Affinity], Sequence[tuple[Any, float]], str]:
    """The reader's affinities of this kind, the candidate's keys of it with their shares,
    and the word the phrase uses."""
    if kind == "entity":
        return profile.entities, c.entity_shares, "about"
    if kind == "topic":
        return profile.topics, [(t, 1.0) for t in c.topics], "in"
    return profile.sources, [(i, 1.0 / len(c.source_ids)) for i in c.source_ids], "from"


def _explain_affinity(kind: str, c: Candidate, profile: Profile) -> str:
    """The key of this kind that adds most (as `learn.affinities` picks it, from the shares
    the candidate keeps), in words."""
    table, keys, what = _affinity_keys(kind, c, profile)
    best: float | None = None
    key: Any = None  # a contribution of this kind has a term: the first largest
    for k, share in keys:
        if k in table:
            value = table[k].value * share
            if best is None or value > best:
                best, key = value, k
    a = table[key]
    if a.reads:
        stories = "a story" if a.reads == 1 else f"{a.reads} stories"
        return f"you read {stories} {what} {a.name}"
    return f"you showed interest in {a.name}"


def diversify(ranked: list[Scored], limit: int) -> list[Scored]:
    """Greedy re-rank so one topic or outlet does not fill the page: after its first story a
    topic or outlet costs DIVERSITY_COST points per story already shown (a hard cap cost more
    nDCG in bench/ranking.py than it gave). Considers the best 4·limit stories."""
    pool = ranked[:4 * limit]
    return [pool[i] for i in diversified([s.score for s in pool], [_facets(s) for s in pool],
                                         limit)]


def diversified(scores: Sequence[float], facets: Sequence[Sequence[Hashable]],
                limit: int) -> list[int]:
    """`diversify` on bare scores (best first) and facets (a story's topics and its first
    outlet): the positions picked, in page order. A story's adjusted score only falls as
    others are chosen, so a lazy heap finds each pick exactly: O(n + limit·log n) in
    practice."""
    shown: dict[Hashable, int] = {}  # facet → stories shown with it
    seen = shown.get
    heap = [(-s, i) for i, s in enumerate(scores)]
    heapq.heapify(heap)
    out: list[int] = []
    while heap and len(out) < limit:
        cached, i = heapq.heappop(heap)
        fs = facets[i]
        repeats = max([seen(f, 0) for f in fs]) if fs else 0
        now = -(scores[i] - DIVERSITY_COST * max(0, repeats - 1))
        if heap and now > cached and (now, i) > heap[0]:
            heapq.heappush(heap, (now, i))  # it fell behind: look again later
            continue
        for f in fs:
            shown[f] = seen(f, 0) + 1
        out.append(i)
    return out


def _facets(s: Scored) -> list[str]:
    return [f"t:{t}" for t in s.candidate.topics] + [f"s:{i}" for i in s.candidate.source_ids[:1]]


def rank(cands: Sequence[Candidate], reader: Reader, now: datetime, *,
         limit: int = 50) -> list[Scored]:
    """The reader's feed: excluded stories dropped, the rest scored and diversified.

    Every candidate gets its total from `_totals` (the same sum as `score`, without building
    the parts); only the stories diversify looks at become `Scored`, and only the page is
    scored part by part and explained."""
    req = _request(reader)
    totals = sorted(_totals(cands, reader, now, req), key=lambda t: -t[0])
    pool = [Scored(c, total) for total, c in totals[:4 * limit]]
    page = diversify(pool, limit)
    return [score(s.candidate, reader, now, req) for s in page]


def _totals(cands: Sequence[Candidate], reader: Reader, now: datetime,
            req: _Request) -> list[tuple[float, Candidate]]:
    """(score, candidate) of every story the reader may see: `score`'s sum, computed inline
    (a feed request ranks a few hundred stories; this is its hot loop)."""
    prof, w = req.profile, req.profile.weights
    w_ent, w_top, w_src = w.get("entity", 0.0), w.get("topic", 0.0), w.get("source", 0.0)
    w_fresh, w_cov, w_vel = w.get("freshness", 0.0), w.get("coverage", 0.0), w.get("velocity", 0.0)
    w_follow, w_novel, w_rule = w.get("follow", 0.0), w.get("novelty", 0.0), w.get("rule", 0.0)
    ents, tops, srcs = prof.entities, prof.topics, prof.sources
    hidden, muted_ids, mutes = reader.hidden, reader.muted_entity_ids, req.mutes
    follows, opened, boosts = req.follows, req.opened, reader.boosts
    log1p = math.log1p
    out = []
    for c in cands:
        if c.story_id in hidden or (muted_ids and not muted_ids.isdisjoint(c.entity_ids)):
            continue
        if mutes and any(m.matches(c) for m in mutes):
            continue
        age_h = max(0.0, (now - c.last_seen).total_seconds() / 3600)
        total = (w_fresh * freshness(age_h) + w_cov * log1p(c.outlet_count)
                 + w_vel * log1p(c.velocity))
        if ents or tops or srcs:
            entity, topic, source = affinity_values(prof, c)
            total += w_ent * entity + w_top * topic + w_src * source
        for m in follows:
            if m.matches(c):
                total += w_follow * m.weight
        if c.story_id in opened:
            total -= w_novel
        boost = boosts.get(c.story_id)
        if boost:
            total += w_rule * boost[0]
        out.append((total, c))
    return out


def headlines(cands: Sequence[Candidate], now: datetime, *, limit: int = 50) -> list[Scored]:
    """Not personalised: by coverage (outlets, then pace), fresher first on near-ties."""
    def pop(c: Candidate) -> float:
        age_h = max(0.0, (now - c.last_seen).total_seconds() / 3600)
        # coverage leads; freshness only breaks near-ties (at most half an outlet's worth)
        return (math.log1p(c.outlet_count) + 0.3 * math.log1p(c.velocity)
                + 0.5 * 0.5 ** (age_h / 24))
    ranked = sorted(cands, key=lambda c: -pop(c))[:limit]
    return [Scored(c, pop(c), {"coverage": pop(c)},
                   [f"covered by {c.outlet_count} sources" if c.outlet_count > 1
                    else "one source"]) for c in ranked]
