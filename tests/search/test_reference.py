"""The engine and a plain-Python reference agree on the result set of generated queries, over
the demo newsroom and a generated multi-language corpus, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Connection, Engine

from tests.conftest import fresh_database
from tests.search import generate, reference
from tidings.config import load_settings
from tidings.demo import load_demo
from tidings.search import parse, terms
from tidings.store import accounts, library
from tidings.store import search as search_store
from tidings.store.db import make_engine, migrate, transaction

QUERIES = 500  # per corpus and engine: 1,000 per engine in all


@dataclass
class World:
    engine: Engine
    demo_user: int
    corpus: generate.Corpus


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[World]:
    directory: Path = tmp_path_factory.mktemp("search")
    with fresh_database(request.param, directory) as url:
        engine = make_engine(url)
        migrate(engine)
        settings = load_settings(env={}, data_dir=directory, database_url=url,
                                 starter_feeds=False)
        load_demo(engine, settings)
        with transaction(engine) as conn:
            demo_user = accounts.user_named(conn, settings.user).id or 0
            corpus = generate.build(conn)
        yield World(engine, demo_user, corpus)
        engine.dispose()


def _demo_queries(conn: Connection, user_id: int, docs: list[reference.Doc]
                  ) -> generate.Queries:
    from tidings.store.articles import get_article  # noqa: PLC0415

    texts = [get_article(conn, d.id).text for d in docs]
    vocab = sorted({w for text in texts for w in terms.words(text)})
    phrases = [" ".join(ws[i:i + 2]) for ws in (terms.words(x) for x in texts)
               for i in range(0, max(len(ws) - 1, 0), 7)]
    names = sorted({n for d in docs for n in d.names["entity"] | d.names["speaker"]})
    subs = library.list_subscriptions(conn, user_id)
    return generate.Queries(random.Random(3), vocab, phrases,
                            [n for n in names if n.isalpha()] or ["nobody"],
                            [s.name for s in subs], [s.folder or "none" for s in subs],
                            generate.NOW)


def _agree(conn: Connection, user_id: int, queries: generate.Queries) -> tuple[int, int, int]:
    docs = reference.load(conn, user_id)
    names = library.source_names(conn, user_id)
    folders = {s.source.id or 0: s.folder for s in library.list_subscriptions(conn, user_id)}
    lib = search_store.reader_library(conn, user_id)
    some = empty = 0
    for _ in range(QUERIES):
        text = queries.query()
        tree = parse(text, now=generate.NOW)
        want = reference.reference_ids(docs, tree, names, folders)
        got = search_store.matching_ids(conn, user_id, tree, lib)
        assert got == want, f"{text!r}: engine-only {got - want}, reference-only {want - got}"
        some += 0 < len(want) < len(docs)
        empty += not want
    return some, empty, len(docs)


def test_engine_agrees_with_reference_on_generated_corpus(world: World) -> None:
    c = world.corpus
    with transaction(world.engine) as conn:
        words = sorted({w for ws in generate.WORDS.values() for w in ws} | {"absent", "Cafés"})
        queries = generate.Queries(random.Random(1), words, c.phrases, generate.PEOPLE,
                                   c.sources, c.folders, generate.NOW)
        some, empty, total = _agree(conn, c.user_id, queries)
    assert 80 < total < 160  # only the sources the reader subscribes to
    assert some > QUERIES // 3 and empty < QUERIES // 2  # the queries do discriminate


def test_engine_agrees_with_reference_on_the_demo(world: World) -> None:
    with transaction(world.engine) as conn:
        docs = reference.load(conn, world.demo_user)
        some, empty, _ = _agree(conn, world.demo_user, _demo_queries(conn, world.demo_user,
                                                                     docs))
    assert some > QUERIES // 4 and empty < QUERIES * 2 // 3
