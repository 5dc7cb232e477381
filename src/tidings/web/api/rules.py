"""/api/v1/rules: a reader's rules (block, keep only, boost, mark read), with a preview of
what a rule would do before it is saved. Saving applies the rule to the last days' stories;
deleting it takes back what it hid or lifted (what it marked read stays read)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field

from tidings.rank.rules import MAX_NAME, MAX_PATTERN, Rule, RuleError
from tidings.store import rules as rule_store
from tidings.web.api.shapes import Id, iso
from tidings.web.deps import ApiUser, Conn, uid

router = APIRouter(tags=["rules"])

FieldName = Literal["title", "author", "text", "url", "topic", "entity"]
Match = Literal["words", "regex"]
Scope = Literal["all", "folder", "source"]
Action = Literal["keep_only", "block", "boost", "mark_read"]
Days = Annotated[int, Query(ge=1, le=90, description="How many days back to apply it")]


class RuleIn(BaseModel):
    name: str = Field(default="", max_length=MAX_NAME)
    field: FieldName = "title"
    match: Match = "words"
    pattern: str = Field(min_length=1, max_length=MAX_PATTERN,
                         description="Words (comma-separated choices) or a regular expression")
    scope: Scope = "all"
    scope_value: str = Field(default="", max_length=200,
                             description="The folder's name, or the source's id")
    action: Action = "block"


class RulePatch(BaseModel):
    name: str | None = Field(default=None, max_length=MAX_NAME)
    field: FieldName | None = None
    match: Match | None = None
    pattern: str | None = Field(default=None, min_length=1, max_length=MAX_PATTERN)
    scope: Scope | None = None
    scope_value: str | None = Field(default=None, max_length=200)
    action: Action | None = None


def rule_json(rule: Rule) -> dict[str, Any]:
    return {"id": rule.id, "name": rule.name, "field": rule.field, "match": rule.match,
            "pattern": rule.pattern, "scope": rule.scope, "scope_value": rule.scope_value,
            "action": rule.action, "created_at": iso(rule.created_at)}


def effect_json(done: rule_store.Effect) -> dict[str, Any]:
    return {"articles": done.articles, "hidden_stories": done.hidden,
            "boosted_stories": done.boosted, "read_articles": done.read}


def _run(action: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return action(*args, **kwargs)
    except RuleError as exc:  # e.g. a regular expression that ran past its time limit
        raise HTTPException(status_code=422, detail=str(exc)) from exc


@router.get("/rules")
def list_rules(user: ApiUser, conn: Conn) -> list[dict[str, Any]]:
    """Your rules, oldest first."""
    return [rule_json(r) for r in rule_store.list_rules(conn, uid(user))]


@router.post("/rules/preview")
def preview_rule(body: RuleIn, user: ApiUser, conn: Conn, days: Days = 7) -> dict[str, Any]:
    """What the rule would do over the last `days` days, without saving it."""
    rule = _run(rule_store.check, conn, Rule(uid(user), **body.model_dump()))
    return {"rule": rule_json(rule), "days": days,
            **effect_json(_run(rule_store.preview, conn, rule, days=days))}


@router.post("/rules", status_code=201)
def add_rule(body: RuleIn, user: ApiUser, conn: Conn, days: Days = 7) -> dict[str, Any]:
    """Save a rule and apply it to the last `days` days (exactly what the preview showed)."""
    rule = _run(rule_store.check, conn, Rule(uid(user), **body.model_dump()))
    saved, done = _run(rule_store.save, conn, rule, days=days)
    return rule_json(saved) | {"effect": effect_json(done)}


@router.get("/rules/{rule_id}")
def get_rule(rule_id: Id, user: ApiUser, conn: Conn) -> dict[str, Any]:
    return rule_json(rule_store.get_rule(conn, uid(user), rule_id))


@router.patch("/rules/{rule_id}")
def change_rule(rule_id: Id, body: RulePatch, user: ApiUser, conn: Conn,
                days: Days = 7) -> dict[str, Any]:
    """Change a rule: what the old one hid or lifted is taken back, the new one applied."""
    old = rule_store.get_rule(conn, uid(user), rule_id)
    changes = body.model_dump(exclude_none=True)
    rule = _run(rule_store.check, conn, Rule(**(_fields(old) | changes)))
    saved, done = _run(rule_store.update, conn, rule, days=days)
    return rule_json(saved) | {"effect": effect_json(done)}


def _fields(rule: Rule) -> dict[str, Any]:
    return {"user_id": rule.user_id, "field": rule.field, "pattern": rule.pattern,
            "action": rule.action, "match": rule.match, "scope": rule.scope,
            "scope_value": rule.scope_value, "name": rule.name, "id": rule.id}


@router.delete("/rules/{rule_id}", status_code=204)
def delete_rule(rule_id: Id, user: ApiUser, conn: Conn) -> Response:
    """Delete a rule; the stories it hid come back (articles it marked read stay read)."""
    rule_store.delete(conn, uid(user), rule_id)
    return Response(status_code=204)
