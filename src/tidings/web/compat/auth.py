"""Who a sync app is: Google Reader's ClientLogin (user name + an app password, never the
account password) and its `Authorization: GoogleLogin auth=…` header; the Fever api_key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.engine import Connection

from tidings import auth
from tidings.models import User
from tidings.store import accounts, sync
from tidings.store.db import transaction
from tidings.store.schema import now
from tidings.web.compat.ids import BadRequest
from tidings.web.deps import Conn, state
from tidings.web.signin import WINDOW, client_address

BAD_TOKEN = {"X-Reader-Google-Bad-Token": "true"}


class Throttled(HTTPException):
    def __init__(self, wait: int) -> None:
        super().__init__(429, f"too many failed logins: try again in {wait} s",
                         headers={"Retry-After": str(wait)})


def client_login(conn: Connection, request: Request, name: str, password: str) -> str:
    """A new Auth secret for the app password `password` of `name` (only its hash is kept).
    Failures are throttled per account and per address like web sign-ins."""
    if not name.strip() or not password:
        raise BadRequest("give Email (your user name) and Passwd (an app password)")
    keys = [f"app:{name.strip().lower()[:200]}", f"addr:{client_address(request)}"]
    settings = state(request).settings
    wait = accounts.signin_blocked_for(conn, keys, settings.signin_max_failures, WINDOW)
    if wait:
        raise Throttled(wait)
    found = sync.app_password_owner(conn, name.strip(), auth.secret_hash(password.strip()))
    if found is None:
        accounts.record_signin_failure(conn, keys)
        accounts.forget_old_signin_failures(conn, now() - WINDOW)
        raise HTTPException(401, "wrong user name or app password (make an app password on "
                            "/account or with `tidings token create NAME --app LABEL`)",
                            headers=BAD_TOKEN)
    user, token_id = found
    secret = auth.new_secret()
    sync.add_login(conn, user.id or 0, token_id, auth.secret_hash(secret))
    return secret


def _reader(request: Request, conn: Connection) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, rest = header.partition(" ")
    key, _, secret = rest.strip().partition("=")
    user = None
    if scheme.lower() == "googlelogin" and key.lower() == "auth" and 0 < len(secret) <= 200:
        user = sync.login_user(conn, auth.secret_hash(secret.strip()))
    if user is None:
        raise HTTPException(401, "send Authorization: GoogleLogin auth=<Auth from "
                            "/accounts/ClientLogin>", headers=BAD_TOKEN)
    request.state.user = user
    return user


def reader(request: Request, conn: Conn) -> User:
    return _reader(request, conn)


def reader_alone(request: Request) -> User:
    """`reader` in a transaction of its own, for routes that run the pipeline."""
    with transaction(state(request).engine) as conn:
        return _reader(request, conn)


SyncReader = Annotated[User, Depends(reader)]
SyncReaderAlone = Annotated[User, Depends(reader_alone)]


def fever_reader(conn: Connection, api_key: str | None) -> User | None:
    if not api_key or len(api_key) > 200:
        return None
    return sync.fever_user(conn, auth.secret_hash(api_key.strip().lower()))
