"""Streaming clustering in memory: documents arrive one at a time and get a story each.

Built on exactly `fingerprint`, `assign_story` and `split_story`, so the CLI and the benchmark
measure what the pipeline does with articles from the store. With `repair` on, each new
document may also move a few earlier documents of the story it joined into a new story (see
`tidings.cluster.repair`); `stories` always holds the current grouping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from tidings.cluster.assign import (
    JOIN_THRESHOLD,
    REPAIR_JOIN_THRESHOLD,
    STORY_WINDOW,
    Candidate,
    close_stories,
)
from tidings.cluster.centroids import Centroids
from tidings.cluster.fingerprint import Fingerprint, fingerprint
from tidings.cluster.repair import (
    MERGE_THRESHOLD,
    REPAIR_SPAN,
    SPLIT_THRESHOLD,
    linked,
    split_story,
)


class StreamClusterer:
    """Assigns each added document to a story (ids 0, 1, 2, … in order of first sight)."""

    def __init__(self, *, window: timedelta = STORY_WINDOW, threshold: float | None = None,
                 repair: bool = True, split_threshold: float = SPLIT_THRESHOLD,
                 merge_threshold: float = MERGE_THRESHOLD) -> None:
        """`threshold` defaults to the join threshold tuned for the chosen `repair` mode."""
        self.window = window
        self.threshold = threshold if threshold is not None else (
            REPAIR_JOIN_THRESHOLD if repair else JOIN_THRESHOLD)
        self.repair = repair
        self.split_threshold = split_threshold
        self.merge_threshold = merge_threshold
        self.candidates: list[Candidate] = []
        self.stories: dict[str, int] = {}
        self._index: dict[str, int] = {}
        self._next_story = 0
        self._centroids = Centroids()

    def add(self, doc_id: str, title: str, text: str,
            published: datetime | None = None, *, entities: tuple[str, ...] = (),
            embedding: Sequence[float] = ()) -> int:
        """The story of this document; a repeated `doc_id` keeps the story it has.

        `embedding` is the unit vector of `lead(title, text)` from a sentence encoder.
        """
        if doc_id in self.stories:
            return self.stories[doc_id]
        fp = fingerprint(title, text, entities=entities, embedding=embedding)
        close = close_stories(fp, self.candidates, published_at=published,
                              window=self.window, threshold=self.threshold,
                              centroids=self._centroids)
        story = close[0][0] if close else self._new_story()
        self._index[doc_id] = len(self.candidates)
        self.candidates.append(Candidate(story, fp, published))
        self.stories[doc_id] = story
        if self.repair:
            for other, score in close[1:]:
                if score >= self.merge_threshold:
                    self._merge(story, other)
            self._regroup(story)
        return self.stories[doc_id]

    def _members(self, story: int) -> list[int]:
        return [i for i, c in enumerate(self.candidates) if c.story_id == story][-REPAIR_SPAN:]

    def _merge(self, story: int, other: int) -> None:
        """Fold `other` into `story` when the new article shows they are one event."""
        mine, theirs = self._members(story), self._members(other)
        if not linked([self.candidates[i].fingerprint for i in mine],
                      [self.candidates[i].fingerprint for i in theirs],
                      threshold=self.merge_threshold,
                      published=[self.candidates[i].published_at for i in mine + theirs]):
            return
        self.candidates = [replace(c, story_id=story) if c.story_id == other else c
                           for c in self.candidates]
        self.stories = {doc: self.candidates[i].story_id for doc, i in self._index.items()}

    def _new_story(self) -> int:
        self._next_story += 1
        return self._next_story - 1

    def _regroup(self, story: int) -> None:
        """Split `story` when its recent articles fall into clearly separate groups."""
        recent = self._members(story)
        groups = split_story([self.candidates[i].fingerprint for i in recent],
                             threshold=self.split_threshold,
                             published=[self.candidates[i].published_at for i in recent])
        new_ids: dict[int, int] = {}
        for i, group in zip(recent, groups, strict=True):
            if group:
                moved = replace(self.candidates[i],
                                story_id=new_ids.setdefault(group, self._new_story()))
                self.candidates[i] = moved
        if new_ids:
            self.stories = {doc: self.candidates[i].story_id for doc, i in self._index.items()}

    def fingerprint_of(self, doc_id: str) -> Fingerprint:
        return self.candidates[self._index[doc_id]].fingerprint
