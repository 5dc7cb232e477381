"""Sessions end when idle too long or past their absolute lifetime; tokens open only what
their kind opens."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.accounts import reader
from tidings import auth
from tidings.models import TokenKind, utcnow
from tidings.store import accounts
from tidings.store.db import transaction
from tidings.store.schema import sessions


def test_sessions_expire_when_idle_and_at_their_absolute_end(engine: Engine) -> None:
    with transaction(engine) as conn:
        user = reader(conn, "ann")
        for name in ("fresh", "idle", "old"):
            accounts.create_session(conn, user.id or 0, auth.secret_hash(name), 3600)
        conn.execute(sa.update(sessions).where(sessions.c.id_hash == auth.secret_hash("idle"))
                     .values(last_seen_at=utcnow() - timedelta(minutes=31)))
        conn.execute(sa.update(sessions).where(sessions.c.id_hash == auth.secret_hash("old"))
                     .values(expires_at=utcnow() - timedelta(seconds=1)))
        alive = {n: accounts.session_user(conn, auth.secret_hash(n), idle_s=30 * 60)
                 for n in ("fresh", "idle", "old", "never-made")}
        left = accounts.count_sessions(conn, user.id or 0)
    assert alive["fresh"] is not None and alive["fresh"].name == "ann"
    assert alive["idle"] is None and alive["old"] is None and alive["never-made"] is None
    assert left == 1  # ended sessions are deleted, not kept


def test_a_token_opens_only_what_its_kind_opens(engine: Engine) -> None:
    with transaction(engine) as conn:
        user = reader(conn, "ann")
        accounts.add_token(conn, user.id or 0, TokenKind.FEED, auth.secret_hash("feed-secret"))
        accounts.add_token(conn, user.id or 0, TokenKind.APP, auth.secret_hash("app-secret"))
        as_api = accounts.token_user(conn, auth.secret_hash("feed-secret"), (TokenKind.API,))
        as_feed = accounts.token_user(conn, auth.secret_hash("feed-secret"), (TokenKind.FEED,))
        app_as_api = accounts.token_user(conn, auth.secret_hash("app-secret"), (TokenKind.API,))
    assert as_api is None and app_as_api is None
    assert as_feed is not None and as_feed.name == "ann"
