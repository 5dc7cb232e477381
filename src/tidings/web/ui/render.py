"""Rendering a page: the template, the reader, their unread counts for the navigation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from tidings.models import SourceKind, User, utcnow
from tidings.store import library
from tidings.web.deps import state


def ago(when: datetime | None) -> str:
    if when is None:
        return ""
    minutes = int((utcnow() - when).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return when.strftime("%d %b %Y")


def page(request: Request, conn: Connection | None, name: str, user: User | None = None,
         status_code: int = 200, **context: Any) -> HTMLResponse:
    subs = library.list_subscriptions(conn, user.id or 0) if conn and user else []
    sample = any(s.source.kind in {SourceKind.SAMPLE, SourceKind.CAPTURE} for s in subs)
    return state(request).templates.TemplateResponse(
        request, name, {"sample": sample, "user": user, "unread": sum(s.unread for s in subs),
                        **context}, status_code=status_code)


def local(path: str, default: str = "/") -> str:
    """Only redirect within this site (a form's `back` field is user input)."""
    ok = path.startswith("/") and not path.startswith(("//", "/\\")) and "\n" not in path
    return path if ok else default
