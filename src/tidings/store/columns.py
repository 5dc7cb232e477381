"""The catalogue's stories as numpy columns, so one reader's candidates are chosen and their
features gathered by array operations instead of a Python loop over hundreds of stories.

Each story has a *slot* (a row of the per-story columns) and one *row* per source covering
it (the per-coverage columns). A changed story gets a fresh slot and fresh rows; the old ones
are marked dead and reclaimed when dead outnumber the living (`compact`). Strings a feature
test compares (topic labels, lower-case entity names) are interned as small ints, so a
follow's test is a comparison of int columns. Not thread-safe: the catalogue's lock guards it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from tidings.rank.candidate import TOP_ENTITIES, Candidate

if TYPE_CHECKING:
    from tidings.store.catalogue import Coverage, Shared

_START = 1024
MAX_TESTS = 2000  # follow and mute text tests remembered (an int8 per story each)
Array = np.ndarray[Any, Any]


class Interned:
    """Strings as small ints, first seen first."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []
        # a topic follow's label → the ids of it and its subtopics, and how many words there
        # were when that was worked out (words only ever join, so a longer list redoes it)
        self.under: dict[str, tuple[int, list[int]]] = {}

    def id(self, word: str) -> int:
        got = self.ids.get(word)
        if got is None:
            got = self.ids[word] = len(self.words)
            self.words.append(word)
        return got


@dataclass
class Chosen:
    """One reader's candidates, in the feed's candidate order (most recently covered by
    their sources first, then the higher story id), with what scoring needs as arrays."""

    shared: list[Shared]
    story_ids: Array  # int64 (n)
    last_ts: Array  # float64 (n): newest arrival among the reader's sources, a timestamp
    log_outlets: Array  # float64 (n): log1p(outlet count)
    log_velocity: Array  # float64 (n)
    entity: Array  # int64 (n, TOP_ENTITIES): entity ids of the shares, -1 padding
    share: Array  # float64 (n, TOP_ENTITIES)
    name: Array  # int32 (n, names): interned lower-case entity names, -1 padding
    topic: Array  # int32 (n, topics): interned topic labels, -1 padding
    names: Interned
    topics: Interned
    slots: Array  # int64 (n): the candidates' slots in `Columns`
    hits: dict[tuple[str, str], Array]  # `Columns.hits` when chosen (slots as numbered then)
    hits_lock: threading.Lock
    capacity: int  # slots `Columns` had room for

    def text_hits(self, key: tuple[str, str]) -> Array:
        """The memo of one follow's topic or keyword test by slot (-1: not run yet). A slot's
        story never changes (a changed story gets a new slot), so a result holds until the
        columns are rebuilt (with a new memo). At most MAX_TESTS tests are remembered."""
        with self.hits_lock:
            known = self.hits.get(key)
            if known is None or len(known) < self.capacity:
                grown = np.full(self.capacity, -1, np.int8)
                if known is not None:
                    grown[:len(known)] = known
                elif len(self.hits) >= MAX_TESTS:
                    self.hits.pop(next(iter(self.hits)))
                known = self.hits[key] = grown
            return known
    row_pos: Array  # int64 (rows): the candidate each of the reader's coverage rows is of
    row_source: Array  # int64 (rows), by candidate, newest first within one
    row_start: Array  # int64 (n + 1): candidate i's rows are row_start[i]:row_start[i + 1]
    rows: Array  # int64 (rows): those rows in `Columns`
    row_cov: list[Coverage]  # `Columns.row_cov` (coverage by row)

    def coverage(self, i: int) -> list[Coverage]:
        """Candidate i's coverage by the reader's sources, newest first."""
        rows = self.rows[self.row_start[i]:self.row_start[i + 1]].tolist()
        return [self.row_cov[r] for r in rows]

    def __len__(self) -> int:
        return len(self.shared)


