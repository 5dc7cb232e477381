"""The story index: which recent articles a new article should be compared with.

Articles are filed under their index keys (`tidings.cluster.index`). A look-up returns the
recent articles sharing the most keys with the new one, and the recent articles of their
stories (a story is judged by its centroid, so it is compared whole, up to `per_story`
articles): `candidates` does both in one statement. Every look-up reads committed rows, so
concurrent workers see each other's articles as soon as they are stored. Each posting
carries its article's story (moved with it by `move_story` and `articles.set_story`), so
the stories are ranked from one covering index without reading article rows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from tidings.store.articles import StoredFingerprint
from tidings.store.schema import TS, articles, story_keys

_WHEN = sa.func.coalesce(articles.c.published_at, articles.c.fetched_at)
_ASSIGNMENT_LOCK = 0x7469646E  # any constant: the key of PostgreSQL's advisory lock


def lock_assignment(conn: Connection) -> None:
    """Take the story-assignment lock until the transaction ends.

    Two workers placing articles of one new event at the same moment would otherwise each
    miss the other's uncommitted article and start two stories. With the lock, the second
    waits and then reads the first's article. Only assignment and storage are serialised
    (milliseconds); fetching and enrichment stay parallel. In which order the workers place
    their articles is the placement queue's business (`tidings.placement.wait_turn`): the
    lock only keeps two placements apart. PostgreSQL: a transaction-level advisory lock.
    SQLite needs nothing more: every transaction begins IMMEDIATE there
    (`store.db.make_engine`), which is its one write lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_ASSIGNMENT_LOCK)))


def file_article(conn: Connection, article_id: int, story_id: int, keys: Sequence[int],
                 at: datetime) -> None:
    """File a stored article of `story_id` under its keys."""
    if keys:
        conn.execute(_FILE, [{"key": k, "article_id": article_id, "story_id": story_id,
                              "at": at} for k in sorted(set(keys))])


_FILE = sa.insert(story_keys)


def _postings(count: int) -> str:
    # Plain SQL: built as an expression, twenty limited subqueries cost more to compile
    # than to run. Each reads the index alone (ix_story_keys_postings holds every column).
    # The window and the limit are bound once (`bounds`), not once per key.
    return " UNION ALL ".join(
        f"SELECT article_id, story_id FROM (SELECT article_id, story_id FROM story_keys "
        f"WHERE key = :k{i} AND at BETWEEN (SELECT since FROM bounds) "
        f"AND (SELECT until FROM bounds) "
        f"ORDER BY at DESC, article_id DESC LIMIT (SELECT per_key FROM bounds)) AS p{i}"
        for i in range(count))


_BOUNDS = "WITH bounds AS (SELECT :since AS since, :until AS until, :per_key AS per_key) "


def _top_stories(count: int) -> str:
    return ("SELECT h.story_id AS story_id, MAX(h.shared) AS best FROM "
            f"(SELECT article_id, story_id, COUNT(*) AS shared FROM ({_postings(count)}) "
            "AS hits GROUP BY article_id, story_id) AS h "
            "WHERE h.story_id IS NOT NULL GROUP BY h.story_id "
            "ORDER BY best DESC, h.story_id DESC LIMIT :limit")


def _key_params(keys: Sequence[int], since: datetime, until: datetime, limit: int,
                per_key: int) -> dict[str, object]:
    params: dict[str, object] = {f"k{i}": k for i, k in enumerate(sorted(set(keys)))}
    return params | {"since": since, "until": until, "per_key": per_key, "limit": limit}


@functools.lru_cache(maxsize=64)
def _top_stories_stmt(count: int) -> sa.TextClause:
    return sa.text(_BOUNDS + _top_stories(count)).bindparams(
        sa.bindparam("since", type_=TS), sa.bindparam("until", type_=TS))


@functools.lru_cache(maxsize=64)
def _candidates_stmt(count: int) -> sa.TextualSelect:
    return sa.text(
        f"{_BOUNDS}SELECT m.id, m.story_id, m.fingerprint, m.published_at FROM ("
        "SELECT a.id AS id, a.story_id AS story_id, a.fingerprint AS fingerprint, "
        "a.published_at AS published_at, ROW_NUMBER() OVER "
        "(PARTITION BY a.story_id ORDER BY a.id DESC) AS rank "
        f"FROM articles AS a JOIN ({_top_stories(count)}) AS top "
        "ON a.story_id = top.story_id "
        "WHERE COALESCE(a.published_at, a.fetched_at) >= (SELECT since FROM bounds) "
        "AND a.fingerprint IS NOT NULL) AS m "
        "WHERE m.rank <= :per_story ORDER BY m.id"
    ).bindparams(sa.bindparam("since", type_=TS), sa.bindparam("until", type_=TS)).columns(
        sa.column("id", sa.Integer), sa.column("story_id", sa.Integer),
        sa.column("fingerprint", sa.Text), sa.column("published_at", TS))


