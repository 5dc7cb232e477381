"""What every request passes before a route sees it, and the types routes validate input with.

- `BodyLimit`: request bodies over `max_request_bytes` get 413, whether declared in
  Content-Length or streamed in chunks; the body is never read whole, never echoed.
- `validation_error`: a 422 that says which field was wrong and why, without the value sent
  (an echoed 100 MB body doubles the traffic; an echoed lone surrogate cannot be encoded).
- `DbId`, `QueryId`, `BodyId`: ids within the database's integer range (SQLite and
  PostgreSQL BIGINT are signed 64-bit; 2**63 overflows the driver). `SafeText`: text a
  database and a JSON encoder accept (no NUL, no lone surrogates). `FiniteFloat`: no NaN, no
  infinities (`1e400` in JSON is infinity).

`install(app, settings)` wires the first two into an app, and a safety net: a value that
slipped past validation and that the database cannot store (an integer past 64 bits, a lone
surrogate, a NUL on PostgreSQL) is the client's error, 422, not a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, Field
from sqlalchemy.exc import DataError

from tidings.config import Settings

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_ID = 2**63 - 1
# An oversized upload is read and dropped up to this much before the 413, then cut off.
DRAIN_BYTES = 8_000_000
DbId = Annotated[int, Path(ge=1, le=MAX_ID, description="A database id (1 to 2^63-1)")]
QueryId = Annotated[int, Query(ge=1, le=MAX_ID, description="A database id (1 to 2^63-1)")]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


def _encodable(text: str) -> str:
    if "\x00" in text:
        raise ValueError("text must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode (it holds a lone surrogate)") from exc
    return text


SafeText = Annotated[str, AfterValidator(_encodable)]


class BodyLimit:
    """ASGI middleware: refuse request bodies over `max_bytes` with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._declared(scope) > self.max_bytes:
            await _drain(receive, DRAIN_BYTES)
            await _send_too_large(send, self.max_bytes)
            return
        answered = False
        seen = 0

        async def counted() -> Message:
            nonlocal answered, seen
            if answered:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Answer here, then tell the app the client left: whatever it does with
                    # that (a 400, an error page) is dropped below; it never sees the rest.
                    if message.get("more_body"):
                        await _drain(receive, DRAIN_BYTES)
                    await _send_too_large(send, self.max_bytes)
                    answered = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if not answered:
                await send(message)

        await self.app(scope, counted, guarded)

    @staticmethod
    def _declared(scope: Scope) -> int:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                return int(value) if value.isdigit() else 0
        return 0


async def _drain(receive: Receive, budget: int) -> None:
    """Read and drop what the client is still sending (up to `budget` bytes), so that it can
    read our 413 instead of a reset connection; a bigger upload is simply cut off."""
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body"):
            return


async def _send_too_large(send: Send, limit: int) -> None:
    detail = (f"the request body is larger than the {limit:,}-byte limit"
              " (TIDINGS_MAX_REQUEST_BYTES)")
    response = JSONResponse({"detail": detail}, status_code=413,
                            headers={"Connection": "close"})
    await send({"type": "http.response.start", "status": 413,
                "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


def _clean(value: Any, limit: int = 200) -> Any:
    """Text safe to encode and short; containers cleaned member by member."""
    if isinstance(value, str):
        text = value.encode("utf-8", "replace").decode("utf-8")
        return text if len(text) <= limit else text[:limit] + "…"
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_clean(v, limit) for v in value][:20]
    return _clean(str(value), limit)


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """422 naming each wrong field and why, never the value that was sent."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = [{"type": _clean(e.get("type", "")), "loc": _clean(list(e.get("loc", ()))),
               "msg": _clean(e.get("msg", ""))} for e in errors[:20]]
    return JSONResponse({"detail": detail}, status_code=422)


async def unstorable_value(request: Request, exc: Exception) -> JSONResponse:
    log.warning("%s %s: unstorable value reached the database: %s", request.method,
                request.url.path, type(exc).__name__)
    return JSONResponse({"detail": "a value in the request is out of range or not valid text"
                         " (ids are 1 to 2^63-1; text must be valid Unicode without NUL)"},
                        status_code=422)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the body limit, input-free validation errors and the unstorable-value net."""
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.add_exception_handler(RequestValidationError, validation_error)
    for unstorable in (OverflowError, UnicodeEncodeError, DataError):
        app.add_exception_handler(unstorable, unstorable_value)
