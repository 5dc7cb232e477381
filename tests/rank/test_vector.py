"""The array ranker (`rank.vector`, what a feed request runs) agrees with the model's Python
ranking (`model.rank`, what bench/ranking.py and the explanations use) on a real library:
bench/feed_latency's generated one (readers with topic, entity, keyword and source follows,
entity and source mutes, hides, opens and learned profiles), plus rule boosts and hides."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from bench.feed_latency import QUICK, build
from sqlalchemy.engine import Engine

from tidings.rank import model, vector
from tidings.rank.feed import WINDOW
from tidings.store import columns, profiles
from tidings.store import story_features as features
from tidings.store.catalogue import Shared
from tidings.store.db import read_transaction, transaction
from tidings.store.schema import follows, story_marks, story_sources


def _marks(engine: Engine) -> None:
    """Rule boosts (positive and negative) and rule hides for some readers."""
    rng = random.Random(3)
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        stories = [int(r[0]) for r in conn.execute(
            sa.select(story_sources.c.story_id).distinct())]
        rows = {}
        for uid in range(1, QUICK.users + 1, 3):
            for sid in rng.sample(stories, 15):
                rows[uid, sid] = {"user_id": uid, "story_id": sid, "hidden": rng.random() < 0.2,
                                  "boost": rng.choice([-2.0, -0.5, 0.5, 1.0, 3.0]),
                                  "reason": "a rule", "at": now}
        conn.execute(sa.insert(story_marks), list(rows.values()))
        had = {(r.user_id, r.target) for r in conn.execute(
            sa.select(follows.c.user_id, follows.c.target))}
        conn.execute(sa.insert(follows), [  # follows by the reader's name for a source
            {"user_id": uid, "target_kind": "source", "target": f"Outlet {uid % 10}",
             "weight": 2.0, "muted": False} for uid in range(2, QUICK.users + 1, 7)
            if (uid, f"Outlet {uid % 10}") not in had])


def test_the_array_ranker_ranks_as_the_model_does(engine: Engine) -> None:
    build(engine, QUICK)
    _marks(engine)
    now = datetime.now(UTC) + timedelta(minutes=1)
    compared = boosted = 0
    with read_transaction(engine) as conn:
        for uid in range(1, QUICK.users + 1):
            who = features.reader(conn, uid, at=now)
            who.profile = profiles.load(conn, uid)
            chosen, subs = features.choose(conn, uid, now - WINDOW, 300, follows=who.follows)
            cands = [columns.candidate(chosen, i, subs) for i in range(len(chosen))]
            for limit in (5, 50):
                fast = vector.rank(chosen, subs, who, now, limit=limit)
                slow = model.rank(cands, who, now, limit=limit)
                assert [s.candidate.story_id for s in fast] == \
                    [s.candidate.story_id for s in slow], f"reader {uid}, limit {limit}"
                for a, b in zip(fast, slow, strict=True):
                    assert a.score == pytest.approx(b.score, abs=1e-9)
                    assert a.why == b.why and a.contributions == b.contributions
            compared += bool(cands)
            boosted += bool(who.boosts)
    assert compared > QUICK.users * 0.9 and boosted > 30


def test_columns_choose_as_a_scan_of_the_coverage_does() -> None:
    """Stories put, changed and dropped at random (through compaction): `choose` picks and
    orders what a plain scan of the live coverage picks."""
    rng = random.Random(9)
    cols = columns.Columns()
    live: dict[int, dict[int, tuple[datetime, int, int, int, str]]] = {}
    base = datetime(2026, 11, 1, tzinfo=UTC)
    shared = Shared(updated_at=base, first_seen=base, outlet_count=1, velocity=0.0,
                    topics=("a",), entities=(), entity_ids=frozenset(),
                    entity_names=frozenset(), entity_shares=(), about="", bylines=())
    for step in range(6000):
        sid = rng.randrange(1, 900)
        if rng.random() < 0.3:
            cols.drop(sid)
            live.pop(sid, None)
            continue
        cov = {}
        for src in rng.sample(range(1, 30), rng.randrange(1, 4)):
            at = base + timedelta(minutes=rng.randrange(0, 5000))
            cov[src] = (at, step * 10 + src, src, rng.randrange(1, 4), f"h{step}")
        cols.put(sid, shared, cov)
        live[sid] = cov
    for _ in range(30):
        mine = rng.sample(range(1, 30), rng.randrange(1, 12))
        since = base + timedelta(minutes=rng.randrange(0, 4000))
        got = cols.choose(columns.np.asarray(mine, columns.np.int64), since, 40)
        scan = []
        for sid, cov in live.items():
            rows = sorted((c for s, c in cov.items() if s in mine), reverse=True)
            if rows and rows[0][0] >= since:
                scan.append((rows[0][0], sid, rows))
        scan.sort(key=lambda t: (t[0], t[1]), reverse=True)
        assert got.story_ids.tolist() == [sid for _, sid, _ in scan[:40]]
        assert [got.coverage(i) for i in range(len(got))] == [r for _, _, r in scan[:40]]
    assert cols.dead_slots < cols.slots  # compaction ran
