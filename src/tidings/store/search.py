"""Running a parsed query (`tidings.search`) over one reader's library, on both engines.

Each node of the tree becomes one SQL condition over `library.visible(user_id)`: terms are
looked up in the full-text index (`search_index`), source:/folder: are resolved against the
reader's own subscription names, is: uses their read state, before:/after: the date. So the
reader only ever finds articles of their own subscriptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.models import Article, Quote, ReadState
from tidings.search import And, Flag, Node, Not, Or, Scope, Span, Term, positive_terms
from tidings.search.snippet import Piece, snippet
from tidings.search.terms import query_phrases
from tidings.store import search_index
from tidings.store.articles import to_article
from tidings.store.library import IS_HIDDEN, IS_READ, IS_STARRED, visible
from tidings.store.schema import TS, articles, quotes, read_state, sources, subscriptions

Order = Literal["newest", "relevant"]
Group = Literal["articles", "stories"]
WHEN = sa.func.coalesce(articles.c.published_at, articles.c.fetched_at)


class BadCursor(ValueError):
    pass


@dataclass
class Hit:
    article: Article
    state: ReadState
    matched: int = 1  # articles of its story that matched (1 when not grouped)
    snippet: list[Piece] = field(default_factory=list)


@dataclass
class Page:
    hits: list[Hit]
    next: str | None


@dataclass(frozen=True)
class Library:
    """The reader's subscriptions as the query sees them: name and folder per source."""

    names: dict[int, str]
    folders: dict[int, str]
    tags: tuple[str, ...]  # languages the index holds

    def sources_for(self, node: Scope) -> list[int]:
        want = node.value.casefold()
        if node.field == "folder":
            return [s for s, f in self.folders.items() if f.casefold() == want]
        return [s for s, n in self.names.items() if want in n.casefold()]


def reader_library(conn: Connection, user_id: int) -> Library:
    name = sa.func.coalesce(sa.func.nullif(subscriptions.c.title, ""),
                            sa.func.nullif(sources.c.title, ""), sources.c.url)
    rows = conn.execute(sa.select(subscriptions.c.source_id, name.label("name"),
                                  subscriptions.c.folder)
                        .join(sources, sources.c.id == subscriptions.c.source_id)
                        .where(subscriptions.c.user_id == user_id)).all()
    return Library({r.source_id: r.name for r in rows}, {r.source_id: r.folder for r in rows},
                   search_index.language_tags(conn))


def condition(conn: Connection, node: Node, lib: Library) -> sa.ColumnElement[bool]:
    """The SQL condition for `node` (over `visible(user_id)`)."""
    if isinstance(node, Term):
        return _terms_condition(conn, [node], lib)
    if isinstance(node, Scope):
        return articles.c.source_id.in_(lib.sources_for(node))
    if isinstance(node, Flag):
        flag = {"read": IS_READ, "unread": sa.not_(IS_READ), "starred": IS_STARRED}
        return flag[node.value]
    if isinstance(node, Span):
        when = sa.literal(node.when, TS)
        return when > WHEN if node.field == "before" else when <= WHEN
    if isinstance(node, Not):
        return sa.not_(condition(conn, node.child, lib))
    if isinstance(node, And):
        words = [c for c in node.children if isinstance(c, Term)]
        rest = [condition(conn, c, lib) for c in node.children if not isinstance(c, Term)]
        return sa.and_(*([_terms_condition(conn, words, lib)] if words else []), *rest)
    assert isinstance(node, Or)
    return sa.or_(*(condition(conn, c, lib) for c in node.children))


def _terms_condition(conn: Connection, nodes: Sequence[Term], lib: Library
                     ) -> sa.ColumnElement[bool]:
    """All of `nodes` hold: one index lookup for the lot."""
    expressions = [query_phrases(t.field, t.value, t.speaker, lib.tags) for t in nodes]
    return articles.c.id.in_(search_index.matching_ids(conn, expressions))


def _base(conn: Connection, user_id: int, tree: Node, lib: Library) -> sa.Select[Any]:
    return (sa.select(articles.c.id.label("id"), articles.c.story_id.label("story_id"),
                      WHEN.label("at"))
            .select_from(_library(conn, user_id, by_article=_needs_terms(tree)))
            .where(condition(conn, tree, lib)))


def _needs_terms(tree: Node) -> bool:
    """Whether every match must be found in the index (so the index should drive)."""
    if isinstance(tree, Term):
        return True
    return isinstance(tree, And) and any(isinstance(c, Term) for c in tree.children)


def _library(conn: Connection, user_id: int, *, by_article: bool) -> sa.Join:
    """`library.visible(user_id)`; with `by_article`, SQLite is kept from walking the
    reader's sources first (unary + hides that index), so that a few ids from the full-text
    index or the primary key drive the join, statistics or not."""
    if not by_article or conn.dialect.name != "sqlite":
        return visible(user_id)
    source: sa.ColumnElement[int] = sa.literal_column("+articles.source_id")
    return (articles.join(subscriptions, sa.and_(subscriptions.c.source_id == source,
                                                 subscriptions.c.user_id == user_id))
            .outerjoin(read_state, sa.and_(read_state.c.article_id == articles.c.id,
                                           read_state.c.user_id == user_id)))


