"""Entity quality gate on GUM news dev: our canonical entities beside raw spaCy, same run.

Some rules in `tidings.enrich` were written while reading these 12 articles, so a gain on the
whole set is in-sample. The gate therefore also asks for the gain on each of two fixed halves
(documents at even and at odd positions of the file, `bench.entities.half`): ours must be at
least raw spaCy's strict F1 for every kind on each half. This holds for all three kinds on
both halves; it does not make the figures out-of-sample (the rules saw both halves), it shows
the gain is not carried by a few documents of one half.

Floors are pinned just under the figures measured when they were set (the full report, with
speed: `python -m bench.entities`). Measured strict F1, ours (raw spaCy):
  all   person 0.8009 (0.7807), organisation 0.7235 (0.6664), place 0.8589 (0.7918)
  even  person 0.7945 (0.7613), organisation 0.6927 (0.6631), place 0.8974 (0.8614)
  odd   person 0.8013 (0.7833), organisation 0.7376 (0.6673), place 0.8313 (0.7400)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bench.entities import HALVES, evaluate, half, load_gum

pytestmark = pytest.mark.shared

KINDS = ("person", "organization", "place")
FLOORS = {"person": 0.79, "organization": 0.71, "place": 0.85}
HALF_FLOORS = {
    "even": {"person": 0.78, "organization": 0.68, "place": 0.88},
    "odd": {"person": 0.79, "organization": 0.72, "place": 0.82},
}
Scores = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def scores(shared_dir: Path) -> Scores:
    return evaluate(shared_dir)


def f1(scores: Scores, system: str, kind: str) -> float:
    return float(scores[system]["strict"]["by_kind"][kind]["f1"])


def half_f1(scores: Scores, system: str, half: str, kind: str) -> float:
    return float(scores[system]["halves"][half]["by_kind"][kind]["f1"])


@pytest.mark.parametrize("kind", KINDS)
def test_f1_floor(scores: Scores, kind: str) -> None:
    assert f1(scores, "ours", kind) >= FLOORS[kind], f"{kind}: F1 {f1(scores, 'ours', kind):.4f}"


@pytest.mark.parametrize("kind", KINDS)
def test_better_than_raw_spacy(scores: Scores, kind: str) -> None:
    ours, raw = f1(scores, "ours", kind), f1(scores, "raw spaCy", kind)
    assert ours > raw, f"{kind}: ours {ours:.4f} <= raw spaCy {raw:.4f}"


@pytest.mark.parametrize("half", HALVES)
@pytest.mark.parametrize("kind", KINDS)
def test_half_f1_floor(scores: Scores, half: str, kind: str) -> None:
    ours = half_f1(scores, "ours", half, kind)
    assert ours >= HALF_FLOORS[half][kind], f"{half} half, {kind}: F1 {ours:.4f}"


@pytest.mark.parametrize("half", HALVES)
@pytest.mark.parametrize("kind", KINDS)
def test_at_least_raw_spacy_on_each_half(scores: Scores, half: str, kind: str) -> None:
    ours, raw = half_f1(scores, "ours", half, kind), half_f1(scores, "raw spaCy", half, kind)
    assert ours >= raw, f"{half} half, {kind}: ours {ours:.4f} < raw spaCy {raw:.4f}"


def test_halves_split_the_documents_without_overlap(shared_dir: Path) -> None:
    docs = load_gum(shared_dir)
    ids = [[d["id"] for d in half(docs, h)] for h in HALVES]
    assert not set(ids[0]) & set(ids[1])
    assert sorted(ids[0] + ids[1]) == sorted(d["id"] for d in docs)


def test_coarse_overall_better_than_raw_spacy(scores: Scores) -> None:
    ours, raw = (scores[s]["coarse"]["f1"] for s in ("ours", "raw spaCy"))
    assert ours > raw, f"coarse: ours {ours:.4f} <= raw spaCy {raw:.4f}"
