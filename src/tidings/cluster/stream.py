"""Streaming clustering in memory: documents arrive one at a time and get a story each.

Built on exactly `fingerprint` and `assign_story`, so the CLI and the benchmark measure what
the pipeline does with articles from the store.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tidings.cluster.assign import JOIN_THRESHOLD, STORY_WINDOW, Candidate, assign_story
from tidings.cluster.fingerprint import Fingerprint, fingerprint


class StreamClusterer:
    """Assigns each added document to a story (ids 0, 1, 2, … in order of first sight)."""

    def __init__(self, *, window: timedelta = STORY_WINDOW,
                 threshold: float = JOIN_THRESHOLD) -> None:
        self.window = window
        self.threshold = threshold
        self.candidates: list[Candidate] = []
        self.stories: dict[str, int] = {}
        self._next_story = 0

    def add(self, doc_id: str, title: str, text: str,
            published: datetime | None = None, *, entities: tuple[str, ...] = ()) -> int:
        """The story of this document; a repeated `doc_id` keeps the story it first got."""
        if doc_id in self.stories:
            return self.stories[doc_id]
        fp = fingerprint(title, text, entities=entities)
        story = assign_story(fp, self.candidates, published_at=published,
                             window=self.window, threshold=self.threshold)
        if story is None:
            story = self._next_story
            self._next_story += 1
        self.candidates.append(Candidate(story, fp, published))
        self.stories[doc_id] = story
        return story

    def fingerprint_of(self, doc_id: str) -> Fingerprint:
        index = list(self.stories).index(doc_id)
        return self.candidates[index].fingerprint
