"""Learned profiles on both databases: record learns in the same transaction, undo restores
exactly the previous score, a reader cannot undo someone else's feedback."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tests.accounts import reader
from tidings.models import utcnow
from tidings.rank import model
from tidings.rank.candidate import Candidate, Reader
from tidings.rank.learn import PRIOR_WEIGHTS
from tidings.store import profiles
from tidings.store import stories as story_store
from tidings.store.db import transaction
from tidings.store.schema import interactions, story_features, user_models

NOW = utcnow()


def _story(conn: Connection, title: str, topic: str, entity: tuple[int, str]) -> Candidate:
    sid = story_store.create_story(conn, title, NOW - timedelta(hours=2))
    return Candidate(story_id=sid, headline=title, lead_article_id=0,
                     first_seen=NOW - timedelta(hours=3), last_seen=NOW - timedelta(hours=2),
                     article_count=2, source_ids=(7,), outlet_count=2, velocity=0.5,
                     topics=(topic,), entities=((*entity, 3.0),), outlets=("Quay Post",))


def _score(conn: Connection, user_id: int, c: Candidate) -> float:
    return model.score(c, Reader(user_id, profile=profiles.load(conn, user_id)), NOW).score


def test_a_new_reader_has_the_prior(engine: Engine) -> None:
    with transaction(engine) as conn:
        uid = reader(conn, "ann").id or 0
        p = profiles.load(conn, uid)
    assert p.weights == PRIOR_WEIGHTS and p.n == 0 and not p.topics


def test_record_keeps_the_snapshot_and_learns_in_the_same_transaction(engine: Engine) -> None:
    with transaction(engine) as conn:
        uid = reader(conn, "ann").id or 0
        harbour = _story(conn, "Harbour wall repaired", "harbours", (11, "Quay Board"))
        iid = profiles.record(conn, uid, "open", story_id=harbour.story_id, position=3,
                              candidate=harbour)
    with transaction(engine) as conn:
        row = conn.execute(sa.select(interactions).where(interactions.c.id == iid)).one()
        p = profiles.load(conn, uid)
    assert (row.kind, row.position, row.user_id) == ("open", 3, uid)
    assert row.features["topics"] == ["harbours"] and row.features["entities"][0][0] == 11
    assert p.n == 1 and p.topics["harbours"].value > 0 and p.entities[11].reads == 1
    assert p.entities[11].name == "Quay Board"


def test_a_failed_transaction_keeps_neither_the_interaction_nor_the_learning(
        engine: Engine) -> None:
    with transaction(engine) as conn:
        uid = reader(conn, "ann").id or 0
        harbour = _story(conn, "Harbour wall repaired", "harbours", (11, "Quay Board"))
    with pytest.raises(RuntimeError), transaction(engine) as conn:
        profiles.record(conn, uid, "like", story_id=harbour.story_id, candidate=harbour)
        raise RuntimeError("the request failed after recording")
    with transaction(engine) as conn:
        assert profiles.load(conn, uid).n == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(interactions)).scalar() == 0


def test_undo_restores_exactly_the_previous_score(engine: Engine) -> None:
    with transaction(engine) as conn:
        uid = reader(conn, "ann").id or 0
        harbour = _story(conn, "Harbour wall repaired", "harbours", (11, "Quay Board"))
        ferry = _story(conn, "Ferry timetable changes", "harbours", (12, "Ferry Co"))
        choir = _story(conn, "Choir wins prize", "music", (13, "Town Choir"))
        for pos, c in enumerate((harbour, ferry, choir)):
            profiles.record(conn, uid, "impression", story_id=c.story_id, position=pos,
                            candidate=c)
        profiles.record(conn, uid, "open", story_id=harbour.story_id, position=0,
                        candidate=harbour)
        tour = _story(conn, "Choir tour announced", "music", (13, "Town Choir"))
        before = {c.story_id: _score(conn, uid, c) for c in (ferry, choir, tour)}
        saved = profiles.load(conn, uid).to_json()
        liked = profiles.record(conn, uid, "like", story_id=choir.story_id, candidate=choir)
        assert _score(conn, uid, tour) > before[tour.story_id]  # more like this
    with transaction(engine) as conn:
        assert profiles.undo(conn, uid, liked)
    with transaction(engine) as conn:
        assert {c.story_id: _score(conn, uid, c) for c in (ferry, choir, tour)} == before
        assert profiles.load(conn, uid).to_json() == saved


def test_a_reader_cannot_undo_anothers_feedback(engine: Engine) -> None:
    with transaction(engine) as conn:
        ann, bob = reader(conn, "ann").id or 0, reader(conn, "bob").id or 0
        choir = _story(conn, "Choir wins prize", "music", (13, "Town Choir"))
        iid = profiles.record(conn, ann, "hide", story_id=choir.story_id, candidate=choir)
        assert not profiles.undo(conn, bob, iid)
        assert not profiles.undo(conn, ann, iid + 1000)
        assert profiles.load(conn, ann).topics["music"].value < 0
        assert conn.execute(sa.select(sa.func.count()).select_from(interactions)).scalar() == 1


def test_rebuild_equals_what_record_learned(engine: Engine) -> None:
    with transaction(engine) as conn:
        uid = reader(conn, "ann").id or 0
        cands = [_story(conn, f"Item {i}", ("harbours", "music")[i % 2], (20 + i, f"Name {i}"))
                 for i in range(6)]
        for i, c in enumerate(cands):
            profiles.record(conn, uid, "impression", story_id=c.story_id, position=i,
                            candidate=c)
            if i % 2 == 0:
                profiles.record(conn, uid, "read", story_id=c.story_id, position=i,
                                dwell_ms=40_000, candidate=c)
        learned = profiles.load(conn, uid).to_json()
        assert profiles.rebuild(conn, uid).to_json() == learned
        assert conn.execute(sa.select(sa.func.count()).select_from(user_models)).scalar() == 1


def test_bad_feedback_is_refused(engine: Engine) -> None:
    with transaction(engine) as conn:
        uid = reader(conn, "ann").id or 0
        choir = _story(conn, "Choir wins prize", "music", (13, "Town Choir"))
        with pytest.raises(ValueError, match="applause"):
            profiles.record(conn, uid, "applause", story_id=choir.story_id)
        with pytest.raises(ValueError, match="position"):
            profiles.record(conn, uid, "open", story_id=choir.story_id, position=-1)


def test_without_a_candidate_the_story_features_are_the_snapshot(engine: Engine) -> None:
    with transaction(engine) as conn:
        uid = reader(conn, "ann").id or 0
        sid = story_store.create_story(conn, "Lighthouse relit", NOW - timedelta(hours=1))
        conn.execute(sa.insert(story_features).values(
            story_id=sid, headline="Lighthouse relit", first_seen=NOW, last_seen=NOW,
            article_count=1, outlet_count=3, velocity=0.0, topics=["coast"],
            entities=[[31, "Keeper Guild", 2.0]], entity_ids=[31], about="", bylines=[],
            updated_at=NOW))
        profiles.record(conn, uid, "save", story_id=sid)
        p = profiles.load(conn, uid)
    assert p.topics["coast"].value > 0 and p.entities[31].name == "Keeper Guild"
