"""`db.in_ids`: one statement for any number of ids (an array on PostgreSQL, JSON on
SQLite), answering what an IN list answers, and using the index."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.models import utcnow
from tidings.store.db import in_ids, read_transaction, transaction
from tidings.store.schema import sources

_PICK = sa.select(sources.c.id).where(in_ids(sources.c.id, "ids")).order_by(sources.c.id)


@pytest.mark.parametrize("ids", [[], [2], [5, 1, 3], [1, 1, 4], [2**62, 3],
                                 list(range(1, 3000, 2))])
def test_in_ids_answers_as_an_in_list_does(engine: Engine, ids: list[int]) -> None:
    with transaction(engine) as conn:
        conn.execute(sa.insert(sources), [{"id": i, "url": f"https://example.org/{i}.xml",
                                           "kind": "rss", "created_at": utcnow()}
                                          for i in range(1, 21)])
    with read_transaction(engine) as conn:
        got = [r[0] for r in conn.execute(_PICK, {"ids": ids})]
        if all(i < 2**31 for i in ids):  # an INTEGER column's IN list refuses a larger id
            assert got == [r[0] for r in conn.execute(
                sa.select(sources.c.id).where(sources.c.id.in_(ids)).order_by(sources.c.id))]
    assert got == sorted({i for i in ids if i <= 20})


def test_in_ids_is_one_statement_whatever_the_count(engine: Engine) -> None:
    seen = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_a: seen.append(statement))
    with read_transaction(engine) as conn:
        for ids in ([1], [1, 2, 3], list(range(50))):
            conn.execute(_PICK, {"ids": ids}).all()
    picks = [s for s in seen if "sources" in s]
    assert len(picks) == 3 and len(set(picks)) == 1
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + picks[0], ("[1, 2]",)))
        assert "PRIMARY KEY" in plan or "INDEX" in plan, plan
