"""The query grammar: what parses to what, and every kind of bad input is a SearchError with
the position of the problem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tidings.search import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_TERMS,
    And,
    Flag,
    Not,
    Or,
    Scope,
    SearchError,
    Span,
    Term,
    parse,
)
from tidings.search.terms import query_phrases, stem
from tidings.search.tree import render

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def p(q: str):
    return parse(q, now=NOW)


def test_words_phrases_negation_or_and_parentheses() -> None:
    assert p('wang "foreign minister" -kirby') == And((
        Term("text", "wang"), Term("text", "foreign minister"), Not(Term("text", "kirby"))))
    # OR binds tighter than the implicit AND
    assert p("a b OR c") == And((Term("text", "a"), Or((Term("text", "b"), Term("text", "c")))))
    assert p("-(a OR b) c") == And((Not(Or((Term("text", "a"), Term("text", "b")))),
                                    Term("text", "c")))
    assert p("a AND b") == p("a b")
    assert p("--a") == Term("text", "a")


def test_fields() -> None:
    assert p('speaker:"Wang Wenbin"') == Term("speaker", "Wang Wenbin")
    assert p("said:sanctions -entity:Kirby") == And((Term("said", "sanctions"),
                                                     Not(Term("entity", "Kirby"))))
    assert p('Title:x source:"The Gazette" folder:News') == And((
        Term("title", "x"), Scope("source", "The Gazette"), Scope("folder", "News")))
    assert p("is:Unread") == Flag("unread")
    assert p("after:7d before:2026-03-01") == And((
        Span("after", NOW - timedelta(days=7)), Span("before", datetime(2026, 3, 1, tzinfo=UTC))))
    assert p("after:2026-03-01T10:00+01:00") == Span(
        "after", datetime(2026, 3, 1, 9, tzinfo=UTC))


def test_text_that_looks_like_a_field_can_be_quoted() -> None:
    assert p('"https://example.org"') == Term("text", "https://example.org")
    assert p("10:30") == Term("text", "10:30")


@pytest.mark.parametrize(("query", "position", "says"), [
    ("", 1, "nothing to search for"),
    ("   ", 4, "nothing to search for"),
    ("colour:red", 1, "unknown field colour:"),
    ('wang "yi', 6, "never closed"),
    ("(a OR b", 1, "parenthesis is never closed"),
    ("NEAR(", 5, "parenthesis is never closed"),
    ("a)", 2, ") without a ("),
    ("OR a", 1, "OR needs a term before"),
    ("a OR", 3, "OR needs a term after"),
    ("*", 1, "no letters or digits"),
    ('title:"..."', 7, "no letters or digits"),
    ("a\x00b", 2, "control character"),
    ("is:maybe", 4, "is:unread, is:read or is:starred"),
    ("before:yesterday", 8, "not a date"),
    ("title:", 7, "needs a value"),
])
def test_bad_queries_say_where_and_why(query: str, position: int, says: str) -> None:
    with pytest.raises(SearchError) as caught:
        p(query)
    assert caught.value.position == position
    assert says in str(caught.value)


def test_limits() -> None:
    with pytest.raises(SearchError, match=f"the most is {MAX_LENGTH}"):
        p("a" * (MAX_LENGTH + 1))
    with pytest.raises(SearchError, match="levels deep"):
        p("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(SearchError, match="levels deep"):
        p("-" * 30 + "(a)")
    with pytest.raises(SearchError, match=f"more than {MAX_TERMS} terms"):
        p(" ".join(f"w{i}" for i in range(MAX_TERMS + 1)))
    p(" ".join(f"w{i}" for i in range(MAX_TERMS)))  # the limit itself is fine


def test_render_parses_back_to_the_same_tree() -> None:
    for q in ['a "b c" -(d OR title:e) speaker:"Wang Yi" is:read after:7d source:"x y"',
              "(a OR b) (c OR -d)"]:
        assert p(render(p(q))) == p(q)


def test_query_terms_are_our_own_letters_only() -> None:
    # Whatever was typed, the index sees field- and language-tagged words, nothing else.
    for value in ['NEAR(a b)', 'x" OR "y', "a*", "^b", "c:d", "'; DROP TABLE x"]:
        for phrase in query_phrases("text", value):
            assert all(t.replace("_", "").isalnum() for t in phrase), phrase


def test_stemming_follows_the_language() -> None:
    assert stem("sanctions", "en") == stem("sanctioned", "en") == "sanction"
    assert stem("élections", "fr") == "elect"
    assert stem("Häfen", "de") == "haf" and stem("Café", "xx") == "cafe"


def test_speaker_beside_said_asks_what_that_speaker_said() -> None:
    assert p("speaker:Wenbin said:sanctions -said:peace") == And((
        Term("speaker", "Wenbin"), Term("said", "sanctions", "Wenbin"),
        Not(Term("said", "peace"))))
    assert p("speaker:Wenbin OR said:sanctions") == Or((Term("speaker", "Wenbin"),
                                                        Term("said", "sanctions")))
