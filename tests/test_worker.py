"""The job queue and workers: every due feed fetched once, nothing lost when a worker dies."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.accounts import subscribe
from tests.feeds import rss
from tests.loopback import LoopbackSite, Route
from tidings.config import Settings
from tidings.models import Source, utcnow
from tidings.store import jobs as job_store
from tidings.store import sources as source_store
from tidings.store.db import transaction
from tidings.store.schema import articles
from tidings.worker import run_worker

RSS = {"Content-Type": "application/rss+xml"}


def _feeds(engine: Engine, site: LoopbackSite, n: int, delay_s: float = 0.0) -> list[Route]:
    routes = []
    with transaction(engine) as conn:
        for i in range(n):
            route = Route(rss(f"Feed {i}", [
                (f"f{i}-a", f"Council {i} approves budget {i * 7}",
                 f"District {i} council approved a budget of {i * 7} million on Tuesday."),
                (f"f{i}-b", f"Bakery {i} wins prize number {i}",
                 f"A bakery in quarter {i} won the regional bread prize for the {i} time."),
            ]), headers=RSS, delay_s=delay_s)
            site.routes[f"/f{i}.xml"] = route
            routes.append(route)
            source, _ = source_store.add_source(conn, Source(url=site.url(f"/f{i}.xml"),
                                                             title=f"Feed {i}"))
            subscribe(conn, source.id or 0)
    return routes


def _article_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar_one())


def test_workers_fetch_each_due_feed_once(engine: Engine, settings: Settings,
                                          site: LoopbackSite) -> None:
    routes = _feeds(engine, site, 24)
    stats = run_worker(engine, settings, concurrency=3, drain=True)
    # a job enqueued while its source was being refreshed is completed without a fetch
    assert stats.done >= 24 and stats.failed == 0
    assert [r.hits for r in routes] == [1] * 24
    run_worker(engine, settings, concurrency=3, drain=True)  # nothing is due again yet
    assert [r.hits for r in routes] == [1] * 24
    assert _article_count(engine) == 48
    with transaction(engine) as conn:
        assert job_store.pending(conn) == 0


def _worker(db_url: str, tmp_path: Path, lease_s: int = 300) -> subprocess.Popen[bytes]:
    env = os.environ | {"TIDINGS_DATABASE_URL": db_url, "TIDINGS_DATA_DIR": str(tmp_path),
                        "TIDINGS_ALLOW_HOSTS": "127.0.0.1", "TIDINGS_JOB_LEASE_S": str(lease_s),
                        "TIDINGS_WORKER_POLL_S": "0.2"}
    cmd = [str(Path(sys.executable).parent / "tidings"), "worker", "--concurrency", "4",
           "--drain"]
    log = (tmp_path / f"worker-{time.monotonic_ns()}.log").open("wb")
    with log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)


def _logs(tmp_path: Path) -> str:
    return "\n".join(p.read_text(errors="replace")[-3000:] for p in tmp_path.glob("worker-*.log"))


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    """A worker still running when its test ends (it failed or timed out) is killed, not
    left to the next test."""
    for w in workers:
        if w.poll() is None:
            w.kill()
            w.wait()


def _require_postgresql(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("multi-process workers are a PostgreSQL deployment (SQLite has one writer)")


@pytest.mark.timeout(240)
def test_two_worker_processes_share_200_feeds(engine: Engine, db_url: str,
                                              site: LoopbackSite, tmp_path: Path) -> None:
    _require_postgresql(db_url)
    routes = _feeds(engine, site, 200)
    workers = [_worker(db_url, tmp_path), _worker(db_url, tmp_path)]
    try:
        assert [w.wait(timeout=200) for w in workers] == [0, 0], _logs(tmp_path)
    finally:
        _stop(workers)
    assert sorted({r.hits for r in routes}) == [1]
    assert _article_count(engine) == 400


@pytest.mark.timeout(240)
def test_killing_a_worker_mid_run_loses_nothing(engine: Engine, db_url: str,
                                                site: LoopbackSite, tmp_path: Path) -> None:
    _require_postgresql(db_url)
    routes = _feeds(engine, site, 60, delay_s=0.2)
    doomed = _worker(db_url, tmp_path, lease_s=3)
    deadline = time.monotonic() + 60
    while sum(r.hits for r in routes) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    assert sum(r.hits for r in routes) < 60, "the worker finished before it could be killed"
    time.sleep(3.5)  # its leases run out
    survivor = _worker(db_url, tmp_path, lease_s=3)
    try:
        assert survivor.wait(timeout=200) == 0, _logs(tmp_path)
    finally:
        _stop([survivor])
    assert all(r.hits >= 1 for r in routes)
    assert sum(r.hits for r in routes) <= 60 + 4  # only jobs in flight at the kill are redone
    assert _article_count(engine) == 120
    with transaction(engine) as conn:
        assert job_store.pending(conn) == 0


def test_job_of_an_unsubscribed_source_is_dropped(engine: Engine, settings: Settings,
                                                  site: LoopbackSite) -> None:
    routes = _feeds(engine, site, 2)
    with transaction(engine) as conn:
        assert job_store.enqueue_due_refreshes(conn, utcnow()) == 2
        gone = source_store.find_source(conn, site.url("/f0.xml"))
        source_store.delete_sources(conn, [gone.id or 0])
    stats = run_worker(engine, settings, concurrency=1, drain=True)
    assert (stats.done, stats.failed) == (2, 0)
    assert [r.hits for r in routes] == [0, 1]
    with transaction(engine) as conn:
        assert job_store.pending(conn) == 0


def test_a_started_worker_keeps_what_it_loaded_out_of_the_collectors_sight(
        engine: Engine, settings: Settings) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    run_worker(engine, settings, concurrency=1, drain=True)  # nothing due: start-up only
    frozen = gc.get_freeze_count()
    gc.unfreeze()  # as the other tests found it
    # the modules and the language model at least (well over 100k objects)
    assert frozen > 100_000
