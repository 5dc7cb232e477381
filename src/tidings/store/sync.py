"""What sync apps (Google Reader API, Fever) need beyond the JSON API's store calls: who an app
password or a ClientLogin belongs to, and article ids and rows by stream, fast enough for a
client that asks for 10,000 ids at once.

Every query takes `user_id` and reads through `library.visible(user_id)`, so an app sees only
its reader's library, exactly as the web UI does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.models import TokenKind, User
from tidings.store.accounts import get_user
from tidings.store.db import write_later
from tidings.store.library import IS_HIDDEN, IS_READ, IS_STARRED, visible
from tidings.store.schema import articles, now, sources, subscriptions, sync_logins, tokens, users

MAX_IDS = 10_000


# --- app passwords, Fever keys, ClientLogin sessions ----------------------------------------


def set_fever_hash(conn: Connection, token_id: int, fever_hash: str) -> None:
    """Keep (a hash of) the Fever api_key of a new app password beside it."""
    conn.execute(sa.update(tokens).where(tokens.c.id == token_id, tokens.c.kind == "app")
                 .values(fever_hash=fever_hash))


def app_password_owner(conn: Connection, name: str, secret_hash: str) -> tuple[User, int] | None:
    """(the user, the token id) when `secret_hash` is an app password of the user `name`."""
    row = conn.execute(
        sa.select(tokens.c.id, tokens.c.user_id).join(users, users.c.id == tokens.c.user_id)
        .where(users.c.name == name, tokens.c.secret_hash == secret_hash,
               tokens.c.kind == str(TokenKind.APP))).first()
    if row is None:
        return None
    _touch_token(conn, row.id)
    return get_user(conn, row.user_id), int(row.id)


def _touch_token(conn: Connection, token_id: int) -> None:
    """Stamp the token's last use, at most once a minute (a read stays a read)."""
    last = conn.execute(sa.select(tokens.c.last_used_at).where(tokens.c.id == token_id)
                        ).scalar_one_or_none()
    if last is not None and last >= now() - timedelta(minutes=1):
        return
    stale = sa.or_(tokens.c.last_used_at.is_(None),
                   tokens.c.last_used_at < now() - timedelta(minutes=1))
    write_later(conn, ("tokens", token_id),
                sa.update(tokens).where(tokens.c.id == token_id, stale)
                .values(last_used_at=now()))


def add_login(conn: Connection, user_id: int, token_id: int, id_hash: str) -> None:
    at = now()
    conn.execute(sa.insert(sync_logins).values(id_hash=id_hash, token_id=token_id,
                                               user_id=user_id, created_at=at,
                                               last_used_at=at))


def login_user(conn: Connection, id_hash: str) -> User | None:
    """Whose ClientLogin Auth this is (it ends with its app password)."""
    row = conn.execute(sa.select(sync_logins.c.user_id, sync_logins.c.token_id,
                                 sync_logins.c.last_used_at)
                       .where(sync_logins.c.id_hash == id_hash)).first()
    if row is None:
        return None
    if now() - row.last_used_at > timedelta(minutes=1):
        write_later(conn, ("sync_logins", id_hash),
                    sa.update(sync_logins).where(sync_logins.c.id_hash == id_hash)
                    .values(last_used_at=now()))
        _touch_token(conn, row.token_id)
    return get_user(conn, row.user_id)


def fever_user(conn: Connection, fever_hash: str) -> User | None:
    row = conn.execute(sa.select(tokens.c.id, tokens.c.user_id).where(
        tokens.c.fever_hash == fever_hash, tokens.c.kind == str(TokenKind.APP))).first()
    if row is None:
        return None
    _touch_token(conn, row.id)
    return get_user(conn, row.user_id)


# --- article ids by stream --------------------------------------------------------------------


@dataclass(frozen=True)
class StreamQuery:
    source_id: int | None = None
    folder: str | None = None
    starred: bool | None = None  # True: starred only
    read: bool | None = None  # True: read only; False: unread only
    oldest: datetime | None = None  # arrived at or after
    newest: datetime | None = None  # arrived at or before
    ascending: bool = False
    after_id: int | None = None  # continuation: the last id of the previous page
    ids: Sequence[int] | None = None  # only these
    limit: int = 20


