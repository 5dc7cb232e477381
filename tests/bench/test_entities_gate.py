"""Entity quality gate on GUM news dev: our canonical entities beside raw spaCy, same run.

Floors are pinned just under the figures measured when they were set (the full report, with
speed: `python -m bench.entities`). Measured: strict F1 person 0.8009 (raw spaCy 0.7807),
organisation 0.7246 (0.6664), place 0.8510 (0.7918).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bench.entities import evaluate

pytestmark = pytest.mark.shared

KINDS = ("person", "organization", "place")
FLOORS = {"person": 0.79, "organization": 0.71, "place": 0.84}


@pytest.fixture(scope="module")
def scores(shared_dir: Path) -> dict[str, dict[str, Any]]:
    return evaluate(shared_dir)


def f1(scores: dict[str, dict[str, Any]], system: str, kind: str) -> float:
    return float(scores[system]["strict"]["by_kind"][kind]["f1"])


@pytest.mark.parametrize("kind", KINDS)
def test_f1_floor(scores: dict[str, dict[str, Any]], kind: str) -> None:
    assert f1(scores, "ours", kind) >= FLOORS[kind], f"{kind}: F1 {f1(scores, 'ours', kind):.4f}"


@pytest.mark.parametrize("kind", KINDS)
def test_better_than_raw_spacy(scores: dict[str, dict[str, Any]], kind: str) -> None:
    ours, raw = f1(scores, "ours", kind), f1(scores, "raw spaCy", kind)
    assert ours > raw, f"{kind}: ours {ours:.4f} <= raw spaCy {raw:.4f}"


def test_coarse_overall_better_than_raw_spacy(scores: dict[str, dict[str, Any]]) -> None:
    ours, raw = (scores[s]["coarse"]["f1"] for s in ("ours", "raw spaCy"))
    assert ours > raw, f"coarse: ours {ours:.4f} <= raw spaCy {raw:.4f}"
