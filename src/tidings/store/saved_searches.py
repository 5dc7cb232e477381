"""Saved searches: a reader's named queries, each a view, a JSON stream and an Atom feed at a
secret address (only its SHA-256 is kept), and a label stream for the Google Reader API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.search import parse
from tidings.store import NotFound
from tidings.store import search as search_store
from tidings.store.db import insert_ignoring_duplicates
from tidings.store.schema import now, saved_searches

MAX_NAME = 100


class UnknownSavedSearch(NotFound):
    pass


class NameTaken(ValueError):
    pass


@dataclass(frozen=True)
class SavedSearch:
    id: int
    user_id: int
    name: str
    query: str
    created_at: datetime


def _to_saved(row: Any) -> SavedSearch:
    return SavedSearch(row.id, row.user_id, row.name, row.query, row.created_at)


def save_search(conn: Connection, user_id: int, name: str, query: str, feed_hash: str
                ) -> SavedSearch:
    """Store a named query (parse it first: a saved search always runs); NameTaken if the
    reader already has one of that name."""
    row = {"user_id": user_id, "name": name, "query": query, "feed_hash": feed_hash,
           "created_at": now()}
    if not insert_ignoring_duplicates(conn, saved_searches, [row], unique=["user_id", "name"]):
        raise NameTaken(f"you already have a saved search named {name!r}: pick another name "
                        "or delete that one first")
    return get_saved_search(conn, user_id, name)


def find_saved_search(conn: Connection, user_id: int, name: str) -> SavedSearch | None:
    row = conn.execute(sa.select(saved_searches).where(
        saved_searches.c.user_id == user_id, saved_searches.c.name == name)).first()
    return _to_saved(row) if row else None


def get_saved_search(conn: Connection, user_id: int, name: str) -> SavedSearch:
    found = find_saved_search(conn, user_id, name)
    if found is None:
        raise UnknownSavedSearch(f"you have no saved search named {name!r}")
    return found


def list_saved_searches(conn: Connection, user_id: int) -> list[SavedSearch]:
    rows = conn.execute(sa.select(saved_searches).where(saved_searches.c.user_id == user_id)
                        .order_by(sa.func.lower(saved_searches.c.name), saved_searches.c.id))
    return [_to_saved(r) for r in rows]


def delete_saved_search(conn: Connection, user_id: int, name: str) -> None:
    get_saved_search(conn, user_id, name)
    conn.execute(sa.delete(saved_searches).where(saved_searches.c.user_id == user_id,
                                                 saved_searches.c.name == name))


def set_feed_hash(conn: Connection, user_id: int, name: str, feed_hash: str) -> None:
    """A new secret feed address for the saved search (the old one stops working)."""
    get_saved_search(conn, user_id, name)
    conn.execute(sa.update(saved_searches).where(saved_searches.c.user_id == user_id,
                                                 saved_searches.c.name == name)
                 .values(feed_hash=feed_hash))


def saved_search_by_feed(conn: Connection, feed_hash: str) -> SavedSearch | None:
    row = conn.execute(sa.select(saved_searches).where(
        saved_searches.c.feed_hash == feed_hash)).first()
    return _to_saved(row) if row else None


def saved_search_article_ids(conn: Connection, user_id: int, name: str, limit: int = 100, *,
                             at: datetime | None = None, cursor: str | None = None,
                             ) -> tuple[list[int], str | None]:
    """The saved search as a stream (newest first): the article ids of one page and the
    cursor of the next (None at the end). `at` fixes relative dates (default: now).
    For the Google Reader API's user/-/label/<name> streams."""
    saved = get_saved_search(conn, user_id, name)
    tree = parse(saved.query, now=at or now())
    page = search_store.search(conn, user_id, tree, cursor=cursor, limit=limit)
    return [h.article.id or 0 for h in page.hits], page.next
