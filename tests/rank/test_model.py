"""The learned model on Candidates: every point explained, every why backed by the points that
scored the story, mutes and hides never shown, no wall of one topic, follows compiled once."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from tidings.models import Follow, TargetKind, utcnow
from tidings.rank import model
from tidings.rank.candidate import Candidate, Reader
from tidings.rank.learn import Affinity, Profile, learn_into, snapshot

NOW = utcnow()


def cand(sid: int, *, hours: float = 1, topics: tuple[str, ...] = ("local",),
         ents: tuple[tuple[int, str, float], ...] = (), sources: tuple[int, ...] = (1,),
         outlets: int = 1, about: str = "") -> Candidate:
    return Candidate(story_id=sid, headline=f"Story {sid}", lead_article_id=sid,
                     first_seen=NOW - timedelta(hours=hours + 1),
                     last_seen=NOW - timedelta(hours=hours), article_count=2,
                     source_ids=sources, outlet_count=outlets, velocity=0.5, topics=topics,
                     entities=ents, entity_ids=frozenset(e[0] for e in ents),
                     about=about or f"story {sid}",
                     outlets=tuple(f"Outlet {s}" for s in sources))


def follow(kind: TargetKind, target: str, *, muted: bool = False) -> Follow:
    return Follow(user_id=1, target_kind=kind, target=target, muted=muted)


def trained() -> Profile:
    p = Profile()
    p.topics["harbours"] = Affinity("harbours", 0.8, reads=3)
    p.entities[7] = Affinity("Quay Board", 1.1, reads=1)
    p.sources[2] = Affinity("Outlet 2", -0.6)
    return p


def test_each_why_is_a_positive_contribution_that_scored_the_story() -> None:
    profile = trained()
    reader = Reader(1, follows=[follow(TargetKind.TOPIC, "music")], profile=profile,
                    boosts={4: (0.7, "your rule Lighthouses")})
    cands = [cand(1, topics=("harbours",), ents=((7, "Quay Board", 2.0), (8, "Tide", 1.0))),
             cand(2, topics=("music",), sources=(2, 3), outlets=5, hours=30),
             cand(3, topics=("harbours",), sources=(2,), hours=50),
             cand(4, topics=("coast",), hours=10)]
    ranked = model.rank(cands, reader, NOW)
    assert len(ranked) == 4
    for s in ranked:
        c = s.candidate
        assert s.why, f"story {c.story_id} has no why"
        assert abs(s.score - sum(s.contributions.values())) < 1e-9
        x = model.features(c, reader, NOW)
        for f, points in s.contributions.items():  # recomputed: weight × feature value
            assert points == profile.weights[f.split(":")[0]] * x[f]
        positive = sorted((f for f, v in s.contributions.items() if v > 0),
                          key=lambda f: -s.contributions[f])
        age_h = (NOW - c.last_seen).total_seconds() / 3600
        assert s.why == [model.explain(f, c, reader, age_h) for f in positive[:3]]
    by_id = {s.candidate.story_id: s for s in ranked}
    assert by_id[1].contributions["topic"] == profile.weights["topic"] * 0.8
    assert "you read 3 stories in harbours" in by_id[1].why
    assert "you read a story about Quay Board" in by_id[1].why
    assert "you follow topic music" in by_id[2].why and "2 of your sources cover this" in (
        by_id[2].why)
    assert by_id[3].contributions["source"] < 0  # a disliked outlet costs, never a why
    assert not any("Outlet 2" in w for w in by_id[3].why)
    assert "your rule Lighthouses" in by_id[4].why


def test_learned_affinity_lifts_the_story_the_reader_wants() -> None:
    harbour = cand(1, topics=("harbours",), hours=8)
    music = cand(2, topics=("music",), hours=1)
    profile = Profile()
    assert [s.candidate.story_id for s in model.rank([harbour, music], Reader(1), NOW)] == [2, 1]
    for i in range(3):  # feedback on other stories about the same things
        learn_into(profile, "like", snapshot(cand(10 + i, topics=("harbours",))))
        learn_into(profile, "dislike", snapshot(cand(20 + i, topics=("music",))))
    order = [s.candidate.story_id for s in model.rank([harbour, music], Reader(1, profile=profile),
                                                      NOW)]
    assert order == [1, 2]


def test_muted_entities_sources_keywords_and_hidden_stories_never_appear() -> None:
    reader = Reader(1, follows=[follow(TargetKind.SOURCE, "Outlet 3", muted=True),
                                follow(TargetKind.KEYWORD, "share price", muted=True)],
                    muted_entity_ids=frozenset({9}), hidden=frozenset({4}))
    cands = [cand(1), cand(2, ents=((9, "Muted Person", 1.0),)), cand(3, sources=(3,)),
             cand(4), cand(5, about="the share price of calder"),
             cand(6, about="shares priced in")]
    assert sorted(s.candidate.story_id for s in model.rank(cands, reader, NOW)) == [1, 6]
    assert model.excluded(cands[2], reader) == "muted source: Outlet 3"


def test_opened_before_costs_novelty() -> None:
    seen, fresh = cand(1), cand(2)
    reader = Reader(1, opened=frozenset({1}))
    s = {x.candidate.story_id: x for x in model.rank([seen, fresh], reader, NOW)}
    assert s[1].contributions["novelty"] < 0 and "novelty" not in s[2].contributions
    assert s[2].score > s[1].score


def test_no_wall_of_one_topic_when_others_are_close() -> None:
    sport = [cand(i, topics=("sport",), hours=1 + i * 0.05, sources=(i,)) for i in range(1, 9)]
    others = [cand(20 + i, topics=(f"topic {i}",), hours=1.6, sources=(20 + i,))
              for i in range(4)]
    top = model.rank([*sport, *others], Reader(1), NOW, limit=8)
    assert sum(1 for s in top if s.candidate.topics == ("sport",)) <= 5
    assert model.rank([*sport, *others], Reader(1), NOW, limit=3)[0].candidate.story_id == 1


def test_follow_patterns_are_compiled_once_per_set_of_follows() -> None:
    reader = Reader(1, follows=[follow(TargetKind.KEYWORD, "ferry strike"),
                                follow(TargetKind.KEYWORD, "toll", muted=True)])
    cands = [cand(i, about=f"ferry strike day {i}" if i % 3 else "new toll bridge")
             for i in range(300)]
    model._compile.cache_clear()
    ranked = model.rank(cands, reader, NOW, limit=300)
    model.rank(cands, reader, NOW, limit=300)
    assert model._compile.cache_info().misses == 1
    assert len(ranked) == 200 and all("you follow keyword ferry strike" in s.why for s in ranked)


def test_headlines_rank_by_coverage_and_say_so() -> None:
    small, big = cand(1, outlets=1), cand(2, outlets=6, hours=3)
    ranked = model.headlines([small, big], NOW)
    assert [s.candidate.story_id for s in ranked] == [2, 1]
    assert ranked[0].why == ["covered by 6 sources"] and ranked[1].why


def test_blank_follow_targets_match_nothing() -> None:
    reader = Reader(1, follows=[follow(TargetKind.KEYWORD, "  ", muted=True)])
    assert [s.candidate.story_id for s in model.rank([cand(1)], reader, NOW)] == [1]


def _greedy(scores: list[float], facets: list[list[int]], limit: int) -> list[int]:
    """`diversified` the slow, obvious way: each pick the best adjusted score (ties: the
    earlier story) among those left, recomputed over all of them."""
    shown: dict[int, int] = {}
    left, out = list(range(len(scores))), []
    while left and len(out) < limit:
        def adjusted(i: int) -> float:
            repeats = max((shown.get(f, 0) for f in facets[i]), default=0)
            return scores[i] - model.DIVERSITY_COST * max(0, repeats - 1)
        best = min(left, key=lambda i: (-adjusted(i), i))
        left.remove(best)
        out.append(best)
        for f in facets[best]:
            shown[f] = shown.get(f, 0) + 1
    return out


@pytest.mark.parametrize("seed", range(40))
def test_diversified_picks_as_the_plain_greedy_re_rank_does(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randrange(0, 120)
    # few distinct scores and facets: ties and repeats on every page
    scores = sorted((rng.choice([0.0, 0.1, 0.15, 0.3, 0.45, 1.0]) + rng.randrange(3) * 0.05
                     for _ in range(n)), reverse=True)
    facets = [rng.sample(range(6), rng.randrange(0, 3)) for _ in range(n)]
    limit = rng.randrange(1, 60)
    assert model.diversified(scores, facets, limit) == _greedy(scores, facets, limit)
