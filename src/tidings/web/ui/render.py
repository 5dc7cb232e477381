"""Rendering a page: the template, the reader, their unread counts for the navigation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy.engine import Connection

from tidings.models import Follow, SourceKind, User, utcnow
from tidings.store import library
from tidings.store import users as user_store
from tidings.web.deps import state

THEME_COOKIE = "tidings_theme"
THEMES = ("auto", "light", "dark")
SAMPLE_COOKIE = "tidings_sample_banner"


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


def when(moment: datetime | None) -> Markup:
    """A relative time that shows the absolute date and time on hover."""
    if moment is None:
        return Markup("")
    exact = moment.strftime("%d %b %Y, %H:%M UTC")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        moment.isoformat(), exact, ago(moment))


def theme(request: Request) -> str:
    chosen = request.cookies.get(THEME_COOKIE, "auto")
    return chosen if chosen in THEMES else "auto"


def page(request: Request, conn: Connection | None, name: str, user: User | None = None,
         status_code: int = 200, **context: Any) -> HTMLResponse:
    subs = library.list_subscriptions(conn, user.id or 0) if conn and user else []
    sample = (any(s.source.kind in {SourceKind.SAMPLE, SourceKind.CAPTURE} for s in subs)
              and request.cookies.get(SAMPLE_COOKIE) != "hidden")
    base = {"sample": sample, "user": user, "unread": sum(s.unread for s in subs),
            "theme": theme(request), "here": request.url.path, "undo": _undo(request)}
    return state(request).templates.TemplateResponse(
        request, name, {**base, **context}, status_code=status_code)


UNDOABLE = {"hide": "Story hidden.", "more": "You will see more like this.",
            "less": "You will see fewer like this."}


def _undo(request: Request) -> dict[str, Any] | None:
    """After hide or feedback the page offers to take it back (`?done=hide&story=N`)."""
    done, story = request.query_params.get("done", ""), request.query_params.get("story", "")
    if done not in UNDOABLE or not story.isdigit() or not 1 <= int(story) <= 2**63 - 1:
        return None
    return {"kind": done, "story": int(story), "message": UNDOABLE[done]}


def follow_index(conn: Connection, user_id: int) -> dict[tuple[str, str], Follow]:
    """The reader's follows and mutes by (kind, lower-cased target), for the toggles."""
    return {(str(f.target_kind), f.target.lower()): f
            for f in user_store.list_follows(conn, user_id)}


def local(path: str, default: str = "/") -> str:
    """Only redirect within this site (a form's `back` field is user input)."""
    ok = path.startswith("/") and not path.startswith(("//", "/\\")) and "\n" not in path
    return path if ok else default
