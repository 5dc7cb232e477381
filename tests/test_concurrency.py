"""Several processes on one database: leases renewed while a job runs, one source never
refreshed by two processes at once, and a failing job's error on its source.

Real `tidings` processes against a loopback site; on both databases (SQLite serialises its
writers with BEGIN IMMEDIATE, PostgreSQL claims with SKIP LOCKED).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.accounts import reader, subscribe
from tests.feeds import rss
from tests.loopback import LoopbackSite, Route
from tidings import pipeline
from tidings.config import Settings
from tidings.models import Source
from tidings.store import jobs as job_store
from tidings.store import placement_queue
from tidings.store import sources as source_store
from tidings.store.db import transaction
from tidings.store.schema import articles
from tidings.worker import run_worker

RSS = {"Content-Type": "application/rss+xml"}
TIDINGS = str(Path(sys.executable).parent / "tidings")


def _route(i: int, delay_s: float) -> Route:
    return Route(rss(f"Feed {i}", [
        (f"c{i}-a", f"Quay {i} reopens after storm {i * 3}",
         f"Quay number {i} reopened on Friday after storm damage worth {i * 3} thousand."),
        (f"c{i}-b", f"Choir {i} tours the valley {i}",
         f"The choir of parish {i} begins a tour of {i} villages in the valley."),
    ]), headers=RSS, delay_s=delay_s)


def _feeds(engine: Engine, site: LoopbackSite, n: int, delay_s: float) -> list[Route]:
    routes = []
    with transaction(engine) as conn:
        for i in range(n):
            site.routes[f"/c{i}.xml"] = route = _route(i, delay_s)
            routes.append(route)
            source, _ = source_store.add_source(conn, Source(url=site.url(f"/c{i}.xml"),
                                                             title=f"Feed {i}"))
            subscribe(conn, source.id or 0)
    return routes


def _env(db_url: str, tmp_path: Path, lease_s: int = 300) -> dict[str, str]:
    return os.environ | {"TIDINGS_DATABASE_URL": db_url, "TIDINGS_DATA_DIR": str(tmp_path),
                         "TIDINGS_ALLOW_HOSTS": "127.0.0.1", "TIDINGS_JOB_LEASE_S": str(lease_s),
                         "TIDINGS_WORKER_POLL_S": "0.1", "TIDINGS_FETCH_TIMEOUT_S": "10"}


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([TIDINGS, *args], env=env, stdout=out, stderr=subprocess.STDOUT)


def _article_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar_one())


@pytest.mark.timeout(360)
def test_a_job_longer_than_its_lease_runs_once(engine: Engine, db_url: str, site: LoopbackSite,
                                               tmp_path: Path) -> None:
    """2 s lease, 5 s fetches, two idle-polling workers: without a heartbeat the second
    worker would take every job over after 2 s and fetch it again."""
    routes = _feeds(engine, site, 6, delay_s=5.0)
    env = _env(db_url, tmp_path, lease_s=2)
    workers = [_start(["worker", "--concurrency", "4"], env, tmp_path / f"w{n}.log")
               for n in range(2)]
    deadline = time.monotonic() + 240  # a loaded machine: model loading, enrichment
    while _article_count(engine) < 12 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)  # long enough for any lapsed lease to be claimed again
    for w in workers:
        w.send_signal(signal.SIGINT)
    assert [w.wait(timeout=30) for w in workers] == [0, 0]
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("w*.log"))
    assert [r.hits for r in routes] == [1] * 6, logs[-3000:]
    assert _article_count(engine) == 12


def _wait_for(check: object, what: str, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s  # a loaded machine: imports, model loading
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.timeout(360)
def test_a_signal_stops_the_worker_after_its_running_job(engine: Engine, db_url: str,
                                                          site: LoopbackSite,
                                                          tmp_path: Path) -> None:
    """SIGINT (or SIGTERM) lets the running job finish and stop; one during start-up stops the
    worker before it takes any job, whatever library was loading when it came."""
    (route,) = _feeds(engine, site, 1, delay_s=3.0)
    env = _env(db_url, tmp_path)
    early = _start(["worker"], env, log := tmp_path / "early.log")
    _wait_for(lambda: b"loading the language model" in log.read_bytes(), "start-up")
    early.send_signal(signal.SIGINT)
    assert early.wait(timeout=120) == 0, log.read_text(errors="replace")
    assert route.hits == 0

    worker = _start(["worker"], env, log := tmp_path / "worker.log")
    _wait_for(lambda: route.hits == 1, "the fetch")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=120) == 0, log.read_text(errors="replace")
    text = log.read_text(errors="replace")
    assert "stopping: finishing the running jobs" in text and "1 jobs done" in text, text
    assert _article_count(engine) == 2  # the job ran to its end, not abandoned mid-way


@pytest.mark.timeout(360)
def test_two_refresh_once_runs_share_the_work(engine: Engine, db_url: str, site: LoopbackSite,
                                              tmp_path: Path) -> None:
    routes = _feeds(engine, site, 12, delay_s=0.3)
    env = _env(db_url, tmp_path)
    runs = [_start(["refresh", "--once"], env, tmp_path / f"r{n}.log") for n in range(2)]
    assert [r.wait(timeout=300) for r in runs] == [0, 0]
    out = [(tmp_path / f"r{n}.log").read_text(errors="replace") for n in range(2)]
    assert [r.hits for r in routes] == [1] * 12, out
    assert _article_count(engine) == 24
    for text in out:
        assert "Integrity" not in text and "Unique" not in text and "Traceback" not in text
    assert sum(text.count("2 new") for text in out) == 12
    assert sum(text.count("skipped") for text in out) == 12


@pytest.mark.timeout(360)
def test_add_while_a_worker_runs_fetches_the_feed_once(engine: Engine, db_url: str,
                                                       site: LoopbackSite, tmp_path: Path) -> None:
    env = _env(db_url, tmp_path)
    with transaction(engine) as conn:
        reader(conn)  # one account: `add` needs no --user
    worker = _start(["worker", "--concurrency", "2"], env, tmp_path / "worker.log")
    site.routes["/new.xml"] = route = _route(99, delay_s=1.0)
    try:
        time.sleep(1.0)  # the worker is up and polling
        added = subprocess.run([TIDINGS, "add", site.url("/new.xml")], env=env,
                               capture_output=True, text=True, timeout=240, check=False)
        time.sleep(1.5)  # a worker that wrongly took the feed would fetch it now
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=30)
    assert added.returncode == 0, added.stderr
    assert "added" in added.stdout and "Feed 99" in added.stdout and "2 articles" in added.stdout
    assert "Integrity" not in added.stderr and "Traceback" not in added.stderr
    assert route.hits == 1
    assert _article_count(engine) == 2


def test_a_job_that_fails_unexpectedly_shows_on_its_source(
        engine: Engine, settings: Settings, site: LoopbackSite,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: the refresh itself raises (a bug, a lost connection mid-run)."""
    _feeds(engine, site, 1, delay_s=0.0)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("injected fault in the refresh")

    monkeypatch.setattr(pipeline, "refresh_source", broken)
    stats = run_worker(engine, settings, concurrency=1, drain=True)
    with transaction(engine) as conn:
        source = source_store.list_sources(conn)[0]
        assert job_store.pending(conn) == 1  # kept for a retry after the back-off
    assert (stats.done, stats.failed) == (0, 1)
    assert source.last_error and "injected fault" in source.last_error
    assert source.error_count == 1 and source.last_checked_at is not None