def _where(q: StreamQuery) -> list[Any]:
    conds: list[Any] = [sa.not_(IS_HIDDEN)]
    if q.source_id is not None:
        conds.append(articles.c.source_id == q.source_id)
    if q.folder is not None:
        conds.append(subscriptions.c.folder == q.folder)
    if q.starred:
        conds.append(IS_STARRED)
    if q.read is not None:
        conds.append(IS_READ if q.read else sa.not_(IS_READ))
    if q.oldest is not None:
        conds.append(articles.c.fetched_at >= q.oldest)
    if q.newest is not None:
        conds.append(articles.c.fetched_at <= q.newest)
    if q.after_id is not None:
        conds.append(articles.c.id > q.after_id if q.ascending else articles.c.id < q.after_id)
    if q.ids is not None:
        conds.append(articles.c.id.in_(list(q.ids)))
    return conds


def stream_ids(conn: Connection, user_id: int, q: StreamQuery) -> list[int]:
    """Article ids of a stream, newest first (or oldest first), at most `limit`. Ids only:
    reading 10,000 timestamps back costs more than the query."""
    order = articles.c.id.asc() if q.ascending else articles.c.id.desc()
    stmt = (sa.select(articles.c.id).select_from(visible(user_id))
            .where(*_where(q)).order_by(order).limit(min(q.limit, MAX_IDS)))
    return [int(r[0]) for r in conn.execute(stmt)]


def count(conn: Connection, user_id: int, q: StreamQuery) -> int:
    stmt = (sa.select(sa.func.count()).select_from(visible(user_id))
            .where(*_where(q)))
    return int(conn.execute(stmt).scalar_one())


ITEM_COLUMNS = (articles.c.id, articles.c.source_id, articles.c.story_id, articles.c.url,
                articles.c.canonical_url, articles.c.title, articles.c.byline,
                articles.c.published_at, articles.c.fetched_at, articles.c.html, articles.c.text,
                subscriptions.c.folder, sources.c.site_url,
                sa.func.coalesce(sa.func.nullif(subscriptions.c.title, ""),
                                 sa.func.nullif(sources.c.title, ""),
                                 sources.c.url).label("source_name"),
                IS_READ.label("is_read"), IS_STARRED.label("is_starred"))


def items(conn: Connection, user_id: int, article_ids: Sequence[int]) -> dict[int, Any]:
    """The rows an app shows for each visible article among `article_ids` (others left out)."""
    if not article_ids:
        return {}
    stmt = (sa.select(*ITEM_COLUMNS)
            .select_from(visible(user_id).join(sources, sources.c.id == articles.c.source_id))
            .where(articles.c.id.in_(list(article_ids))))
    return {int(r.id): r for r in conn.execute(stmt)}


def story_mates(conn: Connection, user_id: int, article_ids: Sequence[int]) -> list[int]:
    """The visible articles that share a story with any of `article_ids` (themselves too)."""
    if not article_ids:
        return []
    stories = (sa.select(articles.c.story_id).where(articles.c.id.in_(list(article_ids)),
                                                    articles.c.story_id.is_not(None)))
    stmt = (sa.select(articles.c.id).select_from(visible(user_id))
            .where(articles.c.story_id.in_(stories)))
    return sorted(set(article_ids) | {int(r[0]) for r in conn.execute(stmt)})


def unread_summary(conn: Connection, user_id: int) -> dict[int, tuple[int, datetime]]:
    """{source id: (unread count, newest unread arrival)}; sources with none left out."""
    stmt = (sa.select(articles.c.source_id, sa.func.count(), sa.func.max(articles.c.fetched_at))
            .select_from(visible(user_id)).where(sa.not_(IS_READ), sa.not_(IS_HIDDEN))
            .group_by(articles.c.source_id))
    return {int(r[0]): (int(r[1]), r[2]) for r in conn.execute(stmt)}


def newest_arrival(conn: Connection, user_id: int) -> datetime | None:
    stmt = sa.select(sa.func.max(articles.c.fetched_at)).select_from(visible(user_id))
    return conn.execute(stmt).scalar_one_or_none()


def all_ids(conn: Connection, user_id: int, *, read: bool | None = None,
            starred: bool | None = None) -> list[int]:
    """Every visible, unhidden article id (unread only, starred only, …), oldest first."""
    stmt = (sa.select(articles.c.id).select_from(visible(user_id))
            .where(*_where(StreamQuery(read=read, starred=starred)))
            .order_by(articles.c.id))
    return [int(r[0]) for r in conn.execute(stmt)]


def fever_page(conn: Connection, user_id: int, *, since_id: int | None, max_id: int | None,
               limit: int) -> list[int]:
    """Fever's item pages: after `since_id` oldest first, before `max_id` newest first."""
    if max_id is not None:
        q = StreamQuery(after_id=max_id, limit=limit)
    else:
        q = StreamQuery(after_id=since_id or 0, ascending=True, limit=limit)
    return stream_ids(conn, user_id, q)
