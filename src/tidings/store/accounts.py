"""Accounts aggregate: users, their sessions, their tokens, and failed sign-ins.

Secrets arrive here already hashed (`tidings.auth`): no plain password, session id or token is
ever written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.models import Token, TokenKind, User
from tidings.store import NotFound
from tidings.store.db import write_aside, write_later
from tidings.store.prepared import Prepared
from tidings.store.schema import now, sessions, signin_failures, tokens, users


class UnknownUser(NotFound):
    pass


class DuplicateUser(ValueError):
    pass


def _to_user(row: Any) -> User:
    return User(id=row.id, name=row.name, is_admin=row.is_admin)


def create_user(conn: Connection, name: str, password_hash: str | None, *,
                admin: bool = False) -> User:
    if find_user(conn, name) is not None:
        raise DuplicateUser(f"a user named {name!r} exists already")
    stmt = (sa.insert(users).values(name=name, password_hash=password_hash, is_admin=admin,
                                    created_at=now()).returning(users.c.id))
    return User(id=int(conn.execute(stmt).scalar_one()), name=name, is_admin=admin)


def find_user(conn: Connection, name: str) -> User | None:
    row = conn.execute(sa.select(users).where(users.c.name == name)).first()
    return _to_user(row) if row else None


_USER = sa.select(users).where(users.c.id == sa.bindparam("user_id", type_=sa.Integer))
# every request with a token reads it and its owner, in one statement built once
_TOKEN = Prepared(
    sa.select(tokens.c.id, tokens.c.user_id, tokens.c.last_used_at, tokens.c.kind,
              users.c.name, users.c.is_admin)
    .join(users, users.c.id == tokens.c.user_id)
    .where(tokens.c.secret_hash == sa.bindparam("secret_hash", type_=tokens.c.secret_hash.type)))


def get_user(conn: Connection, user_id: int) -> User:
    row = conn.execute(_USER, {"user_id": user_id}).first()
    if row is None:
        raise UnknownUser(f"no user with id {user_id}")
    return _to_user(row)


def user_named(conn: Connection, name: str) -> User:
    user = find_user(conn, name)
    if user is None:
        raise UnknownUser(f"no user named {name!r} (see `tidings user list`)")
    return user


def list_users(conn: Connection) -> list[User]:
    return [_to_user(r) for r in conn.execute(sa.select(users).order_by(users.c.name))]


def password_hash_of(conn: Connection, name: str) -> tuple[User | None, str | None]:
    row = conn.execute(sa.select(users).where(users.c.name == name)).first()
    return (_to_user(row), row.password_hash) if row else (None, None)


def set_password_hash(conn: Connection, user_id: int, password_hash: str) -> None:
    conn.execute(sa.update(users).where(users.c.id == user_id)
                 .values(password_hash=password_hash))


def delete_user(conn: Connection, user_id: int) -> None:
    """The account and every row of it (follows, stars, sessions, … cascade)."""
    conn.execute(sa.delete(users).where(users.c.id == user_id))


# --- sessions ---------------------------------------------------------------------------


def create_session(conn: Connection, user_id: int, id_hash: str, max_age_s: int) -> None:
    at = now()
    conn.execute(sa.insert(sessions).values(id_hash=id_hash, user_id=user_id, created_at=at,
                                            last_seen_at=at,
                                            expires_at=at + timedelta(seconds=max_age_s)))


def session_user(conn: Connection, id_hash: str, idle_s: int) -> User | None:
    """The session's user while it is neither idle too long nor past its absolute expiry.
    Touches `last_seen_at` at most once a minute, so that reads stay reads."""
    at = now()
    row = conn.execute(sa.select(sessions.c.user_id, sessions.c.last_seen_at,
                                 sessions.c.expires_at)
                       .where(sessions.c.id_hash == id_hash)).first()
    if row is None:
        return None
    if row.expires_at <= at or row.last_seen_at + timedelta(seconds=idle_s) <= at:
        write_aside(conn, sa.delete(sessions).where(sessions.c.id_hash == id_hash))
        return None
    if at - row.last_seen_at > timedelta(minutes=1):
        write_later(conn, ("sessions", id_hash),
                    sa.update(sessions).where(sessions.c.id_hash == id_hash)
                    .values(last_seen_at=at))
    return get_user(conn, row.user_id)


def end_session(conn: Connection, id_hash: str) -> None:
    conn.execute(sa.delete(sessions).where(sessions.c.id_hash == id_hash))


def end_other_sessions(conn: Connection, user_id: int, keep_hash: str | None = None) -> int:
    cond = sessions.c.user_id == user_id
    if keep_hash is not None:
        cond = sa.and_(cond, sessions.c.id_hash != keep_hash)
    return int(conn.execute(sa.delete(sessions).where(cond)).rowcount or 0)


def count_sessions(conn: Connection, user_id: int) -> int:
    stmt = sa.select(sa.func.count()).select_from(sessions).where(sessions.c.user_id == user_id)
    return int(conn.execute(stmt).scalar_one())


# --- tokens -------------------------------------------------------------------------------


def _to_token(row: Any) -> Token:
    return Token(id=row.id, user_id=row.user_id, kind=TokenKind(row.kind), label=row.label,
                 created_at=row.created_at, last_used_at=row.last_used_at)


def add_token(conn: Connection, user_id: int, kind: TokenKind, secret_hash: str,
              label: str = "") -> Token:
    stmt = (sa.insert(tokens).values(user_id=user_id, kind=str(kind), label=label,
                                     secret_hash=secret_hash, created_at=now())
            .returning(tokens.c.id))
    token_id = int(conn.execute(stmt).scalar_one())
    return Token(id=token_id, user_id=user_id, kind=kind, label=label, created_at=now())


def token_user(conn: Connection, secret_hash: str, kinds: tuple[TokenKind, ...]) -> User | None:
    """Whose token this is, if it is of one of `kinds`; stamps its last use (once a minute)."""
    rows = _TOKEN.rows(conn, {"secret_hash": secret_hash})
    if not rows or rows[0].kind not in {str(k) for k in kinds}:
        return None
    row = rows[0]
    at = now()
    if row.last_used_at is None or at - row.last_used_at > timedelta(minutes=1):
        write_later(conn, ("tokens", row.id),
                    sa.update(tokens).where(tokens.c.id == row.id).values(last_used_at=at))
    return User(id=row.user_id, name=row.name, is_admin=row.is_admin)


def list_tokens(conn: Connection, user_id: int, kind: TokenKind | None = None) -> list[Token]:
    stmt = sa.select(tokens).where(tokens.c.user_id == user_id).order_by(tokens.c.id)
    if kind is not None:
        stmt = stmt.where(tokens.c.kind == str(kind))
    return [_to_token(r) for r in conn.execute(stmt)]


def revoke_token(conn: Connection, user_id: int, token_id: int) -> bool:
    """False when the user has no such token (another user's id included)."""
    result = conn.execute(sa.delete(tokens).where(tokens.c.id == token_id,
                                                  tokens.c.user_id == user_id))
    return bool(result.rowcount)


def revoke_tokens_of_kind(conn: Connection, user_id: int, kind: TokenKind) -> None:
    conn.execute(sa.delete(tokens).where(tokens.c.user_id == user_id,
                                         tokens.c.kind == str(kind)))


# --- sign-in throttling -----------------------------------------------------------------


def record_signin_failure(conn: Connection, keys: list[str]) -> None:
    at = now()
    conn.execute(sa.insert(signin_failures), [{"key": k, "at": at} for k in keys])


def signin_blocked_for(conn: Connection, keys: list[str], limit: int,
                       window: timedelta) -> int:
    """Seconds until another attempt is allowed (0: allowed now). Any key over the limit
    blocks: per account (guessing one password) and per address (trying many accounts)."""
    at = now()
    wait = 0
    for key in keys:
        times = conn.execute(
            sa.select(signin_failures.c.at)
            .where(signin_failures.c.key == key, signin_failures.c.at > at - window)
            .order_by(signin_failures.c.at.desc()).limit(limit)).scalars().all()
        if len(times) >= limit:
            wait = max(wait, int((times[-1] + window - at).total_seconds()) + 1)
    return wait


def forget_old_signin_failures(conn: Connection, before: datetime) -> None:
    conn.execute(sa.delete(signin_failures).where(signin_failures.c.at < before))
