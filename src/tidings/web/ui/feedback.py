"""Feedback the pages send without a form (`static/dwell.js`, a beacon as the reader leaves):
how long they stayed on a story, and which feed items they saw at which position
(impressions, so that clicks can be corrected for position). Written by the same call as the
API's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Response

from tidings.models import InteractionKind
from tidings.store import reading
from tidings.web.api import feedback
from tidings.web.api.shapes import Id
from tidings.web.deps import Conn, Reader, uid

router = APIRouter()
MAX_SEEN = 100  # items one page can report


@router.post("/stories/{story_id}/dwell", status_code=204)
def story_dwell(story_id: Id, conn: Conn, user: Reader, *,
                ms: Annotated[int, Form(ge=0, le=86_400_000)]) -> Response:
    """The reader read the story for `ms` milliseconds."""
    reading.visible_story_articles(conn, uid(user), story_id)  # 404 when not theirs
    feedback.give(conn, uid(user), InteractionKind.READ, story_id=story_id, dwell_ms=ms)
    return Response(status_code=204)


@router.post("/feed/impressions", status_code=204)
def feed_impressions(conn: Conn, user: Reader, *,
                     seen: Annotated[str, Form(max_length=2000)]) -> Response:
    """`seen` = "story:position,…": the feed items the reader had in view. Stories not theirs
    are left out."""
    pairs = _pairs(seen)
    mine = reading.story_states(conn, uid(user), [s for s, _ in pairs])
    for story_id, position in pairs:
        if story_id in mine:
            feedback.give(conn, uid(user), InteractionKind.IMPRESSION, story_id=story_id,
                          position=position)
    return Response(status_code=204)


def _pairs(seen: str) -> list[tuple[int, int]]:
    out: dict[int, int] = {}
    for part in seen.split(",")[:MAX_SEEN]:
        story, _, position = part.partition(":")
        if not (story.isdigit() and position.isdigit() and len(story) <= 18
                and len(position) <= 5):
            raise HTTPException(status_code=422, detail="seen: give story:position pairs, "
                                "separated by commas (e.g. 12:0,40:1)")
        out.setdefault(int(story), int(position))
    return list(out.items())
