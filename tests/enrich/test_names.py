"""Canonical names and cross-article keys: pure string rules, no model."""

from __future__ import annotations

from tidings.enrich import canonical_name, entity_key
from tidings.models import EntityKind

PLACE, ORG, PERSON = EntityKind.PLACE, EntityKind.ORG, EntityKind.PERSON


def test_country_aliases_share_one_key() -> None:
    keys = {entity_key(n, PLACE) for n in ("US", "U.S.", "United States", "the United States")}
    assert len(keys) == 1
    assert canonical_name("the U.S.", PLACE) == "United States"


def test_a_country_tagged_as_an_organisation_still_merges() -> None:
    assert entity_key("US", ORG) == entity_key("United States", PLACE)


def test_kind_keeps_a_person_apart_from_a_place_of_the_same_name() -> None:
    assert entity_key("Jordan", PERSON) != entity_key("Jordan", PLACE)


def test_titles_leading_the_and_possessives_are_not_part_of_a_name() -> None:
    assert canonical_name("Foreign Minister Sergey Lavrov", PERSON) == "Sergey Lavrov"
    assert canonical_name("President Vladimir Putin’s", PERSON) == "Vladimir Putin"
    assert canonical_name("the Pentagon", ORG) == "Pentagon"
    assert canonical_name("the Taliban", ORG) == "Taliban"


def test_keys_ignore_case_accents_and_dots() -> None:
    assert entity_key("José Martí", PERSON) == entity_key("JOSE MARTI", PERSON)
    assert entity_key("U.N.", ORG) == entity_key("United Nations", ORG)


def test_a_lone_title_is_kept_rather_than_emptied() -> None:
    assert canonical_name("President", PERSON) == "President"


def test_trailing_full_stops_go_but_initials_keep_theirs() -> None:
    assert canonical_name("Washington D.C.", PLACE) == "Washington D.C."
    assert canonical_name("Acme Corp.", ORG) == "Acme Corp"


def test_company_legal_suffixes_do_not_split_a_company() -> None:
    keys = {entity_key(n, ORG) for n in ("Acme Inc.", "Acme", "ACME Inc", "Acme, Inc.")}
    assert len(keys) == 1
    assert entity_key("Acme", PLACE) != entity_key("Acme", ORG)
