"""Each reader's learned profile (user_models.weights) and the interactions it is built from.

`record` inserts one interaction, with what the story was then (interactions.features) and
where it stood (interactions.position), and updates the profile in the same transaction.
`undo` deletes one and replays the reader's remaining interactions from the prior, so the
profile is exactly what it would have been without it. Functions do not commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.models import InteractionKind
from tidings.rank.candidate import Candidate
from tidings.rank.learn import Profile, learn_into, snapshot
from tidings.store.prepared import Prepared
from tidings.store.schema import (
    interactions,
    now,
    story_features,
    story_sources,
    subscriptions,
    user_models,
)

REPLAY_LIMIT = 5_000  # interactions replayed on undo (older ones stop counting)


_WEIGHTS = Prepared(sa.select(user_models.c.weights).where(  # once: every feed reads it
    user_models.c.user_id == sa.bindparam("user_id", type_=sa.Integer)))


def load(conn: Connection, user_id: int) -> Profile:
    """The reader's profile; the global prior when they have none yet."""
    rows = _WEIGHTS.rows(conn, {"user_id": user_id})
    return Profile.from_json(rows[0][0] if rows else None)


def save(conn: Connection, user_id: int, profile: Profile) -> None:
    values = {"weights": profile.to_json(), "updated_at": now()}
    done = conn.execute(sa.update(user_models).where(user_models.c.user_id == user_id)
                        .values(**values))
    if not done.rowcount:
        conn.execute(sa.insert(user_models).values(user_id=user_id, **values))


def record(conn: Connection, user_id: int, kind: str, *, story_id: int,
           article_id: int | None = None, dwell_ms: int | None = None,
           position: int | None = None, candidate: Candidate | None = None,
           at: datetime | None = None) -> int:
    """Keep one interaction and learn from it; the interaction's id (for undo).
    Raises ValueError for an unknown kind or a negative position or dwell time."""
    kind = str(InteractionKind(kind))
    if (position is not None and position < 0) or (dwell_ms is not None and dwell_ms < 0):
        raise ValueError(f"position and dwell_ms must be ≥ 0 (got {position}, {dwell_ms})")
    at = at or now()
    snap = (_snapshot(candidate, at) if candidate is not None
            else snapshot_of(conn, user_id, story_id, at))
    new_id = conn.execute(sa.insert(interactions).values(
        user_id=user_id, kind=kind, story_id=story_id, article_id=article_id,
        dwell_ms=dwell_ms, position=position, features=snap, at=at)
        .returning(interactions.c.id)).scalar_one()
    profile = load(conn, user_id)
    learn_into(profile, kind, snap, position=position, dwell_ms=dwell_ms)
    save(conn, user_id, profile)
    return int(new_id)


def undo(conn: Connection, user_id: int, interaction_id: int) -> bool:
    """Take back one of the reader's own interactions; False when they have no such one."""
    gone = conn.execute(sa.delete(interactions).where(
        interactions.c.id == interaction_id, interactions.c.user_id == user_id))
    if not gone.rowcount:
        return False
    rebuild(conn, user_id)
    return True


def rebuild(conn: Connection, user_id: int) -> Profile:
    """The profile replayed from the prior over the reader's last REPLAY_LIMIT interactions
    (those `record` kept a snapshot for), oldest first; saved and returned."""
    rows = conn.execute(
        sa.select(interactions.c.kind, interactions.c.features, interactions.c.position,
                  interactions.c.dwell_ms)
        .where(interactions.c.user_id == user_id, interactions.c.features.is_not(None))
        .order_by(interactions.c.id.desc()).limit(REPLAY_LIMIT)).all()
    profile = Profile()
    for kind, features, position, dwell in reversed(rows):
        if isinstance(features, dict):
            learn_into(profile, kind, features, position=position, dwell_ms=dwell)
    save(conn, user_id, profile)
    return profile


def _snapshot(c: Candidate, at: datetime) -> dict[str, Any]:
    return snapshot(c, age_h=max(0.0, (at - c.last_seen).total_seconds() / 3600))


def snapshot_of(conn: Connection, user_id: int, story_id: int,
                at: datetime) -> dict[str, Any]:
    """The story as story_features and the reader's sources have it (no candidate given)."""
    row = conn.execute(sa.select(story_features)
                       .where(story_features.c.story_id == story_id)).first()
    if row is None:
        return {"story_id": story_id}
    srcs = conn.execute(
        sa.select(story_sources.c.source_id, subscriptions.c.title)
        .join(subscriptions, sa.and_(subscriptions.c.source_id == story_sources.c.source_id,
                                     subscriptions.c.user_id == user_id))
        .where(story_sources.c.story_id == story_id).order_by(story_sources.c.source_id)).all()
    c = Candidate(
        story_id=story_id, headline=row.headline, lead_article_id=row.lead_article_id or 0,
        first_seen=row.first_seen, last_seen=row.last_seen, article_count=row.article_count,
        source_ids=tuple(s[0] for s in srcs), outlet_count=row.outlet_count,
        velocity=row.velocity, topics=tuple(row.topics or ()),
        entities=tuple((int(e[0]), str(e[1]), float(e[2])) for e in row.entities or ()),
        outlets=tuple(s[1] for s in srcs))
    return _snapshot(c, at)
