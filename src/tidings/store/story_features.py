"""Story features kept at ingest, and what one reader's feed reads instead of articles.

`refresh_story` recomputes a story's `story_features` row and its `story_sources` rows (one
per source covering it) from its articles and their entities; the pipeline calls it in the
transaction that files an article (and for every story a merge or a split touched).
`candidates` then builds a reader's candidate set from those rows as each process holds them
in memory (`tidings.store.catalogue`): no article row and no entity row is read on a feed
request, and no story row either.

Time of an article: its published date (the feed's date, or the URL's; never later than when
it was fetched). An undated article counts as its story's first sight: it never makes the
story look new.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.models import Follow, InteractionKind, TargetKind
from tidings.rank.candidate import Candidate, Reader
from tidings.store import catalogue, columns
from tidings.store.prepared import Prepared
from tidings.store.schema import (
    article_entities,
    articles,
    entities,
    interactions,
    now,
    sources,
    stories,
    story_features,
    story_marks,
    story_sources,
    subscriptions,
)
from tidings.store.users import list_follows

VELOCITY_SPAN = timedelta(hours=6)
TOP_ENTITIES = 12
MAX_ENTITY_IDS = 1000  # every entity of a story, for mutes (bounded for giant stories)
MAX_ABOUT = 1500  # characters of "what it is about" kept per story
MAX_BYLINES = 10
LEAD_CHARS = 400  # of each article's text: its lead paragraph
BATCH = 400  # stories per round trip in backfill
OPENED_LIMIT = 500  # stories opened before (novelty), the most recent
OPENED_SPAN = timedelta(days=30)


# --- kept at ingest ----------------------------------------------------------------------


def refresh_story(conn: Connection, story_id: int) -> None:
    """Recompute one story's features and per-source rows from its articles (none left:
    its rows go)."""
    refresh_stories(conn, [story_id])


def backfill(conn: Connection) -> int:
    """Features for every story (migration 0008, and after a bulk load). Returns stories."""
    done, last = 0, 0
    while True:
        ids = [int(r[0]) for r in conn.execute(
            sa.select(stories.c.id).where(stories.c.id > last).order_by(stories.c.id)
            .limit(BATCH))]
        if not ids:
            return done
        refresh_stories(conn, ids)
        done, last = done + len(ids), ids[-1]


_IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
# Built once (a refresh per stored article): a statement built per call costs more to
# compile than to run.
_DELETE_SOURCES = sa.delete(story_sources).where(story_sources.c.story_id.in_(_IDS))
_DELETE_FEATURES = sa.delete(story_features).where(story_features.c.story_id.in_(_IDS))
_ARTICLES = sa.select(
    articles.c.id, articles.c.story_id, articles.c.source_id, articles.c.title,
    articles.c.byline, articles.c.published_at, articles.c.fetched_at, articles.c.topic_label,
    articles.c.topics, articles.c.key_points,
    sa.func.substr(articles.c.text, 1, LEAD_CHARS).label("lead"),
).where(articles.c.story_id.in_(_IDS))
_ENTITIES = (sa.select(articles.c.story_id, article_entities.c.entity_id, entities.c.name,
                       article_entities.c.count, article_entities.c.salience)
             .join(articles, articles.c.id == article_entities.c.article_id)
             .join(entities, entities.c.id == article_entities.c.entity_id)
             .where(articles.c.story_id.in_(_IDS)))
_INSERT_FEATURES = sa.insert(story_features)
_INSERT_SOURCES = sa.insert(story_sources)


def refresh_stories(conn: Connection, story_ids: Sequence[int]) -> None:
    ids = {"ids": sorted(set(story_ids))}
    if not ids["ids"]:
        return
    conn.execute(_DELETE_SOURCES, ids)
    conn.execute(_DELETE_FEATURES, ids)
    catalogue.touched(conn)  # before any return below: rows went, or will be rewritten
    rows = conn.execute(_ARTICLES, ids).all()
    if not rows:
        return
    by_story: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        by_story[r.story_id].append(r)
    ents: dict[int, list[Any]] = defaultdict(list)
    for e in conn.execute(_ENTITIES, ids):
        ents[e.story_id].append(e)
    feature_rows, source_rows = [], []
    at = now()
    for sid, arts in by_story.items():
        feat, per_source = _features(sid, arts, ents.get(sid, []), at)
        feature_rows.append(feat)
        source_rows += per_source
    conn.execute(_INSERT_FEATURES, feature_rows)
    conn.execute(_INSERT_SOURCES, source_rows)


def stale_story_ids(conn: Connection) -> list[int]:
    """Stories whose features name an article that is gone (pruned)."""
    gone = ~sa.exists().where(articles.c.id == story_sources.c.newest_article_id)
    return [int(r[0]) for r in conn.execute(
        sa.select(story_sources.c.story_id).where(gone).distinct())]


def article_times(arts: Sequence[Any]) -> tuple[datetime, dict[int, datetime]]:
    """(the story's first sight, each article's time): dated articles at their date (never
    after their fetch), undated ones at the story's first sight."""
    dated = {a.id: min(a.published_at, a.fetched_at) for a in arts if a.published_at}
    first = min([*dated.values(), *(a.fetched_at for a in arts if not a.published_at)])
    return first, {a.id: dated.get(a.id, first) for a in arts}


