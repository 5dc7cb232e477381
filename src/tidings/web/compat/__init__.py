"""Sync apps' protocols over the same store calls as the JSON API: the Google Reader API
(`googlereader`, `greader_streams`) and Fever (`fever`). README.md here lists every way we
differ from the protocols as apps know them."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tidings.web.compat import fever, googlereader, greader_streams
from tidings.web.compat.ids import BadRequest


async def _bad_request(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=400)


def install(app: FastAPI) -> None:
    """Serve /accounts/ClientLogin, /reader/api/0/…, /reader/atom/…, /fever/, /api/fever.php."""
    app.add_exception_handler(BadRequest, _bad_request)
    for module in (googlereader, greader_streams, fever):
        app.include_router(module.router)
