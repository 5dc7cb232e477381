"""What Tidings learns of one reader from what they do, online and on their own machine.

A `Profile` holds affinities (entity, topic, source → learned log-odds) and the weights of the
model's named features, which start at a global prior; both move per reader by logistic SGD
on "does the reader open this story" (impressions are negatives, opens, reads, likes and stars
positives, hides and dislikes strong negatives). Position bias: a reader looks at position p
(0 = top) with probability 1/log2(p + 2), and a skip counts only that much, so a story passed
over far down barely counts against it. Opens can also be weighted by inverse propensity
(`Learning.ips`); in bench/ranking.py that did worse than examination-weighted skips alone, so
it is off by default. `observe` is a pure function of (profile, event); replaying a reader's
events in order from the prior rebuilds their profile exactly, which is how undo works.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tidings.rank.candidate import TOP_ENTITIES, Candidate, entity_shares

# The global prior: what a reader nobody knows yet gets. Names are the model's features.
PRIOR_WEIGHTS: dict[str, float] = {
    "follow": 1.5, "entity": 1.2, "topic": 1.2, "source": 0.6, "freshness": 1.0,
    "coverage": 0.5, "velocity": 0.15, "novelty": 0.6, "rule": 1.0,
}
LEARNED = ("entity", "topic", "source", "freshness", "coverage", "velocity")  # from snapshots
PRIOR_BIAS = -1.0
HALF_LIFE_H = 18.0
OPENED_KEPT = 500  # story ids remembered for novelty and read counts
MAX_KEYS = 3000  # affinities kept per kind; past that the weakest evidence goes


@dataclass(frozen=True, slots=True)
class Learning:
    """How feedback moves a profile (chosen by cross-validation in bench/ranking.py)."""

    affinity_rate: float = 0.1  # SGD step for entity and source affinities
    topic_rate: float = 0.3  # SGD step for topic affinities: few keys, each seen often
    shrink: float = 0.02  # L2 pull of a touched affinity toward 0 per step
    skip: float = 0.5  # weight of "shown at the top and not opened" as a negative example
    ips: float = 0.0  # an open counts (1/examined)**ips: 0 when skips carry the correction
    ips_cap: float = 4.0  # an open at a low position counts at most this many times
    position_correction: bool = True  # skips weighted by examination, opens by ips
    weight_rate: float = 0.05  # logistic SGD step on impression → open; 0 keeps the prior
    prior_pull: float = 0.02  # each step pulls weights back toward the prior by this much


DEFAULT = Learning()

# Each kind of feedback is one example for "does this reader want this story": its label and
# how much it counts (an open is scaled by inverse propensity, a read by its dwell time).
EXAMPLE = {"open": (1.0, 1.0), "read": (1.0, 0.5), "like": (1.0, 2.0), "save": (1.0, 1.5),
           "dislike": (0.0, 2.0), "hide": (0.0, 3.0)}
POSITIVE = frozenset({"open", "read", "like", "save"})
AFFINITY_CAP = 3.0


@dataclass(slots=True)
class Affinity:
    """One key's learned log-odds: how much more (or less) the reader opens stories with it."""

    name: str
    value: float = 0.0
    reads: int = 0  # stories about it the reader opened


@dataclass
class Profile:
    entities: dict[int, Affinity] = field(default_factory=dict)
    topics: dict[str, Affinity] = field(default_factory=dict)
    sources: dict[int, Affinity] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=lambda: dict(PRIOR_WEIGHTS))
    bias: float = PRIOR_BIAS
    n: int = 0  # interactions observed (impressions included)
    opened: list[int] = field(default_factory=list)  # most recent last

    def to_json(self) -> dict[str, Any]:
        def aff(d: dict[Any, Affinity]) -> dict[str, list[Any]]:
            return {str(k): [a.name, a.value, a.reads] for k, a in d.items()}
        return {"v": 2, "entities": aff(self.entities), "topics": aff(self.topics),
                "sources": aff(self.sources), "weights": dict(self.weights),
                "bias": self.bias, "n": self.n, "opened": list(self.opened)}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Profile:
        if not data or data.get("v") != 2:
            return cls()
        def aff(d: dict[str, list[Any]], key: type) -> dict[Any, Affinity]:
            return {key(k): Affinity(str(v[0]), float(v[1]), int(v[2]))
                    for k, v in d.items()}
        weights = dict(PRIOR_WEIGHTS)
        weights.update({k: float(v) for k, v in data.get("weights", {}).items()
                        if k in PRIOR_WEIGHTS})
        return cls(aff(data.get("entities", {}), int), aff(data.get("topics", {}), str),
                   aff(data.get("sources", {}), int), weights,
                   float(data.get("bias", PRIOR_BIAS)), int(data.get("n", 0)),
                   [int(i) for i in data.get("opened", [])])

    def copy(self) -> Profile:
        return Profile.from_json(self.to_json())


