"""Who said what, on articles written for these tests."""

from __future__ import annotations

from spacy.language import Language

from tests.enrich.articles import COURT, SHARED_SURNAME, STRIKE, TITLED, UNNAMED_SPOKESMAN
from tidings.enrich import enrich_article
from tidings.models import Article, EntityKind, Quote


def said(quotes: list[Quote]) -> list[tuple[str, str]]:
    """(speaker, first three words) per quote."""
    return [(q.speaker, " ".join(q.text.split()[:3])) for q in quotes]


def test_every_attribution_pattern_gets_its_speaker(nlp: Language) -> None:
    quotes = enrich_article(STRIKE, nlp=nlp).quotes
    assert said(quotes) == [
        ("Helen Carter", "her department had"),  # "Carter said": the nearest full name
        ("David Carter", "This is not"),  # “…,” Carter told reporters
        ("David Carter", "the dockers had"),  # He added that …
        ("Helen Carter", "We have put"),  # she said: not David, whose members are "his"
        ("Paul Hughes", "the offer would"),  # A spokesman for the ministry, Paul Hughes, said
        ("Paul Hughes", "officials were ready"),  # The spokesman said
        ("Sarah Lim", "the strike has"),  # According to Sarah Lim, an economist, …
        ("union", "the dockers would"),  # A statement from the union said
        ("union", "Our members will"),  # “…,” the statement said
    ]


def test_direct_quotes_are_marked_and_stripped_of_their_marks(nlp: Language) -> None:
    quotes = enrich_article(STRIKE, nlp=nlp).quotes
    direct = [q.text for q in quotes if q.direct]
    assert direct == [
        "This is not a negotiation, it is an ultimatum",
        "We have put more money on the table than at any point in the last decade",
        "Our members will decide, not the minister",
    ]


def test_the_same_surname_is_resolved_per_position(nlp: Language) -> None:
    quotes = enrich_article(SHARED_SURNAME, nlp=nlp).quotes
    assert [q.speaker for q in quotes] == ["Zhang Wei", "Zhang Min", "Zhang Min", "city government"]
    assert quotes[-1].text.startswith("fares would be reviewed")  # "said in a notice that"


def test_an_unnamed_spokesman_is_not_given_someone_elses_name(nlp: Language) -> None:
    article = enrich_article(UNNAMED_SPOKESMAN, nlp=nlp)
    people = {e.name for e in article.entities if e.kind == EntityKind.PERSON}
    first = article.quotes[0]
    assert "spokesman" in first.speaker and first.speaker not in people
    assert first.text.startswith("engineers had found the cause")


def test_inverted_and_colon_attributions(nlp: Language) -> None:
    quotes = enrich_article(COURT, nlp=nlp).quotes
    assert [(q.speaker, q.text, q.direct) for q in quotes] == [
        ("Amara Osei", "The court will hear every witness before it rules", True),  # “…,” said X
        ("Kwame Mensah", "My client has nothing to hide.", True),  # X said: “…”
        ("Kwame Mensah", "the case was politically motivated.", False),  # X told Y that …
        ("Abena Boateng", "the hearing would resume on Thursday.", False),  # Ms …, later said
    ]


def test_a_name_after_for_or_of_is_not_the_speaker(nlp: Language) -> None:
    text = ("Maria Gonzalez lost her case in the high court on Friday. The lawyer for Maria "
            "Gonzalez said the ruling would be appealed within a month.")
    quotes = enrich_article(Article(text=text), nlp=nlp).quotes
    assert [q.speaker for q in quotes] == ["lawyer for Maria Gonzalez"]


def test_where_it_was_said_is_not_part_of_what_was_said(nlp: Language) -> None:
    text = ("Senator Lena Park said on her radio show that the bill would pass easily. "
            "Park said the vote was close.")
    quotes = enrich_article(Article(text=text), nlp=nlp).quotes
    assert [(q.speaker, q.text) for q in quotes] == [
        ("Lena Park", "the bill would pass easily."), ("Lena Park", "the vote was close.")]


def test_a_title_between_said_and_the_name_is_skipped(nlp: Language) -> None:
    text = ("The council met on Monday in the town hall of Brackwater.\n\n"
            "“Fares were too high and the buses too slow for years,” said Mayor Ilse Brandt, "
            "whose party holds a majority.\n\n"
            "“We will publish the accounts in full next week,” said finance officer Tomas Reyes.")
    quotes = enrich_article(Article(title="Budget passes", text=text), nlp=nlp).quotes
    assert said(quotes) == [("Ilse Brandt", "Fares were too"), ("Tomas Reyes", "We will publish")]


def test_a_title_and_surname_speaker_is_the_person_named_in_full_earlier(nlp: Language) -> None:
    quotes = enrich_article(TITLED, nlp=nlp).quotes
    assert [(q.speaker, q.direct) for q in quotes] == [
        ("Oren Blackwood", True),  # “…,” Mr Blackwood said
        ("Selma Iversen", False),  # Dr Iversen said the ward … (reported)
        ("Selma Iversen", True),  # “…,” said Dr. Iversen
        ("Quarrie", True),  # a title and a surname nobody named in full: as written
    ]
    assert quotes[0].text.startswith("The water came up far quicker")
    assert quotes[1].text.startswith("the ward had treated forty patients")
