"""Request-scoped helpers shared by the UI and the API."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.engine import Connection

from tidings.models import User
from tidings.store import users as user_store
from tidings.store.db import transaction
from tidings.web.app import AppState


def state(request: Request) -> AppState:
    st: AppState = request.app.state.tidings
    return st


def db(request: Request) -> Iterator[Connection]:
    with transaction(state(request).engine) as conn:
        yield conn


def current_user(request: Request, conn: Connection) -> User:
    """The signed-in user; until accounts land, the configured default user."""
    return user_store.ensure_user(conn, state(request).settings.user)
