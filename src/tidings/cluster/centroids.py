"""Stories' summed bags kept between assignments, and a new article scored against them all
in one pass.

A story is judged by the sum of its candidate articles' bags (`tidings.cluster.assign`).
Summing them again for every new article cost more than comparing with them, and a story's
candidate articles rarely change from one article to the next: one joins, or none. So the
sums are kept (`Centroids`, the caller's: `tidings.placement` keeps one per process) and
extended when an article joins. Every weight of one term is added in the same order as
from scratch, and the cosines are summed in the same order too, so the scores are the same
to the last bit (tests/cluster/test_centroids.py checks it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tidings.cluster.fingerprint import Fingerprint

IdArray = npt.NDArray[np.uint64]
WeightArray = npt.NDArray[np.float64]
Bag = tuple[IdArray, WeightArray]  # term ids sorted, and their weights
_SHIFT = np.uint64(32)
TERM_MASK = np.uint64(0xFFFFFFFF)


@dataclass(frozen=True)
class SummedBag:
    """One story's bag of one kind, summed over its candidate articles."""

    ids: IdArray  # term ids, sorted, distinct
    weights: WeightArray
    keys: IdArray  # story id << 32 | term id: sorted across stories taken in id order
    norm2: float  # sum of the squared weights, added in term order


@dataclass(frozen=True)
class StorySums:
    """One story's candidate articles (in candidate order) and their bags summed."""

    story_id: int
    members: tuple[Fingerprint, ...]
    topic: SummedBag
    names: SummedBag
    years: SummedBag


def sum_stories(stories: Sequence[tuple[int, Sequence[Bag]]]) -> list[SummedBag]:
    """Each story's bags summed (stories in ascending id order, each with its bags in
    candidate order), all at once: the weights of one term are added in the order of its
    story's bags, and each story's squares in term order, as story by story."""
    if not stories:
        return []
    story_ids = np.array([story_id for story_id, _ in stories], dtype=np.uint64)
    bags = [bag for _, story_bags in stories for bag in story_bags]
    per_bag = np.repeat(story_ids, [len(story_bags) for _, story_bags in stories])
    owner = np.repeat(per_bag, [len(ids) for ids, _ in bags])
    if not owner.size:
        empty = np.zeros(0, dtype=np.uint64)
        return [SummedBag(empty, np.zeros(0), empty, 0.0) for _ in stories]
    keys, where = np.unique((owner << _SHIFT) | np.concatenate([ids for ids, _ in bags]),
                            return_inverse=True)
    summed = np.asarray(np.bincount(where, np.concatenate([w for _, w in bags])),
                        dtype=np.float64)
    bounds = np.searchsorted(keys >> _SHIFT, story_ids, side="right")
    position = np.repeat(np.arange(len(stories), dtype=np.intp),
                         np.diff(bounds, prepend=0))
    norm2 = np.bincount(position, summed * summed, minlength=len(stories)).tolist()
    out, start = [], 0
    for end, square in zip(bounds.tolist(), norm2, strict=True):
        part = keys[start:end]
        out.append(SummedBag(part & TERM_MASK, summed[start:end], part, square))
        start = end
    return out


def story_sums(stories: Sequence[tuple[int, tuple[Fingerprint, ...], StorySums | None]]
               ) -> list[StorySums]:
    """The summed bags of each (story id ascending, its members, its sums before): from
    the sums before when the members are those and one more (each weight is then added in
    the same order as from scratch)."""
    kinds: list[list[tuple[int, list[Bag]]]] = [[], [], []]
    for story_id, members, before in stories:
        grown = (before is not None and len(before.members) == len(members) - 1
                 and all(a is b for a, b in zip(before.members, members, strict=False)))
        if grown and before is not None:
            new = members[-1]
            parts = [[_bag(before.topic), new.topic_arrays], [_bag(before.names),
                     new.name_arrays], [_bag(before.years), new.year_arrays]]
        else:
            parts = [[m.topic_arrays for m in members], [m.name_arrays for m in members],
                     [m.year_arrays for m in members]]
        for kind, bags in zip(kinds, parts, strict=True):
            kind.append((story_id, bags))
    topic, names, years = (sum_stories(kind) for kind in kinds)
    return [StorySums(story_id, members, *bags) for (story_id, members, _), bags
            in zip(stories, zip(topic, names, years, strict=True), strict=True)]


