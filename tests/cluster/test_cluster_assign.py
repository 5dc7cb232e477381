"""Story assignment: same event joins, different events of the same kind stay apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench import constants
from tests.cluster.stories import (
    QUAKE_CHILE_A,
    QUAKE_CHILE_B,
    QUAKE_JAPAN,
    REHAB,
    SYNDICATED_FOOTER,
)
from tidings.cluster import Candidate, StreamClusterer, assign_story, fingerprint, split_story
from tidings.cluster import assign as assign_module
from tidings.cluster.assign import story_scores

DAY = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


def test_two_outlets_on_one_event_make_one_story() -> None:
    candidates = [Candidate(7, fingerprint(*QUAKE_CHILE_A), DAY)]
    assert assign_story(fingerprint(*QUAKE_CHILE_B), candidates, published_at=DAY) == 7


def test_two_earthquakes_in_different_places_and_dates_stay_apart() -> None:
    candidates = [Candidate(1, fingerprint(*QUAKE_CHILE_A), DAY),
                  Candidate(1, fingerprint(*QUAKE_CHILE_B), DAY)]
    later = DAY + timedelta(days=40)
    assert assign_story(fingerprint(*QUAKE_JAPAN), candidates, published_at=later) is None


def test_two_earthquakes_stay_apart_on_content_alone() -> None:
    candidates = [Candidate(1, fingerprint(*QUAKE_CHILE_A)),
                  Candidate(1, fingerprint(*QUAKE_CHILE_B))]
    assert assign_story(fingerprint(*QUAKE_JAPAN), candidates) is None


def test_same_event_further_apart_than_the_window_does_not_merge() -> None:
    candidates = [Candidate(3, fingerprint(*QUAKE_CHILE_A), DAY)]
    late = DAY + timedelta(days=30)
    assert assign_story(fingerprint(*QUAKE_CHILE_B), candidates, published_at=late) is None
    assert assign_story(fingerprint(*QUAKE_CHILE_B), candidates, published_at=late,
                        window=timedelta(days=60)) == 3


def test_naive_and_aware_dates_compare() -> None:
    candidates = [Candidate(3, fingerprint(*QUAKE_CHILE_A), DAY.replace(tzinfo=None))]
    assert assign_story(fingerprint(*QUAKE_CHILE_B), candidates, published_at=DAY) == 3


def test_syndicated_copy_joins_the_story_of_its_original() -> None:
    candidates = [Candidate(5, fingerprint(*REHAB)), Candidate(9, fingerprint(*QUAKE_CHILE_A))]
    copy = fingerprint("Wire: " + REHAB[0], REHAB[1] + SYNDICATED_FOOTER)
    assert assign_story(copy, candidates) == 5


def test_best_story_wins_among_several() -> None:
    candidates = [Candidate(1, fingerprint(*REHAB)), Candidate(2, fingerprint(*QUAKE_JAPAN)),
                  Candidate(3, fingerprint(*QUAKE_CHILE_A))]
    assert assign_story(fingerprint(*QUAKE_CHILE_B), candidates) == 3


def test_no_candidates_or_empty_article_start_a_new_story() -> None:
    assert assign_story(fingerprint(*QUAKE_CHILE_A), []) is None
    candidates = [Candidate(1, fingerprint(*QUAKE_CHILE_A)), Candidate(2, fingerprint("", ""))]
    assert assign_story(fingerprint("", ""), candidates) is None
    assert assign_story(fingerprint(*QUAKE_CHILE_B), candidates) == 1


def test_stream_clusterer_groups_events_and_keeps_ids_stable() -> None:
    clusterer = StreamClusterer()
    chile = clusterer.add("a", *QUAKE_CHILE_A, published=DAY)
    rehab = clusterer.add("b", *REHAB, published=DAY)
    assert clusterer.add("c", *QUAKE_CHILE_B, published=DAY + timedelta(hours=3)) == chile
    japan = clusterer.add("d", *QUAKE_JAPAN, published=DAY + timedelta(days=40))
    assert len({chile, rehab, japan}) == 3
    assert clusterer.add("a", "", "") == chile  # a repeated id keeps its story


def test_stream_clusterer_is_assign_story_over_previous_articles() -> None:
    clusterer = StreamClusterer()
    docs = [QUAKE_CHILE_A, REHAB, QUAKE_JAPAN, QUAKE_CHILE_B, ("", "")]
    stories = [clusterer.add(str(i), *doc) for i, doc in enumerate(docs)]
    candidates = [Candidate(s, fingerprint(*d)) for s, d in zip(stories[:3], docs[:3], strict=True)]
    assert assign_story(fingerprint(*QUAKE_CHILE_B), candidates) == stories[3]


def test_a_shared_distant_year_counts_and_the_present_year_does_not() -> None:
    fire = ("Mill fire", "A fire at the Brackley mill destroyed the roof built in 1898 and a "
                         "warehouse. Crews from Brackley fought the blaze for hours.")
    other = ("Mill fire", "A fire swept a Brackley mill that dated from 1898; neighbours "
                          "watched as crews fought the blaze into the evening.")
    a, b = fingerprint(*fire), fingerprint(*other)
    _, undated = story_scores(b, [Candidate(1, a)])
    now = datetime(2026, 5, 1, tzinfo=UTC)
    _, dated_far = story_scores(b, [Candidate(1, a)], published_at=now)
    present = [fingerprint(t, x.replace("1898", "2026")) for t, x in (fire, other)]
    _, with_present = story_scores(present[1], [Candidate(1, present[0])], published_at=now)
    _, without_years = story_scores(fingerprint(fire[0], fire[1].replace("1898", "")),
                                    [Candidate(1, fingerprint(other[0],
                                                              other[1].replace("1898", "")))])
    assert undated[0] == dated_far[0] > without_years[0] + 0.1  # 1898 is history: it tells
    # 2026 in 2026 says nothing: changing the word moves the score far less than 1898 does
    assert abs(with_present[0] - without_years[0]) < 0.5 * (undated[0] - without_years[0])


def test_split_story_separates_two_events_and_keeps_the_oldest_group() -> None:
    chile = [fingerprint(*QUAKE_CHILE_A), fingerprint(*QUAKE_CHILE_B)]
    japan = [fingerprint(*QUAKE_JAPAN),
             fingerprint("Miyagi quake stops Sendai trains",
                         "Bullet trains around Sendai stopped after a 6.4 tremor in Miyagi "
                         "prefecture on Saturday; Tohoku Electric found its Onagawa plant "
                         "undamaged and Sendai hospitals treated eleven people.")]
    assert split_story(chile + japan) == [0, 0, 1, 1]
    assert split_story(chile + japan[:1]) == [0, 0, 0]  # too few to call a second event
    assert split_story(chile * 2) == [0, 0, 0, 0]


def test_stream_clusterer_without_repair_is_one_pass() -> None:
    clusterer = StreamClusterer(repair=False)
    first = clusterer.add("a", *QUAKE_CHILE_A)
    assert clusterer.add("b", *QUAKE_CHILE_B) == first
    assert clusterer.stories == {"a": first, "b": first}


def _unit_pair(cosine: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Two unit vectors (as lead embeddings) with this cosine."""
    return (1.0, 0.0, 0.0), (cosine, (1 - cosine * cosine) ** 0.5, 0.0)


