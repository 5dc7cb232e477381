"""A database of the single-user release (migration 0001) with data upgrades to accounts with
every row kept: the user keeps follows and interactions, is subscribed to every source with
its folder, and its Atom address keeps working — on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings import auth
from tidings.models import TokenKind
from tidings.store import accounts, library
from tidings.store.db import make_engine, migrate, transaction

NOW = "2026-11-30 10:00:00"
OLD_ROWS = [
    ("sources", "id, url, kind, title, site_url, folder, full_text, error_count, created_at",
     [f"1, 'https://a.example/feed', 'feed', 'A', '', 'News', TRUE, 0, '{NOW}'",
      f"2, 'https://b.example/feed', 'feed', 'B', '', '', FALSE, 2, '{NOW}'"]),
    ("stories", "id, title, first_seen, last_seen, article_count, source_count",
     [f"1, 'Event', '{NOW}', '{NOW}', 2, 2"]),
    ("articles", "id, source_id, entry_key, title, fetched_at, topics, key_points, captions, "
     "related, story_id",
     [f"{i}, {i}, 'k{i}', 'T{i}', '{NOW}', '[]', '[]', '[]', '[]', 1" for i in (1, 2)]),
    ("users", "id, name, feed_token, created_at", [f"1, 'demo', 'old-feed-secret', '{NOW}'"]),
    ("follows", "id, user_id, target_kind, target, weight, muted",
     ["1, 1, 'topic', 'Climate', 2.0, FALSE", "2, 1, 'keyword', 'share price', 1.0, TRUE"]),
    ("interactions", "id, user_id, article_id, story_id, kind, at",
     [f"1, 1, 1, 1, 'hide', '{NOW}'", f"2, 1, NULL, 1, 'open', '{NOW}'"]),
]


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_previous_schema_with_data_upgrades_without_loss(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0001")
    with engine.begin() as conn:
        for table, columns, rows in OLD_ROWS:
            for values in rows:
                conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({values})"))
    before = {t: _count(engine, t) for t, _, _ in OLD_ROWS}
    migrate(engine)
    after = {t: _count(engine, t) for t, _, _ in OLD_ROWS}
    with transaction(engine) as conn:
        user = accounts.user_named(conn, "demo")
        subs = {s.source.url: s for s in library.list_subscriptions(conn, user.id or 0)}
        via_feed = accounts.token_user(conn, auth.secret_hash("old-feed-secret"),
                                       (TokenKind.FEED,))
        _, stored_hash = accounts.password_hash_of(conn, "demo")
        kinds = [r[0] for r in conn.execute(sa.text("SELECT kind FROM interactions ORDER BY id"))]
    engine.dispose()
    assert after == before
    assert set(subs) == {"https://a.example/feed", "https://b.example/feed"}
    assert subs["https://a.example/feed"].folder == "News"
    assert subs["https://a.example/feed"].full_text is True
    assert subs["https://a.example/feed"].unread == 1  # nothing was read before
    assert via_feed is not None and via_feed.name == "demo"
    assert stored_hash is None  # signs in once `tidings user passwd demo` sets a password
    assert kinds == ["hide", "open"]
