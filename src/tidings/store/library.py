"""Library aggregate: what each reader subscribes to and what they did with each article.

A source is stored and fetched once however many readers subscribe; every query here takes
`user_id` and sees only that reader's subscriptions. Read state is a watermark per
subscription ("mark all as read" up to a time) plus explicit per-article rows, so that
marking 100k articles read writes one row, and an article that arrives later stays unread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from tidings.models import ReadState, Source, Subscription
from tidings.store import NotFound
from tidings.store.schema import articles, now, read_state, sources, subscriptions
from tidings.store.sources import add_source, to_source


class UnknownSubscription(NotFound):
    pass


def _to_subscription(row: Any, source: Source) -> Subscription:
    return Subscription(id=row.sub_id, user_id=row.user_id, source=source, title=row.sub_title,
                        folder=row.sub_folder, full_text=row.sub_full_text)


def _subscription_select() -> sa.Select[Any]:
    return (sa.select(sources, subscriptions.c.id.label("sub_id"), subscriptions.c.user_id,
                      subscriptions.c.title.label("sub_title"),
                      subscriptions.c.folder.label("sub_folder"),
                      subscriptions.c.full_text.label("sub_full_text"))
            .join(sources, sources.c.id == subscriptions.c.source_id))


def subscribe(conn: Connection, user_id: int, source_id: int, *, title: str = "",
              folder: str = "", full_text: bool = False) -> tuple[Subscription, bool]:
    """(the subscription, whether it is new); subscribing twice changes nothing."""
    existing = find_subscription(conn, user_id, source_id)
    if existing is not None:
        return existing, False
    conn.execute(sa.insert(subscriptions).values(
        user_id=user_id, source_id=source_id, title=title, folder=folder,
        full_text=full_text, created_at=now()))
    _sync_source_full_text(conn, source_id)
    return get_subscription(conn, user_id, source_id), True


def import_subscriptions(conn: Connection, user_id: int, found: Sequence[Source]) -> int:
    """Subscribe to each source (title and folder as the OPML gave them); returns new ones."""
    added = 0
    for source in found:
        stored, _ = add_source(conn, replace(source, folder=""))
        added += subscribe(conn, user_id, stored.id or 0, title=source.title,
                           folder=source.folder)[1]
    return added


def outlines(conn: Connection, user_id: int) -> list[Source]:
    """The reader's subscriptions as sources with their own titles and folders (for OPML)."""
    return [replace(s.source, title=s.name, folder=s.folder)
            for s in list_subscriptions(conn, user_id)]


def find_subscription(conn: Connection, user_id: int, source_id: int) -> Subscription | None:
    row = conn.execute(_subscription_select().where(
        subscriptions.c.user_id == user_id, subscriptions.c.source_id == source_id)).first()
    return _to_subscription(row, to_source(row)) if row else None


def get_subscription(conn: Connection, user_id: int, source_id: int) -> Subscription:
    """The user's subscription to a source; UnknownSubscription (a 404) for anyone else's."""
    sub = find_subscription(conn, user_id, source_id)
    if sub is None:
        raise UnknownSubscription(f"you have no source with id {source_id}")
    return sub


def list_subscriptions(conn: Connection, user_id: int) -> list[Subscription]:
    order = (subscriptions.c.folder, sa.func.lower(
        sa.func.coalesce(sa.func.nullif(subscriptions.c.title, ""), sources.c.title)),
        sources.c.id)
    rows = conn.execute(_subscription_select().where(subscriptions.c.user_id == user_id)
                        .order_by(*order))
    counts = unread_counts(conn, user_id)
    subs = [_to_subscription(r, to_source(r)) for r in rows]
    for sub in subs:
        sub.unread = counts.get(sub.source.id or 0, 0)
    return subs


def update_subscription(conn: Connection, user_id: int, source_id: int, **changes: Any) -> None:
    """Rename, move to a folder, or change the full-text choice of one subscription."""
    allowed = {"title", "folder", "full_text"}
    if set(changes) - allowed:
        raise ValueError(f"unknown subscription fields: {sorted(set(changes) - allowed)}")
    get_subscription(conn, user_id, source_id)
    if not changes:  # nothing to change (e.g. PATCH {}): not an empty UPDATE
        return
    conn.execute(sa.update(subscriptions).where(subscriptions.c.user_id == user_id,
                                                subscriptions.c.source_id == source_id)
                 .values(**changes))
    _sync_source_full_text(conn, source_id)


def unsubscribe(conn: Connection, user_id: int, source_id: int) -> None:
    """Leave a source; with its last subscriber gone it is no longer fetched."""
    get_subscription(conn, user_id, source_id)
    conn.execute(sa.delete(subscriptions).where(subscriptions.c.user_id == user_id,
                                                subscriptions.c.source_id == source_id))
    _sync_source_full_text(conn, source_id)


def rename_folder(conn: Connection, user_id: int, old: str, new: str) -> int:
    result = conn.execute(sa.update(subscriptions).where(
        subscriptions.c.user_id == user_id, subscriptions.c.folder == old).values(folder=new))
    return int(result.rowcount or 0)


def _sync_source_full_text(conn: Connection, source_id: int) -> None:
    wanted = sa.exists().where(subscriptions.c.source_id == source_id,
                               subscriptions.c.full_text.is_(True))
    conn.execute(sa.update(sources).where(sources.c.id == source_id)
                 .values(full_text=sa.select(wanted).scalar_subquery()))


