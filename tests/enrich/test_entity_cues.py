"""Gazetteer-free cues and merges on invented names: head nouns, context words, common nouns.

Spans are tagged by hand on spaCy's tokenisation, so each test shows one mechanism at work
whatever the statistical model would tag.
"""

from __future__ import annotations

from spacy.language import Language

from tests.enrich.test_entity_rules import _at, _tagged
from tidings.enrich.entities import extract_entities, fix_kinds
from tidings.enrich.mentions import raw_mentions
from tidings.enrich.rules import ALL_RULES, DEFAULT_RULES
from tidings.models import EntityKind

PERSON, ORG, PLACE, OTHER = EntityKind.PERSON, EntityKind.ORG, EntityKind.PLACE, EntityKind.OTHER


def _kinds(nlp: Language, text: str, spans: list[tuple[str, str]]) -> dict[str, EntityKind]:
    found = extract_entities(_tagged(nlp, text, spans))
    return {e.name: e.kind for e in found.entities}


def test_a_name_ending_in_an_institution_noun_is_an_organisation_whatever_the_tag() -> None:
    text = "Crews from Harrow Bay Fire and Rescue and the Dunloe County Council helped."
    mentions = [_at(text, "Harrow Bay Fire and Rescue", PLACE),
                _at(text, "Dunloe County Council", PERSON)]
    fix_kinds(mentions, text)
    assert [m.kind for m in mentions] == [ORG, ORG]


def test_a_name_ending_in_a_facility_noun_is_a_place_unless_it_speaks() -> None:
    text = "Fans filled Veldt Park. Later Ona Hall said the match was over."
    mentions = [_at(text, "Veldt Park", PERSON), _at(text, "Ona Hall", PERSON)]
    fix_kinds(mentions, text)
    assert [m.kind for m in mentions] == [PLACE, PERSON]


def test_x_based_and_near_x_make_a_one_word_name_a_place() -> None:
    text = "The Dunloe-based firm hired staff. A farmer near Quarnby said prices fell."
    mentions = [_at(text, "Dunloe", PERSON), _at(text, "Quarnby", ORG)]
    fix_kinds(mentions, text)
    assert [m.kind for m in mentions] == [PLACE, PLACE]


def test_an_organisation_tag_outnumbering_the_place_cue_stays_an_organisation() -> None:
    text = "Vantor grew. Vantor hired. Vantor said staff in Vantor offices were happy."
    mentions = [_at(text, "Vantor", ORG, nth=i) for i in range(4)]
    fix_kinds(mentions, text)
    assert {m.kind for m in mentions} == {ORG}


def test_named_storms_and_operations_are_not_people() -> None:
    text = "Storm Tern hit the coast as Operation Larkspur began."
    mentions = [_at(text, "Storm Tern", PERSON), _at(text, "Operation Larkspur", ORG)]
    fix_kinds(mentions, text)
    assert [m.kind for m in mentions] == [OTHER, OTHER]


def test_a_person_named_with_a_word_the_article_uses_as_a_noun_is_a_thing() -> None:
    text = "Gale Nessa reached the coast at dawn. The gale brought down lines. Nessa eased."
    mentions = [_at(text, "Gale Nessa", PERSON), _at(text, "Nessa", PERSON, nth=1)]
    fix_kinds(mentions, text)
    assert [m.kind for m in mentions] == [OTHER, OTHER]


def test_a_person_who_speaks_keeps_a_given_name_that_is_also_a_noun() -> None:
    text = "The bill passed on Friday. Bill Harrow said he would vote for it again."
    mentions = [_at(text, "Bill Harrow", PERSON)]
    fix_kinds(mentions, text)
    assert mentions[0].kind == PERSON


def test_time_zones_after_a_clock_time_and_handles_are_not_entities() -> None:
    text = "The site went down at 10:00 GMT, @harbourdesk wrote."
    mentions = [_at(text, "GMT", ORG), _at(text, "@harbourdesk", ORG)]
    fix_kinds(mentions, text)
    assert [m.kind for m in mentions] == [OTHER, OTHER]


def test_letters_after_a_name_are_an_honour_not_an_organisation() -> None:
    text = "The defence, led by Ada Ruske, KC, said the MP and the NCA disagreed."
    mentions = [_at(text, "Ada Ruske", PERSON), _at(text, "KC", ORG), _at(text, "MP", ORG),
                _at(text, "NCA", ORG)]
    fix_kinds(mentions, text)
    assert [m.kind for m in mentions] == [PERSON, OTHER, ORG, ORG]


def test_someone_of_x_and_xs_someone_make_x_an_organisation() -> None:
    text = "Ada Ruske of Tern Forward won. Quill Union's Oskar Lind lost."
    mentions = [_at(text, "Ada Ruske", PERSON), _at(text, "Tern Forward", PERSON),
                _at(text, "Quill Union", PERSON), _at(text, "Oskar Lind", PERSON)]
    fix_kinds(mentions, text, ALL_RULES.without("head_nouns"))
    assert [m.kind for m in mentions] == [PERSON, ORG, ORG, PERSON]


def test_spans_running_into_lower_case_words_are_cut(nlp: Language) -> None:
    text = "They met at Alder Cinema on Friday with Ruth Kale of the trust."
    doc = _tagged(nlp, text, [("Alder Cinema on", "FAC"), ("Ruth Kale of", "PERSON")])
    assert [m.surface for m in raw_mentions(doc, text)] == ["Alder Cinema", "Ruth Kale"]


def test_a_short_name_joins_the_one_organisation_it_begins(nlp: Language) -> None:
    text = ("Harrowgate Biotech will be sold. Harrowgate said staff stay. "
            "Harrowgate employs 900 people in Quarnby.")
    spans = [("Harrowgate Biotech", "ORG"), ("Harrowgate", "PERSON"), ("Harrowgate", "ORG"),
             ("Quarnby", "GPE")]
    found = extract_entities(_tagged(nlp, text, spans))
    company = [e for e in found.entities if e.name == "Harrowgate Biotech"]
    assert len(company) == 1 and company[0].kind == ORG and company[0].count == 3
    assert "Harrowgate" not in {e.name for e in found.entities}


def test_a_place_is_not_merged_into_an_organisation_named_after_it(nlp: Language) -> None:
    text = "Quarnby Town Council met in Quarnby. Quarnby is a port."
    spans = [("Quarnby Town Council", "ORG"), ("Quarnby", "GPE"), ("Quarnby", "GPE")]
    assert _kinds(nlp, text, spans) == {"Quarnby Town Council": ORG, "Quarnby": PLACE}


def test_two_organisations_sharing_a_first_word_keep_the_short_name_apart(nlp: Language) -> None:
    text = "Tern Capital and Tern Foods split. Tern said nothing."
    spans = [("Tern Capital", "ORG"), ("Tern Foods", "ORG"), ("Tern", "ORG")]
    assert set(_kinds(nlp, text, spans)) == {"Tern Capital", "Tern Foods", "Tern"}


def test_every_mechanism_can_be_switched_off() -> None:
    text = "Storm Tern hit Quarnby."
    mentions = [_at(text, "Storm Tern", PERSON)]
    off = ALL_RULES
    for name in ALL_RULES.names():
        off = off.without(name)
    fix_kinds(mentions, text, off)
    assert mentions[0].kind == PERSON
    assert set(DEFAULT_RULES.enabled()) <= set(ALL_RULES.names())