def snapshot(c: Candidate, *, age_h: float | None = None) -> dict[str, Any]:
    """What the story was when the reader acted on it (small; kept in interactions.features)."""
    snap: dict[str, Any] = {
        "story_id": c.story_id, "topics": list(c.topics),
        "entities": [[i, name, round(w, 4)] for i, name, w in c.entities[:TOP_ENTITIES]],
        "sources": [[i, c.outlets[n] if n < len(c.outlets) else ""]
                    for n, i in enumerate(c.source_ids)],
        "outlet_count": c.outlet_count, "velocity": round(c.velocity, 4)}
    if age_h is not None:
        snap["age_h"] = round(age_h, 3)
    return snap


def examined(position: int | None) -> float:
    """Probability that a reader looked at this position (0 = top): 1/log2(p + 2)."""
    return 1.0 if position is None else 1.0 / math.log2(max(0, position) + 2)


def freshness(age_h: float) -> float:
    return 0.5 ** (max(0.0, age_h) / HALF_LIFE_H)


Keys = dict[str, list[tuple[Any, float]]]  # kind → (key, share of the story)


def story_keys(topics: Any, entities: Any, source_ids: Any) -> Keys:
    """What a story is about, as affinity keys with their share: every topic counts 1, an
    entity its weight relative to the story's top entity, a source 1/number of sources."""
    ents = tuple((int(e[0]), str(e[1]), float(e[2])) for e in list(entities)[:TOP_ENTITIES])
    sources = list(source_ids)
    return {"entity": list(entity_shares(ents)) if ents else [],
            "topic": [(str(t), 1.0) for t in topics],
            "source": [(int(i), 1.0 / len(sources)) for i in sources]}


def affinities(profile: Profile, keys: Keys) -> dict[str, tuple[float, Any]]:
    """entity / topic / source feature values of a story, each with the key that adds most
    (None when nothing adds)."""
    tables: dict[str, dict[Any, Affinity]] = {
        "entity": profile.entities, "topic": profile.topics, "source": profile.sources}
    out: dict[str, tuple[float, Any]] = {}
    for kind, table in tables.items():
        terms = [(table[k].value * share, k) for k, share in keys[kind] if k in table]
        best = max(terms, key=lambda t: t[0], default=(0.0, None))
        out[kind] = (sum(t[0] for t in terms), best[1] if best[0] > 0 else None)
    return out


def snapshot_keys(snap: dict[str, Any]) -> Keys:
    return story_keys(snap.get("topics", ()), snap.get("entities", ()),
                      [s[0] for s in snap.get("sources", ())])


def snapshot_features(profile: Profile, snap: dict[str, Any]) -> dict[str, float]:
    aff = affinities(profile, snapshot_keys(snap))
    return {"entity": aff["entity"][0], "topic": aff["topic"][0], "source": aff["source"][0],
            "freshness": freshness(float(snap.get("age_h", 0.0))),
            "coverage": math.log1p(int(snap.get("outlet_count", 1))),
            "velocity": math.log1p(float(snap.get("velocity", 0.0)))}


def observe(profile: Profile, kind: str, cand_snapshot: dict[str, Any], *,
            position: int | None = None, dwell_ms: int | None = None,
            learning: Learning = DEFAULT) -> Profile:
    """The profile after one interaction (the argument is not changed)."""
    out = profile.copy()
    learn_into(out, kind, cand_snapshot, position=position, dwell_ms=dwell_ms,
               learning=learning)
    return out