def _scored(conn: Connection, stmt: sa.Select[Any], tree: Node, order: Order, lib: Library
            ) -> tuple[sa.Select[Any], Order]:
    phrases = [p for t in positive_terms(tree)
               for p in query_phrases(t.field, t.value, t.speaker, lib.tags)]
    if order == "newest" or not phrases:
        return stmt.add_columns(sa.literal(0.0).label("score")), "newest"
    scored = search_index.scores(conn, phrases)
    score = sa.func.coalesce(scored.c.score, 0.0)
    return (stmt.outerjoin(scored, scored.c.id == articles.c.id).add_columns(score.label("score")),
            "relevant")


def search(conn: Connection, user_id: int, tree: Node, *, order: Order = "newest",
           group: Group = "articles", cursor: str | None = None, limit: int = 20) -> Page:
    """One page of the reader's articles matching `tree`; with group="stories", one hit per
    story (its best matching article) and how many of its articles matched."""
    lib = reader_library(conn, user_id)
    stmt, order = _scored(conn, _base(conn, user_id, tree, lib), tree, order, lib)
    matches = stmt.subquery("matches")
    if group == "stories":
        key = sa.func.coalesce(matches.c.story_id, -matches.c.id)
        rank_by = _order_by(matches, order)
        ranked = sa.select(matches, sa.func.row_number().over(partition_by=key, order_by=rank_by)
                           .label("rn"), sa.func.count().over(partition_by=key).label("n")
                           ).subquery("ranked")
        rows = sa.select(ranked).where(ranked.c.rn == 1).subquery("leads")
    else:
        rows = sa.select(matches, sa.literal(1).label("n")).subquery("leads")
    final = sa.select(rows).order_by(*_order_by(rows, order))
    offset, final = _apply_cursor(final, rows, order, cursor)
    found = conn.execute(final.limit(limit + 1)).all()
    more = len(found) > limit
    found = found[:limit]
    hits = _hits(conn, user_id, found)
    said = _quotes(conn, [h.article.id or 0 for h in hits])
    for hit in hits:
        hit.snippet = snippet(hit.article, said.get(hit.article.id or 0, []), tree)
    return Page(hits, _next(found, order, offset) if more else None)


def _quotes(conn: Connection, ids: Sequence[int]) -> dict[int, list[Quote]]:
    out: dict[int, list[Quote]] = {}
    stmt = sa.select(quotes).where(quotes.c.article_id.in_(list(ids))).order_by(quotes.c.id)
    for r in conn.execute(stmt):
        out.setdefault(r.article_id, []).append(Quote(r.text, r.speaker, r.direct))
    return out


def _order_by(t: Any, order: Order) -> list[Any]:
    if order == "relevant":
        return [t.c.score.desc(), t.c.id.desc()]
    return [t.c.at.desc(), t.c.id.desc()]


def _apply_cursor(stmt: sa.Select[Any], t: Any, order: Order, cursor: str | None
                  ) -> tuple[int, sa.Select[Any]]:
    if not cursor:
        return 0, stmt
    kind, _, rest = cursor.partition("~")
    try:
        if kind == "r" and order == "relevant":
            offset = int(rest)
            if not 0 < offset <= 100_000:
                raise ValueError(offset)
            return offset, stmt.offset(offset)
        if kind == "n" and order == "newest":
            at, _, last = rest.rpartition("~")
            when, last_id = sa.literal(datetime.fromisoformat(at), TS), int(last)
            return 0, stmt.where(sa.or_(t.c.at < when, sa.and_(t.c.at == when,
                                                               t.c.id < last_id)))
    except ValueError:
        pass
    raise BadCursor("cursor: pass the `next` value of the previous page, with the same "
                    "order, unchanged")


def _next(found: Sequence[Any], order: Order, offset: int) -> str:
    if order == "relevant":
        return f"r~{offset + len(found)}"
    last = found[-1]
    at = last.at if isinstance(last.at, datetime) else datetime.fromisoformat(str(last.at))
    return f"n~{at.isoformat()}~{last.id}"


def _hits(conn: Connection, user_id: int, found: Sequence[Any]) -> list[Hit]:
    ids = [r.id for r in found]
    if not ids:
        return []
    stmt = (sa.select(articles, IS_READ.label("r"), IS_STARRED.label("s"), IS_HIDDEN.label("h"))
            .select_from(_library(conn, user_id, by_article=True))
            .where(articles.c.id.in_(ids)))
    by_id = {r.id: r for r in conn.execute(stmt)}
    return [Hit(to_article(by_id[r.id]), ReadState(bool(by_id[r.id].r), bool(by_id[r.id].s),
                                                   bool(by_id[r.id].h)), int(r.n))
            for r in found if r.id in by_id]


def matching_ids(conn: Connection, user_id: int, tree: Node, lib: Library | None = None
                 ) -> set[int]:
    """Every matching article id (for checking the engine against a reference)."""
    stmt = _base(conn, user_id, tree, lib or reader_library(conn, user_id))
    return set(conn.execute(stmt.with_only_columns(articles.c.id)).scalars())
