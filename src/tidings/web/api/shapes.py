"""The JSON shapes the API answers with, and the parameter types it accepts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Path

from tidings.models import Article, FeedItem, Follow, ReadState, Subscription, Token

MAX_ID = 2**63 - 1  # the databases' integer range: a larger id is a 422, not a 500
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def iso(when: Any) -> str | None:
    return when.isoformat() if when is not None else None


def subscription_json(sub: Subscription) -> dict[str, Any]:
    s = sub.source
    return {
        "id": s.id, "url": s.url, "title": sub.name, "feed_title": s.title,
        "site_url": s.site_url, "folder": sub.folder, "kind": str(s.kind),
        "full_text": sub.full_text, "unread": sub.unread, "last_error": s.last_error,
        "error_count": s.error_count, "last_checked_at": iso(s.last_checked_at),
        "next_check_at": iso(s.next_check_at),
    }


def article_brief(a: Article, state: ReadState | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": a.id, "title": a.title, "url": a.url, "source_id": a.source_id,
                           "story_id": a.story_id, "published": iso(a.published_at),
                           "arrived": iso(a.fetched_at)}
    if state is not None:
        out |= {"read": state.read, "starred": state.starred}
    return out


def item_json(item: FeedItem, when: Callable[[Any], Any] = iso) -> dict[str, Any]:
    """One feed item. `when` writes its dates (`same`: left as datetimes, for orjson, which
    writes them as `isoformat` does)."""
    s, lead = item.story, item.lead
    return {
        "story": {"id": s.id, "title": s.title, "article_count": s.article_count,
                  "source_count": s.source_count, "first_seen": when(s.first_seen),
                  "last_seen": when(s.last_seen), "unread": item.unread,
                  "updated": item.updated},
        "lead": {"id": lead.id, "title": lead.title, "url": lead.url,
                 "source_id": lead.source_id, "story_id": lead.story_id,
                 "published": when(lead.published_at), "arrived": when(lead.fetched_at),
                 "key_points": lead.key_points},
        "sources": item.sources, "score": item.score, "why": item.why,
    }


def same(value: Any) -> Any:
    return value


def follow_json(f: Follow) -> dict[str, Any]:
    return {"id": f.id, "kind": str(f.target_kind), "target": f.target, "weight": f.weight,
            "muted": f.muted}


def token_json(t: Token) -> dict[str, Any]:
    return {"id": t.id, "kind": str(t.kind), "label": t.label, "created_at": iso(t.created_at),
            "last_used_at": iso(t.last_used_at)}
