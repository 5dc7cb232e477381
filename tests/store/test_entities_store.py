from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.enrich import entity_key
from tidings.models import Article, Entity, EntityKind, Quote
from tidings.store import articles as article_store
from tidings.store import entities as entity_store
from tidings.store.db import transaction
from tidings.store.schema import entities, quotes


def _article(conn: sa.Connection, key: str) -> int:
    return article_store.insert_article(conn, Article(title=key, text="…"), entry_key=key)


def test_one_entity_across_articles_with_aliases_merged(engine: Engine) -> None:
    us_short = Entity("United States", EntityKind.PLACE, count=2, aliases=["US"])
    us_long = Entity("United States", EntityKind.PLACE, count=1, aliases=["the United States"])
    said = [Quote("We will look at the figures again", speaker="Ana Ruiz"),
            Quote("Nobody asked the neighbours", speaker="a resident", direct=False)]
    with transaction(engine) as conn:
        first, second = _article(conn, "a"), _article(conn, "b")
        entity_store.save_annotations(conn, first, [us_short], [], entity_key)
        entity_store.save_annotations(conn, second, [us_long, Entity("Ana Ruiz",
                                      EntityKind.PERSON)], said, entity_key)
        stored = conn.execute(sa.select(entities.c.name, entities.c.aliases)).all()
        linked = conn.execute(sa.select(quotes.c.speaker, quotes.c.entity_id)
                              .order_by(quotes.c.id)).all()
        mentions = entity_store.entities_of(conn, [first, second])
        kept = [q.text for q in entity_store.quotes_of(conn, second)]
    assert sorted(r.name for r in stored) == ["Ana Ruiz", "United States"]
    us = next(r for r in stored if r.name == "United States")
    assert us.aliases == ["US", "the United States"]
    assert [e.count for e in mentions[first]] == [2]
    assert linked[0].entity_id is not None and linked[1].entity_id is None
    assert kept == [q.text for q in said]


def test_two_names_with_one_key_are_one_mention_row(engine: Engine) -> None:
    names = [Entity("United States", EntityKind.PLACE, count=3, salience=0.4),
             Entity("US", EntityKind.PLACE, count=2, salience=0.6)]
    assert entity_key("US", EntityKind.PLACE) == entity_key("United States", EntityKind.PLACE)
    with transaction(engine) as conn:
        article_id = _article(conn, "c")
        entity_store.save_annotations(conn, article_id, names, [], entity_key)
        [stored] = entity_store.entities_of(conn, [article_id])[article_id]
    assert (stored.count, stored.salience) == (5, 0.6)
