"""The full-text index: SQLite FTS5 or a PostgreSQL tsvector with a GIN index, one row per
article, built from `tidings.search.terms` so both engines hold the same terms.

The table `article_search` is made by migration 0003 and is not in schema.py's metadata (its
shape differs per engine; `schema.include_object` leaves it out of the schema comparison).
Rows are written at ingest (`index_article`, called once an article's annotations are
stored) and go with their article: a trigger on SQLite, ON DELETE CASCADE on PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.engine import Connection

from tidings.models import Article
from tidings.search import terms
from tidings.store.schema import article_entities, articles, entities, quotes

FTS_TABLE = "article_search"
sqlite_index = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer), sa.column("terms", sa.Text))
pg_index = sa.table(FTS_TABLE, sa.column("article_id", sa.Integer),
                    sa.column("terms", TSVECTOR))


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


_IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
# Built once (one index write per stored article): a statement built per call costs more to
# compile than to run.
_NAMES = (sa.select(article_entities.c.article_id, entities.c.name)
          .join(entities, entities.c.id == article_entities.c.entity_id)
          .where(article_entities.c.article_id.in_(_IDS)))
_SAID = (sa.select(quotes.c.article_id, quotes.c.speaker, quotes.c.text)
         .where(quotes.c.article_id.in_(_IDS)).order_by(quotes.c.id))
_ROWS = sa.select(articles.c.id, articles.c.language, articles.c.title, articles.c.byline,
                  articles.c.text, articles.c.key_points, articles.c.captions,
                  articles.c.topics, articles.c.topic_label).where(articles.c.id.in_(_IDS))
_PG_DELETE = sa.delete(pg_index).where(pg_index.c.article_id.in_(_IDS))
_PG_INSERT = sa.insert(pg_index)
_SQLITE_DELETE = sa.delete(sqlite_index).where(sqlite_index.c.rowid.in_(_IDS))
_SQLITE_INSERT = sa.insert(sqlite_index)


def documents(conn: Connection, article_ids: Sequence[int]) -> dict[int, terms.Document]:
    """What is searchable of each article, read from its stored row and annotations."""
    ids = {"ids": list(article_ids)}
    names: dict[int, list[str]] = defaultdict(list)
    said: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for r in conn.execute(_NAMES, ids):
        names[r.article_id].append(r.name)
    for r in conn.execute(_SAID, ids):
        said[r.article_id].append((r.speaker, r.text))
    return {r.id: document_of(r, sorted(names[r.id]), said[r.id])
            for r in conn.execute(_ROWS, ids)}


def document_of(row: Any, names: Sequence[str], said: Sequence[tuple[str, str]]
                ) -> terms.Document:
    topics = list(dict.fromkeys([*(row.topics or []), row.topic_label]))
    return terms.document(language=row.language, title=row.title, byline=row.byline,
                          body=[row.text, *(row.key_points or []), *(row.captions or [])],
                          quotes=said, entities=names, topics=[t for t in topics if t])


def tsvector_literal(stream: Sequence[str]) -> str:
    """A tsvector in PostgreSQL's input syntax, keeping positions (SEP takes one too)."""
    positions: dict[str, list[int]] = defaultdict(list)
    for at, term in enumerate(stream, 1):
        if term != terms.SEP:
            positions[term].append(at)
    return " ".join(f"'{t}':{','.join(map(str, p[:256]))}" for t, p in positions.items())


def index_articles(conn: Connection, article_ids: Sequence[int]) -> None:
    """(Re)write the index rows of these articles."""
    _write(conn, documents(conn, article_ids))


def index_new_article(conn: Connection, article_id: int, article: Article) -> None:
    """`index_article` of an article just stored with its annotations (`article` as
    written): its row and quotes are not read back, its entities' names are (they are the
    stored entities' names, not necessarily the ones the article found)."""
    names: list[str] = []
    if article.entities:
        names = [r.name for r in conn.execute(_NAMES, {"ids": [article_id]})]
    said = [(q.speaker, q.text) for q in article.quotes]
    _write(conn, {article_id: document_of(article, sorted(names), said)})


