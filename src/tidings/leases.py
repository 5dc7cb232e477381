"""Holding a job's lease while its work runs.

A lease that is never renewed runs out under a job that is merely slow (a big feed, a loaded
machine), and another worker then runs the same job a second time. So whoever holds a lease
keeps a heartbeat: a thread that renews it every third of its length until the work is done.
`hold` is the same lease for work outside the worker loop (`tidings refresh --once`,
`tidings add`): it takes the source's refresh job, so it never overlaps a worker on it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
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
    """While the `with` block runs, renew `holder`'s lease on `job` every `lease_s / 3`."""

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
        while not self._stop.wait(self.lease_s / 3):
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
