"""What each reader follows or mutes, and what they did (interactions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.models import Follow, InteractionKind, TargetKind
from tidings.store.prepared import Prepared
from tidings.store.schema import follows, interactions, now


def _to_follow(row: Any) -> Follow:
    return Follow(id=row.id, user_id=row.user_id, target_kind=TargetKind(row.target_kind),
                  target=row.target, weight=row.weight, muted=row.muted)


class BlankTarget(ValueError):
    """A follow or mute with nothing to match: it would match every story, or none."""


def follow_target(raw: str) -> str:
    """The target as stored (trimmed); BlankTarget when nothing is left."""
    target = " ".join(raw.split())
    if not target:
        raise BlankTarget("say what to follow or mute: the target is blank")
    return target


def set_follow(conn: Connection, follow: Follow) -> None:
    """Follow or mute a target; a second call for the same target replaces the first."""
    follow_target(follow.target)
    match = sa.and_(follows.c.user_id == follow.user_id,
                    follows.c.target_kind == str(follow.target_kind),
                    follows.c.target == follow.target)
    conn.execute(sa.delete(follows).where(match))
    conn.execute(sa.insert(follows).values(
        user_id=follow.user_id, target_kind=str(follow.target_kind), target=follow.target,
        weight=follow.weight, muted=follow.muted))


_FOLLOWS = Prepared(  # built once: every feed request reads it
    sa.select(follows).where(follows.c.user_id == sa.bindparam("user_id", type_=sa.Integer))
    .order_by(follows.c.id))


def list_follows(conn: Connection, user_id: int) -> list[Follow]:
    return [_to_follow(r) for r in _FOLLOWS.rows(conn, {"user_id": user_id})]


def record_interaction(conn: Connection, user_id: int, kind: InteractionKind, *,
                       article_id: int | None = None, story_id: int | None = None,
                       dwell_ms: int | None = None, position: int | None = None,
                       at: datetime | None = None) -> int:
    """Store one interaction; returns its id (what undo takes)."""
    return int(conn.execute(sa.insert(interactions).values(
        user_id=user_id, kind=str(kind), article_id=article_id, story_id=story_id,
        dwell_ms=dwell_ms, position=position, at=at or now())
        .returning(interactions.c.id)).scalar_one())


def get_interaction(conn: Connection, user_id: int, interaction_id: int) -> Any | None:
    """The reader's interaction row (kind, story_id, article_id, …), None when not theirs."""
    return conn.execute(sa.select(interactions).where(
        interactions.c.id == interaction_id, interactions.c.user_id == user_id)).first()


def interaction_ids(conn: Connection, user_id: int, kind: InteractionKind,
                    story_id: int) -> list[int]:
    """The reader's interactions of one kind on one story, newest first."""
    stmt = (sa.select(interactions.c.id).where(
        interactions.c.user_id == user_id, interactions.c.kind == str(kind),
        interactions.c.story_id == story_id).order_by(interactions.c.id.desc()))
    return [r[0] for r in conn.execute(stmt)]


def delete_interaction(conn: Connection, user_id: int, interaction_id: int) -> bool:
    result = conn.execute(sa.delete(interactions).where(
        interactions.c.id == interaction_id, interactions.c.user_id == user_id))
    return bool(result.rowcount)


def seen_story_ids(conn: Connection, user_id: int, kinds: tuple[str, ...]) -> set[int]:
    stmt = sa.select(interactions.c.story_id).where(
        interactions.c.user_id == user_id, interactions.c.kind.in_(kinds),
        interactions.c.story_id.is_not(None))
    return {r[0] for r in conn.execute(stmt)}


def delete_follow(conn: Connection, user_id: int, follow_id: int) -> bool:
    """Stop following (or muting); False when the user has no such follow."""
    result = conn.execute(sa.delete(follows).where(follows.c.id == follow_id,
                                                   follows.c.user_id == user_id))
    return bool(result.rowcount)


def undo_interaction(conn: Connection, user_id: int, kind: InteractionKind,
                     story_id: int) -> bool:
    """Take back a hide or a piece of feedback on a story (all of that kind on it)."""
    result = conn.execute(sa.delete(interactions).where(
        interactions.c.user_id == user_id, interactions.c.kind == str(kind),
        interactions.c.story_id == story_id))
    return bool(result.rowcount)