class Columns:
    def __init__(self) -> None:
        self.topics, self.names = Interned(), Interned()
        self.hits_lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        self.slot_of: dict[int, int] = {}
        self.rows_of: dict[int, list[int]] = {}
        self.slots = self.rows = self.dead_slots = self.dead_rows = 0
        self.shared: list[Shared | None] = []
        self.story_id = np.zeros(_START, np.int64)
        self.log_outlets = np.zeros(_START)
        self.log_velocity = np.zeros(_START)
        self.entity = np.full((_START, TOP_ENTITIES), -1, np.int64)
        self.share = np.zeros((_START, TOP_ENTITIES))
        self.name = np.full((_START, 4), -1, np.int32)
        self.topic = np.full((_START, 4), -1, np.int32)
        self.row_slot = np.zeros(_START, np.int64)
        self.row_source = np.zeros(_START, np.int64)
        self.row_ts = np.zeros(_START)
        self.row_article = np.zeros(_START, np.int64)
        self.row_alive = np.zeros(_START, bool)
        self.row_cov: list[Coverage] = []
        self.top_source = 0
        self.hits: dict[tuple[str, str], Array] = {}  # see `text_hits`

    # --- kept in step with the catalogue ------------------------------------------------

    def put(self, story_id: int, shared: Shared, coverage: dict[int, Coverage]) -> None:
        self.drop(story_id)
        slot = self.slots
        self._room_for_slot(slot, len(shared.entities), len(shared.topics))
        self.slots += 1
        self.slot_of[story_id] = slot
        self.shared.append(shared)
        self.story_id[slot] = story_id
        self.log_outlets[slot] = math.log1p(shared.outlet_count)
        self.log_velocity[slot] = math.log1p(shared.velocity)
        for j, (eid, share) in enumerate(shared.entity_shares):
            self.entity[slot, j], self.share[slot, j] = eid, share
        for j, (_, name, _) in enumerate(shared.entities):
            self.name[slot, j] = self.names.id(name.lower())
        for j, label in enumerate(shared.topics):
            self.topic[slot, j] = self.topics.id(label)
        rows = []
        for cov in coverage.values():
            row = self.rows
            self._room_for_row(row)
            self.rows += 1
            self.row_slot[row], self.row_source[row] = slot, cov[2]
            self.top_source = max(self.top_source, cov[2])
            self.row_ts[row], self.row_article[row] = cov[0].timestamp(), cov[1]
            self.row_alive[row] = True
            self.row_cov.append(cov)
            rows.append(row)
        self.rows_of[slot] = rows

    def drop(self, story_id: int) -> None:
        slot = self.slot_of.pop(story_id, None)
        if slot is None:
            return
        self.shared[slot] = None
        self.dead_slots += 1
        for row in self.rows_of.pop(slot):  # its coverage stays: a request may be reading it
            self.row_alive[row] = False
            self.dead_rows += 1
        if self.dead_slots > max(_START, self.slots - self.dead_slots):
            self.compact()

    def compact(self) -> None:
        """Rebuild without the dead slots and rows (amortised: after as many dead as living)."""
        living = [(sid, self.shared[slot], [self.row_cov[r] for r in self.rows_of[slot]])
                  for sid, slot in self.slot_of.items()]
        self.clear()
        for sid, shared, covs in living:
            assert shared is not None
            self.put(sid, shared, {c[2]: c for c in covs})

    def _room_for_slot(self, slot: int, names: int, topics: int) -> None:
        if slot >= len(self.story_id):
            size = 2 * len(self.story_id)
            for name in ("story_id", "log_outlets", "log_velocity", "entity", "share", "name",
                         "topic"):
                setattr(self, name, _grown(getattr(self, name), size))
        self.name = _wide(self.name, names)
        self.topic = _wide(self.topic, topics)

    def _room_for_row(self, row: int) -> None:
        if row >= len(self.row_slot):
            size = 2 * len(self.row_slot)
            for name in ("row_slot", "row_source", "row_ts", "row_article", "row_alive"):
                setattr(self, name, _grown(getattr(self, name), size))

    # --- read on every feed request -----------------------------------------------------

    def choose(self, source_ids: Array, since: datetime, limit: int) -> Chosen:
        """The `limit` stories most recently covered by these sources since `since`, newest
        first (ties: the higher story id), with all those sources' coverage of each."""
        n = self.rows
        theirs = np.zeros(self.top_source + 1, bool)
        theirs[source_ids[(source_ids >= 0) & (source_ids <= self.top_source)]] = True
        mine = np.flatnonzero(self.row_alive[:n] & theirs[self.row_source[:n]])
        recent = mine[self.row_ts[mine] >= since.timestamp()]
        # stories in the order of their newest row (ties: the higher story id)
        by_time = np.lexsort((-self.story_id[self.row_slot[recent]], -self.row_ts[recent]))
        slots = self.row_slot[recent[by_time]]
        _, first = np.unique(slots, return_index=True)
        chosen = slots[np.sort(first)[:limit]]
        # all the reader's rows of those stories, by candidate; newest first within one, as
        # the coverage tuples sort reversed
        pos = np.full(self.slots, -1, np.int64)
        pos[chosen] = np.arange(len(chosen))
        row_pos = pos[self.row_slot[mine]]
        rows, row_pos = mine[row_pos >= 0], row_pos[row_pos >= 0]
        order = np.lexsort((-self.row_source[rows], -self.row_article[rows],
                            -self.row_ts[rows], row_pos))
        rows, row_pos = rows[order], row_pos[order]
        row_start = np.searchsorted(row_pos, np.arange(len(chosen) + 1))
        shared = [self.shared[s] for s in chosen.tolist()]
        return Chosen(
            shared=[s for s in shared if s is not None], story_ids=self.story_id[chosen],
            last_ts=self.row_ts[rows[row_start[:-1]]], log_outlets=self.log_outlets[chosen],
            log_velocity=self.log_velocity[chosen], entity=self.entity[chosen],
            share=self.share[chosen], name=self.name[chosen], topic=self.topic[chosen],
            names=self.names, topics=self.topics, row_pos=row_pos,
            row_source=self.row_source[rows], row_start=row_start, rows=rows,
            row_cov=self.row_cov, slots=chosen, hits=self.hits, hits_lock=self.hits_lock,
            capacity=len(self.story_id))


