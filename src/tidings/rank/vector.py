"""`model.rank` over the catalogue's columns: the same scores, by array operations.

A feed request ranks a few hundred stories. `model.rank` builds a `Candidate` for each and
sums its features in a Python loop; here every feature of every candidate is one array
operation over `columns.Chosen`, and only the stories diversify looks at (4 × the page)
become `Candidate`s. The page itself is scored and explained by `model.score`, so every
`why` still comes from the contributions that scored it. The totals are `model._totals`'s,
term by term in the same order (tests/rank/test_vector.py checks both agree).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import numpy as np

from tidings.models import TargetKind
from tidings.rank import model
from tidings.rank.candidate import Candidate, Reader
from tidings.rank.learn import HALF_LIFE_H, Affinity, freshness
from tidings.store.columns import MAX_TESTS, Array, Chosen, Interned, candidate

Subs = Mapping[int, tuple[str, str]]  # the reader's source id → (their name for it, folder)


def rank(chosen: Chosen, subs: Subs, reader: Reader, now: datetime, *,
         limit: int = 50) -> list[model.Scored]:
    """What `model.rank` returns for `[candidate(chosen, i, subs) for i …]`."""
    req = model._request(reader)
    if not len(chosen):
        return []
    terms = _Terms(chosen, subs, reader, now, req)
    total = terms.total
    idx = np.flatnonzero(_allowed(chosen, subs, reader, req))
    pool = idx[np.argsort(-total[idx], kind="stable")][:4 * limit].tolist()
    # model._facets as ints: a topic by its interned id, an outlet by -(id + 1)
    firsts = chosen.row_source[chosen.row_start[:-1]]
    facets = [[t for t in row if t >= 0] + [-1 - src] for row, src in
              zip(chosen.topic[pool].tolist(), firsts[pool].tolist(), strict=True)]
    out = []
    for i in model.diversified(total[pool].tolist(), facets, limit):
        c = candidate(chosen, pool[i], subs)
        parts = terms.parts(pool[i], c, now)
        scored = model.Scored(c, sum(parts.values()), parts)
        model._explain_all(scored, reader, now)
        out.append(scored)
    return out


def _allowed(chosen: Chosen, subs: Subs, reader: Reader, req: model._Request) -> Array:
    keep = np.ones(len(chosen), bool)
    if reader.hidden:
        keep &= ~np.isin(chosen.story_ids, np.fromiter(reader.hidden, np.int64))
    muted = reader.muted_entity_ids
    if muted:
        keep &= np.fromiter((muted.isdisjoint(s.entity_ids) for s in chosen.shared), bool,
                            len(chosen))
    for m in req.mutes:
        keep &= ~_matches(m, chosen, subs)
    return keep


class _Terms:
    """Every candidate's weighted features (`model.features` × the reader's weights) as
    arrays, and their sum, term by term in `model._totals`'s order."""

    def __init__(self, chosen: Chosen, subs: Subs, reader: Reader, now: datetime,
                 req: model._Request) -> None:
        prof, w = req.profile, req.profile.weights
        self.w, self.boosts = w, reader.boosts
        n = len(chosen)
        age_h = np.maximum(0.0, (now.timestamp() - chosen.last_ts) / 3600)
        self.coverage = w.get("coverage", 0.0) * chosen.log_outlets
        self.velocity = w.get("velocity", 0.0) * chosen.log_velocity
        total = w.get("freshness", 0.0) * 0.5 ** (age_h / HALF_LIFE_H) + self.coverage \
            + self.velocity
        ents, tops, srcs = prof.entities, prof.topics, prof.sources
        self.entity = self.topic = self.source = np.zeros(n)
        if ents or tops or srcs:
            self.entity = w.get("entity", 0.0) * _summed(
                _values(ents, lambda k: k, chosen.entity) * chosen.share)
            self.topic = w.get("topic", 0.0) * _summed(
                _values(tops, chosen.topics.ids.get, chosen.topic))
            if srcs:
                per_row = _values(srcs, lambda k: k, chosen.row_source)
                self.source = w.get("source", 0.0) * (
                    np.bincount(chosen.row_pos, per_row, n)
                    / np.maximum(1, np.bincount(chosen.row_pos, minlength=n)))
            total += self.entity + self.topic + self.source
        w_follow = w.get("follow", 0.0)
        self.follows = []
        for m in req.follows:
            hit = _matches(m, chosen, subs)
            self.follows.append((f"follow:{m.kind}:{m.target}", w_follow * m.weight, hit))
            total = np.where(hit, total + w_follow * m.weight, total)
        self.opened = np.zeros(n, bool)
        if req.opened:
            self.opened = np.isin(chosen.story_ids, np.fromiter(req.opened, np.int64))
            total = np.where(self.opened, total - w.get("novelty", 0.0), total)
        if reader.boosts:
            w_rule = w.get("rule", 0.0)
            for i in np.flatnonzero(np.isin(chosen.story_ids, list(reader.boosts))).tolist():
                boost = reader.boosts[int(chosen.story_ids[i])][0]
                if boost:
                    total[i] += w_rule * boost
        self.total = total

    def parts(self, i: int, c: Candidate, now: datetime) -> dict[str, float]:
        """`model.score`'s contributions of candidate i (`c`): the same products, in the
        same order; freshness as the model works it out (from the candidate's datetime)."""
        w = self.w
        age_h = max(0.0, (now - c.last_seen).total_seconds() / 3600)
        parts = {"entity": float(self.entity[i]), "topic": float(self.topic[i]),
                 "source": float(self.source[i]),
                 "freshness": w.get("freshness", 0.0) * freshness(age_h),
                 "coverage": float(self.coverage[i]), "velocity": float(self.velocity[i])}
        for key, value, hit in self.follows:
            if hit[i]:
                parts[key] = value
        if self.opened[i]:
            parts["novelty"] = w.get("novelty", 0.0) * -1.0
        boost = self.boosts.get(c.story_id)
        if boost:
            parts["rule"] = w.get("rule", 0.0) * boost[0]
        return {f: v for f, v in parts.items() if v != 0.0}


