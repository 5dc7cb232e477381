"""Signing in and out: throttled, with one answer for unknown users and wrong passwords,
sessions in the database (so that any number of server nodes agree)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request, Response
from sqlalchemy.engine import Connection, Engine

from tidings import auth
from tidings.config import Settings
from tidings.models import User
from tidings.store import accounts
from tidings.store.db import transaction
from tidings.store.schema import now
from tidings.web.deps import SESSION_COOKIE, session_hash

WINDOW = timedelta(minutes=15)
WRONG = "wrong user name or password"


class SignInFailed(ValueError):
    pass


class SignInThrottled(ValueError):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed sign-ins: try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_credentials(engine: Engine, settings: Settings, name: str, password: str,
                      address: str) -> User:
    """The user, if the password is theirs. Failures count per account and per address (in
    a transaction of their own: the refusal must not roll them back); past the limit every
    attempt is refused (429) until the window has moved on."""
    keys = [f"user:{name.strip().lower()[:200]}", f"addr:{address}"]
    with transaction(engine) as conn:
        wait = accounts.signin_blocked_for(conn, keys, settings.signin_max_failures, WINDOW)
        user, stored = accounts.password_hash_of(conn, name.strip()[:200])
    if wait:
        raise SignInThrottled(wait)
    matches = auth.verify_password(stored, password)  # run for unknown users too: same time
    if user is None or not matches:
        with transaction(engine) as conn:
            accounts.record_signin_failure(conn, keys)
            accounts.forget_old_signin_failures(conn, now() - WINDOW)
        raise SignInFailed(WRONG)
    if stored is not None and auth.needs_rehash(stored):
        with transaction(engine) as conn:
            accounts.set_password_hash(conn, user.id or 0, auth.hash_password(password))
    return user


def start_session(conn: Connection, settings: Settings, user: User, response: Response) -> str:
    secret = auth.new_secret()
    accounts.create_session(conn, user.id or 0, auth.secret_hash(secret), settings.session_max_s)
    response.set_cookie(SESSION_COOKIE, secret, max_age=settings.session_max_s, httponly=True,
                        samesite="lax", secure=settings.public_url.startswith("https://"),
                        path="/")
    return secret


def end_session(conn: Connection, request: Request, response: Response) -> None:
    digest = session_hash(request)
    if digest is not None:
        accounts.end_session(conn, digest)
    response.delete_cookie(SESSION_COOKIE, path="/")


def change_password(conn: Connection, request: Request, user: User, current: str,
                    new: str) -> None:
    """Needs the current password; ends the user's other sessions (and keeps this one)."""
    _, stored = accounts.password_hash_of(conn, user.name)
    if not auth.verify_password(stored, current):
        raise SignInFailed("the current password is not right")
    accounts.set_password_hash(conn, user.id or 0, auth.hash_password(new))
    accounts.end_other_sessions(conn, user.id or 0, keep_hash=session_hash(request))
