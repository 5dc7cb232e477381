"""Rules aggregate: each reader's rules, and what they did to stories (`story_marks`).

Matching is `tidings.rank.rules` (pure); this module reads the articles a rule looks at and
writes its effects: a story hidden or boosted (one `story_marks` row per reader and story,
with the rule's name as the reason) and articles marked read (`read_state`). One function,
`effect`, computes what a rule does over the last N days: `preview` shows it and `save`
applies exactly it. A reader's own hide is a mark too (reason `HIDE_REASON`); rules never
overwrite it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from tidings.rank.rules import (
    MAX_RULES,
    ArticleFacts,
    Outcome,
    Rule,
    RuleError,
    RuleTimeout,
    StoryMark,
    deadline,
    outcome,
    validate,
)
from tidings.store import NotFound, library
from tidings.store.schema import (
    article_entities,
    articles,
    entities,
    now,
    rules,
    story_marks,
    subscriptions,
)

log = logging.getLogger(__name__)

HIDE_REASON = "you hid it"
RETRO_DAYS = 30  # how far back a saved or changed rule is applied
CHUNK = 500  # rows per statement (SQLite caps bound parameters)
STORIES_PER_BATCH = 200  # stories whose articles are read at once


class UnknownRule(NotFound):
    pass


@dataclass
class Effect:
    """What saving `rule` does: stories it hides or lifts, articles it marks read."""

    rule: Rule
    articles: list[int] = field(default_factory=list)  # every article the rule acts on
    hidden: list[int] = field(default_factory=list)  # stories
    boosted: list[int] = field(default_factory=list)  # stories
    read: list[int] = field(default_factory=list)  # articles
    marks: dict[int, StoryMark | None] = field(default_factory=dict)  # the rows to write


# --- the rules themselves --------------------------------------------------------------------


def _to_rule(row: Any) -> Rule:
    scope = "all" if row.scope == "global" else row.scope
    return Rule(user_id=row.user_id, field=row.field, pattern=row.pattern, action=row.action,
                match=row.match, scope=scope, scope_value=row.scope_value, name=row.name,
                id=row.id, created_at=row.created_at)


def _row(rule: Rule) -> dict[str, Any]:
    return {"user_id": rule.user_id, "field": rule.field, "pattern": rule.pattern,
            "action": rule.action, "match": rule.match, "scope": rule.scope,
            "scope_value": rule.scope_value, "name": rule.name}


def check(conn: Connection, rule: Rule) -> Rule:
    """The rule as it will be stored, or RuleError: also a source scope must be one of the
    reader's sources."""
    rule = validate(rule)
    if rule.id is None and len(list_rules(conn, rule.user_id)) >= MAX_RULES:
        raise RuleError(f"you have {MAX_RULES} rules, the most one reader may have; delete "
                        "one first")
    if rule.scope == "source" and library.find_subscription(
            conn, rule.user_id, int(rule.scope_value)) is None:
        raise RuleError(f"scope_value: you do not subscribe to a source with id "
                        f"{rule.scope_value}")
    return rule


def list_rules(conn: Connection, user_id: int) -> list[Rule]:
    stmt = sa.select(rules).where(rules.c.user_id == user_id).order_by(rules.c.id)
    return [_to_rule(r) for r in conn.execute(stmt)]


def get_rule(conn: Connection, user_id: int, rule_id: int) -> Rule:
    row = conn.execute(sa.select(rules).where(rules.c.id == rule_id,
                                              rules.c.user_id == user_id)).first()
    if row is None:
        raise UnknownRule(f"you have no rule with id {rule_id}")
    return _to_rule(row)


# --- what the rules look at ------------------------------------------------------------------


def window_story_ids(conn: Connection, user_id: int, since: datetime) -> list[int]:
    """The reader's stories with an article dated (or, undated, fetched) since `since`."""
    stmt = (sa.select(articles.c.story_id).distinct()
            .select_from(articles.join(subscriptions, sa.and_(
                subscriptions.c.source_id == articles.c.source_id,
                subscriptions.c.user_id == user_id)))
            .where(_when() >= since, articles.c.story_id.is_not(None)))
    return sorted(int(r[0]) for r in conn.execute(stmt))


def article_facts(conn: Connection, user_id: int, story_ids: Sequence[int], *,
                  fields: Iterable[str] = ("text", "entity")) -> list[ArticleFacts]:
    """Every article the reader can see of these stories. Texts and entity names are read
    only when one of `fields` needs them."""
    if not story_ids:
        return []
    fields = set(fields)
    mine = articles.join(subscriptions, sa.and_(subscriptions.c.source_id == articles.c.source_id,
                                                subscriptions.c.user_id == user_id))
    text = articles.c.text if "text" in fields else sa.literal("").label("text")
    stmt = (sa.select(articles.c.id, articles.c.story_id, articles.c.source_id,
                      subscriptions.c.folder, articles.c.title, articles.c.byline, text,
                      articles.c.url, articles.c.topic_label, articles.c.topics)
            .select_from(mine).where(articles.c.story_id.in_(list(story_ids)))
            .order_by(articles.c.id))
    rows = conn.execute(stmt).all()
    names = _entity_names(conn, [r.id for r in rows]) if "entity" in fields else {}
    return [ArticleFacts(r.id, r.story_id, r.source_id, r.folder, r.title, r.byline, r.text,
                         r.url, tuple(t for t in [r.topic_label, *(r.topics or [])] if t),
                         tuple(names.get(r.id, ()))) for r in rows]


