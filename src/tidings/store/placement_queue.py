"""The placement queue: articles are placed in stories in the order they were queued.

Which story an article joins depends on the articles placed before it, so workers that store
the articles of one queue at the same time must place them in the queue's order, not in the
order they happen to win the write lock. Whoever queues articles takes one ticket per
article, in order, in one statement (`queue`); the article's own transaction removes its
ticket (`placed`), and an article that could not be stored gives it back (`release`). Before
placing, a worker waits while earlier tickets are pending (`tidings.placement.wait_turn`).

A ticket is the table's integer key: a new one is larger than every pending one on both
engines (SQLite takes the largest + 1, PostgreSQL a sequence), whichever process or machine
takes it.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.store.schema import now, placement_queue

FORGET_AFTER = timedelta(hours=1)  # a ticket this old was left by a process that died

_QUEUE = sa.insert(placement_queue).returning(placement_queue.c.ticket,
                                              sort_by_parameter_order=True)
_FORGET = sa.delete(placement_queue).where(placement_queue.c.queued_at < sa.bindparam("before"))
_PLACED = sa.delete(placement_queue).where(placement_queue.c.ticket == sa.bindparam("ticket"))
_RELEASE = sa.delete(placement_queue).where(
    placement_queue.c.ticket.in_(sa.bindparam("tickets", expanding=True)))
_AHEAD = sa.select(sa.func.count()).select_from(placement_queue).where(
    placement_queue.c.ticket < sa.bindparam("ticket"))
_ABANDON = sa.delete(placement_queue).where(placement_queue.c.ticket < sa.bindparam("ticket"))


def queue(conn: Connection, count: int) -> list[int]:
    """`count` tickets, in order (tickets forgotten for an hour are dropped first)."""
    at = now()
    conn.execute(_FORGET, {"before": at - FORGET_AFTER})
    if count <= 0:
        return []
    return [int(t) for t in conn.execute(_QUEUE, [{"queued_at": at}] * count).scalars()]


def ahead(conn: Connection, ticket: int) -> int:
    """How many earlier tickets are still pending."""
    return int(conn.execute(_AHEAD, {"ticket": ticket}).scalar_one())


def placed(conn: Connection, ticket: int) -> None:
    """The ticket's article is placed (in the article's transaction)."""
    conn.execute(_PLACED, {"ticket": ticket})


def release(conn: Connection, tickets: list[int]) -> None:
    """These tickets' articles will not be placed (they failed): nobody waits for them."""
    if tickets:
        conn.execute(_RELEASE, {"tickets": tickets})


def abandon_before(conn: Connection, ticket: int) -> int:
    """Drop every ticket earlier than `ticket` (their holders made no progress for too long:
    stopped, or stuck); returns how many. A holder that goes on later places its article out
    of order, nothing worse."""
    return int(conn.execute(_ABANDON, {"ticket": ticket}).rowcount or 0)
