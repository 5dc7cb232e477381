"""Online learning from feedback: the direction of each kind, position-bias correction, the
global prior, JSON round trips and replay."""

from __future__ import annotations

import json
from datetime import timedelta

from tidings.models import utcnow
from tidings.rank.candidate import Candidate
from tidings.rank.learn import (
    PRIOR_WEIGHTS,
    Learning,
    Profile,
    examined,
    learn_into,
    observe,
    replay,
    snapshot,
)

NOW = utcnow()


def snap(sid: int = 1, topic: str = "harbours") -> dict:
    c = Candidate(story_id=sid, headline="h", lead_article_id=1, first_seen=NOW,
                  last_seen=NOW - timedelta(hours=2), article_count=3, source_ids=(4, 5),
                  outlet_count=3, velocity=1.0, topics=(topic,),
                  entities=((7, "Quay Board", 3.0), (8, "Tide Office", 1.0)),
                  outlets=("Quay Post", "Coast FM"))
    return snapshot(c, age_h=2.0)


def topic_after(kind: str, **kw: object) -> float:
    return observe(Profile(), kind, snap(), **kw).topics["harbours"].value  # type: ignore[arg-type]


def test_snapshot_is_small_json_of_what_the_story_was() -> None:
    s = snap()
    assert json.loads(json.dumps(s)) == s
    assert s["sources"] == [[4, "Quay Post"], [5, "Coast FM"]] and s["age_h"] == 2.0


def test_each_kind_of_feedback_moves_the_affinity_its_way() -> None:
    assert topic_after("like") > topic_after("open") > 0
    assert topic_after("save") > 0 and topic_after("read", dwell_ms=5_000) > 0
    assert topic_after("read", dwell_ms=90_000) > topic_after("read", dwell_ms=5_000)
    assert topic_after("hide") < topic_after("dislike") < 0
    assert topic_after("impression", position=0) < 0


def test_a_skip_far_down_counts_less_than_a_skip_at_the_top() -> None:
    top, low = topic_after("impression", position=0), topic_after("impression", position=9)
    assert top < low < 0
    flat = Learning(position_correction=False)
    assert topic_after("impression", position=0, learning=flat) == topic_after(
        "impression", position=9, learning=flat)
    assert examined(0) == 1.0 and abs(examined(2) - 0.5) < 1e-12


def test_with_inverse_propensity_an_open_far_down_counts_more() -> None:
    ips = Learning(ips=1.0)
    assert topic_after("open", position=9, learning=ips) > topic_after("open", position=0,
                                                                        learning=ips)


def test_observe_leaves_its_argument_alone_and_counts() -> None:
    p = Profile()
    q = observe(p, "open", snap())
    assert p.n == 0 and not p.topics and q.n == 1 and q.opened == [1]
    assert q.entities[7].reads == 1 and q.sources[4].name == "Quay Post"
    assert observe(q, "open", snap()).entities[7].reads == 1  # the same story again
    assert observe(q, "applause", snap()).n == 1  # unknown kinds teach nothing


def test_weights_start_at_the_prior_and_learn_from_opens() -> None:
    assert Profile().weights == PRIOR_WEIGHTS
    p = Profile()
    for i in range(30):
        learn_into(p, "impression", snap(i, "music"), position=0)
        learn_into(p, "impression", snap(100 + i, "harbours"), position=1)
        learn_into(p, "open", snap(100 + i, "harbours"), position=1)
    assert p.weights != PRIOR_WEIGHTS and all(w >= 0 for w in p.weights.values())
    assert p.topics["harbours"].value > 0 > p.topics["music"].value
    fixed = replay([("open", snap(), 0, None)] * 5, Learning(weight_rate=0.0))
    assert fixed.weights == PRIOR_WEIGHTS


def test_json_round_trip_and_replay_are_exact() -> None:
    events = [("impression", snap(1), 0, None), ("open", snap(1), 0, None),
              ("read", snap(1), 0, 45_000), ("impression", snap(2, "music"), 1, None),
              ("hide", snap(2, "music"), 1, None)]
    p = Profile()
    for kind, s, pos, dwell in events:
        p = Profile.from_json(json.loads(json.dumps(
            observe(p, kind, s, position=pos, dwell_ms=dwell).to_json())))
    assert replay(events).to_json() == p.to_json()
    assert Profile.from_json(None).to_json() == Profile().to_json()
    assert Profile.from_json({"v": 99}).to_json() == Profile().to_json()
