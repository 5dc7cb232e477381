"""Who is asking, their tokens, their data: /api/v1/health, me, session, tokens, export."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from tidings import auth
from tidings.models import TokenKind
from tidings.sources import write_opml
from tidings.store import accounts, library, sync
from tidings.store.db import transaction
from tidings.store.export import export_user
from tidings.web import signin
from tidings.web.api.shapes import Id, token_json
from tidings.web.deps import ApiUser, Conn, state, uid
from tidings.web.guards import SafeText

router = APIRouter(tags=["account"])


class SignInIn(BaseModel):
    name: SafeText = Field(min_length=1, max_length=200)
    password: SafeText = Field(min_length=1, max_length=1024)


class PasswordIn(BaseModel):
    current: SafeText = Field(min_length=1, max_length=1024)
    new: SafeText = Field(min_length=auth.MIN_PASSWORD, max_length=auth.MAX_PASSWORD)


class TokenIn(BaseModel):
    label: SafeText = Field(default="", max_length=200)
    kind: TokenKind = Field(default=TokenKind.API, description="api, or app (a sync app)")


@router.get("/health")
async def health() -> dict[str, str]:  # on the event loop: answers while every thread works
    return {"status": "ok"}


@router.get("/me")
def me(user: ApiUser) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "admin": user.is_admin}


@router.post("/session")
def sign_in(body: SignInIn, request: Request, response: Response) -> dict[str, Any]:
    """Sign in with name and password: sets the session cookie (throttled, 429 when over)."""
    st = state(request)
    try:
        user = signin.check_credentials(st.engine, st.settings, body.name, body.password,
                                        signin.client_address(request))
    except signin.SignInThrottled as exc:
        raise HTTPException(status_code=429, detail=str(exc),
                            headers={"Retry-After": str(exc.retry_after_s)}) from exc
    except signin.SignInFailed as exc:
        raise HTTPException(status_code=401, detail=str(exc)) from exc
    with transaction(st.engine) as conn:
        signin.start_session(conn, st.settings, user, response)
    return {"id": user.id, "name": user.name}


@router.delete("/session", status_code=204)
def sign_out(request: Request, user: ApiUser, conn: Conn) -> Response:
    del user
    response = Response(status_code=204)
    signin.end_session(conn, request, response)
    return response


@router.put("/me/password", status_code=204)
def change_password(body: PasswordIn, request: Request, user: ApiUser, conn: Conn) -> Response:
    """Change the password; every other session of the account ends."""
    try:
        signin.change_password(conn, request, user, body.current, body.new)
    except (signin.SignInFailed, auth.PasswordError) as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return Response(status_code=204)


@router.get("/tokens")
def list_tokens(user: ApiUser, conn: Conn) -> list[dict[str, Any]]:
    return [token_json(t) for t in accounts.list_tokens(conn, uid(user))
            if t.kind != TokenKind.FEED]


@router.post("/tokens", status_code=201)
def create_token(body: TokenIn, user: ApiUser, conn: Conn) -> dict[str, Any]:
    """A new API token or app password: the secret is in this answer only (a hash is kept)."""
    secret = auth.new_secret("tdg_" if body.kind == TokenKind.API else "")
    token = accounts.add_token(conn, uid(user), body.kind, auth.secret_hash(secret),
                               body.label.strip())
    if body.kind == TokenKind.APP:  # Fever apps send md5("user:password")
        sync.set_fever_hash(conn, token.id or 0,
                            auth.secret_hash(auth.fever_key(user.name, secret)))
    return token_json(token) | {"secret": secret}


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Id, user: ApiUser, conn: Conn) -> Response:
    if not accounts.revoke_token(conn, uid(user), token_id):
        raise HTTPException(status_code=404, detail=f"you have no token with id {token_id}")
    return Response(status_code=204)


@router.get("/export")
def export(user: ApiUser, conn: Conn) -> dict[str, Any]:
    """Everything of yours: subscriptions (OPML), follows, mutes, stars, read state,
    interactions."""
    opml = write_opml(library.outlines(conn, uid(user)))
    return {"user": user.name, "opml": opml} | export_user(conn, uid(user))
