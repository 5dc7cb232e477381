"""A reader's rules, matched against articles: pure, no SQL.

A rule looks at one field of an article (title, author, text, url, topic, entity) for words
(case-insensitive, whole words; several choices separated by commas) or a regular
expression, within a scope (all sources, one folder, one source), and acts: `block` hides
what matches, `keep_only` hides what does not, `boost` lifts the story, `mark_read` marks the
article read. A story is hidden when every article of it the reader can see is blocked.

Regular expressions are limited in size and run under a time limit (the `regex` package's
`timeout`) per article and a budget per batch of articles, so a pattern such as `(a+)+$`
cannot hang a worker on a long text, nor a merely slow one on many texts.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import regex

FIELDS = ("title", "author", "text", "url", "topic", "entity")
MATCHES = ("words", "regex")
SCOPES = ("all", "folder", "source")
ACTIONS = ("keep_only", "block", "boost", "mark_read")
HIDING = ("keep_only", "block")
MAX_PATTERN = 500
MAX_NAME = 100
MAX_RULES = 100  # per reader
TIMEOUT_S = 0.1  # one article, one rule; a sane pattern takes microseconds
BUDGET_S = 5.0  # all rules over one batch of articles (a preview, a story at ingest)
BOOST = 1.0  # points one boosting rule adds to a story's score


class RuleError(ValueError):
    """A rule that cannot be saved or run; the message says what to change."""


class RuleTimeout(RuleError):
    """A regular expression that ran past the time limit on some article."""


@dataclass(frozen=True)
class Rule:
    user_id: int
    field: str
    pattern: str
    action: str
    match: str = "words"
    scope: str = "all"
    scope_value: str = ""  # the folder name, or the source id as text
    name: str = ""
    id: int | None = None
    created_at: datetime | None = None

    @property
    def reason(self) -> str:
        """What the reader sees beside a story this rule hid or lifted."""
        return f"your rule '{self.name}'"


@dataclass(frozen=True)
class ArticleFacts:
    """What a rule can see of one article, as one reader sees it."""

    article_id: int
    story_id: int
    source_id: int
    folder: str = ""
    title: str = ""
    byline: str = ""
    text: str = ""
    url: str = ""
    topics: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoryMark:
    hidden: bool
    boost: float
    reason: str


@dataclass
class Outcome:
    """What a set of rules does to some stories: the marks, and the articles to mark read."""

    marks: dict[int, StoryMark] = field(default_factory=dict)
    read: set[int] = field(default_factory=set)
    hits: set[int] = field(default_factory=set)  # articles the rules acted on
    deadline: float | None = None  # time.monotonic() past which matching stops

    def merge(self, other: Outcome) -> None:
        """Add what the same rules did to other stories."""
        self.marks.update(other.marks)
        self.read |= other.read
        self.hits |= other.hits


def validate(rule: Rule) -> Rule:
    """The rule with its text tidied, or RuleError saying what is wrong."""
    _one_of("field", rule.field, FIELDS)
    _one_of("match", rule.match, MATCHES)
    _one_of("scope", rule.scope, SCOPES)
    _one_of("action", rule.action, ACTIONS)
    pattern = rule.pattern.strip()
    if not pattern:
        raise RuleError("pattern: give the words or the regular expression to look for")
    if len(pattern) > MAX_PATTERN:
        raise RuleError(f"pattern: {len(pattern)} characters; at most {MAX_PATTERN}")
    if rule.match == "words" and not _phrases(pattern):
        raise RuleError("pattern: no words in it (separate several with commas)")
    scope_value = rule.scope_value.strip()
    if rule.scope != "all" and not scope_value:
        raise RuleError(f"scope_value: name the {rule.scope} the rule applies to")
    if rule.scope == "source" and not (scope_value.isdigit() and len(scope_value) <= 18):
        raise RuleError("scope_value: a source id (a number) for scope 'source'")
    name = (rule.name.strip() or pattern)[:MAX_NAME]
    _compiled(rule.match, pattern)  # raises RuleError for a bad expression
    return Rule(rule.user_id, rule.field, pattern, rule.action, rule.match, rule.scope,
                scope_value if rule.scope != "all" else "", name, rule.id, rule.created_at)


def _one_of(what: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise RuleError(f"{what}: {value!r} is not one of {', '.join(allowed)}")


def _phrases(pattern: str) -> list[str]:
    return [" ".join(p.split()) for p in pattern.split(",") if p.strip()]


@lru_cache(maxsize=1024)
def _compiled(match: str, pattern: str) -> Any:
    if match == "words":
        alts = "|".join(r"\s+".join(regex.escape(w) for w in p.split())
                        for p in _phrases(pattern))
        return regex.compile(rf"(?<!\w)(?:{alts})(?!\w)", regex.IGNORECASE)
    try:
        return regex.compile(pattern, regex.IGNORECASE)
    except regex.error as exc:
        raise RuleError(f"pattern: not a regular expression Tidings can read ({exc})") from exc


def _values(rule: Rule, facts: ArticleFacts) -> tuple[str, ...]:
    return {"title": (facts.title,), "author": (facts.byline,), "text": (facts.text,),
            "url": (facts.url,), "topic": facts.topics, "entity": facts.entities}[rule.field]


def matches(rule: Rule, facts: ArticleFacts, deadline: float | None = None) -> bool:
    """Whether the rule's pattern is found in the article's field. RuleTimeout when it runs
    past the time limit, or past `deadline` (a `time.monotonic()` value)."""
    limit = TIMEOUT_S if deadline is None else min(TIMEOUT_S, deadline - time.monotonic())
    if limit <= 0:
        raise RuleTimeout(f"pattern: your rules took longer than {BUDGET_S:g} s over these "
                          "articles; simplify the expression or preview fewer days")
    compiled = _compiled(rule.match, rule.pattern)
    try:
        return any(compiled.search(v, timeout=limit) is not None for v in _values(rule, facts)
                   if v)
    except TimeoutError as exc:
        raise RuleTimeout(f"pattern: took longer than {limit:.2g} s on article "
                          f"{facts.article_id}; simplify the expression") from exc


def in_scope(rule: Rule, facts: ArticleFacts) -> bool:
    if rule.scope == "folder":
        return facts.folder == rule.scope_value
    if rule.scope == "source":
        return str(facts.source_id) == rule.scope_value
    return True


def acts_on(rule: Rule, facts: ArticleFacts, deadline: float | None = None) -> bool:
    """Whether the rule does anything to this article (keep_only acts on what it misses)."""
    if not in_scope(rule, facts):
        return False
    found = matches(rule, facts, deadline)
    return not found if rule.action == "keep_only" else found


def deadline(budget_s: float = BUDGET_S) -> float:
    """The `time.monotonic()` value `budget_s` seconds from now."""
    return time.monotonic() + budget_s


def outcome(rules: Sequence[Rule], articles: Sequence[ArticleFacts], *,
            until: float | None = None) -> Outcome:
    """What `rules` (earlier ones give their name first) do to these articles, story by
    story. `articles` must hold every article of each story the reader can see. RuleTimeout
    past `until` (a `deadline()`; by default BUDGET_S from now)."""
    out = Outcome(deadline=deadline() if until is None else until)
    by_story: dict[int, list[ArticleFacts]] = {}
    for a in articles:
        by_story.setdefault(a.story_id, []).append(a)
    for story_id, arts in by_story.items():
        mark = _story_mark(rules, arts, out)
        if mark is not None:
            out.marks[story_id] = mark
    return out


def _story_mark(rules: Sequence[Rule], arts: Sequence[ArticleFacts],
                out: Outcome) -> StoryMark | None:
    blocked: dict[int, Rule] = {}  # article → first rule that hid it
    boosters: list[Rule] = []
    for rule in rules:
        acted = [a.article_id for a in arts if acts_on(rule, a, out.deadline)]
        out.hits.update(acted)
        if rule.action in HIDING:
            for aid in acted:
                blocked.setdefault(aid, rule)
        elif rule.action == "mark_read":
            out.read.update(acted)
        elif acted:
            boosters.append(rule)
    if len(blocked) == len(arts):
        first = next(r for r in rules if r in blocked.values())
        return StoryMark(True, 0.0, first.reason)
    kept = [r for r in boosters
            if any(acts_on(r, a, out.deadline) for a in arts if a.article_id not in blocked)]
    if kept:
        return StoryMark(False, BOOST * len(kept), kept[0].reason)
    return None
