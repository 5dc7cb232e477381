"""Feedback: what a reader tells the ranker (more or fewer like this, hide, star) and what
they do (impression, open, read with dwell time), from the UI, the API and sync apps; each
has an undo.

Every piece of feedback is written by `give` and taken back by `take_back`, whoever asks:
the JSON API here, the UI's forms (`web/ui/pages.py`) and the sync protocols
(`web/compat/marks.py`). The interaction row itself is written in one place, `_record`.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from tidings.models import InteractionKind
from tidings.store import library, profiles, reading
from tidings.store import rules as rule_store
from tidings.store import users as user_store
from tidings.web.api.shapes import MAX_ID, Id
from tidings.web.deps import ApiUser, Conn, uid

router = APIRouter(tags=["feedback"])

KINDS: dict[str, InteractionKind] = {
    "more": InteractionKind.LIKE, "fewer": InteractionKind.DISLIKE,
    "hide": InteractionKind.HIDE, "star": InteractionKind.SAVE,
    "impression": InteractionKind.IMPRESSION, "open": InteractionKind.OPEN,
    "read": InteractionKind.READ,
}
FeedbackKind = Literal["more", "fewer", "hide", "star", "impression", "open", "read"]


class FeedbackIn(BaseModel):
    kind: FeedbackKind
    story_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    article_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    dwell_ms: int | None = Field(default=None, ge=0, le=86_400_000,
                                 description="How long the reader stayed (read)")
    position: int | None = Field(default=None, ge=0, le=10_000,
                                 description="Where the story stood in the feed (0 = top)")


def _record(conn: Connection, user_id: int, kind: InteractionKind, *, story_id: int | None,
            article_id: int | None = None, dwell_ms: int | None = None,
            position: int | None = None) -> int:
    """The one place an interaction is written: kept, and learned from (`store.profiles`)."""
    if story_id is None:  # nothing to learn from an article outside any story
        return user_store.record_interaction(conn, user_id, kind, story_id=None,
                                             article_id=article_id, dwell_ms=dwell_ms,
                                             position=position)
    return profiles.record(conn, user_id, kind, story_id=story_id, article_id=article_id,
                           dwell_ms=dwell_ms, position=position)


def _undo(conn: Connection, user_id: int, interaction_id: int) -> bool:
    """The one place an interaction is taken back: forgotten, and the profile replayed."""
    return profiles.undo(conn, user_id, interaction_id)


def give(conn: Connection, user_id: int, kind: InteractionKind, *, story_id: int | None,
         article_id: int | None = None, dwell_ms: int | None = None,
         position: int | None = None) -> int:
    """Record feedback with what it does at once (a hide hides the story, a star stars the
    article); returns the interaction id."""
    if kind is InteractionKind.HIDE and story_id is not None:
        rule_store.hide_story(conn, user_id, story_id)
    if kind is InteractionKind.SAVE and article_id is not None:
        library.set_state(conn, user_id, [article_id], starred=True)
    return _record(conn, user_id, kind, story_id=story_id, article_id=article_id,
                   dwell_ms=dwell_ms, position=position)


def take_back(conn: Connection, user_id: int, interaction_id: int) -> bool:
    """Undo one interaction and what it did; False when the reader has no such one."""
    row = user_store.get_interaction(conn, user_id, interaction_id)
    if row is None or not _undo(conn, user_id, interaction_id):
        return False
    if row.kind == InteractionKind.HIDE and row.story_id is not None and not (
            user_store.interaction_ids(conn, user_id, InteractionKind.HIDE, row.story_id)):
        rule_store.unhide_story(conn, user_id, row.story_id)
    if row.kind == InteractionKind.SAVE and row.article_id is not None:
        library.set_state(conn, user_id, [row.article_id], starred=False)
    return True


def take_back_story(conn: Connection, user_id: int, kind: InteractionKind,
                    story_id: int) -> int:
    """Undo every interaction of one kind on a story (the UI's Undo); returns how many."""
    ids = user_store.interaction_ids(conn, user_id, kind, story_id)
    return sum(take_back(conn, user_id, i) for i in ids)


def unstar(conn: Connection, user_id: int, article_id: int) -> None:
    """Take the star off an article, and the star feedback with it."""
    library.set_state(conn, user_id, [article_id], starred=False)
    story_id = reading.visible_article(conn, user_id, article_id).story_id
    if story_id is None:
        return
    for i in user_store.interaction_ids(conn, user_id, InteractionKind.SAVE, story_id):
        row = user_store.get_interaction(conn, user_id, i)
        if row is not None and row.article_id == article_id:
            _undo(conn, user_id, i)


def _story_of(conn: Connection, user_id: int, body: FeedbackIn) -> int | None:
    """The story the feedback is about, checked to be the reader's (404 otherwise)."""
    if body.article_id is not None:
        article = reading.visible_article(conn, user_id, body.article_id)
        if body.story_id is not None and article.story_id != body.story_id:
            raise HTTPException(status_code=422, detail=f"article {body.article_id} is not "
                                f"in story {body.story_id}")
        return article.story_id
    if body.story_id is None:
        raise HTTPException(status_code=422, detail="give story_id or article_id (or both)")
    reading.visible_story_articles(conn, user_id, body.story_id)
    return body.story_id


@router.post("/feedback", status_code=201)
def add_feedback(body: FeedbackIn, user: ApiUser, conn: Conn) -> dict[str, Any]:
    """More or fewer like this, hide, star; or what you did (impression, open, read with
    `dwell_ms`). Answers the interaction's `id`: DELETE /api/v1/interactions/{id} undoes it."""
    if body.kind == "star" and body.article_id is None:
        raise HTTPException(status_code=422, detail="star: give the article_id to star")
    story_id = _story_of(conn, uid(user), body)
    interaction_id = give(conn, uid(user), KINDS[body.kind], story_id=story_id,
                          article_id=body.article_id, dwell_ms=body.dwell_ms,
                          position=body.position)
    return {"id": interaction_id, "kind": body.kind, "story_id": story_id,
            "article_id": body.article_id}


@router.delete("/interactions/{interaction_id}", status_code=204)
def undo_interaction(interaction_id: Id, user: ApiUser, conn: Conn) -> Response:
    """Undo feedback (a hide shows the story again, a star is taken off)."""
    if not take_back(conn, uid(user), interaction_id):
        raise HTTPException(status_code=404,
                            detail=f"you have no interaction with id {interaction_id}")
    return Response(status_code=204)