# One worker process storing its share of a queue (`pipeline.store_queued`), after `delay`.
_STORE_SHARE = """
import json, sys, time
from tidings.models import Article
from tidings.pipeline import store_queued
from tidings.placement import StoryAssigner
from tidings.store.db import make_engine
url, source_id, delay, share = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
engine = make_engine(url)
assigner = StoryAssigner()
time.sleep(delay)
for ticket, n in json.loads(share):
    article = Article(title=f"Ferry {n} sails", text=f"Ferry {n} left port {n} at dawn.",
                      source_id=source_id, url=f"https://news.example/{n}")
    store_queued(engine, article, f"item-{n}", assigner, ticket=ticket)
"""


@pytest.mark.timeout(360)
def test_two_processes_place_a_queue_in_its_order(engine: Engine, db_url: str) -> None:
    """The queue dealt out to two processes in turn; the one with the first article starts a
    second late, so that the other could place all of its own first: it waits its turn
    instead, and every article is placed at its position in the queue."""
    with transaction(engine) as conn:
        source, _ = source_store.add_source(conn, Source(url="https://news.example/feed",
                                                         title="News"))
        tickets = placement_queue.queue(conn, 12)
    queued = list(zip(tickets, range(12), strict=True))
    runs = [subprocess.Popen([sys.executable, "-c", _STORE_SHARE, db_url, str(source.id),
                              str(delay), json.dumps(queued[w::2])],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for w, delay in ((0, 1.0), (1, 0.0))]
    outputs = [r.communicate(timeout=300)[0].decode(errors="replace") for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    with transaction(engine) as conn:
        placed = conn.execute(sa.select(articles.c.url).order_by(articles.c.id)).scalars().all()
        assert placement_queue.ahead(conn, tickets[-1] + 1) == 0  # every ticket used up
    assert placed == [f"https://news.example/{n}" for n in range(12)]
