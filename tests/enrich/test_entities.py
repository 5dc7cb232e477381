"""Entities: spaCy's mentions made canonical, on articles written for these tests."""

from __future__ import annotations

from spacy.language import Language

from tests.enrich.articles import SHARED_SURNAME, STRIKE
from tidings.enrich import enrich_article
from tidings.enrich.entities import assign_person_keys, fix_kinds
from tidings.enrich.mentions import Mention
from tidings.models import Article, Entity, EntityKind

PERSON, ORG, PLACE = EntityKind.PERSON, EntityKind.ORG, EntityKind.PLACE


def people(entities: list[Entity]) -> dict[str, int]:
    return {e.name: e.count for e in entities if e.kind == PERSON}


def test_two_people_sharing_a_surname_stay_apart(nlp: Language) -> None:
    article = enrich_article(SHARED_SURNAME, nlp=nlp)
    # Each bare "Zhang" goes to the nearest full name before it: one to each of them.
    assert people(article.entities) == {"Zhang Wei": 2, "Zhang Min": 2}


def test_a_surname_joins_the_full_name_and_is_kept_as_an_alias(nlp: Language) -> None:
    article = enrich_article(STRIKE, nlp=nlp)
    assert people(article.entities) == {
        "Helen Carter": 2, "David Carter": 2, "Paul Hughes": 1, "Sarah Lim": 1}
    helen = next(e for e in article.entities if e.name == "Helen Carter")
    assert helen.aliases == ["Carter"]


def test_entities_are_ordered_by_salience_within_bounds(nlp: Language) -> None:
    entities = enrich_article(STRIKE, nlp=nlp).entities
    saliences = [e.salience for e in entities]
    assert saliences == sorted(saliences, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in saliences)
    assert entities[0].kind == PERSON  # the minister is named first and most


def test_aliases_of_one_country_are_one_entity(nlp: Language) -> None:
    text = ("The United States and Canada signed the deal. US officials said the U.S. "
            "would ratify it soon, and the United States Senate will vote in May.")
    article = enrich_article(Article(text=text), nlp=nlp)
    united = [e for e in article.entities if e.name == "United States"]
    assert len(united) == 1 and united[0].kind == PLACE
    assert united[0].count >= 3


def _mention(start: int, surface: str, kind: EntityKind) -> Mention:
    return Mention(start, start + len(surface), surface, kind)


def test_a_person_tag_on_a_name_tagged_elsewhere_as_a_place_becomes_a_place() -> None:
    text = "Troops left Odessa. Odessa was quiet. They met in Odessa."
    mentions = [_mention(12, "Odessa", PLACE), _mention(20, "Odessa", PERSON),
                _mention(50, "Odessa", PERSON)]
    fix_kinds(mentions, text)
    assert {m.kind for m in mentions} == {PLACE}


def test_a_surname_tagged_as_an_organisation_becomes_the_person() -> None:
    text = "Chinese envoy Li Qiang arrived. Li said talks went well. Li Qiang left."
    mentions = [_mention(14, "Li Qiang", PERSON), _mention(32, "Li", ORG)]
    fix_kinds(mentions, text)
    assign_person_keys(mentions)
    assert mentions[1].kind == PERSON
    assert mentions[1].key == mentions[0].key


def test_a_lone_person_name_after_in_is_a_place_without_other_evidence() -> None:
    text = "Fighting continued in Mariupol on Friday."
    mentions = [_mention(22, "Mariupol", PERSON)]
    fix_kinds(mentions, text)
    assert mentions[0].kind == PLACE


def test_a_lone_name_before_its_full_name_joins_the_one_after() -> None:
    mentions = [_mention(0, "Okafor", PERSON), _mention(40, "Grace Okafor", PERSON)]
    assign_person_keys(mentions)
    assert mentions[0].key == mentions[1].key


def test_a_person_holding_an_organisations_acronym_is_that_organisation() -> None:
    text = "Pro-Beijing DAB won. The DAB said it was pleased, and DAB members cheered."
    mentions = [_mention(0, "Pro-Beijing DAB", PERSON), _mention(24, "DAB", ORG),
                _mention(56, "DAB", ORG)]
    fix_kinds(mentions, text)
    assert [m.kind for m in mentions] == [ORG, ORG, ORG]  # and no bare "DAB" became a person


def test_a_building_tagged_as_an_organisation_is_a_place() -> None:
    mentions = [_mention(0, "Kennedy Space Center", ORG), _mention(30, "Museum of Flight", ORG),
                _mention(60, "Lanzhou University", ORG)]
    fix_kinds(mentions, " " * 80)
    assert [m.kind for m in mentions] == [PLACE, PLACE, ORG]
