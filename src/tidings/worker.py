"""The scheduler loop: enqueue due feeds, claim jobs, run the pipeline, back off.

Any number of worker processes on any number of machines may share one PostgreSQL database:
jobs are leased (see `store.jobs`) and the lease renewed while the job runs (`leases`), so no
source is fetched twice at once, and a worker that dies only delays its jobs until the lease
runs out. A job that fails puts its error on the source, where `tidings sources` shows it.
"""

from __future__ import annotations

import gc
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from tidings import enrich, pipeline
from tidings.config import Settings
from tidings.fetch import Fetcher
from tidings.fetch.schedule import backoff_s
from tidings.leases import Heartbeat, hold, holder_name, source_lock
from tidings.models import utcnow
from tidings.store import jobs as job_store
from tidings.store import sources as source_store
from tidings.store.db import transaction

log = logging.getLogger(__name__)


def worker_name() -> str:
    return holder_name()


@dataclass
class WorkerStats:
    done: int = 0
    failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, ok: bool) -> None:
        with self.lock:
            if ok:
                self.done += 1
            else:
                self.failed += 1


@dataclass
class Crew:
    """What every worker thread of one process shares."""

    engine: Engine
    fetcher: Fetcher
    settings: Settings
    stats: WorkerStats
    pruned_at: list[float] = field(default_factory=lambda: [0.0])  # monotonic time, shared


PRUNE_EVERY_S = 3600.0


def maybe_prune(crew: Crew) -> int:
    """Retention, at most once an hour per process, when a worker has nothing else to do."""
    now = time.monotonic()
    with crew.stats.lock:
        if crew.pruned_at[0] and now - crew.pruned_at[0] < PRUNE_EVERY_S:
            return 0
        crew.pruned_at[0] = now
    gone = pipeline.prune(crew.engine, crew.settings)
    if gone:
        log.info("retention: pruned %s read, unstarred articles", gone)
    return gone


def run_one(crew: Crew, name: str) -> bool:
    """Claim and run one job; False when there was nothing to do."""
    at = utcnow()
    with transaction(crew.engine) as conn:
        job_store.enqueue_due_refreshes(conn, at)
        lease = timedelta(seconds=crew.settings.job_lease_s)
        claimed = job_store.claim(conn, name, at, lease=lease)
    if not claimed:
        return False
    job = claimed[0]
    try:
        with Heartbeat(crew.engine, job, name, crew.settings.job_lease_s):
            _run(crew, job, at)
        with transaction(crew.engine) as conn:
            job_store.complete(conn, job, name)
        crew.stats.count(True)
    except Exception as exc:  # a bug or a lost database must not kill the worker
        log.exception("job %s failed", job.key)
        retry_at = utcnow() + timedelta(seconds=backoff_s(job.attempts))
        message = f"{type(exc).__name__}: {exc}"
        with transaction(crew.engine) as conn:
            job_store.retry_later(conn, job, name, retry_at, message)
        _record_job_failure(crew, job, retry_at, message)
        crew.stats.count(False)
    return True


def _record_job_failure(crew: Crew, job: job_store.Job, retry_at: datetime,
                        message: str) -> None:
    """Show the failure where users look (never "ok" after a failed run)."""
    source_id = int(job.payload.get("source_id", 0))
    try:
        with transaction(crew.engine) as conn:
            source = source_store.get_source(conn, source_id)
            source_store.record_error(conn, source, utcnow(), retry_at,
                                      f"the refresh failed unexpectedly ({message}); Tidings"
                                      " will retry it")
    except Exception:  # unsubscribed meanwhile, or the database is away
        log.warning("job %s: could not record the failure on its source", job.key,
                    exc_info=True)


def refresh_now(crew: Crew, source_id: int, holder: str,
                since: datetime) -> pipeline.RefreshReport | None:
    """Refresh one source outside the queue (`refresh --once`), under its job lease; None when
    another process is refreshing it right now or has checked it since `since`."""
    key = job_store.refresh_key(source_id)
    with hold(crew.engine, key, {"source_id": source_id}, holder,
              crew.settings.job_lease_s) as job:
        if job is None:
            return None
        with source_lock(crew.engine, source_id) as held:
            if not held:
                return None
            with transaction(crew.engine) as conn:
                source = source_store.get_source(conn, source_id)
            if source.last_checked_at is not None and source.last_checked_at >= since:
                return None
            return pipeline.refresh_source(crew.engine, crew.fetcher, source_id,
                                           settings=crew.settings)


def _run(crew: Crew, job: job_store.Job, at: datetime) -> None:
    source_id = int(job.payload["source_id"])
    with source_lock(crew.engine, source_id) as held:
        if not held:
            log.info("source %s: another process is refreshing it; job dropped", source_id)
            return
        with transaction(crew.engine) as conn:
            try:
                source = source_store.get_source(conn, source_id)
            except source_store.UnknownSource:
                return  # unsubscribed since the job was queued: nothing to do
        if source.next_check_at is not None and source.next_check_at > at:
            return  # refreshed already this cycle (by a worker that lost the lease or died)
        report = pipeline.refresh_source(crew.engine, crew.fetcher, source_id,
                                         settings=crew.settings)
    log.info("%s: %s new, %s seen%s", report.url, report.new, report.seen,
             f", error: {report.error}" if report.error else "")


def _loop(crew: Crew, name: str, stop: threading.Event, drain: bool) -> None:
    failures = 0
    while not stop.is_set():
        try:
            if run_one(crew, name):
                failures = 0
                continue
        except Exception:  # the database went away: wait and try again, never die
            failures += 1
            log.exception("worker %s: cannot reach the queue (attempt %s)", name, failures)
            stop.wait(min(backoff_s(failures), 300.0))
            continue
        if drain:
            return
        try:
            maybe_prune(crew)
        except Exception:  # retention can wait for the next hour; refreshing must go on
            log.exception("worker %s: retention failed", name)
        stop.wait(crew.settings.worker_poll_s * random.uniform(0.8, 1.2))


def freeze_heap() -> None:
    """What the process holds once started (modules, SQLAlchemy's metadata, the language
    model: about 160k objects) lives as long as it does: moved out of the collector's sight,
    a full collection stops scanning it each time (with the model loaded 141 ms, a pause
    that holds the interpreter, then under 1 ms). Placing 300 articles at 50k stories saw
    one full collection (91 ms, ~0.3 ms an article: about 5%, inside the noise of
    bench.cluster_against). Collected first, so no garbage is kept for good."""
    gc.collect()
    gc.freeze()


def run_worker(engine: Engine, settings: Settings, *, concurrency: int = 2,
               drain: bool = False, stop: threading.Event | None = None) -> WorkerStats:
    """Run `concurrency` threads until `stop` is set (or, with `drain`, until no job is due);
    once `stop` is set each thread finishes the job it is running and takes no other."""
    stop = stop or threading.Event()
    stats, base = WorkerStats(), worker_name()
    # Load the language model before taking any job: loading holds the GIL for seconds,
    # which would starve the heartbeats of leases already taken.
    log.info("worker starting: loading the language model")
    enrich.load_nlp()
    freeze_heap()
    with Fetcher(settings) as fetcher:
        crew = Crew(engine, fetcher, settings, stats)
        threads = [threading.Thread(target=_loop, name=f"worker-{n}", daemon=True,
                                    args=(crew, f"{base}/{n}", stop, drain))
                   for n in range(max(1, concurrency))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return stats
