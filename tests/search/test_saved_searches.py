"""Saved searches in the store: names are per reader, and each is a stream of article ids
(newest first, paged) for the Google Reader API's user/-/label/<name>."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from tests.accounts import reader, subscribe
from tidings.models import Article, Source, SourceKind
from tidings.store import saved_searches as saved
from tidings.store import search_index
from tidings.store import sources as source_store
from tidings.store.articles import insert_article
from tidings.store.db import transaction

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def test_a_saved_search_is_a_paged_stream_of_the_readers_articles(engine: Engine) -> None:
    with transaction(engine) as conn:
        source, _ = source_store.add_source(conn, Source(url="https://example.org/f",
                                                         kind=SourceKind.PAGE))
        ann = subscribe(conn, source.id or 0, "ann")
        bob = reader(conn, "bob")
        ids = []
        for i in range(5):
            ids.append(insert_article(conn, Article(
                title=f"Ferry timetable {i}" if i != 2 else "Something else",
                text="Ferries run late.", language="en", source_id=source.id,
                fetched_at=NOW + timedelta(hours=i)), entry_key=str(i)))
            search_index.index_article(conn, ids[-1])
        saved.save_search(conn, ann.id or 0, "Ferries", "title:ferry", "h1")
        with pytest.raises(saved.NameTaken):
            saved.save_search(conn, ann.id or 0, "Ferries", "x", "h2")
        saved.save_search(conn, bob.id or 0, "Ferries", "title:ferry", "h3")  # his own name
    with transaction(engine) as conn:
        first, cursor = saved.saved_search_article_ids(conn, ann.id or 0, "Ferries", 3)
        rest, end = saved.saved_search_article_ids(conn, ann.id or 0, "Ferries", 3,
                                                   cursor=cursor)
        assert first + rest == [ids[4], ids[3], ids[1], ids[0]] and end is None
        assert saved.saved_search_article_ids(conn, bob.id or 0, "Ferries", 10) == ([], None)
        with pytest.raises(saved.UnknownSavedSearch):
            saved.saved_search_article_ids(conn, ann.id or 0, "Nope", 10)
        assert saved.saved_search_by_feed(conn, "h1").name == "Ferries"  # type: ignore[union-attr]
        saved.delete_saved_search(conn, ann.id or 0, "Ferries")
        assert saved.list_saved_searches(conn, ann.id or 0) == []
