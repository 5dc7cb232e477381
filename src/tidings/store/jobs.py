"""The job queue in the database: many workers on many machines share it.

A job is leased, not taken: `claim` stamps `locked_by`/`locked_until`; the worker renews the
lease while the job runs (`renew`, a heartbeat), and a worker that dies simply lets its lease
run out so that another worker claims the job again. PostgreSQL claims with
`FOR UPDATE SKIP LOCKED`; SQLite has one writer at a time, which serialises claims.

A source's refresh job key (`refresh:{id}`) is also its lock: `claim_key` lets any other
process that refreshes a source (`tidings refresh --once`, `tidings add`) take the same lease,
so one source is never refreshed by two processes at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.models import SourceKind
from tidings.store.db import insert_ignoring_duplicates
from tidings.store.schema import jobs, now, sources
from tidings.store.sources import has_subscribers

REFRESH = "refresh"


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    attempts: int


def enqueue_due_refreshes(conn: Connection, at: datetime) -> int:
    """One refresh job per feed that is due and has none yet; returns how many were added."""
    due = sa.or_(sources.c.next_check_at.is_(None), sources.c.next_check_at <= at)
    rows = conn.execute(sa.select(sources.c.id, sources.c.next_check_at)
                        .where(sources.c.kind == str(SourceKind.FEED), due,
                               has_subscribers())).all()
    stamp = now()
    return insert_ignoring_duplicates(conn, jobs, [
        {"kind": REFRESH, "key": refresh_key(r.id), "payload": {"source_id": r.id},
         "run_after": r.next_check_at or at, "attempts": 0, "created_at": stamp}
        for r in rows
    ], unique=["key"])


def claim(conn: Connection, worker: str, at: datetime, *, lease: timedelta,
          limit: int = 1) -> list[Job]:
    """Lease up to `limit` runnable jobs for `worker`, oldest first."""
    free = sa.or_(jobs.c.locked_until.is_(None), jobs.c.locked_until < at)
    stmt = (sa.select(jobs).where(jobs.c.run_after <= at, free)
            .order_by(jobs.c.run_after, jobs.c.id).limit(limit)
            .with_for_update(skip_locked=True))
    rows = conn.execute(stmt).all()
    if not rows:
        return []
    conn.execute(sa.update(jobs).where(jobs.c.id.in_([r.id for r in rows])).values(
        locked_by=worker, locked_until=at + lease, attempts=jobs.c.attempts + 1))
    return [Job(r.id, r.kind, r.key, dict(r.payload), r.attempts + 1) for r in rows]


def refresh_key(source_id: int) -> str:
    return f"{REFRESH}:{source_id}"


def claim_key(conn: Connection, key: str, payload: dict[str, Any], worker: str, at: datetime,
              *, lease: timedelta) -> Job | None:
    """Lease the job `key` now, creating it if needed; None while another holder's lease runs.

    One conditional UPDATE decides, so two processes racing for the key cannot both win (on
    PostgreSQL the loser re-checks the condition after the winner commits).
    """
    insert_ignoring_duplicates(conn, jobs, [
        {"kind": key.split(":", 1)[0], "key": key, "payload": payload, "run_after": at,
         "attempts": 0, "created_at": now()}], unique=["key"])
    free = sa.or_(jobs.c.locked_until.is_(None), jobs.c.locked_until < at)
    row = conn.execute(sa.update(jobs).where(jobs.c.key == key, free).values(
        locked_by=worker, locked_until=at + lease, attempts=jobs.c.attempts + 1,
    ).returning(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.attempts)).first()
    if row is None:
        return None
    return Job(row.id, row.kind, key, dict(row.payload), row.attempts)


def renew(conn: Connection, job: Job, worker: str, until: datetime) -> bool:
    """Extend `worker`'s lease on `job`; False when the lease was lost (the job is gone or
    someone else holds it)."""
    result = conn.execute(sa.update(jobs).where(jobs.c.id == job.id, jobs.c.locked_by == worker)
                          .values(locked_until=until))
    return bool(result.rowcount)


def complete(conn: Connection, job: Job, worker: str) -> bool:
    """Remove a finished job; False if the lease was lost to another worker meanwhile."""
    result = conn.execute(sa.delete(jobs).where(jobs.c.id == job.id, jobs.c.locked_by == worker))
    return bool(result.rowcount)


def retry_later(conn: Connection, job: Job, worker: str, at: datetime, error: str) -> None:
    conn.execute(sa.update(jobs).where(jobs.c.id == job.id, jobs.c.locked_by == worker).values(
        locked_by=None, locked_until=None, run_after=at, last_error=error[:2000]))


def pending(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(jobs)).scalar_one())


def try_advisory_lock(conn: Connection, key: int) -> bool:
    """PostgreSQL: take the session-level advisory lock `key` if nobody holds it. It lasts
    until released or until the session ends, so a dead worker cannot keep it."""
    return bool(conn.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar_one())


def release_advisory_lock(conn: Connection, key: int) -> None:
    conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))