def _write(conn: Connection, docs: dict[int, terms.Document]) -> None:
    if not docs:
        return
    streams = {i: terms.index_terms(d) for i, d in docs.items()}
    ids = {"ids": list(streams)}
    if is_postgres(conn):
        conn.execute(_PG_DELETE, ids)
        conn.execute(_PG_INSERT, [
            {"article_id": i, "terms": tsvector_literal(s)} for i, s in streams.items()])
    else:
        conn.execute(_SQLITE_DELETE, ids)
        conn.execute(_SQLITE_INSERT, [
            {"rowid": i, "terms": " ".join(s)} for i, s in streams.items()])


def index_article(conn: Connection, article_id: int) -> None:
    index_articles(conn, [article_id])


def index_everything(conn: Connection, batch: int = 500) -> int:
    """Build the index for every stored article (the migration does this once)."""
    done, last = 0, 0
    while True:
        ids = list(conn.execute(sa.select(articles.c.id).where(articles.c.id > last)
                                .order_by(articles.c.id).limit(batch)).scalars())
        if not ids:
            return done
        index_articles(conn, ids)
        done, last = done + len(ids), ids[-1]


# --- matching -------------------------------------------------------------------------------

# The distinct languages in a few index probes (a loose index scan), not a scan of articles.
_LANGUAGES = sa.text("""WITH RECURSIVE langs(v) AS (
  SELECT MIN(language) FROM articles
  UNION ALL
  SELECT (SELECT MIN(language) FROM articles WHERE language > langs.v) FROM langs
  WHERE langs.v IS NOT NULL)
SELECT v FROM langs WHERE v IS NOT NULL""")


def language_tags(conn: Connection) -> tuple[str, ...]:
    """The stemming languages the stored articles use: a query word is stemmed only in
    these (always at least one, so that a query on an empty library still runs)."""
    found = {terms.language_tag(v) for v in conn.execute(_LANGUAGES).scalars()}
    return tuple(t for t in terms.LANGUAGES if t in found) or (terms.UNSTEMMED,)


def fts5_expression(phrases: Sequence[Sequence[str]]) -> str:
    """FTS5 query text made only of our own quoted terms (letters, digits, `_`): nothing a
    user typed reaches FTS5's syntax."""
    return " OR ".join('"' + " ".join(p) + '"' for p in phrases)


def tsquery_expression(phrases: Sequence[Sequence[str]]) -> str:
    return " | ".join("(" + " <-> ".join(f"'{t}'" for t in p) + ")" for p in phrases)


def matching_ids(conn: Connection, expressions: Sequence[Sequence[Sequence[str]]],
                 ) -> sa.Select[Any]:
    """Ids of the articles that match every one of `expressions` (each: phrases, any of
    which matches)."""
    if is_postgres(conn):
        stmt = sa.select(pg_index.c.article_id)
        for phrases in expressions:
            q = sa.cast(sa.literal(tsquery_expression(phrases)), TSQUERY)
            stmt = stmt.where(pg_index.c.terms.op("@@")(q))
        return stmt
    text = " AND ".join(f"({fts5_expression(p)})" for p in expressions)
    return sa.select(sqlite_index.c.rowid).where(sqlite_index.c.terms.op("MATCH")(text))


def scores(conn: Connection, phrases: Sequence[Sequence[str]]) -> sa.Subquery:
    """(id, score) of the articles matching any of `phrases`; higher is more relevant."""
    if is_postgres(conn):
        q = sa.cast(sa.literal(tsquery_expression(phrases)), TSQUERY)
        stmt = sa.select(pg_index.c.article_id.label("id"),
                         sa.func.ts_rank(pg_index.c.terms, q).label("score")).where(
                             pg_index.c.terms.op("@@")(q))
    else:
        match = sqlite_index.c.terms.op("MATCH")(fts5_expression(phrases))
        stmt = sa.select(sqlite_index.c.rowid.label("id"),
                         (-sa.func.bm25(sa.literal_column(FTS_TABLE))).label("score")
                         ).where(match)
    return stmt.subquery("scores")


def indexed_ids(conn: Connection) -> set[int]:
    """Ids of the articles that have an index row."""
    if is_postgres(conn):
        return set(conn.execute(sa.select(pg_index.c.article_id)).scalars())
    return set(conn.execute(sa.select(sqlite_index.c.rowid)).scalars())
