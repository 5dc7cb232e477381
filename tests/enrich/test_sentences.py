"""The sentence splitter: paragraphs, quotations and abbreviations."""

from __future__ import annotations

from tidings.enrich.sentences import quote_spans, split_sentences


def sentences(text: str) -> list[str]:
    return [s.text(text) for s in split_sentences(text)]


def test_splits_sentences_and_paragraphs() -> None:
    text = "The vote was held. It passed easily!\nA new paragraph starts here"
    assert sentences(text) == [
        "The vote was held.", "It passed easily!", "A new paragraph starts here"]


def test_never_splits_inside_a_quotation_that_closes() -> None:
    text = "“We met. We talked about trade,” the minister said. Then she left."
    assert sentences(text) == [
        "“We met. We talked about trade,” the minister said.", "Then she left."]


def test_a_quotation_ending_the_sentence_closes_it() -> None:
    text = "“It is over.” The crowd cheered."
    assert sentences(text) == ["“It is over.”", "The crowd cheered."]


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    text = "Mr. Smith met U.S. officials and John F. Kennedy Jr. in Boston. They spoke."
    assert sentences(text) == [
        "Mr. Smith met U.S. officials and John F. Kennedy Jr. in Boston.", "They spoke."]


def test_quote_spans_pair_curly_and_straight_marks_within_a_line() -> None:
    text = 'He said “yes” and "no".\n“unclosed'
    assert [s.text(text) for s in quote_spans(text)] == ["“yes”", '"no"']