def outcomes(conn: Connection, user_id: int, story_ids: Sequence[int],
             rule_sets: Sequence[Sequence[Rule]]) -> list[Outcome]:
    """What each set of rules does to these stories, read a batch of stories at a time (a
    long window never holds every text at once), all within one time budget."""
    fields = {r.field for rs in rule_sets for r in rs}
    until = deadline()
    out = [Outcome() for _ in rule_sets]
    for start in range(0, len(story_ids), STORIES_PER_BATCH):
        facts = article_facts(conn, user_id, story_ids[start:start + STORIES_PER_BATCH],
                              fields=fields)
        for total, found in zip(out, rule_sets, strict=True):
            total.merge(outcome(found, facts, until=until))
    return out


def _when() -> Any:
    return sa.func.coalesce(articles.c.published_at, articles.c.fetched_at)


def _entity_names(conn: Connection, article_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for start in range(0, len(article_ids), 500):
        stmt = (sa.select(article_entities.c.article_id, entities.c.name)
                .join(entities, entities.c.id == article_entities.c.entity_id)
                .where(article_entities.c.article_id.in_(article_ids[start:start + 500])))
        for r in conn.execute(stmt):
            out.setdefault(r.article_id, []).append(r.name)
    return out


# --- effects ---------------------------------------------------------------------------------


def effect(conn: Connection, rule: Rule, *, days: int = RETRO_DAYS) -> Effect:
    """Exactly what saving `rule` does over the last `days` days (it need not be saved yet;
    a saved one is counted once)."""
    rule = validate(rule)
    others = [r for r in list_rules(conn, rule.user_id) if rule.id is None or r.id != rule.id]
    story_ids = window_story_ids(conn, rule.user_id, now() - timedelta(days=days))
    after, mine = outcomes(conn, rule.user_id, story_ids, [[rule, *others], [rule]])
    changes = _changes(conn, rule.user_id, set(story_ids), after.marks)
    return Effect(rule, sorted(mine.hits),
                  sorted(s for s, m in changes.items() if m is not None and m.hidden),
                  sorted(s for s, m in changes.items() if m is not None and not m.hidden),
                  sorted(mine.read), changes)


def preview(conn: Connection, rule: Rule, *, days: int = RETRO_DAYS) -> Effect:
    return effect(conn, rule, days=days)


def save(conn: Connection, rule: Rule, *, days: int = RETRO_DAYS) -> tuple[Rule, Effect]:
    """Store a new rule and apply it to the last `days` days; returns both."""
    done = effect(conn, replace(rule, id=None), days=days)
    rule_id = conn.execute(sa.insert(rules).values(**_row(done.rule), created_at=now())
                           .returning(rules.c.id)).scalar_one()
    _apply(conn, done)
    return get_rule(conn, rule.user_id, rule_id), done


def update(conn: Connection, rule: Rule, *, days: int = RETRO_DAYS) -> tuple[Rule, Effect]:
    """Change a rule: what the old one did is taken back, the new one applied."""
    old = get_rule(conn, rule.user_id, rule.id or 0)
    rule = validate(rule)
    conn.execute(sa.update(rules).where(rules.c.id == old.id).values(**_row(rule)))
    refresh(conn, rule.user_id, rule_marked(conn, rule.user_id), mark_read=False)
    done = effect(conn, rule, days=days)
    _apply(conn, done)
    return get_rule(conn, rule.user_id, old.id or 0), done


def delete(conn: Connection, user_id: int, rule_id: int) -> None:
    """Remove a rule and what it hid or lifted (articles it marked read stay read)."""
    get_rule(conn, user_id, rule_id)
    marked = rule_marked(conn, user_id)
    conn.execute(sa.delete(rules).where(rules.c.id == rule_id, rules.c.user_id == user_id))
    refresh(conn, user_id, marked, mark_read=False)


def refresh(conn: Connection, user_id: int, story_ids: Iterable[int],
            user_rules: Sequence[Rule] | None = None, *, mark_read: bool = True) -> None:
    """Recompute the rule marks of these stories from the reader's rules (and mark read what
    their mark-read rules match, unless `mark_read` is False). Rules that run past their
    time limit leave the marks as they were (logged): this runs at ingest, on delete and on
    undo, where an error would lose more than it saves."""
    story_ids = set(story_ids)
    if not story_ids:
        return
    found = list_rules(conn, user_id) if user_rules is None else user_rules
    try:
        done = outcomes(conn, user_id, sorted(story_ids), [found])[0]
    except RuleTimeout as exc:  # one reader's runaway rule never keeps an article out
        log.warning("rules of reader %s not applied to stories %s: %s", user_id,
                    sorted(story_ids)[:10], exc)
        return
    _write(conn, user_id, _changes(conn, user_id, story_ids, done.marks))
    if mark_read:
        library.set_state(conn, user_id, sorted(done.read), read=True)


# Built once (run for every stored article).
_RULES_OF_NEW = (sa.select(rules, articles.c.story_id.label("story_id"))
                 .join(subscriptions, subscriptions.c.user_id == rules.c.user_id)
                 .join(articles, articles.c.source_id == subscriptions.c.source_id)
                 .where(articles.c.id == sa.bindparam("article_id"),
                        articles.c.story_id.is_not(None))
                 .order_by(rules.c.id))


def apply_to_new_article(conn: Connection, article_id: int) -> None:
    """Run every subscriber's rules on an article just stored: one query finds them (and
    nothing more happens when none of its readers has a rule)."""
    by_reader: dict[int, list[Rule]] = {}
    story_id = 0
    for r in conn.execute(_RULES_OF_NEW, {"article_id": article_id}):
        by_reader.setdefault(r.user_id, []).append(_to_rule(r))
        story_id = r.story_id
    for user_id, found in by_reader.items():
        refresh(conn, user_id, [story_id], found)


def _apply(conn: Connection, done: Effect) -> None:
    _write(conn, done.rule.user_id, done.marks)
    library.set_state(conn, done.rule.user_id, done.read, read=True)


def _changes(conn: Connection, user_id: int, story_ids: set[int],
             wanted: dict[int, StoryMark]) -> dict[int, StoryMark | None]:
    """The rows to write so that these stories carry `wanted` (None: no mark); a reader's
    own hide is left alone."""
    stored = stored_marks(conn, user_id, story_ids if len(story_ids) <= CHUNK else None)
    out: dict[int, StoryMark | None] = {}
    for story_id in story_ids:
        have = stored.get(story_id)
        if have is not None and have.reason == HIDE_REASON:
            continue
        if have != wanted.get(story_id):
            out[story_id] = wanted.get(story_id)
    return out


# --- story marks -----------------------------------------------------------------------------


def stored_marks(conn: Connection, user_id: int,
                 story_ids: Iterable[int] | None = None) -> dict[int, StoryMark]:
    stmt = sa.select(story_marks).where(story_marks.c.user_id == user_id)
    if story_ids is not None:
        ids = sorted(set(story_ids))
        if not ids:
            return {}
        stmt = stmt.where(story_marks.c.story_id.in_(ids))
    return {r.story_id: StoryMark(r.hidden, r.boost, r.reason) for r in conn.execute(stmt)}


def rule_marked(conn: Connection, user_id: int) -> set[int]:
    """Stories a rule (not the reader's own hide) marked."""
    stmt = sa.select(story_marks.c.story_id).where(story_marks.c.user_id == user_id,
                                                   story_marks.c.reason != HIDE_REASON)
    return {r[0] for r in conn.execute(stmt)}


def reader_marks(conn: Connection, user_id: int
                 ) -> tuple[frozenset[int], dict[int, tuple[float, str]]]:
    """(hidden story ids, story id → (boost, why)): what `rank.candidate.Reader` takes."""
    marks = stored_marks(conn, user_id)
    hidden = frozenset(s for s, m in marks.items() if m.hidden)
    return hidden, {s: (m.boost, m.reason) for s, m in marks.items()
                    if not m.hidden and m.boost}


def hide_story(conn: Connection, user_id: int, story_id: int) -> None:
    """The reader hid the story themselves."""
    _write(conn, user_id, {story_id: StoryMark(True, 0.0, HIDE_REASON)})


def unhide_story(conn: Connection, user_id: int, story_id: int) -> None:
    """Undo the reader's hide; their rules apply to the story again."""
    conn.execute(sa.delete(story_marks).where(story_marks.c.user_id == user_id,
                                              story_marks.c.story_id == story_id,
                                              story_marks.c.reason == HIDE_REASON))
    refresh(conn, user_id, [story_id])


def _write(conn: Connection, user_id: int, marks: dict[int, StoryMark | None]) -> None:
    gone = sorted(s for s, m in marks.items() if m is None)
    for start in range(0, len(gone), CHUNK):
        conn.execute(sa.delete(story_marks).where(
            story_marks.c.user_id == user_id,
            story_marks.c.story_id.in_(gone[start:start + CHUNK])))
    at = now()
    rows = [{"user_id": user_id, "story_id": s, "hidden": m.hidden, "boost": m.boost,
             "reason": m.reason, "at": at} for s, m in sorted(marks.items()) if m is not None]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), CHUNK):
        stmt = dialect.insert(story_marks).values(rows[start:start + CHUNK])
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["user_id", "story_id"],
            set_={k: stmt.excluded[k] for k in ("hidden", "boost", "reason", "at")}))
