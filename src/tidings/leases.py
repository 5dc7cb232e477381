"""Holding a job's lease while its work runs.

A lease that is never renewed runs out under a job that is merely slow (a big feed, a loaded
machine), and another worker then runs the same job a second time. So whoever holds a lease
keeps a heartbeat: a thread that renews it every quarter of its length until the work is
done, so three beats in a row may be late (a busy machine, a long-held GIL) before it lapses.
`hold` is the same lease for work outside the worker loop (`tidings refresh --once`,
`tidings add`): it takes the source's refresh job, so it never overlaps a worker on it.

A lease is a promise kept by time, and a machine can be slow enough to break it (on SQLite a
renewal waits for the one write lock). So the refresh itself also runs under `source_lock`,
which holds while its process lives whatever the clock says: a PostgreSQL session advisory
lock, or on SQLite an exclusive lock on a file beside the database.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy.engine import Engine

from tidings.models import utcnow
from tidings.store import jobs as job_store
from tidings.store.db import transaction

log = logging.getLogger(__name__)


def holder_name(role: str = "") -> str:
    """host:pid, plus a role, naming who holds a lease (unique per process and role)."""
    base = f"{socket.gethostname()}:{os.getpid()}"
    return f"{base}/{role}" if role else base


class Heartbeat:
    """While the `with` block runs, renew `holder`'s lease on `job` every `lease_s / 4`."""

    def __init__(self, engine: Engine, job: job_store.Job, holder: str, lease_s: float) -> None:
        self.engine, self.job, self.holder, self.lease_s = engine, job, holder, lease_s
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True,
                                        name=f"heartbeat-{job.id}")

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.lease_s / 4):
            until = utcnow() + timedelta(seconds=self.lease_s)
            try:
                with transaction(self.engine) as conn:
                    held = job_store.renew(conn, self.job, self.holder, until)
            except Exception:  # the database is briefly away: try again next beat
                log.warning("job %s: could not renew the lease", self.job.key, exc_info=True)
                continue
            if not held:
                self.lost = True
                log.warning("job %s: lease lost to another holder", self.job.key)
                return


@contextmanager
def hold(engine: Engine, key: str, payload: dict[str, Any], holder: str,
         lease_s: float) -> Iterator[job_store.Job | None]:
    """Take the job `key` for the `with` block (None: someone else holds it now), renewing
    the lease meanwhile; the job is removed when the block ends."""
    with transaction(engine) as conn:
        job = job_store.claim_key(conn, key, payload, holder, utcnow(),
                                  lease=timedelta(seconds=lease_s))
    if job is None:
        yield None
        return
    try:
        with Heartbeat(engine, job, holder, lease_s):
            yield job
    finally:
        with transaction(engine) as conn:
            job_store.complete(conn, job, holder)


# Advisory lock keys live in one 64-bit space per database; ours start here.
_SOURCE_LOCK_BASE = 0x7469_0000_0000_0000  # "ti"


@contextmanager
def source_lock(engine: Engine, source_id: int) -> Iterator[bool]:
    """Hold the refresh lock of one source for the `with` block; yields False (and holds
    nothing) when another process or thread is refreshing that source right now."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, _SOURCE_LOCK_BASE + source_id) as held:
            yield held
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield True  # one process only: the lease is enough
        return
    with _file_lock(Path(database).with_name(Path(database).name + ".locks"),
                    f"source-{source_id}") as held:
        yield held


@contextmanager
def _advisory_lock(engine: Engine, key: int) -> Iterator[bool]:
    with engine.connect() as conn:  # its own session: the lock lives as long as it does
        held = job_store.try_advisory_lock(conn, key)
        conn.commit()
        try:
            yield held
        finally:
            if held:
                job_store.release_advisory_lock(conn, key)
                conn.commit()


@contextmanager
def _file_lock(directory: Path, name: str) -> Iterator[bool]:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{name}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