def candidate_stories(conn: Connection, keys: Sequence[int], since: datetime, until: datetime,
                      *, limit: int = 30, per_key: int = 200) -> list[int]:
    """Stories of the articles filed in [since, until] that share the most keys.

    Each key contributes at most its `per_key` most recent postings: a word every story
    uses would otherwise make the look-up read the whole window, while the rarer keys of
    the same article find its story anyway. So the cost is bounded by keys × `per_key`.
    """
    if not keys:
        return []
    return [int(r.story_id) for r in conn.execute(
        _top_stories_stmt(len(set(keys))), _key_params(keys, since, until, limit, per_key))]


def candidates(conn: Connection, keys: Sequence[int], since: datetime, until: datetime, *,
               limit: int = 30, per_key: int = 64, per_story: int = 60
               ) -> list[StoredFingerprint]:
    """`story_members` of `candidate_stories` in one statement (one round trip, nothing to
    compile): the most recent articles (filed since `since`, at most `per_story` each) of
    the stories sharing the most keys, oldest first."""
    if not keys:
        return []
    # Run on the driver, compiled once per database and key count: through SQLAlchemy's
    # result rows the statement cost a third more (measured at 50k stories: 1.0 ms against
    # 0.7 ms an article, one in every placement).
    sql, order = _candidates_sql(conn.dialect, len(set(keys)))
    to_db, from_db = _timestamps(conn.dialect)
    params = _key_params(keys, to_db(since), to_db(until), limit, per_key)
    params["per_story"] = per_story
    args = tuple(params[name] for name in order) if order else params
    return [StoredFingerprint(r[0], r[1], r[2], from_db(r[3]))
            for r in conn.exec_driver_sql(sql, args)]


@functools.lru_cache(maxsize=64)
def _candidates_sql(dialect: Dialect, count: int) -> tuple[str, tuple[str, ...] | None]:
    """The statement as the driver takes it, and the order of its parameters (positional
    drivers; None for named ones)."""
    compiled = _candidates_stmt(count).compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup) if compiled.positiontup else None


@functools.lru_cache(maxsize=16)
def _timestamps(dialect: Dialect) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """How a timestamp goes to the driver and comes back (`schema.TS` on this database)."""
    ts = TS().dialect_impl(dialect)
    return (ts.bind_processor(dialect) or _same), (ts.result_processor(dialect, None) or _same)


def _same(value: Any) -> Any:
    return value


@functools.lru_cache(maxsize=8192)
def _read_time(from_db: Callable[[Any], Any], value: Any) -> Any:
    # The same recent articles come back look-up after look-up: each date is read once.
    return from_db(value)


def story_members(conn: Connection, story_ids: Sequence[int], since: datetime, *,
                  per_story: int = 60) -> list[StoredFingerprint]:
    """The most recent articles (since `since`, at most `per_story` each) of these stories,
    oldest first."""
    if not story_ids:
        return []
    rank = sa.func.row_number().over(partition_by=articles.c.story_id,
                                     order_by=articles.c.id.desc()).label("rank")
    recent = (sa.select(articles.c.id, articles.c.story_id, articles.c.fingerprint,
                        articles.c.published_at, rank)
              .where(articles.c.story_id.in_(sorted(set(story_ids))), since <= _WHEN,
                     articles.c.fingerprint.is_not(None))
              .subquery())
    stmt = sa.select(recent).where(recent.c.rank <= per_story).order_by(recent.c.id)
    return [StoredFingerprint(r.id, r.story_id, r.fingerprint, r.published_at)
            for r in conn.execute(stmt)]


def move_story(conn: Connection, from_story: int, to_story: int, since: datetime) -> None:
    """Merge: the recent articles of `from_story` join `to_story` (older ones stay), and so
    do their postings."""
    moved = [r.id for r in conn.execute(
        sa.update(articles).where(articles.c.story_id == from_story, since <= _WHEN)
        .values(story_id=to_story).returning(articles.c.id))]
    if moved:
        conn.execute(sa.update(story_keys).where(story_keys.c.article_id.in_(moved))
                     .values(story_id=to_story))
