"""Story assignment through the index in the store (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cluster.stories import QUAKE_CHILE_A, QUAKE_CHILE_B, QUAKE_JAPAN, REHAB
from tidings import cluster
from tidings.models import Article, Source
from tidings.pipeline import StoryAssigner, store_article
from tidings.placement import ParsedFingerprints
from tidings.store import articles as article_store
from tidings.store import sources as source_store
from tidings.store import stories as story_store
from tidings.store import story_index
from tidings.store.db import make_engine, migrate, transaction
from tidings.store.schema import articles, story_keys

DAY = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _article(doc: tuple[str, str], source_id: int, n: int, when: datetime = DAY) -> Article:
    return Article(title=doc[0], text=doc[1], source_id=source_id, published_at=when,
                   fetched_at=when, url=f"https://news.example/{n}")


def _source(engine: Engine) -> int:
    with transaction(engine) as conn:
        source, _ = source_store.add_source(conn, Source(url="https://news.example/feed",
                                                         title="News"))
    return source.id or 0


def _store(engine: Engine, assigner: StoryAssigner, article: Article) -> int:
    with transaction(engine) as conn:
        article_id = store_article(conn, article, article.url, assigner)
        return int(conn.execute(sa.select(articles.c.story_id)
                                .where(articles.c.id == article_id)).scalar_one())


def test_articles_are_filed_and_found_through_the_index(engine: Engine) -> None:
    source = _source(engine)
    assigner = StoryAssigner()
    chile = _store(engine, assigner, _article(QUAKE_CHILE_A, source, 1))
    rehab = _store(engine, assigner, _article(REHAB, source, 2))
    assert _store(engine, assigner, _article(QUAKE_CHILE_B, source, 3)) == chile
    assert _store(engine, assigner, _article(QUAKE_JAPAN, source, 4)) not in {chile, rehab}
    fp = cluster.fingerprint(*QUAKE_CHILE_B)
    with transaction(engine) as conn:
        filed = conn.execute(sa.select(sa.func.count()).select_from(story_keys)).scalar_one()
        found = story_index.candidate_stories(conn, cluster.index_keys(fp),
                                              DAY - timedelta(days=1), DAY + timedelta(days=1))
        later = story_index.candidate_stories(conn, cluster.index_keys(fp),
                                              DAY + timedelta(days=9), DAY + timedelta(days=10))
    assert filed >= 4 * 8
    assert found[0] == chile and rehab not in found  # nothing in common with the rehab story
    assert later == []  # outside the window nothing is a candidate


def test_a_second_worker_sees_the_first_workers_new_article(engine: Engine) -> None:
    source = _source(engine)
    first, second = StoryAssigner(), StoryAssigner()  # two workers, started together
    chile = _store(engine, first, _article(QUAKE_CHILE_A, source, 1))
    assert _store(engine, second, _article(QUAKE_CHILE_B, source, 2)) == chile


def test_an_unreadable_stored_fingerprint_is_skipped_not_fatal(engine: Engine) -> None:
    source = _source(engine)
    assigner = StoryAssigner()
    chile = _store(engine, assigner, _article(QUAKE_CHILE_A, source, 1))
    with transaction(engine) as conn:
        conn.execute(sa.update(articles).values(fingerprint='{"v": 99}'))
    assert _store(engine, StoryAssigner(), _article(QUAKE_CHILE_B, source, 2)) != chile


def test_one_lookup_reads_the_recent_articles_of_the_closest_stories(engine: Engine) -> None:
    source = _source(engine)
    assigner = StoryAssigner()
    chile = _store(engine, assigner, _article(QUAKE_CHILE_A, source, 1))
    _store(engine, assigner, _article(REHAB, source, 2))
    assert _store(engine, assigner, _article(QUAKE_CHILE_B, source, 3)) == chile
    keys = cluster.index_keys(cluster.fingerprint(*QUAKE_CHILE_B))
    since, until = DAY - timedelta(days=1), DAY + timedelta(days=1)
    with transaction(engine) as conn:
        both = story_index.candidates(conn, keys, since, until)
        newest = story_index.candidates(conn, keys, since, until, per_story=1)
        later = story_index.candidates(conn, keys, until, until + timedelta(days=1))
    assert [r.story_id for r in both] == [chile, chile]  # the rehab story shares no key
    assert [r.article_id for r in both] == sorted(r.article_id for r in both)  # oldest first
    assert both[0].published_at == DAY  # dates read back as dates, not text
    assert [r.article_id for r in newest] == [both[-1].article_id]
    assert later == []
    assert cluster.Fingerprint.from_json(both[0].fingerprint).topic


def _postings_out_of_step(engine: Engine) -> int:
    """Postings whose story is not their article's (the index must follow every move)."""
    with transaction(engine) as conn:
        return int(conn.execute(
            sa.select(sa.func.count()).select_from(
                story_keys.join(articles, articles.c.id == story_keys.c.article_id))
            .where(story_keys.c.story_id.is_distinct_from(articles.c.story_id))).scalar_one())


