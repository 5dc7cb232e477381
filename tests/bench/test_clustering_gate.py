"""Story clustering gate on ECB+ dev and on headline streams, beside the batch baseline.

Floors are pinned just under the figures measured when they were set (the full report:
`python -m bench.clustering`; speed and workers: `--scale --workers`). What is scored is
each document's final story. Measured 2026-12-02 (BCubed F1), shipped constants (a
headline-only item compared with each story's closest article, SHORT_MEMBER_SHARE = 1; lead
boost 8, as the leave-one-topic-out now chooses): file order 0.9372, five shuffles 0.9413 /
0.9384 / 0.9362 / 0.9383 / 0.9340 (spread 0.0073), one pass without repair 0.8727 (0.8846
before: the closest-article comparison needs the repairs), batch TF-IDF baseline at its best
threshold 0.8784. Before (centroid only, boost 12): file order 0.9269, shuffles
0.9316-0.9446, spread 0.0177. With the lead weighting on every text (all lead, too) two
unrelated one-sentence feed items that shared one word ("retired") became one story
(tests/web/test_accounts.py): short texts keep their words' weight beside the title. Issue
12's ECB+ point (>= 0.93 in every order, spread < 0.02) is met in-sample. Headline streams
(the bench, ours shipped vs the baseline tuned on each stream): UCI sample 0.749 vs 0.720,
ECB+ lead 0.840 vs 0.864, ECB+ first line 0.717 vs 0.726: UCI met, the ECB+ cuts not.

The cross-validated figure and the headline streams take several minutes (33 folds, lead
embeddings) and are measured by `python -m bench.clustering` (`make bench`), not here: this
gate scores the streaming runs and the baseline only, so that `make test` stays in budget.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bench.clustering import SHUFFLES, evaluate

pytestmark = pytest.mark.shared

ORDERS = ["ours file order"] + [f"ours shuffled {k + 1}" for k in range(SHUFFLES)]
ORDER_FLOOR = 0.93
NO_REPAIR_FLOOR = 0.87
MAX_SPREAD = 0.02  # the target
CLEAR_MARGIN = 0.04  # streaming vs the batch baseline tuned on the data, BCubed F1


@pytest.fixture(scope="module")
def results(shared_dir: Path) -> dict[str, Any]:
    return evaluate(shared_dir, cv=False, headlines=False)


@pytest.mark.parametrize("run", ORDERS)
def test_every_order_clears_the_floor_and_the_baseline_clearly(results: dict[str, Any],
                                                              run: str) -> None:
    got, base = results[run]["b_f1"], results["baseline"]["b_f1"]
    assert got >= ORDER_FLOOR, f"{run}: BCubed F1 {got:.4f} < {ORDER_FLOOR}"
    assert got >= base + CLEAR_MARGIN, f"{run}: {got:.4f} vs baseline {base:.4f}"


def test_arrival_order_barely_matters(results: dict[str, Any]) -> None:
    assert results["spread"] < MAX_SPREAD, f"spread {results['spread']:.4f}"


def test_one_pass_without_repair_holds_its_floor(results: dict[str, Any]) -> None:
    # 0.873, about the batch baseline's 0.878: the repairs are what put us ahead.
    got = results["ours file order no repair"]["b_f1"]
    assert got >= NO_REPAIR_FLOOR


def test_no_topic_is_a_mess(results: dict[str, Any]) -> None:
    purity = results["ours file order"]["purity"]
    assert min(purity.values()) >= 0.5, sorted(purity.items(), key=lambda kv: kv[1])[:3]
