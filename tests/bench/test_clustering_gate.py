"""Story clustering gate on ECB+ dev: our streaming clusterer beside the batch baseline.

Floors are pinned just under the figures measured when they were set (the full report, with
speed and the runs with entity names: `python -m bench.clustering --entities`). Measured,
streaming with the split repair, BCubed F1 / pairwise F1: file order 0.9182 / 0.8818,
shuffled 0.9174 / 0.8816; one pass without repair (what `assign_story` alone gives): file
order 0.8816 / 0.8349, shuffled 0.8896 / 0.8396; batch TF-IDF average-linkage baseline at its best
threshold on the same data: 0.8784 / 0.8222. Held out (join threshold picked on the other half
of the topics): even topics 0.9151 (baseline 0.8874), odd topics 0.9263 (0.8675).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bench.clustering import evaluate

pytestmark = pytest.mark.shared

FLOORS = {"ours file order": {"b_f1": 0.915, "p_f1": 0.875},
          "ours shuffled": {"b_f1": 0.913, "p_f1": 0.875},
          "ours file order no repair": {"b_f1": 0.875, "p_f1": 0.83},
          "ours shuffled no repair": {"b_f1": 0.88, "p_f1": 0.83}}
HELD_OUT_FLOORS = {"even topics": 0.91, "odd topics": 0.92}
CLEAR_MARGIN = 0.03  # "beat it clearly": repaired streaming vs the batch baseline, BCubed F1


@pytest.fixture(scope="module")
def results(shared_dir: Path) -> dict[str, Any]:
    return evaluate(shared_dir)


@pytest.mark.parametrize("run", sorted(FLOORS))
@pytest.mark.parametrize("metric", ["b_f1", "p_f1"])
def test_floor(results: dict[str, Any], run: str, metric: str) -> None:
    got = results[run][metric]
    assert got >= FLOORS[run][metric], f"{run} {metric} {got:.4f} < {FLOORS[run][metric]}"


@pytest.mark.parametrize("run", sorted(FLOORS))
@pytest.mark.parametrize("metric", ["b_f1", "p_f1"])
def test_streaming_beats_the_batch_baseline(results: dict[str, Any], run: str,
                                            metric: str) -> None:
    ours, base = results[run][metric], results["baseline"][metric]
    assert ours > base, f"{run} {metric}: ours {ours:.4f} <= baseline {base:.4f}"


@pytest.mark.parametrize("run", ["ours file order", "ours shuffled"])
def test_repaired_streaming_beats_the_baseline_clearly(results: dict[str, Any],
                                                       run: str) -> None:
    ours, base = results[run]["b_f1"], results["baseline"]["b_f1"]
    assert ours >= base + CLEAR_MARGIN, f"{run}: {ours:.4f} vs baseline {base:.4f}"


@pytest.mark.parametrize("half", sorted(HELD_OUT_FLOORS))
def test_held_out_half(results: dict[str, Any], half: str) -> None:
    rows = {r["system"]: r for r in results["held out"] if r["half"] == half}
    ours, base = rows["ours"]["b_f1"], rows["baseline"]["b_f1"]
    assert ours >= HELD_OUT_FLOORS[half], f"{half}: BCubed F1 {ours:.4f}"
    assert ours > base, f"{half}: ours {ours:.4f} <= baseline {base:.4f} (held out)"
