"""Errors as their asker reads them: an HTML page for a browser, JSON for the API and for
any client that does not ask for HTML."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from tidings.web.deps import state

MACHINE_PATHS = ("/api/", "/reader/", "/fever", "/feeds/", "/accounts/")
TITLES = {400: "Bad request", 401: "Please sign in", 403: "Not allowed", 404: "Not found",
          405: "Not allowed here", 500: "Something went wrong"}


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(MACHINE_PATHS):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_answer(request: Request, status: int, detail: str,
                 headers: Mapping[str, str] | None = None) -> Response:
    if not wants_html(request):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    title = TITLES.get(status, "Error")
    if status == 404:
        detail = "There is no page at this address, or it is not yours to see."
    return state(request).templates.TemplateResponse(
        request, "error.html", {"status": status, "title": title, "detail": detail,
                                "user": None, "theme": "auto", "here": "/", "sample": False,
                                "undo": None},
        status_code=status, headers=headers)
