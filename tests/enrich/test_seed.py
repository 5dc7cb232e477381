"""Acceptance on the real seed page, through the page-capture cleaner users get."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from tidings.enrich import enrich_article
from tidings.extract import clean_capture
from tidings.models import Article, EntityKind

PEOPLE = {
    "Sergey Lavrov", "Wang Yi", "Vladimir Putin", "Xi Jinping", "Wang Wenbin",
    "Amir Khan Muttaqi", "Daleep Singh", "Liz Truss", "Volodymyr Zelensky", "John Kirby",
    "Zhu Yongbiao", "Yang Jin",
}


@pytest.fixture(scope="module")
def seed(shared_dir: Path, nlp: Language) -> Article:
    text = (shared_dir / "fixtures" / "seed-page.txt").read_text(encoding="utf-8")
    return enrich_article(clean_capture(text), nlp=nlp)


@pytest.mark.shared
def test_every_person_is_one_canonical_entity_with_the_full_name(seed: Article) -> None:
    people = [e.name for e in seed.entities if e.kind == EntityKind.PERSON]
    assert sorted(people) == sorted(PEOPLE)  # each once, nobody else, no bare surnames


@pytest.mark.shared
def test_no_surname_is_an_organisation_or_a_place(seed: Article) -> None:
    surnames = {name.split()[-1] for name in PEOPLE} | {name.split()[0] for name in PEOPLE}
    wrong = [e.name for e in seed.entities
             if e.kind != EntityKind.PERSON and {e.name, *e.aliases} & surnames]
    assert wrong == []


@pytest.mark.shared
def test_places_and_organisations(seed: Article) -> None:
    kinds = {e.name: e.kind for e in seed.entities}
    for place in ("Kyiv", "Chernihiv", "Tunxi", "Anhui", "New Delhi"):
        assert kinds.get(place) == EntityKind.PLACE, place
    for org in ("Lanzhou University", "CCTV", "Pentagon", "Taliban"):
        assert kinds.get(org) == EntityKind.ORG, org


@pytest.mark.shared
def test_the_quoted_speakers_are_found(seed: Article) -> None:
    speakers = {q.speaker for q in seed.quotes}
    assert {"Wang Wenbin", "John Kirby", "Zhu Yongbiao", "Yang Jin", "Wang Yi"} <= speakers
    statement = [q for q in seed.quotes if "foreign ministry" in q.speaker]
    assert any(q.direct and q.text.startswith("The ministers had a thorough exchange")
               for q in statement)
    assert any(q.direct and q.text.startswith("The sides noted") for q in statement)


@pytest.mark.shared
def test_each_quote_has_the_right_speaker(seed: Article) -> None:
    # Opening words of the quoted text → its speaker, for every person-attributed quote.
    expected = {
        "China-Russia relations had": "Wang Yi",
        "China supported Russia": "Wang Yi",
        "he was ready": "Wang Yi",
        "cooperation between China": "Wang Wenbin",
        "“only a small": "John Kirby",
        "the talks between": "Zhu Yongbiao",
        "The countries were": "Yang Jin",
        "Afghanistan’s immediate neighbours": "Yang Jin",
        "their nations’ partnership": {"Vladimir Putin", "Xi Jinping"},
    }
    for quote in seed.quotes:
        if quote.speaker not in PEOPLE:
            continue
        opening = next((k for k in expected if quote.text.startswith(k)), None)
        assert opening is not None, f"unexpected quote for {quote.speaker}: {quote.text}"
        want = expected[opening]
        assert quote.speaker in (want if isinstance(want, set) else {want}), quote.text


@pytest.mark.shared
def test_the_page_label_and_bullets_are_kept(seed: Article) -> None:
    assert seed.topics[0] == "Ukraine war"
    assert "Conflict, war and peace" in seed.topics and "Politics" in seed.topics
    assert len(seed.key_points) == 2 and seed.language == "en"
