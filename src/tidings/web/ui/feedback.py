"""Feedback the pages send without a form: how long the reader stayed on a story
(`static/dwell.js`, a beacon as they leave). Written by the same call as the API's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response

from tidings.models import InteractionKind
from tidings.store import reading
from tidings.web.api import feedback
from tidings.web.api.shapes import Id
from tidings.web.deps import Conn, Reader, uid

router = APIRouter()


@router.post("/stories/{story_id}/dwell", status_code=204)
def story_dwell(story_id: Id, conn: Conn, user: Reader, *,
                ms: Annotated[int, Form(ge=0, le=86_400_000)]) -> Response:
    """The reader read the story for `ms` milliseconds."""
    reading.visible_story_articles(conn, uid(user), story_id)  # 404 when not theirs
    feedback.give(conn, uid(user), InteractionKind.READ, story_id=story_id, dwell_ms=ms)
    return Response(status_code=204)
