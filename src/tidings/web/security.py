"""What every response and request passes: the Host check (DNS rebinding), the same-origin
rule for writes, security headers, and HEAD wherever GET answers. Pure ASGI middleware, so
that nodes behind a proxy behave alike and keep no state."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from tidings.config import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       "img-src 'self' https: http: data:; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def allowed_hosts(settings: Settings) -> set[str]:
    """Host names this server answers to: the base URL's (or loopback's) and the aliases."""
    names = {h.lower() for h in settings.host_aliases}
    if settings.base_url:
        names.add((urlsplit(settings.base_url).hostname or "").lower())
    else:
        names.update(LOOPBACK_NAMES)
        if settings.host not in {"0.0.0.0", "::"}:  # noqa: S104 - a comparison, not a bind
            names.add(settings.host.lower())
    return names


def _host_name(host_header: str) -> str:
    try:
        return (urlsplit(f"//{host_header}").hostname or "").lower()
    except ValueError:
        return ""


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


def is_foreign(scope: Scope, expected_origin: str | None) -> bool:
    """A write from another site: its Origin differs in scheme, host or port from ours, or
    the browser says cross-site and sends no Origin."""
    origin = _header(scope, b"origin")
    if not origin:
        return _header(scope, b"sec-fetch-site") == "cross-site"
    if origin == "null":
        return True
    ours = expected_origin or f"{scope.get('scheme', 'http')}://{_header(scope, b'host')}"
    mine, theirs = urlsplit(ours), urlsplit(origin)
    try:
        return (mine.scheme, mine.hostname, mine.port) != (
            theirs.scheme, theirs.hostname, theirs.port)
    except ValueError:
        return True


class Guard:
    """Host check, same-origin writes, security headers, HEAD as GET without a body."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.hosts = allowed_hosts(settings)
        self.origin = settings.base_url.rstrip("/") or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        if _host_name(host) not in self.hosts:
            await _answer(send, 421, f"this server does not answer for host {host[:100]!r}")
            return
        if scope["method"] in UNSAFE_METHODS and is_foreign(scope, self.origin):
            await _answer(send, 403, "cross-site request refused")
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = dict(scope, method="GET")
        await self.app(scope, receive, _with_headers(send, drop_body=head))


def _with_headers(send: Send, *, drop_body: bool) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {k.lower() for k, _ in message.get("headers", [])}
            extra = [(k, v) for k, v in HEADERS if k not in present]
            message = dict(message, headers=[*message.get("headers", []), *extra])
        elif drop_body and message["type"] == "http.response.body":
            message = dict(message, body=b"")
        await send(message)
    return wrapped