def test_postings_follow_their_articles_through_merges_and_splits(engine: Engine) -> None:
    source = _source(engine)
    assigner = StoryAssigner()
    chile = _store(engine, assigner, _article(QUAKE_CHILE_A, source, 1))
    rehab = _store(engine, assigner, _article(REHAB, source, 2))
    _store(engine, assigner, _article(QUAKE_CHILE_B, source, 3))
    assert _postings_out_of_step(engine) == 0
    with transaction(engine) as conn:
        story_index.move_story(conn, rehab, chile, DAY - timedelta(days=1))  # a merge
        rehab_article = conn.execute(sa.select(articles.c.id).where(
            articles.c.url == "https://news.example/2")).scalar_one()
    assert _postings_out_of_step(engine) == 0
    with transaction(engine) as conn:
        filed = conn.execute(sa.select(story_keys.c.story_id).where(
            story_keys.c.article_id == rehab_article)).scalars().all()
        article_store.set_story(conn, rehab_article, rehab)  # a split takes it back
    assert filed and set(filed) == {chile}
    assert _postings_out_of_step(engine) == 0
    with transaction(engine) as conn:  # the look-up ranks stories from the postings
        found = story_index.candidate_stories(
            conn, cluster.index_keys(cluster.fingerprint(*REHAB)),
            DAY - timedelta(days=1), DAY + timedelta(days=1))
    assert found[0] == rehab


def test_the_upgrade_files_each_posting_under_its_articles_story(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0009")
    source = _source(engine)
    fp = cluster.fingerprint(*QUAKE_CHILE_A)
    with transaction(engine) as conn:
        story = story_store.create_story(conn, "Quake", DAY)
        conn.execute(sa.insert(articles).values(
            id=7, source_id=source, entry_key="k7", title=QUAKE_CHILE_A[0], fetched_at=DAY,
            topics=[], key_points=[], captions=[], related=[], fingerprint=fp.to_json(),
            story_id=story))
        conn.execute(sa.text("INSERT INTO story_keys (key, article_id, at) VALUES "
                             "(:key, 7, :at)"), [{"key": k, "at": DAY.replace(tzinfo=None)}
                                                 for k in cluster.index_keys(fp)])
    migrate(engine)
    with transaction(engine) as conn:
        filed = conn.execute(sa.select(story_keys.c.story_id)).scalars().all()
        found = story_index.candidate_stories(conn, cluster.index_keys(fp),
                                              DAY - timedelta(days=1), DAY + timedelta(days=1))
    engine.dispose()
    assert len(filed) == len(cluster.index_keys(fp)) and set(filed) == {story}
    assert found == [story]


def test_a_fingerprint_stored_by_this_process_is_kept_as_read_back() -> None:
    parsed = ParsedFingerprints(2)
    vector = [0.6, 0.8] + [0.0] * 382
    fp = cluster.fingerprint(*QUAKE_CHILE_A, embedding=vector)
    text = parsed.remember(fp)
    assert text == fp.to_json()
    kept = parsed.read(text)
    # as any other process reads it (the embedding is stored as int8), not the exact vector
    assert kept == cluster.Fingerprint.from_json(text) and kept != fp
    plain = cluster.fingerprint(*REHAB)
    assert parsed.read(parsed.remember(plain)) is plain  # nothing lost in JSON: kept as is
    parsed.remember(cluster.fingerprint(*QUAKE_JAPAN))  # the least recently used goes
    assert parsed.read(text) is not kept and parsed.read(text) == kept
