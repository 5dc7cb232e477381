"""Rule matching (pure): whole words, regular expressions under a time limit, scopes, and what
a set of rules does to a story; and a keyword mute that reads what a story is about."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tidings.models import Follow, TargetKind, utcnow
from tidings.rank.candidate import Candidate, Reader
from tidings.rank.model import rank
from tidings.rank.rules import (
    ArticleFacts,
    Rule,
    RuleError,
    RuleTimeout,
    StoryMark,
    acts_on,
    deadline,
    matches,
    outcome,
    validate,
)

NOW = utcnow()


def rule(pattern: str, *, action: str = "block", field: str = "title", match: str = "words",
         scope: str = "all", scope_value: str = "", name: str = "r") -> Rule:
    return validate(Rule(1, field, pattern, action, match, scope, scope_value, name))


def art(article_id: int, title: str = "", *, story: int = 1, source: int = 1,
        folder: str = "", text: str = "", topics: tuple[str, ...] = (),
        entities: tuple[str, ...] = (), url: str = "", byline: str = "") -> ArticleFacts:
    return ArticleFacts(article_id, story, source, folder, title, byline, text, url, topics,
                        entities)


def test_words_match_whole_words_in_any_case() -> None:
    r = rule("Transfer window, football")
    assert matches(r, art(1, "The TRANSFER  window closes"))
    assert matches(r, art(2, "Football: results"))
    assert not matches(r, art(3, "Footballers strike"))
    assert not matches(r, art(4, "A window on transfers"))


def test_each_field_is_its_own() -> None:
    a = art(1, "Budget", byline="By Ada Quill", text="Deep in the text: lighthouse.",
            url="https://n.example/sport/x", topics=("sport",), entities=("Harbour Board",))
    assert matches(rule("quill", field="author"), a)
    assert matches(rule("lighthouse", field="text"), a)
    assert not matches(rule("lighthouse", field="title"), a)
    assert matches(rule("/sport/", field="url", match="regex"), a)
    assert matches(rule("sport", field="topic"), a)
    assert matches(rule("harbour board", field="entity"), a)


def test_a_catastrophic_regex_errors_instead_of_hanging() -> None:
    r = rule("(a+)+$", field="text", match="regex")
    with pytest.raises(RuleTimeout, match="simplify"):
        matches(r, art(1, text="a" * 5000 + "b"))


@pytest.mark.parametrize(("pattern", "match", "message"), [
    ("x" * 501, "regex", "at most 500"),
    ("(unclosed", "regex", "not a regular expression"),
    ("   ", "words", "give the words"),
    (" , ,", "words", "no words"),
])
def test_bad_patterns_are_refused_with_a_reason(pattern: str, match: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        validate(Rule(1, "title", pattern, "block", match))


def test_bad_choices_and_scopes_are_refused() -> None:
    with pytest.raises(RuleError, match="field"):
        validate(Rule(1, "colour", "x", "block"))
    with pytest.raises(RuleError, match="action"):
        validate(Rule(1, "title", "x", "delete"))
    with pytest.raises(RuleError, match="name the folder"):
        validate(Rule(1, "title", "x", "block", scope="folder"))
    with pytest.raises(RuleError, match="source id"):
        validate(Rule(1, "title", "x", "block", scope="source", scope_value="abc"))


def test_scope_limits_a_rule_to_a_folder_or_a_source() -> None:
    in_folder = rule("budget", scope="folder", scope_value="Work")
    by_source = rule("budget", scope="source", scope_value="7")
    a = art(1, "Budget day", source=7, folder="Work")
    b = art(2, "Budget day", source=8, folder="Home")
    assert acts_on(in_folder, a) and not acts_on(in_folder, b)
    assert acts_on(by_source, a) and not acts_on(by_source, b)


def test_keep_only_acts_on_what_does_not_match_in_its_scope() -> None:
    keep = rule("election", action="keep_only", scope="source", scope_value="1")
    assert not acts_on(keep, art(1, "Election results", source=1))
    assert acts_on(keep, art(2, "Weather", source=1))
    assert not acts_on(keep, art(3, "Weather", source=2))  # out of scope: untouched


def test_a_story_is_hidden_only_when_every_article_of_it_is_blocked() -> None:
    block = rule("gossip", name="no gossip")
    mixed = [art(1, "Gossip column", story=1), art(2, "Court ruling", story=1)]
    all_gossip = [art(3, "Gossip column", story=2), art(4, "More gossip", story=2)]
    done = outcome([block], mixed + all_gossip)
    assert done.marks == {2: StoryMark(True, 0.0, "your rule 'no gossip'")}
    assert done.hits == {1, 3, 4}


def test_boost_needs_an_article_that_is_not_blocked() -> None:
    boost = rule("harbour", action="boost", name="harbour")
    block = rule("paywall", field="text", name="paywalled")
    lifted = [art(1, "Harbour opens", story=1), art(2, "Other", story=1)]
    only_blocked = [art(3, "Harbour opens", story=2, text="paywall")]
    done = outcome([block, boost], lifted + only_blocked)
    assert done.marks[1] == StoryMark(False, 1.0, "your rule 'harbour'")
    assert done.marks[2].hidden and done.marks[2].reason == "your rule 'paywalled'"


def test_mark_read_lists_its_articles_and_leaves_the_story_alone() -> None:
    done = outcome([rule("briefing", action="mark_read")],
                   [art(1, "Morning briefing"), art(2, "Other")])
    assert done.read == {1} and done.marks == {}


# --- a keyword mute reads what a story is about ----------------------------------------------


def about(title: str, text: str) -> str:
    """What the store keeps as `about`: headline, key points and lead paragraph."""
    return " ".join([title, text.split("\n\n", 1)[0]]).lower()


def candidate(story_id: int, title: str, text: str) -> Candidate:
    return Candidate(story_id, title, story_id, NOW - timedelta(hours=1),
                     NOW - timedelta(hours=1), 1, (1,), 1, 0.0, about=about(title, text))


def test_a_muted_keyword_hides_the_story_about_it_not_one_that_mentions_it_once() -> None:
    passing = candidate(1, "Dairy farmers meet in the valley",
                        "Farmers met on Monday.\n\nMilk prices held.\n\n"
                        "Late on, one mentioned the lottery in passing.")
    headline = candidate(2, "Lottery jackpot rolls over again", "No winner this week.")
    reader = Reader(1, follows=[Follow(1, TargetKind.KEYWORD, "lottery", muted=True)])
    assert [s.candidate.story_id for s in rank([passing, headline], reader, NOW)] == [1]


def test_rules_over_many_articles_stop_at_their_budget() -> None:
    sane = rule("^a+c", field="text", match="regex")
    arts = [art(i, text="a" * 40 + "b", story=i) for i in range(3)]
    assert outcome([sane], arts).marks == {}  # within budget: nothing matches
    with pytest.raises(RuleTimeout, match="longer than"):
        outcome([sane], arts, until=deadline(0))
