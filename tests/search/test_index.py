"""The index is built for existing rows by the migration, and rows go with their article."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.accounts import subscribe
from tidings.models import Article, Entity, EntityKind, Quote, Source, SourceKind
from tidings.search import parse
from tidings.store import entities as entity_store
from tidings.store import search as search_store
from tidings.store import search_index
from tidings.store import sources as source_store
from tidings.store.articles import insert_article
from tidings.store.db import make_engine, migrate, transaction

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def _store(engine: Engine, url: str, title: str) -> tuple[int, int]:
    with transaction(engine) as conn:
        source, _ = source_store.add_source(conn, Source(url=url, title=url,
                                                         kind=SourceKind.PAGE))
        user = subscribe(conn, source.id or 0, "ann")
        article_id = insert_article(conn, Article(
            title=title, text="Harbour cranes idle as dockers strike.", language="en",
            source_id=source.id, fetched_at=NOW), entry_key=title)
        entity_store.save_annotations(
            conn, article_id, [Entity("Nell Tomasz", EntityKind.PERSON)],
            [Quote("We will not load the ships", speaker="Nell Tomasz")], lambda n, k: n)
    return user.id or 0, article_id


def test_the_migration_indexes_existing_articles(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0002")
    user_id, article_id = _store(engine, "https://example.org/a", "Dock strike")
    migrate(engine)
    with transaction(engine) as conn:
        for q in ["striking docker", "entity:Tomasz", 'speaker:Nell said:"load the ship"',
                  "title:dock"]:
            assert search_store.matching_ids(conn, user_id, parse(q, now=NOW)) == {article_id}
        assert search_store.matching_ids(conn, user_id, parse("said:strike", now=NOW)) == set()
    engine.dispose()


def test_index_rows_go_with_their_articles(engine: Engine) -> None:
    user_id, first = _store(engine, "https://example.org/a", "Dock strike")
    with transaction(engine) as conn:
        search_index.index_article(conn, first)
        search_index.index_article(conn, first)  # rewriting is idempotent
    _, second = _store(engine, "https://example.org/b", "Second dock strike")
    with transaction(engine) as conn:
        search_index.index_article(conn, second)
        assert search_index.indexed_ids(conn) == {first, second}
        source_store.delete_sources(conn, [source_store.find_source(
            conn, "https://example.org/a").id or 0])
    with transaction(engine) as conn:
        assert search_index.indexed_ids(conn) == {second}
        assert search_store.matching_ids(conn, user_id, parse("dock", now=NOW)) == {second}


def _index_row(engine: Engine, article_id: int) -> str:
    with transaction(engine) as conn:
        if search_index.is_postgres(conn):
            query = "SELECT terms::text FROM article_search WHERE article_id = :i"
        else:
            query = "SELECT terms FROM article_search WHERE rowid = :i"
        return str(conn.execute(sa.text(query), {"i": article_id}).scalar_one())


def test_a_new_article_is_indexed_as_its_stored_row_reads(engine: Engine) -> None:
    # the entity is stored under another name first: the index has the stored name
    article = Article(title="Dock strike", text="Harbour cranes idle as dockers strike.",
                      language="en", fetched_at=NOW, key_points=["Cranes idle"],
                      captions=["A quiet quay"], topics=["labour"], topic_label="Business",
                      entities=[Entity("N. Tomasz", EntityKind.PERSON)],
                      quotes=[Quote("We will not load the ships", speaker="Nell Tomasz"),
                              Quote("Nor unload them", speaker="A docker")])
    with transaction(engine) as conn:
        source, _ = source_store.add_source(conn, Source(url="https://example.org/n",
                                                         title="n", kind=SourceKind.PAGE))
        entity_store.upsert_entity(conn, Entity("Nell Tomasz", EntityKind.PERSON), "tomasz")
        article = replace(article, source_id=source.id)
        article_id = insert_article(conn, article, entry_key="n")
        entity_store.save_annotations(conn, article_id, article.entities, article.quotes,
                                      lambda n, k: "tomasz")
        search_index.index_new_article(conn, article_id, article)
    new = _index_row(engine, article_id)
    with transaction(engine) as conn:
        search_index.index_article(conn, article_id)
    assert "nell" in new and new == _index_row(engine, article_id)
