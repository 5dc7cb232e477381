"""/rules: a reader's rules, a form to write one, a server-rendered preview of what it would
do before it is saved, and delete. Plain forms; no script."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.engine import Connection

from tidings.models import User
from tidings.rank.rules import ACTIONS, FIELDS, MATCHES, MAX_PATTERN, Rule, RuleError
from tidings.store import library, reading
from tidings.store import rules as rule_store
from tidings.store import stories as story_store
from tidings.web.api.shapes import Id
from tidings.web.deps import Conn, Reader, uid
from tidings.web.ui.render import page

router = APIRouter()
PREVIEW_DAYS = 7
SHOWN = 30  # titles listed per part of a preview
Text = Annotated[str, Form(max_length=MAX_PATTERN)]
Short = Annotated[str, Form(max_length=200)]


def _draft(user: Reader, *, name: Short = "", field: Short = "title", match: Short = "words",
           pattern: Text = "", within: Short = "", action: Short = "block") -> Rule:
    """The rule as the form gave it (checked by `rule_store.check` before use); `within` is
    "" (all sources), "folder:NAME" or "source:ID"."""
    scope, _, value = within.partition(":")
    return Rule(uid(user), field, pattern, action, match, scope or "all", value, name)


Draft = Annotated[Rule, Depends(_draft)]


def _render(request: Request, conn: Connection, user: User, *, draft: Rule | None = None,
            shown: dict[str, Any] | None = None, error: str = "",
            status_code: int = 200) -> HTMLResponse:
    subs = library.list_subscriptions(conn, uid(user))
    return page(request, conn, "rules.html", user, status_code=status_code,
                rules=rule_store.list_rules(conn, uid(user)), draft=draft, preview=shown,
                error=error, fields=FIELDS, matches=MATCHES, actions=ACTIONS,
                folders=sorted({s.folder for s in subs if s.folder}),
                sources=[(s.source.id, s.name) for s in subs], days=PREVIEW_DAYS,
                names={s.source.id: s.name for s in subs}, max_pattern=MAX_PATTERN)


def _shown(conn: Connection, user: User, done: rule_store.Effect) -> dict[str, Any]:
    """Titles for the preview: stories it would hide or lift, articles it would mark read."""
    def stories(ids: list[int]) -> list[Any]:
        return story_store.stories_by_id(conn, ids[:SHOWN])
    read = [reading.visible_article(conn, uid(user), i) for i in done.read[:SHOWN]]
    return {"articles": len(done.articles), "hidden": stories(done.hidden),
            "hidden_count": len(done.hidden), "boosted": stories(done.boosted),
            "boosted_count": len(done.boosted), "read": read, "read_count": len(done.read)}


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, conn: Conn, user: Reader) -> HTMLResponse:
    return _render(request, conn, user)


@router.post("/rules/preview", response_class=HTMLResponse)
def preview_page(request: Request, conn: Conn, user: Reader, draft: Draft) -> HTMLResponse:
    """What the rule in the form would do over the last days, with a button to save it."""
    try:
        rule = rule_store.check(conn, draft)
        shown = _shown(conn, user, rule_store.preview(conn, rule, days=PREVIEW_DAYS))
    except RuleError as exc:
        return _render(request, conn, user, draft=draft, error=str(exc), status_code=422)
    return _render(request, conn, user, draft=rule, shown=shown)


@router.post("/rules", response_model=None)
def save_rule(request: Request, conn: Conn, user: Reader, draft: Draft) -> Response:
    """Save the rule and apply it to the last days (what the preview showed)."""
    try:
        rule_store.save(conn, rule_store.check(conn, draft), days=PREVIEW_DAYS)
    except RuleError as exc:
        return _render(request, conn, user, draft=draft, error=str(exc), status_code=422)
    return RedirectResponse("/rules", status_code=303)


@router.post("/rules/{rule_id}/delete")
def delete_rule(rule_id: Id, conn: Conn, user: Reader) -> Response:
    rule_store.delete(conn, uid(user), rule_id)
    return RedirectResponse("/rules", status_code=303)
