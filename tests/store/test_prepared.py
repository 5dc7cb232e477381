"""`db.Prepared`: a statement run on the driver's cursor answers exactly what SQLAlchemy's
execution answers (the same values, of the same types, by the same names), on both engines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.models import utcnow
from tidings.store.db import in_ids, read_transaction, transaction
from tidings.store.prepared import Prepared
from tidings.store.schema import sources, user_models, users

_SINCE = sa.bindparam("since", type_=sources.c.created_at.type)
# a datetime, a JSON document, a boolean, NULLs, a numeric sum, a constant and an id list
_ALL = sources.alias("every")
_MIXED = (sa.select(sources.c.id, sources.c.created_at, sources.c.full_text, sources.c.etag,
                    sa.literal("x").label("tag"), user_models.c.weights,
                    sa.select(sa.func.sum(sa.case((_ALL.c.full_text, 1), else_=0)))
                    .scalar_subquery().label("n"))
          .select_from(sources.outerjoin(user_models, user_models.c.user_id == sources.c.id))
          .where(in_ids(sources.c.id, "ids"), sources.c.created_at >= _SINCE)
          .order_by(sources.c.id))


def _fill(engine: Engine) -> Any:
    now = utcnow()
    with transaction(engine) as conn:
        conn.execute(sa.insert(users), [{"id": i, "name": f"r{i}", "created_at": now}
                                        for i in (1, 2)])
        conn.execute(sa.insert(sources), [
            {"id": i, "url": f"https://example.org/{i}.xml", "created_at": now
             - timedelta(days=i, microseconds=i), "full_text": i % 2 == 0,
             "etag": None if i % 3 else f'"e{i}"'} for i in range(1, 8)])
        conn.execute(sa.insert(user_models), [
            {"user_id": 1, "weights": {"w": {"topic": 0.5}, "n": [1, 2]}, "updated_at": now},
            {"user_id": 2, "weights": {"ünï": "“quoted”"}, "updated_at": now}])
    return now


def test_prepared_rows_are_what_sqlalchemy_answers(engine: Engine) -> None:
    now = _fill(engine)
    prepared = Prepared(_MIXED)
    with read_transaction(engine) as conn:
        for ids, since in (([1, 2, 3, 6], now - timedelta(days=30)), ([2, 5], now),
                           ([], now - timedelta(days=30)), ([7, 2**62], now - timedelta(days=8))):
            params = {"ids": ids, "since": since}
            expected = conn.execute(_MIXED, params).all()
            got = prepared.rows(conn, params)
            assert [tuple(r) for r in got] == [tuple(r) for r in expected]
            assert [[type(v) for v in r] for r in got] == [[type(v) for v in r]
                                                           for r in expected]
            assert [r._asdict() for r in got] == [r._asdict() for r in expected]
    assert [r.id for r in got] == [7]


def test_listeners_see_it_and_a_driver_error_is_sqlalchemys(engine: Engine) -> None:
    _fill(engine)
    seen: list[str] = []
    listener = lambda _c, _cur, statement, *_a: seen.append(statement)  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        with read_transaction(engine) as conn:
            Prepared(sa.select(sources.c.id).where(sources.c.id == 1)).rows(conn, {})
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert [s for s in seen if "sources" in s] == [seen[-1]]
    missing = sa.table("no_such_table", sa.column("x"))
    with pytest.raises(sa.exc.DBAPIError), read_transaction(engine) as conn:
        Prepared(sa.select(missing.c.x)).rows(conn, {})


def test_an_expanding_in_list_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="expanding IN"), read_transaction(engine) as conn:
        Prepared(sa.select(sources.c.id).where(sources.c.id.in_([1, 2]))).rows(conn, {})


def test_it_begins_a_transaction_as_execute_does(engine: Engine) -> None:
    _fill(engine)
    with engine.connect() as conn:
        assert not conn.in_transaction()
        rows = Prepared(sa.select(sources.c.id).where(sources.c.id == 2)).rows(conn, {})
        assert conn.in_transaction() and [r.id for r in rows] == [2]