def _features(story_id: int, arts: list[Any], ents: list[Any],
              at: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    first, when = article_times(arts)
    newest_first = sorted(arts, key=lambda a: (when[a.id], a.id), reverse=True)
    newest = newest_first[0]
    last = when[newest.id]
    recent = sum(1 for a in arts if when[a.id] > last - VELOCITY_SPAN)
    topics = Counter[str]()
    for a in arts:
        labels = {t.lower() for t in a.topics or []}
        if a.topic_label:
            labels.add(a.topic_label.lower())
        topics.update(labels)
    weight: dict[int, float] = defaultdict(float)
    names: dict[int, str] = {}
    for e in ents:
        weight[e.entity_id] += max(float(e.salience or 0), 0.0) + 0.01 * int(e.count or 1)
        names[e.entity_id] = e.name
    best = sorted(weight, key=lambda i: (-weight[i], i))
    about, size = [], 0
    for a in newest_first:
        part = " ".join([a.title or "", *(a.key_points or []),
                         (a.lead or "").split("\n\n", 1)[0]]).lower()
        about.append(part)
        size += len(part) + 1
        if size >= MAX_ABOUT:
            break
    bylines = list(dict.fromkeys(a.byline for a in newest_first if a.byline))[:MAX_BYLINES]
    feature = {
        "story_id": story_id, "headline": newest.title or "", "lead_article_id": newest.id,
        "first_seen": first, "last_seen": last, "article_count": len(arts),
        "outlet_count": len({a.source_id for a in arts}),
        "velocity": round(recent / (VELOCITY_SPAN.total_seconds() / 3600), 4),
        "topics": [t for t, _ in topics.most_common()],
        "entities": [[i, names[i], round(weight[i], 4)] for i in best[:TOP_ENTITIES]],
        "entity_ids": sorted(best[:MAX_ENTITY_IDS]),
        "about": " ".join(about)[:MAX_ABOUT], "bylines": bylines, "updated_at": at,
    }
    per_source: dict[int, list[Any]] = defaultdict(list)
    for a in newest_first:
        if a.source_id is not None:
            per_source[a.source_id].append(a)
    rows = [{"story_id": story_id, "source_id": src, "article_count": len(mine),
             "last_at": when[mine[0].id], "newest_article_id": mine[0].id,
             "headline": mine[0].title or ""}
            for src, mine in per_source.items()]
    return feature, rows


# --- read on every feed request ---------------------------------------------------------


def blocked_sources(follows: Iterable[Follow]) -> set[str]:
    """Lower-case names of the sources the reader muted (blocked)."""
    return {f.target.lower() for f in follows if f.muted and f.target_kind is TargetKind.SOURCE}


def candidates(conn: Connection, reader_user_id: int, since: datetime, limit: int = 300, *,
               follows: Sequence[Follow] | None = None) -> list[Candidate]:
    """The reader's most recently active stories since `since` (at most `limit`), as their
    own sources cover them: a blocked source's articles are not counted, and a story only it
    covers is left out."""
    chosen, subs = choose(conn, reader_user_id, since, limit, follows=follows)
    return [columns.candidate(chosen, i, subs) for i in range(len(chosen))]


def choose(conn: Connection, reader_user_id: int, since: datetime, limit: int = 300, *,
           follows: Sequence[Follow] | None = None
           ) -> tuple[columns.Chosen, dict[int, tuple[str, str]]]:
    """`candidates` as the catalogue's arrays (`tidings.rank.vector` ranks them), with the
    reader's subscriptions: source id → (their name for it, its folder)."""
    if follows is None:
        follows = list_follows(conn, reader_user_id)
    blocked = blocked_sources(follows)
    subs = {r.source_id: (r.name, r.folder)
            for r in _SUBSCRIPTIONS.rows(conn, {"user_id": reader_user_id})
            if r.name.lower() not in blocked}
    cat = catalogue.current(conn, since)
    with cat.lock:
        return cat.choose(sorted(subs), since, limit), subs


# A feed request's statements, built once (building and keying a statement costs more than
# SQLite takes to answer it).
_USER = sa.bindparam("user_id", type_=sa.Integer)
_NAME = sa.func.coalesce(sa.func.nullif(subscriptions.c.title, ""),
                         sa.func.nullif(sources.c.title, ""), sources.c.url)
_SUBSCRIPTIONS = Prepared(
    sa.select(subscriptions.c.source_id, _NAME.label("name"), subscriptions.c.folder)
    .join(sources, sources.c.id == subscriptions.c.source_id)
    .where(subscriptions.c.user_id == _USER))
_SINCE = sa.bindparam("since", type_=interactions.c.at.type)
_OPENED = (sa.select(interactions.c.story_id).where(
    interactions.c.user_id == _USER,
    sa.or_(interactions.c.kind == str(InteractionKind.OPEN),  # no IN list: `Prepared`
           interactions.c.kind == str(InteractionKind.READ)),
    interactions.c.story_id.is_not(None), interactions.c.at >= _SINCE)
    .order_by(interactions.c.at.desc()).limit(OPENED_LIMIT).subquery())
_NONE = sa.null()
# what a reader did to stories, in one round trip: "m" their rules' and hides' marks, "h"
# hides, "o" the stories they opened lately (novelty)
_STORY_MARKS = Prepared(sa.union_all(
    sa.select(sa.literal("m").label("what"), story_marks.c.story_id, story_marks.c.hidden,
              story_marks.c.boost, story_marks.c.reason)
    .where(story_marks.c.user_id == _USER,
           sa.or_(story_marks.c.hidden.is_(True), story_marks.c.boost != 0)),
    sa.select(sa.literal("h"), interactions.c.story_id, sa.cast(_NONE, sa.Boolean),
              sa.cast(_NONE, sa.Float), sa.cast(_NONE, sa.Text))
    .where(interactions.c.user_id == _USER, interactions.c.kind == str(InteractionKind.HIDE),
           interactions.c.story_id.is_not(None)),
    sa.select(sa.literal("o"), _OPENED.c.story_id, sa.cast(_NONE, sa.Boolean),
              sa.cast(_NONE, sa.Float), sa.cast(_NONE, sa.Text))))


def reader(conn: Connection, user_id: int, *, at: datetime | None = None) -> Reader:
    """What ranking knows of one reader: follows and mutes, muted entities as ids, hidden
    and boosted stories, and the stories they opened lately."""
    follows = list_follows(conn, user_id)
    hidden, boosts, opened = set(), {}, set()
    for r in _STORY_MARKS.rows(conn, {"user_id": user_id,
                                         "since": (at or now()) - OPENED_SPAN}):
        if r.what == "o":
            opened.add(int(r.story_id))
            continue
        if r.what == "h" or r.hidden:
            hidden.add(int(r.story_id))
        if r.what == "m" and r.boost:
            boosts[int(r.story_id)] = (float(r.boost), r.reason)
    return Reader(user_id=user_id, follows=follows,
                  muted_entity_ids=frozenset(muted_entity_ids(conn, follows)),
                  hidden=frozenset(hidden), boosts=boosts, opened=frozenset(opened))


def muted_entity_ids(conn: Connection, follows: Iterable[Follow]) -> set[int]:
    """The entities the reader muted by name or by one of their aliases."""
    names = {f.target.strip().lower() for f in follows
             if f.muted and f.target_kind is TargetKind.ENTITY and f.target.strip()}
    if not names:
        return set()
    by_name = conn.execute(sa.select(entities.c.id, sa.func.lower(entities.c.name))
                           .where(sa.func.lower(entities.c.name).in_(sorted(names)))).all()
    found = {int(r[0]) for r in by_name}
    aliases = sa.func.lower(sa.cast(entities.c.aliases, sa.Text))
    for n in names - {r[1] for r in by_name}:  # a JSON list of strings: the alias quoted
        pattern = '%"' + n.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + '"%'
        for r in conn.execute(sa.select(entities.c.id, entities.c.aliases)
                              .where(aliases.like(pattern, escape="\\"))):
            if any(str(a).lower() == n for a in r.aliases or ()):
                found.add(int(r.id))
    return found