def test_two_headline_items_sharing_one_place_word_stay_apart() -> None:
    barrier = ("Tidal barrier trial starts on the estuary",
               "Engineers began a three-week trial of the new tidal barrier on Tuesday.")
    ferry = ("Estuary ferry gets an electric twin",
             "A second, battery-powered ferry will join the estuary crossing in June.")
    first, second = _unit_pair(0.3)  # about the MiniLM cosine of these two leads
    stored = [Candidate(1, fingerprint(*barrier, embedding=first), DAY)]
    new = fingerprint(*ferry, embedding=second)
    assert new.short and set(new.topic) & set(stored[0].fingerprint.topic) == {"estuary"}
    assert assign_story(new, stored, published_at=DAY) is None
    assert split_story([stored[0].fingerprint, new] * 2, min_part=1) == [0, 1, 0, 1]


def test_two_headline_items_on_one_event_still_join() -> None:
    first, second = _unit_pair(0.5)
    stored = [Candidate(4, fingerprint(
        "Council rejects the harbour plan",
        "Councillors voted nine votes to four against the harbour plan.", embedding=first), DAY)]
    new = fingerprint("Harbour plan rejected by council",
                      "The council turned down the plan for the harbour by nine votes to four.",
                      embedding=second)
    assert assign_story(new, stored, published_at=DAY) == 4


def test_a_headline_joins_a_big_story_through_the_article_it_echoes() -> None:
    # A story told in many wordings has a spread-out centroid; a headline that says what one
    # of its articles said joins it (SHORT_MEMBER_SHARE), without embeddings too.
    wordings = [("Council rejects the harbour plan", ""),
                ("Ferry operators welcome the harbour decision", ""),
                ("Fishermen fear for moorings after the harbour vote", ""),
                ("Developer weighs an appeal over the marina scheme", ""),
                ("Residents celebrate outside the town hall", "")]
    stored = [Candidate(2, fingerprint(*w), DAY) for w in wordings]
    new = fingerprint("Developer weighs an appeal over the rejected marina scheme", "")
    scores = dict(zip(*story_scores(new, stored, published_at=DAY), strict=True))
    with constants(assign_module, SHORT_MEMBER_SHARE=0.0):
        centroid_only = dict(zip(*story_scores(new, stored, published_at=DAY), strict=True))
    assert scores[2] > centroid_only[2]
    assert assign_story(new, stored, published_at=DAY) == 2
