"""The in-memory catalogue a feed request reads its candidates from: after any sequence of
ingests, moves and deletions it gives what the articles say (the slow computation), and a
change another process made shows within CHECK_EVERY_S, even when as many stories went as
came (the count alone would not tell)."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.accounts import reader
from tests.store.test_story_features import NOW, WEEK, _article, _by_hand, _source
from tidings.rank.feed import feed_for_user
from tidings.store import catalogue, library, story_features
from tidings.store import stories as story_store
from tidings.store.db import make_engine, migrate, read_transaction, transaction
from tidings.store.schema import articles, stories


def _candidates(engine: Engine, user_id: int) -> dict[int, tuple[object, ...]]:
    with read_transaction(engine) as conn:
        return {c.story_id: (c.article_count, set(c.source_ids), c.headline, c.lead_article_id,
                             c.last_seen, c.first_seen, c.outlet_count)
                for c in story_features.candidates(conn, user_id, NOW - WEEK)}


def _slow(engine: Engine, user_id: int) -> dict[int, tuple[object, ...]]:
    with read_transaction(engine) as conn:
        return {sid: (w["count"], w["sources"], w["headline"], w["lead"], w["last_seen"],
                      w["first_seen"], w["outlets"])
                for sid, w in _by_hand(conn, user_id, blocked=set()).items()}


def test_the_catalogue_agrees_with_the_articles_after_every_change(engine: Engine) -> None:
    rng = random.Random(5)
    with transaction(engine) as conn:
        uid = reader(conn).id or 0
        srcs = [_source(conn, n) for n in ("Alpha", "Beta", "Gamma", "Delta")]
        for s in srcs[:3]:
            library.subscribe(conn, uid, s)
    assert _candidates(engine, uid) == {}
    made = 0
    for step in range(40):
        with transaction(engine) as conn:
            ids = [int(r[0]) for r in conn.execute(sa.select(stories.c.id))]
            op = rng.choice(["new", "new", "join", "move", "drop"] if ids else ["new"])
            if op == "move" and not conn.execute(sa.select(articles.c.id)).first():
                op = "new"
            if op == "new" or op == "join":
                sid = (story_store.create_story(conn, f"s{step}", NOW) if op == "new"
                       else rng.choice(ids))
                made += 1
                _article(conn, sid, rng.choice(srcs), f"a{made}",
                         hours_ago=rng.choice([1, 5, 30, 24 * 9, -3]))
                touched = [sid]
            elif op == "move":  # a split or a merge moves an article between stories
                art, old = rng.choice(conn.execute(sa.select(articles.c.id, articles.c.story_id)
                                                   .order_by(articles.c.id)).all())
                new = rng.choice(ids)
                conn.execute(sa.update(articles).where(articles.c.id == art)
                             .values(story_id=new))
                touched = [old, new]
            else:  # a story and its articles go (retention)
                sid = rng.choice(ids)
                conn.execute(sa.delete(articles).where(articles.c.story_id == sid))
                touched = [sid]
            for sid in touched:
                story_store.refresh_story(conn, sid)
            story_features.refresh_stories(conn, touched)
        assert _candidates(engine, uid) == _slow(engine, uid), f"after step {step} ({op})"


OTHER_PROCESS = textwrap.dedent("""
    import sys
    from datetime import UTC, datetime, timedelta
    import sqlalchemy as sa
    from tidings.models import Article
    from tidings.store import articles as article_store, story_features
    from tidings.store import stories as story_store
    from tidings.store.db import make_engine, transaction
    from tidings.store.schema import articles
    url, source, gone = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    engine = make_engine(url)
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        conn.execute(sa.delete(articles).where(articles.c.story_id == gone))
        story_store.refresh_story(conn, gone)
        story_features.refresh_stories(conn, [gone])
        sid = story_store.create_story(conn, "new", now)
        article_store.insert_article(conn, Article(
            title="Arrived elsewhere", url="https://x.example/elsewhere", source_id=source,
            story_id=sid, fetched_at=now - timedelta(hours=1), text="Lead."),
            entry_key="elsewhere")
        story_store.refresh_story(conn, sid)
        story_features.refresh_stories(conn, [sid])
    print(sid)
    engine.dispose()
""")


def test_another_processs_change_shows_within_the_check(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    try:
        uid, source, kept, gone = _story_pair(engine)
        with read_transaction(engine) as conn:
            assert {i.story.id for i in feed_for_user(conn, uid)} == {kept, gone}
        done = subprocess.run([sys.executable, "-c", OTHER_PROCESS, db_url, str(source),
                               str(gone)], capture_output=True, text=True, timeout=120,
                              check=True)
        new = int(done.stdout.strip())
        time.sleep(catalogue.CHECK_EVERY_S + 0.05)
        with read_transaction(engine) as conn:
            shown = {(i.story.id, i.lead.title) for i in feed_for_user(conn, uid)}
        assert shown == {(kept, "kept-1"), (new, "Arrived elsewhere")}  # one came, one went
    finally:
        engine.dispose()


def _story_pair(engine: Engine) -> tuple[int, int, int, int]:
    with transaction(engine) as conn:
        uid = reader(conn).id or 0
        source = _source(conn, "Alpha")
        library.subscribe(conn, uid, source)
        # the one that goes is not the newest row: SQLite would give its ids to the new one
        gone, kept = (story_store.create_story(conn, t, NOW) for t in ("gone", "kept"))
        _article(conn, gone, source, "gone-1", hours_ago=3)
        _article(conn, kept, source, "kept-1", hours_ago=2)
        for sid in (kept, gone):
            story_store.refresh_story(conn, sid)
        story_features.refresh_stories(conn, [kept, gone])
    return uid, source, kept, gone
