"""The placement queue: tickets in order, and a worker waits for the earlier ones (both
databases)."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.placement import wait_turn
from tidings.store import placement_queue
from tidings.store.db import transaction
from tidings.store.schema import now
from tidings.store.schema import placement_queue as queue_table


def _queue(engine: Engine, count: int) -> list[int]:
    with transaction(engine) as conn:
        return placement_queue.queue(conn, count)


def _ahead(engine: Engine, ticket: int) -> int:
    with transaction(engine) as conn:
        return placement_queue.ahead(conn, ticket)


def test_tickets_come_in_order_each_after_every_pending_one(engine: Engine) -> None:
    first = _queue(engine, 3)
    assert first == sorted(first) and len(set(first)) == 3
    with transaction(engine) as conn:
        placement_queue.placed(conn, first[2])  # the newest placed: its number is not reused
    later = _queue(engine, 2)
    assert min(later) > max(first)
    assert [_ahead(engine, t) for t in later] == [2, 3]
    with transaction(engine) as conn:
        placement_queue.placed(conn, first[0])
        placement_queue.release(conn, [first[1]])
    assert [_ahead(engine, t) for t in later] == [0, 1]


def test_tickets_left_for_an_hour_are_forgotten(engine: Engine) -> None:
    with transaction(engine) as conn:
        conn.execute(sa.insert(queue_table), [{"queued_at": now() - timedelta(hours=2)}])
    ticket = _queue(engine, 1)[0]
    assert _ahead(engine, ticket) == 0


def test_a_worker_waits_until_the_earlier_article_is_placed(engine: Engine) -> None:
    earlier, mine = _queue(engine, 2)
    turns: list[bool] = []
    waiter = threading.Thread(target=lambda: turns.append(wait_turn(engine, mine)))
    waiter.start()
    waiter.join(0.5)
    assert waiter.is_alive() and not turns  # still waiting for `earlier`
    with transaction(engine) as conn:
        placement_queue.placed(conn, earlier)
    waiter.join(10)
    assert turns == [True]


def test_a_stalled_earlier_ticket_is_dropped_and_the_article_goes_ahead(engine: Engine) -> None:
    _stuck, mine, after = _queue(engine, 3)
    assert wait_turn(engine, mine, stall_s=0.2) is False
    assert _ahead(engine, mine) == 0  # nobody else waits for the stuck one either
    assert _ahead(engine, after) == 1  # but the later ones still wait for `mine`
