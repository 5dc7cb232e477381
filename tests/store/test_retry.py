"""Transactions the database aborts for a deadlock are run again; entity upserts take their
row locks in one order, so two articles naming the same people cannot deadlock."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tidings.models import Article, Entity, EntityKind, Source
from tidings.store import articles as article_store
from tidings.store import entities as entity_store
from tidings.store import sources as source_store
from tidings.store.db import is_transient, run_in_transaction, transaction
from tidings.store.schema import article_entities, sources


def _two_sources(engine: Engine) -> list[int]:
    with transaction(engine) as conn:
        return [source_store.add_source(conn, Source(url=f"https://r{i}.example/feed"))[0].id or 0
                for i in range(2)]


def test_a_deadlocked_transaction_is_retried_and_both_commit(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes one write lock per transaction (BEGIN IMMEDIATE): no deadlock")
    first, second = _two_sources(engine)
    both_hold_one = threading.Barrier(2, timeout=10)
    retries: list[str] = []
    errors: list[BaseException] = []

    def work(order: tuple[int, int], name: str) -> None:
        attempt = {"n": 0}

        def locked(conn: Connection) -> None:
            attempt["n"] += 1
            conn.execute(sa.update(sources).where(sources.c.id == order[0]).values(title=name))
            if attempt["n"] == 1:
                both_hold_one.wait()  # each holds one row and now asks for the other's
            conn.execute(sa.update(sources).where(sources.c.id == order[1]).values(title=name))

        try:
            run_in_transaction(engine, locked, before_retry=lambda: retries.append(name))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=((first, second), "a")),
               threading.Thread(target=work, args=((second, first), "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(retries) == 1  # one side was the deadlock victim, once
    with transaction(engine) as conn:
        titles = {source_store.get_source(conn, i).title for i in (first, second)}
    assert titles == set(retries)  # the retried side committed last


def test_other_database_errors_are_not_retried(engine: Engine) -> None:
    calls = []

    def broken(conn: Connection) -> None:
        calls.append(1)
        conn.execute(sa.text("SELECT * FROM no_such_table"))

    with pytest.raises(sa.exc.DBAPIError) as caught:
        run_in_transaction(engine, broken)
    assert calls == [1] and not is_transient(caught.value)


def test_concurrent_articles_naming_the_same_entities_all_land(engine: Engine) -> None:
    """Eight threads store articles naming the same twelve entities, each in its own order."""
    names = [Entity(name=f"Person {chr(65 + i)} Example", kind=EntityKind.PERSON, count=1)
             for i in range(12)]
    with transaction(engine) as conn:
        source = source_store.add_source(conn, Source(url="https://e.example/feed"))[0]
    errors: list[BaseException] = []
    start = threading.Barrier(8, timeout=10)

    def store(n: int) -> None:
        mine = names[n:] + names[:n] if n % 2 else list(reversed(names))
        try:
            start.wait()
            run_in_transaction(engine, lambda conn: entity_store.save_annotations(
                conn, article_store.insert_article(conn, Article(
                    title=f"a{n}", text="…", source_id=source.id), entry_key=f"a{n}"), mine, [],
                lambda name, kind: f"{kind}:{name.lower()}"))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=store, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with engine.connect() as conn:
        mentions = conn.execute(sa.select(sa.func.count()).select_from(article_entities))
        assert mentions.scalar_one() == 8 * 12
