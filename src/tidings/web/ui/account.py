"""Signing in and out, and the account page: password, tokens, Atom address, export, delete."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tidings import auth
from tidings.models import TokenKind
from tidings.sources import write_opml
from tidings.store import accounts, library, sync
from tidings.store.db import transaction
from tidings.store.export import export_user
from tidings.web import signin
from tidings.web.api.shapes import Id
from tidings.web.deps import Conn, Reader, state, uid
from tidings.web.guards import SafeText
from tidings.web.ui.render import local, page

router = APIRouter()
Field = Annotated[SafeText, Form(max_length=1024)]


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, None, "signin.html", next=local(next), error="")


@router.post("/signin")
def signin_form(request: Request, name: Annotated[SafeText, Form(max_length=200)],
                password: Field, next: Field = "/") -> Response:
    st = state(request)
    try:
        user = signin.check_credentials(st.engine, st.settings, name, password,
                                        signin.client_address(request))
    except signin.SignInThrottled as exc:
        throttled = page(request, None, "signin.html", next=local(next), error=str(exc),
                         status_code=429)
        throttled.headers["Retry-After"] = str(exc.retry_after_s)
        return throttled
    except signin.SignInFailed as exc:
        return page(request, None, "signin.html", next=local(next), error=str(exc),
                    status_code=401)
    response = RedirectResponse(local(next), status_code=303)
    with transaction(st.engine) as conn:
        signin.start_session(conn, st.settings, user, response)
    return response


@router.post("/signout")
def signout(request: Request, conn: Conn) -> Response:
    response = RedirectResponse("/signin", status_code=303)
    signin.end_session(conn, request, response)
    return response


def _account(request: Request, conn: Conn, user: Reader, *, message: str = "", error: str = "",
             secret: str = "", feed_url: str = "", status_code: int = 200) -> HTMLResponse:
    tokens = [t for t in accounts.list_tokens(conn, uid(user)) if t.kind != TokenKind.FEED]
    has_feed = bool(accounts.list_tokens(conn, uid(user), TokenKind.FEED))
    return page(request, conn, "account.html", user, tokens=tokens, message=message,
                error=error, secret=secret, feed_url=feed_url, has_feed=has_feed,
                status_code=status_code)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, conn: Conn, user: Reader) -> HTMLResponse:
    return _account(request, conn, user)


@router.post("/account/password")
def change_password(request: Request, conn: Conn, user: Reader, current: Field,
                    new: Field) -> Response:
    try:
        signin.change_password(conn, request, user, current, new)
    except (signin.SignInFailed, auth.PasswordError) as exc:
        return _account(request, conn, user, error=str(exc), status_code=422)
    return _account(request, conn, user, message="Password changed; your other sessions "
                    "have ended.")


@router.post("/account/tokens")
def create_token(request: Request, conn: Conn, user: Reader,
                 label: Annotated[SafeText, Form(max_length=200)] = "",
                 kind: Annotated[TokenKind, Form()] = TokenKind.API) -> Response:
    if kind == TokenKind.FEED:
        kind = TokenKind.API
    secret = auth.new_secret("tdg_" if kind == TokenKind.API else "")
    token = accounts.add_token(conn, uid(user), kind, auth.secret_hash(secret), label.strip())
    if kind == TokenKind.APP:  # Fever apps send md5("user:password")
        sync.set_fever_hash(conn, token.id or 0,
                            auth.secret_hash(auth.fever_key(user.name, secret)))
    return _account(request, conn, user, secret=secret,
                    message=f"New {'API token' if kind == TokenKind.API else 'app password'}: "
                    "copy it now, it is not shown again.")


@router.post("/account/tokens/{token_id}/delete")
def revoke_token(token_id: Id, conn: Conn, user: Reader) -> Response:
    accounts.revoke_token(conn, uid(user), token_id)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/feed")
def rotate_feed_address(request: Request, conn: Conn, user: Reader) -> Response:
    """A new secret Atom feed address; the old one stops working."""
    accounts.revoke_tokens_of_kind(conn, uid(user), TokenKind.FEED)
    secret = auth.new_secret()
    accounts.add_token(conn, uid(user), TokenKind.FEED, auth.secret_hash(secret), "Atom feed")
    url = f"{state(request).settings.public_url}/feeds/{secret}.atom"
    return _account(request, conn, user, feed_url=url,
                    message="Your personal Atom feed address (keep it private; shown once):")


@router.get("/account/export")
def export(conn: Conn, user: Reader) -> Response:
    opml = write_opml(library.outlines(conn, uid(user)))
    body = {"user": user.name, "opml": opml} | export_user(conn, uid(user))
    return Response(json.dumps(body, ensure_ascii=False, indent=1),
                    media_type="application/json",
                    headers={"Content-Disposition":
                             f'attachment; filename="tidings-{uid(user)}.json"'})


@router.post("/account/delete")
def delete_account(request: Request, conn: Conn, user: Reader, password: Field) -> Response:
    _, stored = accounts.password_hash_of(conn, user.name)
    if not auth.verify_password(stored, password):
        return _account(request, conn, user, error="the password is not right: account kept",
                        status_code=422)
    accounts.delete_user(conn, uid(user))
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie("tidings_session", path="/")
    return response
