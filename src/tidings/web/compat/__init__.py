"""Sync apps' protocols over the same store calls as the JSON API: the Google Reader API
(`googlereader`, `greader_streams`) and Fever (`fever`). README.md here lists every way we
differ from the protocols as apps know them."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tidings.web.compat import fever, googlereader, greader_streams
from tidings.web.compat.ids import BadRequest


class CollapseSlashes:
    """`//reader/api/0/…` is `/reader/api/0/…`: apps glue paths onto the server URL the reader
    typed, and newsboat's manual shows that URL ending in a slash."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and "//" in scope["path"]:
            path = re.sub("/{2,}", "/", scope["path"])
            scope = dict(scope, path=path, raw_path=path.encode())
        await self.app(scope, receive, send)


async def _bad_request(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=400)


def install(app: FastAPI) -> None:
    """Serve /accounts/ClientLogin, /reader/api/0/…, /reader/atom/…, /fever/, /api/fever.php."""
    app.add_exception_handler(BadRequest, _bad_request)
    app.add_middleware(CollapseSlashes)
    for module in (googlereader, greader_streams, fever):
        app.include_router(module.router)
