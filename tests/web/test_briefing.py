"""The story briefing from plain data: timeline order, key players, quotes by speaker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tidings.models import Article, Entity, EntityKind, Quote
from tidings.web.ui.briefing import brief, lead_sentence

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def _article(i: int, source: int, hours: int, text: str = "") -> Article:
    return Article(id=i, source_id=source, title=f"Headline {i}",
                   published_at=T0 + timedelta(hours=hours), text=text or f"Lead {i}. More.")


def test_briefing_orders_groups_and_counts() -> None:
    arts = [_article(1, 10, 5), _article(2, 11, 1), _article(3, 10, 9), _article(4, 12, 3)]
    mayor = Entity("Ann Mayor", EntityKind.PERSON, count=2, id=100)
    council = Entity("City Council", EntityKind.ORG, id=200)
    town = Entity("Rivertown", EntityKind.PLACE, id=300)
    other = Entity("Tuesday", EntityKind.OTHER, id=400)
    entities = {1: [mayor, council], 2: [mayor, town], 3: [mayor, other], 4: [council]}
    said = Quote("We will rebuild the bridge", "Ann Mayor")
    quotes = {1: [said], 2: [Quote("we will  rebuild the BRIDGE", "Ann Mayor")],
              3: [Quote("The vote is on Friday", "Ann Mayor"), Quote("No comment", "")],
              4: [Quote("The council met", "Bob Clerk", direct=False)]}
    got = brief(arts, entities, quotes, {10: "Gazette", 11: "Wire", 12: "Ledger"})
    assert got.headline == "Headline 3"  # the newest article's
    assert [a.id for a in got.timeline] == [2, 4, 1, 3]
    assert [(p.entity.name, p.articles, p.mentions) for p in got.players["person"]] == [
        ("Ann Mayor", 3, 6)]
    assert [p.entity.name for p in got.players["org"]] == ["City Council"]
    assert "other" not in got.players
    speakers = [(s, [x.quote.text for x in said]) for s, said in got.quotes]
    # the same words reported twice show once, from the first outlet that had them
    assert speakers == [("Ann Mayor", ["we will  rebuild the BRIDGE", "The vote is on Friday"]),
                        ("Bob Clerk", ["The council met"]), ("Unattributed", ["No comment"])]
    assert got.outlets == [("Gazette", 2), ("Ledger", 1), ("Wire", 1)]
    assert got.leads[1] == "Lead 1."


def test_lead_sentence_takes_the_first_sentence_of_the_first_paragraph() -> None:
    assert lead_sentence("\nThe storm hit at 3 a.m. on Tuesday. Power failed.\n\nLater.") \
        == "The storm hit at 3 a.m. on Tuesday."
    assert lead_sentence('"It is over," she said. Then she left.') == '"It is over," she said.'
    assert lead_sentence("x" * 400).endswith("…") and len(lead_sentence("x" * 400)) == 320
    assert lead_sentence("") == ""
