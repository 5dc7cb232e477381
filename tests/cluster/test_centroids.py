"""Kept story sums: the scores are those computed from scratch, to the last bit."""

from __future__ import annotations

import random

import numpy as np

from tests.cluster.stories import QUAKE_CHILE_A, QUAKE_CHILE_B, REHAB, SYNDICATED_FOOTER
from tidings.cluster import Candidate, Fingerprint, fingerprint
from tidings.cluster.assign import story_scores
from tidings.cluster.centroids import Centroids

TEXTS = [QUAKE_CHILE_A, QUAKE_CHILE_B, REHAB,
         (QUAKE_CHILE_A[0], QUAKE_CHILE_A[1] + SYNDICATED_FOOTER)]


def _variants() -> list[Fingerprint]:
    rng = random.Random(3)
    out = []
    for i in range(24):
        title, text = TEXTS[i % len(TEXTS)]
        words = text.split()
        rng.shuffle(words)
        out.append(Fingerprint.from_json(fingerprint(title, " ".join(words[: 40 + i])).to_json()))
    return out


def test_kept_sums_give_the_same_scores_as_summing_again() -> None:
    fps = _variants()
    kept = Centroids(max_members=10)  # small: stories are dropped and summed again
    candidates: list[Candidate] = []
    for i, fp in enumerate(fps):
        if candidates:
            fresh = story_scores(fp, candidates)
            cached = story_scores(fp, candidates, centroids=kept)
            assert (fresh[0] == cached[0]).all()
            assert fresh[1].tobytes() == cached[1].tobytes()
        story = i % 5 if i % 7 else 100 + i  # stories grow by one, and new ones start
        candidates.append(Candidate(story, fp))
        if i == 15:  # a story's articles change other than by one joining
            candidates = [Candidate(2, c.fingerprint) if c.story_id == 3 else c
                          for c in candidates]


def test_colliding_term_ids_are_summed_as_before() -> None:
    # Two terms whose CRC-32s are equal ("plumless" and "buckeroo" collide).
    a = Fingerprint((1,), {"plumless": 0.6, "buckeroo": 0.8}, {}, {})
    b = Fingerprint((2,), {"buckeroo": 0.6, "other": 0.8}, {}, {})
    query = Fingerprint((3,), {"plumless": 0.5, "buckeroo": 0.5, "other": 0.7071}, {}, {})
    candidates = [Candidate(1, a), Candidate(1, b), Candidate(2, b)]
    fresh = story_scores(query, candidates)[1]
    cached = story_scores(query, candidates, centroids=Centroids())[1]
    assert np.array_equal(fresh, cached)
