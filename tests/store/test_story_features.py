"""Story features and candidates: what the feed reads instead of articles must equal what a
slow computation over the articles gives; migration 0008 fills them for a 0007 database."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tests.accounts import reader
from tidings.models import Article, Follow, InteractionKind, Source, TargetKind, utcnow
from tidings.store import articles as article_store
from tidings.store import library, story_features
from tidings.store import sources as source_store
from tidings.store import stories as story_store
from tidings.store import users as user_store
from tidings.store.db import make_engine, migrate, transaction
from tidings.store.schema import articles, story_sources
from tidings.store.schema import story_features as features_table

NOW = utcnow().replace(microsecond=0)
WEEK = timedelta(days=7)


def _source(conn: Connection, name: str) -> int:
    return source_store.add_source(conn, Source(url=f"https://{name}.example/feed",
                                                title=name))[0].id or 0


def _article(conn: Connection, story: int, source: int, title: str, *, hours_ago: float,
             dated: bool = True, fetched_hours_ago: float | None = None) -> int:
    fetched = NOW - timedelta(hours=hours_ago if fetched_hours_ago is None
                              else fetched_hours_ago)
    art = Article(title=title, url=f"https://x.example/{title}", source_id=source,
                  story_id=story, fetched_at=fetched, text=f"{title} lead.\n\nMore.",
                  published_at=NOW - timedelta(hours=hours_ago) if dated else None)
    return article_store.insert_article(conn, art, entry_key=title)


def _by_hand(conn: Connection, user_id: int, blocked: set[int]) -> dict[int, dict[str, Any]]:
    """The slow way: every visible article of every story, then per story."""
    subs = set(library.source_names(conn, user_id)) - blocked
    rows = conn.execute(sa.select(articles)).all()
    by_story: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        by_story[r.story_id].append(r)
    out = {}
    for sid, arts in by_story.items():
        first = min(min(a.published_at, a.fetched_at) if a.published_at else a.fetched_at
                    for a in arts)
        def when(a: Any, first: Any = first) -> Any:
            return min(a.published_at, a.fetched_at) if a.published_at else first
        mine = [a for a in arts if a.source_id in subs]
        if not mine or max(when(a) for a in mine) < NOW - WEEK:
            continue
        newest = max(mine, key=lambda a: (when(a), a.id))
        out[sid] = {"count": len(mine), "sources": {a.source_id for a in mine},
                    "headline": newest.title, "lead": newest.id,
                    "last_seen": max(when(a) for a in mine), "first_seen": first,
                    "outlets": len({a.source_id for a in arts})}
    return out


def test_candidates_equal_the_slow_computation_over_articles(engine: Engine) -> None:
    with transaction(engine) as conn:
        user = reader(conn)
        a, b, c, d = (_source(conn, n) for n in ("Alpha", "Beta", "Gamma", "Delta"))
        for s in (a, b, c):
            library.subscribe(conn, user.id or 0, s)
        user_store.set_follow(conn, Follow(user.id or 0, TargetKind.SOURCE, "gamma",
                                           muted=True))  # blocked: its articles never count
        s1, s2, s3, s4, s5 = (story_store.create_story(conn, f"s{i}", NOW) for i in range(5))
        _article(conn, s1, a, "one-old", hours_ago=30)
        _article(conn, s1, b, "one-newer", hours_ago=5)
        _article(conn, s1, c, "one-newest-blocked", hours_ago=1)
        _article(conn, s1, d, "one-not-subscribed", hours_ago=2)
        _article(conn, s2, c, "only-blocked", hours_ago=3)
        _article(conn, s3, a, "three-dated", hours_ago=20)
        _article(conn, s3, b, "three-undated", hours_ago=0, dated=False, fetched_hours_ago=0)
        _article(conn, s4, a, "four-old", hours_ago=24 * 9)
        _article(conn, s5, b, "five-future", hours_ago=-48, fetched_hours_ago=10)
        story_features.backfill(conn)
        got = {c.story_id: c for c in story_features.candidates(conn, user.id or 0, NOW - WEEK)}
        want = _by_hand(conn, user.id or 0, blocked={c})
    assert set(got) == set(want) == {s1, s3, s5}
    for sid, w in want.items():
        cand = got[sid]
        assert cand.article_count == w["count"]
        assert set(cand.source_ids) == w["sources"]
        assert (cand.headline, cand.lead_article_id) == (w["headline"], w["lead"])
        assert cand.last_seen == w["last_seen"]
        assert cand.first_seen == w["first_seen"]
        assert cand.outlet_count == w["outlets"]
    assert got[s1].headline == "one-newer"  # the blocked outlet's newer headline is not shown
    assert got[s3].last_seen == NOW - timedelta(hours=20)  # undated: not new
    assert got[s5].last_seen == NOW - timedelta(hours=10)  # a date in the future: its fetch
    assert list(got) == sorted(got, key=lambda s: got[s].last_seen, reverse=True)
    assert got[s1].outlets == ("Beta", "Alpha")  # the reader's names, newest first


def test_reader_resolves_mutes_hides_and_opens(engine: Engine) -> None:
    with transaction(engine) as conn:
        user = reader(conn)
        uid = user.id or 0
        conn.execute(sa.text("INSERT INTO entities (key, kind, name, aliases) VALUES "
                             "('person:a', 'person', 'Ada Quill', '[\"A. Quill\"]'), "
                             "('person:b', 'person', 'Bo Fenn', '[]')"))
        ids = dict(conn.execute(sa.text("SELECT name, id FROM entities")).all())
        user_store.set_follow(conn, Follow(uid, TargetKind.ENTITY, "a. quill", muted=True))
        sid = story_store.create_story(conn, "s", NOW)
        other = story_store.create_story(conn, "t", NOW)
        user_store.record_interaction(conn, uid, InteractionKind.HIDE, story_id=sid)
        user_store.record_interaction(conn, uid, InteractionKind.OPEN, story_id=other)
        who = story_features.reader(conn, uid)
    assert who.muted_entity_ids == {ids["Ada Quill"]}
    assert who.hidden == {sid}
    assert who.opened == {other}


def test_refresh_follows_articles_leaving_a_story(engine: Engine) -> None:
    with transaction(engine) as conn:
        a = _source(conn, "Alpha")
        s1, s2 = story_store.create_story(conn, "x", NOW), story_store.create_story(conn, "y", NOW)
        first = _article(conn, s1, a, "first", hours_ago=3)
        _article(conn, s1, a, "second", hours_ago=2)
        story_features.refresh_stories(conn, [s1])
        article_store.set_story(conn, first, s2)  # a split moves it out
        story_features.refresh_stories(conn, [s1, s2])
        rows = {r.story_id: r for r in conn.execute(sa.select(story_sources))}
        feats = {r.story_id: r for r in conn.execute(sa.select(features_table))}
    assert rows[s1].article_count == 1 and rows[s1].headline == "second"
    assert rows[s2].article_count == 1 and rows[s2].headline == "first"
    assert feats[s1].article_count == feats[s2].article_count == 1


NOW_SQL = "2026-11-30 10:00:00"


def test_migration_0008_backfills_a_populated_0007_database(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0007")
    with engine.begin() as conn:
        for sql in [
            f"INSERT INTO sources (id, url, title, created_at) VALUES "
            f"(1, 'https://a.example/f', 'A', '{NOW_SQL}'), (2, 'https://b.example/f', 'B', "
            f"'{NOW_SQL}')",
            f"INSERT INTO stories (id, title, first_seen, last_seen) VALUES "
            f"(1, 'Event', '{NOW_SQL}', '{NOW_SQL}')",
            "INSERT INTO articles (id, source_id, entry_key, title, fetched_at, published_at, "
            "topic_label, topics, key_points, captions, related, story_id) VALUES "
            f"(1, 1, 'k1', 'First report', '{NOW_SQL}', '2026-11-30 08:00:00', 'Science', "
            "'[]', '[]', '[]', '[]', 1), "
            f"(2, 2, 'k2', 'Second report', '{NOW_SQL}', '2026-11-30 09:00:00', '', "
            "'[\"Science\"]', '[]', '[]', '[]', 1)",
            "INSERT INTO entities (id, key, kind, name, aliases) VALUES "
            "(1, 'place:x', 'place', 'Xland', '[]')",
            "INSERT INTO article_entities (article_id, entity_id, count, salience) VALUES "
            "(1, 1, 2, 0.5), (2, 1, 1, 0.25)",
        ]:
            conn.execute(sa.text(sql))
    migrate(engine)
    with engine.connect() as conn:
        feat = conn.execute(sa.select(features_table)).one()
        per_source = conn.execute(sa.select(story_sources).order_by(story_sources.c.source_id)
                                  ).all()
    engine.dispose()
    assert (feat.story_id, feat.headline, feat.lead_article_id) == (1, "Second report", 2)
    assert (feat.article_count, feat.outlet_count) == (2, 2)
    assert feat.topics == ["science"]
    assert [e[:2] for e in feat.entities] == [[1, "Xland"]] and feat.entity_ids == [1]
    assert [(r.source_id, r.article_count, r.headline) for r in per_source] == [
        (1, 1, "First report"), (2, 1, "Second report")]
