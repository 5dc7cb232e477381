"""Everything of one reader, as plain data: what they follow and mute, their stars, their read
state and their interactions (their subscriptions go out as OPML beside it)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.store.library import IS_READ, visible
from tidings.store.schema import articles, follows, interactions, read_state


def _iso(when: Any) -> str | None:
    return when.isoformat() if when is not None else None


def export_user(conn: Connection, user_id: int) -> dict[str, Any]:
    marked = conn.execute(
        sa.select(articles.c.id, articles.c.url, articles.c.title, read_state.c.starred,
                  read_state.c.hidden, read_state.c.starred_at, IS_READ.label("is_read"))
        .select_from(visible(user_id)).where(read_state.c.user_id == user_id)
        .order_by(articles.c.id)).all()
    return {
        "follows": [{"kind": r.target_kind, "target": r.target, "weight": r.weight,
                     "muted": r.muted}
                    for r in conn.execute(sa.select(follows).where(follows.c.user_id == user_id)
                                          .order_by(follows.c.id))],
        "stars": [{"article_id": r.id, "url": r.url, "title": r.title,
                   "at": _iso(r.starred_at)} for r in marked if r.starred],
        "read_state": [{"article_id": r.id, "url": r.url, "read": bool(r.is_read),
                        "hidden": bool(r.hidden)} for r in marked],
        "interactions": [{"kind": r.kind, "article_id": r.article_id, "story_id": r.story_id,
                          "dwell_ms": r.dwell_ms, "at": _iso(r.at)}
                         for r in conn.execute(sa.select(interactions)
                                               .where(interactions.c.user_id == user_id)
                                               .order_by(interactions.c.id))],
    }