def _values(table: Mapping[Any, Affinity], key: Callable[[Any], int | None],
            ids: Array) -> Array:
    """The learned value of each id in `ids` (0 where the reader has none)."""
    pairs = sorted((k, a.value) for k, a in ((key(k), a) for k, a in table.items())
                   if k is not None)
    if not pairs:
        return np.zeros(ids.shape)
    keys = np.fromiter((k for k, _ in pairs), np.int64, len(pairs))
    vals = np.fromiter((v for _, v in pairs), np.float64, len(pairs))
    at = np.minimum(np.searchsorted(keys, ids), len(keys) - 1)
    return np.where(keys[at] == ids, vals[at], 0.0)


def _summed(parts: Array) -> Array:
    """Row sums added left to right, as Python's `sum` adds a story's terms."""
    out = np.zeros(len(parts))
    for j in range(parts.shape[1]):
        out = out + parts[:, j]
    return out


def _matches(m: model._Matcher, chosen: Chosen, subs: Subs) -> Array:
    """`m.matches(c)` for every candidate `c`."""
    n = len(chosen)
    if m.kind is TargetKind.ENTITY:
        name = chosen.names.ids.get(m.low)
        if name is None:
            return np.zeros(n, bool)
        return np.asarray((chosen.name == name).any(axis=1))
    if m.kind is TargetKind.TOPIC:
        return np.asarray(np.isin(chosen.topic, _topic_ids(chosen.topics, m.low)).any(axis=1))
    if m.kind is TargetKind.SOURCE:
        named = [s for s, (name, _) in subs.items() if name.lower() == m.low]
        rows = np.isin(chosen.row_source, named)
        return np.bincount(chosen.row_pos, rows, n) > 0
    known = chosen.text_hits(m.key)  # a memo shared by every reader with this test
    hits = known[chosen.slots]
    for i in np.flatnonzero(hits < 0).tolist():
        hits[i] = known[chosen.slots[i]] = m.run_text(chosen.shared[i])
    return hits > 0


def _topic_ids(topics: Interned, low: str) -> list[int]:
    """The topic and its subtopics ("sport" and "sport football"), as interned ids."""
    n = len(topics.words)  # words may join meanwhile (another thread's catalogue update)
    known = topics.under.get(low)
    if known is not None and known[0] == n:
        return known[1]
    spaced = low + " "
    ids = [i for i, t in enumerate(topics.words[:n]) if t == low or t.startswith(spaced)]
    if len(topics.under) >= MAX_TESTS:
        topics.under.clear()
    topics.under[low] = (n, ids)
    return ids

