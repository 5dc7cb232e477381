"""Fingerprints: what they hold, JSON round trips, near-duplicates and odd input."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from tests.cluster.stories import QUAKE_CHILE_A, QUAKE_CHILE_B, REHAB, SYNDICATED_FOOTER
from tidings.cluster import Fingerprint, FingerprintError, fingerprint, is_near_duplicate


def test_json_round_trip_is_exact_and_small() -> None:
    fp = fingerprint(*QUAKE_CHILE_A, entities=["Valparaiso", "Chilean Navy"])
    text = fp.to_json()
    assert Fingerprint.from_json(text) == fp
    assert len(text.encode()) < 4096


def test_long_article_stays_under_four_kilobytes() -> None:
    body = " ".join(f"Word{i} reached town{i} with item{i}." for i in range(3000))
    assert len(fingerprint("A long one", body).to_json().encode()) < 4096


def test_names_and_numbers_go_to_the_name_bag() -> None:
    fp = fingerprint(*REHAB)
    assert {"quell", "wirth", "minnesota"} <= set(fp.names)
    assert "clinic" not in fp.names  # a plain word: topic bag only
    assert "clinic" in fp.topic


def test_sentence_initial_capitals_are_not_names() -> None:
    fp = fingerprint("", "Residents fled. Rescuers arrived later from the hills.")
    assert "residents" not in fp.names and "rescuers" not in fp.names


def test_stop_words_and_reporting_verbs_are_dropped() -> None:
    fp = fingerprint("", "The mayor said that the bridge would open, officials told reporters.")
    assert not {"the", "said", "that", "would", "told"} & set(fp.topic)
    assert "bridge" in fp.topic


def test_entities_from_enrichment_count_as_names() -> None:
    fp = fingerprint("", "the council voted on tuesday night.", entities=["Oakridge Council"])
    assert "oakridge" in fp.names


def test_a_headlines_entities_are_names_only_and_an_articles_are_topic_words_too() -> None:
    headline = "Oakridge council approves the new harbour bridge"
    short = fingerprint(headline, "", entities=["Oakridge Council"])
    assert short.short and "oakridge" in short.names
    assert short.topic == fingerprint(headline, "").topic  # its own words, not counted twice
    long = fingerprint("", QUAKE_CHILE_A[1], entities=["Oakridge Council"])
    assert not long.short and "oakridge" in long.topic


def test_syndicated_copy_is_a_near_duplicate() -> None:
    original = fingerprint(*QUAKE_CHILE_A)
    copy = fingerprint(QUAKE_CHILE_A[0] + " | Wire", QUAKE_CHILE_A[1] + SYNDICATED_FOOTER)
    assert is_near_duplicate(original, copy)


def test_other_coverage_of_the_same_event_is_not_a_duplicate() -> None:
    assert not is_near_duplicate(fingerprint(*QUAKE_CHILE_A), fingerprint(*QUAKE_CHILE_B))


@pytest.mark.parametrize(("title", "text"), [("", ""), ("", "   \n\t"), ("Only a title", ""),
                                              ("", "!!! ... ???"), ("", "the of and")])
def test_empty_or_wordless_input_does_not_crash(title: str, text: str) -> None:
    fp = fingerprint(title, text)
    assert Fingerprint.from_json(fp.to_json()) == fp
    assert not is_near_duplicate(fp, fingerprint("", ""))


def test_empty_texts_are_not_duplicates_of_each_other() -> None:
    assert not is_near_duplicate(fingerprint("", ""), fingerprint("", ""))


@pytest.mark.parametrize("bad", ["", "not json", "[]", '{"v": 99, "sig": "", "topic": {}, '
                                 '"names": {}}', '{"v": 1, "sig": "@@", "topic": {}, "names": {}}',
                                 '{"v": 1, "sig": "", "topic": [], "names": {}}'])
def test_unreadable_fingerprint_says_what_to_do(bad: str) -> None:
    with pytest.raises(FingerprintError, match="recompute it"):
        Fingerprint.from_json(bad)


def test_json_is_plain_data() -> None:
    data = json.loads(fingerprint(*REHAB).to_json())
    assert data["v"] == 2
    assert set(data) <= {"v", "sig", "t", "tb", "n", "nb", "y", "yb", "short", "emb"}
    assert all(isinstance(data[k], str) for k in ("sig", "t", "tb", "n", "nb", "y", "yb"))
    assert "quell" in data["n"].split(" ")


def _format_1(fp: Fingerprint) -> str:
    """`fp` as stored before format 2 (bags as JSON objects)."""
    data = json.loads(fp.to_json())
    return json.dumps({"v": 1, "sig": data["sig"], "topic": fp.topic, "names": fp.names,
                       "years": fp.years})


def test_format_1_rows_still_read_the_same() -> None:
    fp = fingerprint(*QUAKE_CHILE_A, entities=["Valparaiso", "Chilean Navy"])
    old, new = Fingerprint.from_json(_format_1(fp)), Fingerprint.from_json(fp.to_json())
    assert old == new == fp
    for bag in ("topic_arrays", "name_arrays", "year_arrays", "signature_array"):
        for a, b in zip(getattr(old, bag), getattr(new, bag), strict=True):
            assert (a == b).all() if hasattr(a, "shape") else a == b
    assert list(new.topic) == list(fp.topic)  # the bag's order too
    no_years = json.loads(_format_1(fp))
    del no_years["years"]  # stored before years were kept
    assert Fingerprint.from_json(json.dumps(no_years)).years == {}


def test_a_bag_format_2_cannot_hold_is_stored_in_format_1() -> None:
    odd = Fingerprint((1, 2), {"two words": 0.5, "x": 1 / 3}, {}, {})
    assert json.loads(odd.to_json())["v"] == 1
    assert Fingerprint.from_json(odd.to_json()) == odd


@pytest.mark.parametrize("bad", ['{"v": 2, "sig": "", "t": "a b", "tb": "AAAA", "n": "", '
                                 '"nb": "", "y": "", "yb": ""}', '{"v": 2, "sig": ""}'])
def test_unreadable_format_2_says_what_to_do(bad: str) -> None:
    with pytest.raises(FingerprintError, match="recompute it"):
        Fingerprint.from_json(bad)


def test_an_embedding_survives_json_as_int8_and_a_headline_is_short() -> None:
    vector = [0.6, -0.8] + [0.0] * 382
    fp = fingerprint("Mill fire in Brackley", "Crews fought the blaze.", embedding=vector)
    back = Fingerprint.from_json(fp.to_json())
    assert back.short and not fingerprint("Long", "word " * 80).short
    assert len(back.embedding) == 384
    assert abs(back.embedding[0] - 0.6) < 0.01 and abs(back.embedding[1] + 0.8) < 0.01
    assert Fingerprint.from_json(fingerprint("a", "b").to_json()).embedding == ()


def test_the_lead_outweighs_the_same_word_further_down() -> None:
    body = "\n".join(["Floods closed the harbour road on Monday.",
                      "Crews worked through the night.",
                      "The council met in the evening.",
                      "Later the ferry service resumed, and the bridge stayed shut."])
    fp = fingerprint("", body)
    # "harbour" is said once in the lead, "bridge" once after it; both plain words.
    assert fp.topic["harbour"] > 2 * fp.topic["bridge"]
    assert fp.topic["council"] > fp.topic["ferry"]  # the third line is still the lead


def test_read_back_it_makes_its_bags_only_when_asked_and_behaves_as_the_computed_one() -> None:
    vector = [0.6, -0.8] + [0.0] * 382
    fp = fingerprint(*QUAKE_CHILE_A, entities=["Valparaiso", "Chilean Navy"], embedding=vector)
    back = Fingerprint.from_json(fp.to_json())
    held = vars(back)
    assert not {"signature", "topic", "names", "years", "embedding"} & held.keys()
    for name in ("topic_arrays", "name_arrays", "year_arrays"):  # compared as read
        ids, weights = getattr(back, name)
        computed_ids, computed_weights = getattr(fp, name)
        assert ids.tolist() == computed_ids.tolist()
        assert weights.tolist() == computed_weights.tolist()
    assert back.embedding_array.tolist() == np.array(back.embedding, np.float32).tolist()
    assert (back.signature, back.topic, back.names, back.years) == (
        fp.signature, fp.topic, fp.names, fp.years)
    assert list(back.topic) == list(fp.topic)  # in the bag's order too
    assert "topic" in held and back.topic is back.topic  # made once
    plain = replace(fp, embedding=back.embedding)
    assert back == plain and plain == back and replace(back, short=True) != back
    with pytest.raises(AttributeError):
        _ = back.nothing  # type: ignore[attr-defined]


def test_read_back_empty_bags_are_empty_and_their_shared_arrays_cannot_be_changed() -> None:
    back = Fingerprint.from_json(fingerprint("Short title", "").to_json())
    assert back.years == {} and back.names == {}
    ids, weights = back.year_arrays
    assert ids.size == weights.size == 0
    assert not ids.flags.writeable and not weights.flags.writeable  # shared by all of them
