"""enrich_article / enrich_many: language, topics, key points and the copy semantics."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from spacy.language import Language

from tests.enrich.articles import GERMAN, SHARED_SURNAME, STRIKE, UNNAMED_SPOKESMAN
from tidings.enrich import TAXONOMY, detect_language, enrich_article, enrich_many
from tidings.enrich.language import declared_code, headline_language
from tidings.enrich.topics import assign_topics
from tidings.models import Article


def test_other_languages_are_marked_and_left_without_nlp(nlp: Language) -> None:
    article = enrich_article(GERMAN, nlp=nlp)
    assert article.language == "de"
    assert article.entities == [] and article.quotes == [] and article.key_points == []
    assert article.topics == ["Lokales"]  # the page's own label still makes it followable
    assert article.warning == (
        "language 'de' is not enriched: no entities, quotes or key points")


def test_english_articles_carry_no_language_warning(nlp: Language) -> None:
    assert enrich_article(STRIKE, nlp=nlp).warning is None


def test_a_language_warning_keeps_the_extraction_warning_before_it(nlp: Language) -> None:
    article = enrich_article(replace(GERMAN, warning="no byline found"), nlp=nlp)
    assert article.warning is not None
    assert article.warning.startswith("no byline found; language 'de' is not enriched")


def test_an_item_without_words_comes_back_unchanged_with_no_language(nlp: Language) -> None:
    empty = Article(title="  ", text="  ")
    assert enrich_article(empty, nlp=nlp) == replace(empty, language="")


def test_a_headline_only_item_is_enriched_from_its_headline(nlp: Language) -> None:
    # a feed that carries only headlines: its people and places still count for follows,
    # mutes and stories
    item = Article(title="Harbour strike: Marta Quillon says Dunmore port will close", text="")
    article = enrich_article(item, nlp=nlp)
    assert article.language == "en" and article.warning is None
    assert {"Marta Quillon", "Dunmore"} <= {e.name for e in article.entities}
    assert article.text == "" and article.key_points == []


def test_a_headline_says_its_language_only_when_the_classifier_is_sure(nlp: Language) -> None:
    german = enrich_article(Article(title="Bundesliga: Bayern gewinnt gegen Dortmund"), nlp=nlp)
    assert german.language == "de" and german.entities == []
    assert german.warning is not None and "not enriched" in german.warning
    assert headline_language("Regierung und Opposition streiten", declared="de-AT") == "de"
    assert headline_language("Anna Kowalski named chief executive of Northwind Bank") == "en"
    assert headline_language("El Gobierno aprueba la reforma laboral") == ""  # unsure: 0.48
    assert headline_language("   ") == ""


def test_a_declared_language_counts_by_its_two_letter_code() -> None:
    assert declared_code("de-AT") == "de" and declared_code("pt_BR") == "pt"
    assert declared_code("fil") == "" and declared_code("fil-PH") == ""  # not Finnish
    assert declared_code("English") == "" and declared_code("") == ""


def test_the_input_article_is_not_modified(nlp: Language) -> None:
    before = replace(STRIKE)
    enrich_article(STRIKE, nlp=nlp)
    assert before == STRIKE


def test_enrich_many_matches_one_at_a_time(nlp: Language) -> None:
    articles = [STRIKE, GERMAN, SHARED_SURNAME, UNNAMED_SPOKESMAN]
    assert enrich_many(articles, nlp=nlp) == [enrich_article(a, nlp=nlp) for a in articles]


def test_page_bullets_are_kept_as_key_points(nlp: Language) -> None:
    bullets = ["The union rejected the offer", "Talks resume on Friday"]
    article = enrich_article(replace(STRIKE, key_points=bullets), nlp=nlp)
    assert article.key_points == bullets


def test_without_bullets_up_to_three_sentences_of_the_text_are_chosen(nlp: Language) -> None:
    points = enrich_article(STRIKE, nlp=nlp).key_points
    assert 1 <= len(points) <= 3
    assert all(p in STRIKE.text for p in points)
    assert points[0].startswith("Transport Minister Helen Carter met union leaders")
    assert points == sorted(points, key=STRIKE.text.index)  # in reading order


def test_topics_start_with_the_page_label_then_the_taxonomy(nlp: Language) -> None:
    article = enrich_article(replace(STRIKE, topic_label="Port strike"), nlp=nlp)
    assert article.topics[0] == "Port strike"
    assert "Labour" in article.topics
    assert set(article.topics[1:]) <= set(TAXONOMY)


def test_taxonomy_is_the_iptc_top_level() -> None:
    assert len(TAXONOMY) == 17 and len(set(TAXONOMY)) == 17
    assert {"Politics", "Sport", "Health", "Weather"} <= set(TAXONOMY)


def test_a_match_report_is_sport_and_not_politics() -> None:
    text = ("The home side won the league match 3-1. Both goals in the second half came from "
            "the new striker, and the coach praised his players after the tournament game. "
            "The league title race is now open, and the players return to training on Monday.")
    topics = assign_topics("", text)
    assert topics[0] == "Sport" and "Politics" not in topics


def test_worker_processes_give_the_same_result(nlp: Language) -> None:
    articles = [STRIKE, GERMAN, SHARED_SURNAME, UNNAMED_SPOKESMAN] * 3
    assert enrich_many(articles, workers=2) == enrich_many(articles, nlp=nlp)


ODD_TEXTS = [
    "“",  # a lone quotation mark
    "“Never closed, said nobody",
    "said said said said said.",
    "According to, the.",
    "Mr. . . . U.S. “” \"\" ‘’ …",
    "He said that she said that they said that it was so.",
    "A" * 5000,
    "Ünïcödé nämes like Žižek said “ok” — 🙂 — and left.\n\n\n\n",
    "<p>Leftover <b>HTML</b> said the parser.</p>",
    ("The minister said " + "very " * 400 + "much."),
]


def test_odd_texts_are_enriched_without_errors(nlp: Language,
                                              caplog: pytest.LogCaptureFixture) -> None:
    articles = enrich_many([Article(title="Odd", text=t) for t in ODD_TEXTS], nlp=nlp)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # none was skipped
    assert len(articles) == len(ODD_TEXTS)
    for article in articles:
        assert all(q.text.strip() and q.speaker.strip() for q in article.quotes)
        assert all(0.0 <= e.salience <= 1.0 for e in article.entities)


def test_a_declared_language_settles_short_texts_only() -> None:
    assert detect_language("Obama in Berlin", declared="en-US") == "en"
    long_german = GERMAN.text
    assert detect_language(long_german, declared="en") == "de"  # the text outweighs the page
    assert detect_language("   ", declared="en") == ""
