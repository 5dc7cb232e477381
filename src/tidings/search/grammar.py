"""The query grammar: a search string parsed once into a tree the store runs on both engines.

    query    := clause+                      clauses are ANDed
    clause   := alt ("OR" alt)*              OR binds tighter than AND, as on web search
    alt      := "-" alt | "(" query ")" | FIELD ":" value | value
    value    := WORD | "quoted phrase"

Anything that is not this grammar is a SearchError naming the position (1-based) and what to
do, never a guess: the text is never handed to a database's own query syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tidings.search.terms import query_phrases
from tidings.search.tree import Flag, Node, Scope, Span, Term, all_of, any_of, negate

MAX_LENGTH = 1000  # characters
MAX_DEPTH = 8  # parentheses and negations nested
MAX_TERMS = 24  # words, phrases and fields

TEXT_FIELDS = ("title", "author", "said", "speaker", "entity", "topic")
SCOPE_FIELDS = ("source", "folder")
FIELDS = (*TEXT_FIELDS, *SCOPE_FIELDS, "is", "before", "after")
FLAGS = ("unread", "read", "starred")
RELATIVE = re.compile(r"(\d{1,4})([hdw])")
UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_TOKEN = re.compile(r'\s+|\(|\)|"[^"]*"?|[^\s()"]+')


class SearchError(ValueError):
    """A query that cannot be run: says where (1-based character position) and why."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position})")
        self.reason = message
        self.position = position


@dataclass(frozen=True)
class _Tok:
    text: str
    at: int  # 0-based offset in the query


def _lex(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(query):
        text = m.group()
        if text.isspace():
            continue
        if text.startswith('"') and (len(text) == 1 or not text.endswith('"')):
            raise SearchError('this quote is never closed: add the closing "', m.start() + 1)
        toks.append(_Tok(text, m.start()))
    return toks


def _check_characters(query: str) -> None:
    if len(query) > MAX_LENGTH:
        raise SearchError(f"the query is {len(query)} characters long; the most is "
                          f"{MAX_LENGTH}", MAX_LENGTH + 1)
    for i, ch in enumerate(query):
        if (ch < " " and ch not in "\t\n\r") or ch == "\x7f":
            raise SearchError(f"control character {ch!r} is not allowed in a query", i + 1)


class _Parser:
    def __init__(self, toks: list[_Tok], now: datetime, end: int) -> None:
        self.toks, self.now, self.end = toks, now, end
        self.i = 0
        self.terms = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def query(self, depth: int) -> Node:
        clauses: list[Node] = []
        while (tok := self.peek()) is not None and tok.text != ")":
            if tok.text in {"OR", "AND"} and not clauses:
                raise SearchError(f"{tok.text} needs a term before it", tok.at + 1)
            if tok.text == "AND":  # explicit AND is the default anyway
                self.take()
                continue
            clauses.append(self.clause(depth))
        if not clauses and tok is not None and depth == 0:
            raise SearchError(") without a ( before it", tok.at + 1)
        if not clauses:
            at = tok.at + 1 if tok else self.end + 1
            raise SearchError("nothing to search for here: type a word, a \"phrase\" or "
                              "a field such as title:word", at)
        return all_of(clauses)

    def clause(self, depth: int) -> Node:
        options = [self.alt(depth)]
        while (tok := self.peek()) is not None and tok.text == "OR":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.text in {")", "OR", "AND"}:
                raise SearchError("OR needs a term after it", tok.at + 1)
            options.append(self.alt(depth))
        return any_of(options)

    def alt(self, depth: int) -> Node:
        tok = self.take()
        if depth >= MAX_DEPTH:
            raise SearchError(f"the query nests more than {MAX_DEPTH} levels deep", tok.at + 1)
        if tok.text == "(":
            if self.peek() is None:
                raise SearchError("this parenthesis is never closed: add )", tok.at + 1)
            inner = self.query(depth + 1)
            close = self.peek()
            if close is None or close.text != ")":
                raise SearchError("this parenthesis is never closed: add )", tok.at + 1)
            self.take()
            return inner
        if tok.text == ")":
            raise SearchError(") without a ( before it", tok.at + 1)
        if tok.text.startswith("-") and len(tok.text) > 1:
            rest = _Tok(tok.text[1:], tok.at + 1)
            self.toks[self.i - 1] = rest
            self.i -= 1
            return negate(self.alt(depth + 1))
        if tok.text == "-":
            nxt = self.peek()
            if nxt is None or nxt.text in {")", "OR"}:
                raise SearchError("- needs a term right after it", tok.at + 1)
            return negate(self.alt(depth + 1))
        return self.leaf(tok)

    def leaf(self, tok: _Tok) -> Node:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise SearchError(f"the query has more than {MAX_TERMS} terms", tok.at + 1)
        name, colon, value = tok.text.partition(":")
        if not colon or tok.text.startswith('"') or not re.fullmatch(r"[A-Za-z]+", name):
            return _term("text", _unquote(tok.text), tok.at)
        field = name.lower()
        if field not in FIELDS:
            raise SearchError(f"unknown field {name}: (fields: {', '.join(FIELDS)}); put the "
                              f"words in quotes to search for them as text", tok.at + 1)
        at = tok.at + len(name) + 1
        if not value:
            nxt = self.peek()
            if nxt is None or not nxt.text.startswith('"') or nxt.at != at:
                raise SearchError(f"{field}: needs a value right after the colon", at + 1)
            value = self.take().text
        return _field(field, _unquote(value), at, self.now)


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _term(field: str, value: str, at: int) -> Node:
    if not query_phrases(field, value):
        raise SearchError(f"{value!r} has no letters or digits to search for", at + 1)
    return Term(field, value)


def _field(field: str, value: str, at: int, now: datetime) -> Node:
    if field in TEXT_FIELDS:
        return _term(field, value, at)
    if field in SCOPE_FIELDS:
        if not value.strip():
            raise SearchError(f"{field}: needs a name", at + 1)
        return Scope(field, value.strip())
    if field == "is":
        if value.lower() not in FLAGS:
            raise SearchError(f"is:{value} is not known; use is:unread, is:read or is:starred",
                              at + 1)
        return Flag(value.lower())
    return Span(field, _when(value, at, now))


def _when(value: str, at: int, now: datetime) -> datetime:
    """An ISO date or time (UTC unless it says otherwise), or `7d`, `12h`, `2w` ago."""
    rel = RELATIVE.fullmatch(value.lower())
    if rel:
        return now - int(rel.group(1)) * UNITS[rel.group(2)]
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise SearchError(f"{value!r} is not a date: use 2026-03-01, 2026-03-01T12:00 or a "
                          "span back from now like 7d, 12h, 2w", at + 1) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse(query: str, *, now: datetime) -> Node:
    """The tree of `query`; relative dates are fixed against `now`. Raises SearchError."""
    _check_characters(query)
    parser = _Parser(_lex(query), now, len(query))
    tree = parser.query(0)
    if (tok := parser.peek()) is not None:
        raise SearchError(") without a ( before it", tok.at + 1)
    return tree