def learn_into(out: Profile, kind: str, cand_snapshot: dict[str, Any], *,
               position: int | None = None, dwell_ms: int | None = None,
               learning: Learning = DEFAULT) -> None:
    """`observe`, changing `out` in place (replay uses it: no copy per event)."""
    exam = examined(position) if learning.position_correction else 1.0
    if kind == "impression":
        label, weight = 0.0, learning.skip * exam  # a skip far down was likely never seen
    elif kind in EXAMPLE:
        label, weight = EXAMPLE[kind]
        if kind == "open":
            weight *= min(learning.ips_cap, (1.0 / exam) ** learning.ips)
        if kind == "read" and dwell_ms is not None:
            weight += min(1.0, max(0, dwell_ms) / 60_000)
    else:
        return
    keys = snapshot_keys(cand_snapshot)
    _sgd(out, keys, _names(cand_snapshot), snapshot_features(out, cand_snapshot), label=label,
         weight=weight, learning=learning)
    if kind in POSITIVE:
        _mark_opened(out, int(cand_snapshot.get("story_id", 0)), keys)
    out.n += 1
    for table in (out.entities, out.topics, out.sources):
        if len(table) > MAX_KEYS:
            _prune(table)


def replay(events: list[tuple[str, dict[str, Any], int | None, int | None]],
           learning: Learning = DEFAULT) -> Profile:
    """A profile rebuilt from (kind, snapshot, position, dwell_ms) events, oldest first."""
    profile = Profile()
    for kind, snap, position, dwell in events:
        learn_into(profile, kind, snap, position=position, dwell_ms=dwell, learning=learning)
    return profile


def _sgd(p: Profile, keys: Keys, names: dict[tuple[str, Any], str], x: dict[str, float], *,
         label: float, weight: float, learning: Learning) -> None:
    """One logistic step on z = bias + Σ w_f·x_f, for the affinities and the weights."""
    z = p.bias + sum(p.weights[f] * x[f] for f in LEARNED)
    err = label - 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
    tables: dict[str, dict[Any, Affinity]] = {
        "entity": p.entities, "topic": p.topics, "source": p.sources}
    for kind, table in tables.items():
        r = learning.topic_rate if kind == "topic" else learning.affinity_rate
        step = r * weight * err
        for key, share in keys[kind]:
            a = table.get(key) or Affinity(names.get((kind, key), ""))
            v = a.value + step * share - r * learning.shrink * a.value
            a.value = max(-AFFINITY_CAP, min(AFFINITY_CAP, v))
            table[key] = a
    rate = learning.weight_rate
    for f in LEARNED:
        pull = learning.prior_pull * (p.weights[f] - PRIOR_WEIGHTS[f])
        p.weights[f] = max(0.0, p.weights[f] + rate * (weight * err * x[f] - pull))
    p.bias += max(rate, 0.05) * weight * err


def _names(snap: dict[str, Any]) -> dict[tuple[str, Any], str]:
    names: dict[tuple[str, Any], str] = {("topic", str(t)): str(t) for t in snap.get("topics", ())}
    names.update({("entity", int(e[0])): str(e[1]) for e in snap.get("entities", ())})
    names.update({("source", int(s[0])): str(s[1]) for s in snap.get("sources", ())})
    return names


def _mark_opened(p: Profile, story_id: int, keys: Keys) -> None:
    """Read counts, the first time the reader opens a story."""
    if story_id in p.opened:
        return
    p.opened = [*p.opened, story_id][-OPENED_KEPT:]
    for kind, table in (("entity", p.entities), ("topic", p.topics), ("source", p.sources)):
        for key, _ in keys[kind]:
            table[key].reads += 1


def _prune(table: dict[Any, Affinity]) -> None:
    keep = sorted(table.items(), key=lambda kv: -abs(kv[1].value))[:MAX_KEYS * 3 // 4]
    table.clear()
    table.update(keep)
