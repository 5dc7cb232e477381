"""Read and star marks from sync apps, the same for both protocols: the JSON API's store calls,
plus what only Tidings does: a story's other articles go read with the one the app marked
(`sync_fold_stories`), and every read, star and open counts as feedback for the ranker."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Connection

from tidings.config import Settings
from tidings.models import InteractionKind
from tidings.store import library, sync
from tidings.web.api import feedback


def mark(conn: Connection, settings: Settings, user_id: int, article_ids: Sequence[int], *,
         read: bool | None = None, starred: bool | None = None) -> int:
    """Apply the marks to the reader's visible articles among `article_ids`; returns how many
    the app named that are theirs."""
    mine = sorted(library.states(conn, user_id, article_ids))
    if not mine:
        return 0
    targets = mine
    if read and settings.sync_fold_stories:
        targets = sync.story_mates(conn, user_id, mine)
    if read is not None:
        library.set_state(conn, user_id, targets, read=read)
    if starred is not None:
        library.set_state(conn, user_id, mine, starred=starred)
    _feedback(conn, user_id, mine, read=read, starred=starred)
    return len(mine)


def _feedback(conn: Connection, user_id: int, article_ids: Sequence[int], *,
              read: bool | None, starred: bool | None) -> None:
    kinds = ([InteractionKind.READ] if read else []) + ([InteractionKind.SAVE] if starred else [])
    if not kinds:
        return
    rows = sync.items(conn, user_id, article_ids)
    for kind in kinds:
        for article_id, row in rows.items():
            feedback.give(conn, user_id, kind, article_id=article_id, story_id=row.story_id)


def opened(conn: Connection, user_id: int, article_ids: Sequence[int]) -> None:
    """An app fetched these articles' full content to show them: an open."""
    for article_id, row in sync.items(conn, user_id, article_ids).items():
        feedback.give(conn, user_id, InteractionKind.OPEN, article_id=article_id,
                      story_id=row.story_id)
