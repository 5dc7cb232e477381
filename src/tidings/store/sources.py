"""Sources aggregate: subscriptions and their fetch state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.models import Source, SourceKind
from tidings.store import NotFound
from tidings.store.db import insert_ignoring_duplicates
from tidings.store.schema import now, sources, subscriptions


class UnknownSource(NotFound):
    pass


def to_source(row: Any) -> Source:
    return Source(
        id=row.id, url=row.url, kind=SourceKind(row.kind), title=row.title,
        site_url=row.site_url, full_text=row.full_text, etag=row.etag,
        last_modified=row.last_modified, next_check_at=row.next_check_at,
        last_checked_at=row.last_checked_at, error_count=row.error_count,
        last_error=row.last_error,
    )


def add_source(conn: Connection, source: Source) -> tuple[Source, bool]:
    """Subscribe; returns (the stored source, whether it was new). Same URL twice is one."""
    existing = find_source(conn, source.url)
    if existing is not None:
        return existing, False
    values = {
        "url": source.url, "kind": str(source.kind), "title": source.title,
        "site_url": source.site_url, "full_text": source.full_text, "created_at": now(),
    }
    # Another process may add the same URL between our look and our insert: then it is theirs.
    if not insert_ignoring_duplicates(conn, sources, [values], unique=["url"]):
        return get_source_by_url(conn, source.url), False
    return get_source_by_url(conn, source.url), True


def get_source_by_url(conn: Connection, url: str) -> Source:
    found = find_source(conn, url)
    if found is None:
        raise UnknownSource(f"no source with URL {url}")
    return found


def find_source(conn: Connection, url: str) -> Source | None:
    row = conn.execute(sa.select(sources).where(sources.c.url == url)).first()
    return to_source(row) if row else None


def get_source(conn: Connection, source_id: int) -> Source:
    row = conn.execute(sa.select(sources).where(sources.c.id == source_id)).first()
    if row is None:
        raise UnknownSource(f"no source with id {source_id}")
    return to_source(row)


def list_sources(conn: Connection) -> list[Source]:
    order = (sources.c.title, sources.c.id)
    rows = conn.execute(sa.select(sources).order_by(*order))
    return [to_source(r) for r in rows]


def has_subscribers() -> sa.ColumnElement[bool]:
    """A source nobody subscribes to any more is kept, but no longer fetched."""
    return sa.exists().where(subscriptions.c.source_id == sources.c.id)


def due_sources(conn: Connection, at: datetime | None = None) -> list[Source]:
    """Feeds to check now (all feeds when `at` is None); bundled samples are never fetched,
    nor sources without subscribers."""
    cond = sa.and_(sources.c.kind == str(SourceKind.FEED), has_subscribers())
    if at is not None:
        due = sa.or_(sources.c.next_check_at.is_(None), sources.c.next_check_at <= at)
        cond = sa.and_(cond, due)
    order = (sources.c.next_check_at, sources.c.id)
    rows = conn.execute(sa.select(sources).where(cond).order_by(*order))
    return [to_source(r) for r in rows]


def update_source(conn: Connection, source_id: int, **changes: Any) -> None:
    """Write fetch state (etag, last_modified, next_check_at, errors, title, ...)."""
    unknown = set(changes) - set(sources.c.keys())
    if unknown:
        raise ValueError(f"unknown source fields: {sorted(unknown)}")
    conn.execute(sa.update(sources).where(sources.c.id == source_id).values(**changes))


def record_success(conn: Connection, source_id: int, at: datetime, next_at: datetime,
                   note: str | None = None, **changes: Any) -> None:
    """A check that read the feed; `note` says what was not whole (items not stored, pages
    not used), shown where the error would be, without counting as a failure."""
    update_source(conn, source_id, last_checked_at=at, next_check_at=next_at, error_count=0,
                  last_error=note[:2000] if note else None, **changes)


def record_error(conn: Connection, source: Source, at: datetime, next_at: datetime,
                 message: str) -> None:
    update_source(conn, source.id or 0, last_checked_at=at, next_check_at=next_at,
                  error_count=source.error_count + 1, last_error=message[:2000])


def delete_sources(conn: Connection, ids: Sequence[int]) -> None:
    conn.execute(sa.delete(sources).where(sources.c.id.in_(ids)))
