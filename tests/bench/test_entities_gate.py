"""Entity quality gate on GUM news dev: our canonical entities beside raw spaCy, same run.

The mechanisms in `tidings.enrich` were written while reading these 12 articles and are
chosen on them, so a gain on the whole set is in-sample. The gate's main test is therefore
the leave-one-article-out figure (`bench.entity_folds`): every article scored with the
mechanisms chosen on the other eleven must beat raw spaCy on the same articles by 0.03
coarse F1. The fixed halves (even/odd positions) and the whole-set floors stay as a check
that no kind regresses.

Floors are pinned just under the figures measured when they were set (the full report, with
speed: `python -m bench.entities`). Measured, ours (raw spaCy):
  coarse F1  in-sample 0.8586 (0.8232), cross-validated 0.8560 (0.8232)
  strict F1  all   person 0.8187 (0.7807), organisation 0.7525 (0.6664), place 0.8639 (0.7918)
             even  person 0.7945 (0.7613), organisation 0.7142 (0.6631), place 0.9078 (0.8614)
             odd   person 0.8248 (0.7833), organisation 0.7699 (0.6673), place 0.8324 (0.7400)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bench.entities import HALVES, evaluate, half, load_gum, load_scorer, raw_predictions
from bench.entity_folds import cross_validate

from tidings.enrich.rules import DEFAULT_RULES

pytestmark = pytest.mark.shared

KINDS = ("person", "organization", "place")
FLOORS = {"person": 0.81, "organization": 0.74, "place": 0.85}
HALF_FLOORS = {
    "even": {"person": 0.79, "organization": 0.70, "place": 0.89},
    "odd": {"person": 0.82, "organization": 0.76, "place": 0.82},
}
CV_GAIN = 0.03  # issue 12, acceptance 1
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


@pytest.fixture(scope="module")
def folds(shared_dir: Path) -> dict[str, Any]:
    docs = load_gum(shared_dir)
    return cross_validate(load_scorer(shared_dir), docs, raw_predictions(docs))


def test_cross_validated_coarse_f1_beats_raw_spacy_by_the_margin(folds: dict[str, Any]) -> None:
    gain = folds["cv"] - folds["raw"]
    assert gain >= CV_GAIN, f"cross-validated {folds['cv']:.4f} vs raw {folds['raw']:.4f}"


def test_cross_validated_figure_is_not_the_in_sample_one_in_disguise(
        folds: dict[str, Any]) -> None:
    # Twelve folds, each choosing on eleven articles: the held-out figure cannot exceed
    # the in-sample one, and the shipped default is what selection on all twelve chose.
    assert len(folds["fold_rules"]) == len(folds["ids"]) == 12
    assert folds["cv"] <= folds["in_sample"] + 1e-9
    assert folds["rules"] == DEFAULT_RULES
