"""An article's entities are written in a fixed number of statements, however many it names."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.enrich import entity_key
from tidings.models import Article, Entity, EntityKind, Quote
from tidings.store import articles as article_store
from tidings.store import entities as entity_store
from tidings.store.db import transaction
from tidings.store.schema import entities


@contextmanager
def _statements(conn: sa.Connection) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa.event.listen(conn, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(conn, "before_cursor_execute", count)


def _people(prefix: str, n: int) -> list[Entity]:
    return [Entity(f"{prefix} Person{i}", EntityKind.PERSON, count=1 + i % 3,
                   aliases=[f"Person{i}"]) for i in range(n)]


def test_statements_do_not_grow_with_the_number_of_entities(engine: Engine) -> None:
    with transaction(engine) as conn:
        few, many = (article_store.insert_article(conn, Article(title=k, text="…"),
                                                  entry_key=k) for k in ("few", "many"))
        said = [Quote("It held", speaker="Ada Person0")]
        with _statements(conn) as small:
            entity_store.save_annotations(conn, few, _people("Ada", 3), said, entity_key)
        with _statements(conn) as large:
            entity_store.save_annotations(conn, many, _people("Bo", 30), said, entity_key)
        stored = conn.execute(sa.select(sa.func.count()).select_from(entities)).scalar_one()
        found = entity_store.entities_of(conn, [few, many])
    assert stored == 33
    assert len(large) == len(small) <= 4  # insert, read back, mentions, quotes
    assert sorted(e.name for e in found[many])[:2] == ["Bo Person0", "Bo Person1"]


def test_known_entities_get_new_aliases_in_one_update(engine: Engine) -> None:
    with transaction(engine) as conn:
        first, second = (article_store.insert_article(conn, Article(title=k, text="…"),
                                                      entry_key=k) for k in ("a", "b"))
        entity_store.save_annotations(conn, first, _people("Cy", 5), [], entity_key)
        again = [Entity(e.name, e.kind, aliases=[*e.aliases, f"Dr {e.name}"])
                 for e in _people("Cy", 5)]
        with _statements(conn) as seen:
            entity_store.save_annotations(conn, second, again, [], entity_key)
        rows = conn.execute(sa.select(entities.c.name, entities.c.aliases)
                            .order_by(entities.c.name)).all()
    assert len(seen) == 4  # insert (all known), read back, one batched alias update, mentions
    assert rows[0].aliases == ["Dr Cy Person0", "Person0"]
    assert len(rows) == 5
