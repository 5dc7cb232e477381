"""`bench.feed_latency --quick` builds a small library, serves it with `tidings serve
--processes 2` and measures it end to end on SQLite (and PostgreSQL when configured): it must
run and answer every request. No timing is asserted here; the figures are the bench's to report."""

from __future__ import annotations

import os

import pytest
from bench.feed_latency import QUICK, measure


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_quick_run_answers_every_request(kind: str) -> None:
    if kind == "postgresql" and not os.environ.get("TIDINGS_TEST_DATABASE_URL"):
        pytest.skip("PostgreSQL run needs TIDINGS_TEST_DATABASE_URL")
    out = measure(kind, QUICK, log=lambda *_: None, processes=2)
    assert set(out) >= {"p99_ms", "health_p99_ms", "errors", "max_rps", "health_max_rps"}
    assert out["errors"] == 0 and out["closed_errors"] == 0 and out["health_errors"] == 0
    assert out["requests"] == int(QUICK.rate * QUICK.seconds)
    assert out["max_rps"] > 0 and out["health_max_rps"] > 0 and out["processes"] == 2
