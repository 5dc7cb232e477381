"""Readers for tests: real accounts with real Argon2id hashes, subscribed like users are."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from tidings import auth
from tidings.models import User
from tidings.store import accounts, library

PASSWORD = "correct horse battery staple"


def reader(conn: Connection, name: str = "reader", password: str = PASSWORD) -> User:
    """The account `name`, made on first use."""
    return accounts.find_user(conn, name) or accounts.create_user(
        conn, name, auth.hash_password(password))


def subscribe(conn: Connection, source_id: int, name: str = "reader", **choices: object) -> User:
    user = reader(conn, name)
    library.subscribe(conn, user.id or 0, source_id, **choices)  # type: ignore[arg-type]
    return user