def source_ids(conn: Connection, user_id: int, folder: str | None = None) -> list[int]:
    stmt = sa.select(subscriptions.c.source_id).where(subscriptions.c.user_id == user_id)
    if folder is not None:
        stmt = stmt.where(subscriptions.c.folder == folder)
    return [r[0] for r in conn.execute(stmt)]


def subscriber_count(conn: Connection, source_id: int) -> int:
    stmt = (sa.select(sa.func.count()).select_from(subscriptions)
            .where(subscriptions.c.source_id == source_id))
    return int(conn.execute(stmt).scalar_one())


# --- what the reader sees, and its read state -----------------------------------------------


def visible(user_id: int | sa.BindParameter[int]) -> sa.Join:
    """articles ⋈ the user's subscriptions ⟕ the user's read state: the reader's library."""
    return (articles.join(subscriptions, sa.and_(subscriptions.c.source_id == articles.c.source_id,
                                                 subscriptions.c.user_id == user_id))
            .outerjoin(read_state, sa.and_(read_state.c.article_id == articles.c.id,
                                           read_state.c.user_id == user_id)))


IS_READ = sa.func.coalesce(read_state.c.read, articles.c.fetched_at <= subscriptions.c.read_until,
                           sa.false())
IS_STARRED = sa.func.coalesce(read_state.c.starred, sa.false())
IS_HIDDEN = sa.func.coalesce(read_state.c.hidden, sa.false())


def can_see_article(conn: Connection, user_id: int, article_id: int) -> bool:
    stmt = sa.select(articles.c.id).select_from(visible(user_id)).where(
        articles.c.id == article_id)
    return conn.execute(stmt).first() is not None


def states(conn: Connection, user_id: int, article_ids: Sequence[int]) -> dict[int, ReadState]:
    """Read state of each visible article among `article_ids` (others are left out)."""
    if not article_ids:
        return {}
    stmt = (sa.select(articles.c.id, IS_READ.label("r"), IS_STARRED.label("s"),
                      IS_HIDDEN.label("h"))
            .select_from(visible(user_id)).where(articles.c.id.in_(list(article_ids))))
    return {r.id: ReadState(bool(r.r), bool(r.s), bool(r.h)) for r in conn.execute(stmt)}


def set_state(conn: Connection, user_id: int, article_ids: Sequence[int], *,
              read: bool | None = None, starred: bool | None = None,
              hidden: bool | None = None) -> int:
    """Mark visible articles read/unread, starred/unstarred, hidden/shown; returns how many."""
    ids = [r[0] for r in conn.execute(sa.select(articles.c.id).select_from(visible(user_id))
                                      .where(articles.c.id.in_(list(article_ids))))]
    if not ids:
        return 0
    at = now()
    changes: dict[str, Any] = {}
    if read is not None:
        changes |= {"read": read, "read_at": at if read else None}
    if starred is not None:
        changes |= {"starred": starred, "starred_at": at if starred else None}
    if hidden is not None:
        changes["hidden"] = hidden
    if changes:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        rows = [{"user_id": user_id, "article_id": i, **changes} for i in ids]
        stmt = dialect.insert(read_state).values(rows)
        stmt = stmt.on_conflict_do_update(index_elements=["user_id", "article_id"],
                                          set_={k: stmt.excluded[k] for k in changes})
        conn.execute(stmt)
    return len(ids)


def mark_all_read(conn: Connection, user_id: int, seen_at: datetime, *,
                  source_id: int | None = None, folder: str | None = None) -> int:
    """Everything that had arrived when the reader saw the list becomes read; later arrivals
    stay unread. Scope: all subscriptions, one folder, or one source. Returns subscriptions."""
    cond = subscriptions.c.user_id == user_id
    if source_id is not None:
        cond = sa.and_(cond, subscriptions.c.source_id == source_id)
    if folder is not None:
        cond = sa.and_(cond, subscriptions.c.folder == folder)
    later = sa.case((subscriptions.c.read_until > seen_at, subscriptions.c.read_until),
                    else_=seen_at)
    result = conn.execute(sa.update(subscriptions).where(cond).values(read_until=later))
    scope = sa.select(subscriptions.c.source_id).where(cond)
    covered = sa.select(articles.c.id).where(articles.c.source_id.in_(scope),
                                             articles.c.fetched_at <= seen_at)
    conn.execute(sa.update(read_state).where(
        read_state.c.user_id == user_id, read_state.c.read.is_(False),
        read_state.c.article_id.in_(covered)).values(read=None))
    return int(result.rowcount or 0)


def unread_counts(conn: Connection, user_id: int) -> dict[int, int]:
    """Unread, not hidden articles per source id (sources with none are left out)."""
    stmt = (sa.select(articles.c.source_id, sa.func.count())
            .select_from(visible(user_id))
            .where(sa.not_(IS_READ), sa.not_(IS_HIDDEN))
            .group_by(articles.c.source_id))
    return {r[0]: int(r[1]) for r in conn.execute(stmt)}


def source_names(conn: Connection, user_id: int) -> dict[int, str]:
    """What the reader calls each of their sources: their own title, else the feed's."""
    name = sa.func.coalesce(sa.func.nullif(subscriptions.c.title, ""),
                            sa.func.nullif(sources.c.title, ""), sources.c.url)
    stmt = (sa.select(subscriptions.c.source_id, name)
            .join(sources, sources.c.id == subscriptions.c.source_id)
            .where(subscriptions.c.user_id == user_id))
    return {r[0]: r[1] for r in conn.execute(stmt)}
