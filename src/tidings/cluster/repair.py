"""Splitting a story that, seen with its later articles, turns out to hold two events.

A one-pass decision is made on what has arrived so far: the first report of a second,
same-kind event (another earthquake, another patch for the same browser) can look closer to
an existing story than to nothing, and the articles after it then follow it in. Once a story
has a few articles of each event, the split is plain: average-linkage clustering of the
story's own recent articles keeps apart groups whose mean similarity is below
`SPLIT_THRESHOLD`. Only the articles of one story are looked at, never later ones than those
already assigned, so this stays a streaming step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import numpy.typing as npt

from tidings.cluster.assign import (
    NAME_SHARE,
    YEAR_SHARE,
    blend_long,
    blend_short,
    corroborated,
    telling_years,
)
from tidings.cluster.fingerprint import Fingerprint

# Measured with join 0.26 (bench/clustering.py). Leave-one-topic-out prefers split 0.26 and
# merge 0.38 (32 of 33 topics); not shipped yet: the shipped pair is what the gate measured.
SPLIT_THRESHOLD = 0.30
# Two stories an article could join are one when their articles' mean similarity reaches this.
MERGE_THRESHOLD = 0.40
MIN_PART = 2  # a lone odd article stays: one outlier does not make a second event
REPAIR_SPAN = 60  # only a story's most recent articles are regrouped (bounded cost)

Matrix = npt.NDArray[np.float64]


def _dense(bags: Sequence[dict[str, float]]) -> Matrix:
    vocab: dict[str, int] = {}
    for bag in bags:
        for term in bag:
            vocab.setdefault(term, len(vocab))
    dense = np.zeros((len(bags), len(vocab)))
    for row, bag in enumerate(bags):
        for term, weight in bag.items():
            dense[row, vocab[term]] = weight
    return dense


def _cosines(bags: Sequence[dict[str, float]]) -> Matrix:
    dense = _dense(bags)
    return dense @ dense.T  # bags are L2-normalised already


def similarities(fps: Sequence[Fingerprint],
                 published: Sequence[datetime | None] | None = None) -> Matrix:
    """Pairwise similarity of articles: topic, names and years, weighted as in assignment."""
    dates = published if published is not None else [None] * len(fps)
    years = [telling_years(f.years, when) for f, when in zip(fps, dates, strict=True)]
    topic_rows = _dense([f.topic for f in fps])
    topic = topic_rows @ topic_rows.T
    present = (topic_rows > 0).astype(np.float64)
    shared = present @ present.T  # topic words two articles have in common
    telling = YEAR_SHARE * _cosines(years)
    bags = (1 - NAME_SHARE) * topic + NAME_SHARE * _cosines([f.names for f in fps]) + telling
    embedded = _embedding_cosines(fps)
    # A pair with a headline-only item is compared as short texts are (see assign_story).
    short = np.array([f.short for f in fps])
    either = short[:, None] | short[None, :]
    short_topic = corroborated(topic, shared.astype(np.int64), embedded)
    return np.where(either, blend_short(short_topic, embedded) + telling,
                    blend_long(bags, embedded))


def _embedding_cosines(fps: Sequence[Fingerprint]) -> Matrix | None:
    dims = {len(f.embedding_array) for f in fps}
    if len(dims) != 1 or 0 in dims:
        return None  # all or nothing: a mix would compare some pairs on other terms
    vectors = np.stack([f.embedding_array for f in fps]).astype(np.float64)
    return vectors @ vectors.T


def merge_pair(sim: Matrix, size: Matrix, label: npt.NDArray[np.int64], i: int, j: int) -> None:
    """Merge group j into group i in place (Lance-Williams update for average linkage: the
    merged row is the size-weighted mean of the two)."""
    merged = (sim[i] * size[i] + sim[j] * size[j]) / (size[i] + size[j])
    sim[i, :], sim[:, i] = merged, merged
    sim[i, i] = -np.inf
    sim[j, :], sim[:, j] = -np.inf, -np.inf
    size[i] += size[j]
    label[label == j] = i


def average_linkage(sim: Matrix, threshold: float) -> list[int]:
    """Flat groups: merge the closest two while their mean similarity reaches `threshold`."""
    sim = sim.astype(np.float64, copy=True)
    np.fill_diagonal(sim, -np.inf)
    size = np.ones(len(sim))
    label = np.arange(len(sim))
    for _ in range(len(sim) - 1):
        i, j = np.unravel_index(int(np.argmax(sim)), sim.shape)
        if sim[i, j] < threshold:
            break
        merge_pair(sim, size, label, int(i), int(j))
    return label.tolist()


def split_story(fps: Sequence[Fingerprint], *, threshold: float = SPLIT_THRESHOLD,
                min_part: int = MIN_PART,
                published: Sequence[datetime | None] | None = None) -> list[int]:
    """A group number per article of one story (oldest first): 0 stays, 1, 2, … split off.

    The group holding the oldest article keeps the story; a group smaller than `min_part`
    stays with it too. Empty fingerprints always stay. `published` dates, when known, keep
    the present's years from counting (as in `assign_story`).
    """
    if len(fps) < 2 * min_part:
        return [0] * len(fps)
    label = average_linkage(similarities(fps, published), threshold)
    counts = {lab: label.count(lab) for lab in label}
    new: dict[int, int] = {}
    out = []
    for lab, fp in zip(label, fps, strict=True):
        if lab == label[0] or counts[lab] < min_part or fp.is_empty:
            out.append(0)
        else:
            out.append(new.setdefault(lab, len(new) + 1))
    return out


def linked(first: Sequence[Fingerprint], second: Sequence[Fingerprint], *,
           threshold: float = MERGE_THRESHOLD,
           published: Sequence[datetime | None] | None = None) -> bool:
    """True when two stories are one: the mean similarity between their articles reaches
    `threshold`, the level at which `split_story` keeps groups together. `published` dates
    cover `first` then `second`."""
    if not first or not second:
        return False
    sim = similarities([*first, *second], published)
    return float(sim[:len(first), len(first):].mean()) >= threshold
