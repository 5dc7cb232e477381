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


def _summed(story_id: int, bags: Sequence[Bag]) -> SummedBag:
    """The sum of sparse bags: weights of one term added in the order of `bags`."""
    if len(bags) == 1 and bool(np.all(bags[0][0][1:] > bags[0][0][:-1])):
        ids, weights = bags[0]  # one bag with no two terms of one id (CRC-32s can collide)
    else:
        ids, where = np.unique(np.concatenate([b[0] for b in bags]), return_inverse=True)
        weights = np.asarray(np.bincount(where, np.concatenate([b[1] for b in bags])),
                             dtype=np.float64)
    # bincount adds in input order: the same sum of squares as over all stories at once
    norm2 = float(np.bincount(np.zeros(len(ids), dtype=np.intp), weights * weights,
                              minlength=1)[0])
    return SummedBag(ids, weights, (np.uint64(story_id) << _SHIFT) | ids, norm2)


def story_sums(story_id: int, members: tuple[Fingerprint, ...],
               before: StorySums | None = None) -> StorySums:
    """The summed bags of `members`; from `before` when `members` are its members and one
    more (each weight is then added in the same order as from scratch)."""
    if (before is not None and before.story_id == story_id
            and len(before.members) == len(members) - 1
            and all(a is b for a, b in zip(before.members, members, strict=False))):
        new = members[-1]
        return StorySums(story_id, members,
                         _summed(story_id, [_bag(before.topic), new.topic_arrays]),
                         _summed(story_id, [_bag(before.names), new.name_arrays]),
                         _summed(story_id, [_bag(before.years), new.year_arrays]))
    return StorySums(story_id, members, _summed(story_id, [m.topic_arrays for m in members]),
                     _summed(story_id, [m.name_arrays for m in members]),
                     _summed(story_id, [m.year_arrays for m in members]))


def _bag(summed: SummedBag) -> Bag:
    return summed.ids, summed.weights


def _same(a: tuple[Fingerprint, ...], b: tuple[Fingerprint, ...]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


class Centroids:
    """Stories' summed bags, recomputed only when a story's candidate articles changed and
    extended when one was added. Holds at most about `max_members` articles' fingerprints
    (the least recently used stories go first); shared by threads."""

    def __init__(self, max_members: int = 8192) -> None:
        self.max_members = max_members
        self._sums: OrderedDict[int, StorySums] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def of(self, stories: Sequence[tuple[int, tuple[Fingerprint, ...]]]) -> list[StorySums]:
        """The sums of each (story id, its candidate articles in candidate order)."""
        with self._lock:
            before = [self._sums.get(story_id) for story_id, _ in stories]
        found = [b if b is not None and _same(b.members, members)
                 else story_sums(story_id, members, b)
                 for (story_id, members), b in zip(stories, before, strict=True)]
        with self._lock:
            for sums in found:
                old = self._sums.pop(sums.story_id, None)
                self._held += len(sums.members) - (len(old.members) if old else 0)
                self._sums[sums.story_id] = sums
            while self._held > self.max_members and len(self._sums) > 1:
                self._held -= len(self._sums.popitem(last=False)[1].members)
        return found


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