def _bag(summed: SummedBag) -> Bag:
    return summed.ids, summed.weights


def _same(a: tuple[Fingerprint, ...], b: tuple[Fingerprint, ...]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


class Centroids:
    """Stories' summed bags, recomputed only when a story's candidate articles changed and
    extended when one was added. Holds at most about `max_members` articles' fingerprints
    (the least recently used stories go first); shared by threads."""

    def __init__(self, max_members: int = 4096) -> None:
        self.max_members = max_members
        self._sums: OrderedDict[int, StorySums] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def of(self, stories: Sequence[tuple[int, tuple[Fingerprint, ...]]]) -> list[StorySums]:
        """The sums of each (story id, its candidate articles in candidate order), story
        ids ascending."""
        found: list[StorySums | None] = []
        todo: list[tuple[int, tuple[Fingerprint, ...], StorySums | None]] = []
        with self._lock:
            for story_id, members in stories:
                before = self._sums.get(story_id)
                if before is not None and _same(before.members, members):
                    self._sums.move_to_end(story_id)
                    found.append(before)
                else:
                    found.append(None)
                    todo.append((story_id, members, before))
        if not todo:
            return [f for f in found if f is not None]
        computed = story_sums(todo)
        fresh = iter(computed)
        out = [f if f is not None else next(fresh) for f in found]
        with self._lock:
            for sums in computed:
                old = self._sums.pop(sums.story_id, None)
                self._held += len(sums.members) - (len(old.members) if old else 0)
                self._sums[sums.story_id] = sums
            while self._held > self.max_members and len(self._sums) > 1:
                self._held -= len(self._sums.popitem(last=False)[1].members)
        return out


def cosines(query: Bag, story_ids: npt.NDArray[np.int64],
            bags: Sequence[SummedBag]) -> WeightArray:
    """Cosine of `query` with each story's summed bag (`story_ids` ascending, one bag each):
    each story's products summed in term order, as `overlap` sums them."""
    q_ids, q_weights = query
    stories = len(bags)
    if not q_ids.size or not any(len(b.ids) for b in bags):
        return np.zeros(stories)
    keys = np.concatenate([b.keys for b in bags])
    summed = np.concatenate([b.weights for b in bags])
    norms = np.sqrt(np.array([b.norm2 for b in bags]))
    if not bool(np.all(q_ids[1:] > q_ids[:-1])):  # two query terms of one id: the long way
        key_story = np.repeat(np.arange(stories, dtype=np.intp), [len(b.ids) for b in bags])
        return overlap(query, key_story, keys & TERM_MASK, summed, stories)[0]
    # Each story's keys are sorted and the stories come in id order, so all keys are sorted:
    # the query's terms are looked up in each story at once.
    wanted = ((story_ids.astype(np.uint64) << _SHIFT)[:, None] | q_ids[None, :]).ravel()
    pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    hit = keys[pos] == wanted
    story_of = np.repeat(np.arange(stories, dtype=np.intp), len(q_ids))[hit]
    dots = np.bincount(story_of, summed[pos[hit]] * np.tile(q_weights, stories)[hit],
                       minlength=stories)
    return np.divide(dots, norms, out=np.zeros(stories), where=norms > 0)


def overlap(query: Bag, key_story: npt.NDArray[np.intp], key_term: IdArray,
            summed: WeightArray, stories: int) -> tuple[WeightArray, npt.NDArray[np.int64]]:
    """Cosines of `query` with stories' summed bags given as one entry per story and term
    (by story, terms sorted within one), and how many of the query's terms each has."""
    q_ids, q_weights = query
    norms = np.sqrt(np.bincount(key_story, summed * summed, minlength=stories))
    pos = np.minimum(np.searchsorted(q_ids, key_term), len(q_ids) - 1)
    hit = q_ids[pos] == key_term
    dots = np.bincount(key_story[hit], summed[hit] * q_weights[pos[hit]], minlength=stories)
    shared = np.bincount(key_story[hit], minlength=stories).astype(np.int64)
    return np.divide(dots, norms, out=np.zeros(stories), where=norms > 0), shared