def candidate(chosen: Chosen, i: int, subs: Mapping[int, tuple[str, str]]) -> Candidate:
    """Candidate `i` of `chosen` as the model's pure functions take it."""
    f, mine = chosen.shared[i], chosen.coverage(i)
    top = mine[0]
    src_ids: tuple[int, ...]
    outlets: tuple[str, ...]
    folders: tuple[str, ...]
    if len(mine) == 1:  # most stories: one of the reader's sources covers it
        name, folder = subs[top[2]]
        src_ids, count, outlets, folders = (top[2],), top[3], (name,), (folder,)
    else:
        src_ids = tuple([m[2] for m in mine])
        count = sum([m[3] for m in mine])
        theirs = [subs[s] for s in src_ids]
        outlets, folders = tuple([t[0] for t in theirs]), tuple([t[1] for t in theirs])
    return Candidate(
        story_id=int(chosen.story_ids[i]), headline=top[4], lead_article_id=top[1],
        first_seen=f.first_seen, last_seen=top[0], article_count=count,
        source_ids=src_ids, outlet_count=f.outlet_count, velocity=f.velocity,
        topics=f.topics, entities=f.entities, entity_ids=f.entity_ids,
        entity_names=f.entity_names, entity_shares=f.entity_shares, about=f.about,
        matched=f.matched, bylines=f.bylines, outlets=outlets, folders=folders)


def _wide(a: Array, width: int) -> Array:
    if width <= a.shape[1]:
        return a
    out = np.full((len(a), max(width, 2 * a.shape[1])), -1, a.dtype)
    out[:, :a.shape[1]] = a
    return out


def _grown(a: Array, size: int) -> Array:
    fill = -1 if a.dtype.kind == "i" and a.ndim == 2 else 0
    out = np.full((size, *a.shape[1:]), fill, a.dtype)
    out[:len(a)] = a
    return out
