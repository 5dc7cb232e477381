"""The orchestrator: a source goes fetch → parse → extract → enrich → cluster → store.

Each step is one call into its stage; this module holds no SQL, parsing or scoring itself.
One bad entry never stops a refresh: it is counted and reported, the others land.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection, Engine

from tidings import cluster, enrich, extract
from tidings.cluster.repair import REPAIR_SPAN
from tidings.config import Settings
from tidings.extract.entry import article_from_entry, merge_full_text
from tidings.extract.urls import canonical_url
from tidings.fetch import Fetcher, FetchError
from tidings.fetch.schedule import next_check
from tidings.models import (
    Article,
    Entry,
    FetchResult,
    ParsedFeed,
    Source,
    Subscription,
    utcnow,
)
from tidings.sources import FeedError, discover_feeds, entry_key, parse_feed
from tidings.store import articles as article_store
from tidings.store import entities as entity_store
from tidings.store import library, reading, search_index
from tidings.store import sources as source_store
from tidings.store import stories as story_store
from tidings.store.db import transaction

log = logging.getLogger(__name__)

CANDIDATE_WINDOW = cluster.STORY_WINDOW * 2  # an article may be dated a window back


@dataclass
class RefreshReport:
    source_id: int
    url: str
    new: int = 0
    seen: int = 0
    not_modified: bool = False
    error: str | None = None
    failed: list[str] = field(default_factory=list)


@dataclass
class StoryAssigner:
    """Recent articles' fingerprints, loaded once per run and kept current as we add.

    An article joins the closest recent story (or starts one); then that story is checked
    for having grown into two events, and split if so (`cluster.split_story`): the one-pass
    decision alone merges the first report of a second, similar event too eagerly.
    """

    candidates: list[cluster.Candidate]
    article_ids: list[int]

    @classmethod
    def load(cls, conn: Connection, since: datetime) -> StoryAssigner:
        assigner = cls([], [])
        for row in article_store.recent_fingerprints(conn, since):
            try:
                fp = cluster.Fingerprint.from_json(row.fingerprint)
            except cluster.FingerprintError as exc:  # e.g. written by an older version
                log.info("article %s: fingerprint skipped (%s)", row.article_id, exc)
                continue
            assigner.candidates.append(cluster.Candidate(row.story_id, fp, row.published_at))
            assigner.article_ids.append(row.article_id)
        return assigner

    def place(self, conn: Connection, article: Article) -> tuple[int, cluster.Fingerprint]:
        names = [e.name for e in article.entities]
        fp = cluster.fingerprint(article.title, article.text, entities=names)
        story_id = cluster.assign_story(fp, self.candidates, published_at=article.published_at,
                                        threshold=cluster.REPAIR_JOIN_THRESHOLD)
        if story_id is None:
            when = article.published_at or article.fetched_at or utcnow()
            story_id = story_store.create_story(conn, article.title or "(untitled)", when)
        return story_id, fp

    def added(self, conn: Connection, article_id: int, story_id: int, fp: cluster.Fingerprint,
              published_at: datetime | None) -> list[int]:
        """Remember a stored article; split its story if needed. Returns stories touched."""
        self.candidates.append(cluster.Candidate(story_id, fp, published_at))
        self.article_ids.append(article_id)
        members = [i for i, c in enumerate(self.candidates) if c.story_id == story_id]
        recent = members[-REPAIR_SPAN:]
        groups = cluster.split_story([self.candidates[i].fingerprint for i in recent],
                                     published=[self.candidates[i].published_at for i in recent])
        new_stories: dict[int, int] = {}
        for i, group in zip(recent, groups, strict=True):
            if group:
                if group not in new_stories:
                    first = article_store.get_article(conn, self.article_ids[i])
                    new_stories[group] = story_store.create_story(
                        conn, first.title or "(untitled)", first.published_at or utcnow())
                self.candidates[i] = replace(self.candidates[i], story_id=new_stories[group])
                article_store.set_story(conn, self.article_ids[i], new_stories[group])
        return [story_id, *new_stories.values()]


def refresh_source(engine: Engine, fetcher: Fetcher, source_id: int, *,
                   settings: Settings) -> RefreshReport:
    """Fetch one source and store its new entries; errors are recorded on the source."""
    with transaction(engine) as conn:
        source = source_store.get_source(conn, source_id)
    report = RefreshReport(source_id=source_id, url=source.url)
    started = utcnow()
    try:
        result = fetcher.fetch(source.url, etag=source.etag, last_modified=source.last_modified)
        entries = [] if result.not_modified else _parse(result)
    except (FetchError, FeedError) as exc:
        report.error = str(exc)
        _record_failure(engine, source, exc, settings, started)
        return report
    report.not_modified = result.not_modified
    ingest_entries(engine, source, entries, report, fetcher)
    _record_success(engine, source, result, settings, started)
    return report


def _parse(result: FetchResult) -> list[Entry]:
    feed = parse_feed(result.content, url=result.final_url, content_type=result.content_type)
    return feed.entries


def _record_failure(engine: Engine, source: Source, exc: Exception, settings: Settings,
                    at: datetime) -> None:
    next_at = next_check(at, interval_s=settings.refresh_interval_s, error=exc,
                         error_count=source.error_count + 1)
    with transaction(engine) as conn:
        source_store.record_error(conn, source, at, next_at, str(exc))


def _record_success(engine: Engine, source: Source, result: FetchResult, settings: Settings,
                    at: datetime) -> None:
    next_at = next_check(at, interval_s=settings.refresh_interval_s, result=result)
    changes: dict[str, object] = {}
    if not result.not_modified:
        changes = {"etag": result.etag, "last_modified": result.last_modified}
    with transaction(engine) as conn:
        source_store.record_success(conn, source.id or 0, at, next_at, **changes)


def ingest_entries(engine: Engine, source: Source, entries: Sequence[Entry],
                   report: RefreshReport, fetcher: Fetcher | None = None) -> None:
    """Extract, enrich and store the entries not stored yet; count the rest."""
    fresh = _new_entries(engine, source, entries, report)
    drafts = [_article_for(entry, source, fetcher) for _, entry in fresh]
    enriched = enrich.enrich_many(drafts)
    with transaction(engine) as conn:
        assigner = StoryAssigner.load(conn, utcnow() - CANDIDATE_WINDOW)
    for (key, _), article in zip(fresh, enriched, strict=True):
        try:
            with transaction(engine) as conn:
                store_article(conn, article, key, assigner)
            report.new += 1
        except Exception as exc:  # one bad item must not stop the run
            log.warning("could not store %s from %s: %s", article.url, source.url, exc)
            report.failed.append(f"{article.url or article.title}: {exc}")


def _new_entries(engine: Engine, source: Source, entries: Sequence[Entry],
                 report: RefreshReport) -> list[tuple[str, Entry]]:
    """Entries not stored yet (by feed key or canonical URL), each once."""
    fresh: dict[str, Entry] = {}
    with transaction(engine) as conn:
        for entry in entries:
            key = entry_key(entry)
            canon = canonical_url(entry.url) if entry.url else ""
            if article_store.find_duplicate(conn, source.id, key, canon, entry.title) is not None:
                report.seen += 1
            else:
                fresh.setdefault(key, entry)
    return list(fresh.items())


def _article_for(entry: Entry, source: Source, fetcher: Fetcher | None) -> Article:
    """The entry as an article; with the source's full-text setting, from the linked page."""
    article = article_from_entry(entry)
    if fetcher is not None and source.full_text and entry.url:
        try:
            page = fetcher.fetch(entry.url)
            article = merge_full_text(article, extract.extract_document(
                page.content, url=page.final_url, content_type=page.content_type))
        except ValueError as exc:  # FetchError or ExtractError: keep the feed's own text
            log.info("full text of %s not fetched: %s", entry.url, exc)
    canon = canonical_url(entry.url) if entry.url else ""
    return replace(article, canonical_url=canon, source_id=source.id, fetched_at=utcnow())


def store_article(conn: Connection, article: Article, key: str, assigner: StoryAssigner) -> int:
    """Place the article in a story and write it with its annotations."""
    story_id, fp = assigner.place(conn, article)
    article = replace(article, story_id=story_id)
    article_id = article_store.insert_article(conn, article, entry_key=key,
                                              fingerprint=fp.to_json())
    entity_store.save_annotations(conn, article_id, article.entities, article.quotes,
                                  enrich.entity_key)
    search_index.index_article(conn, article_id)  # with its entities and quotes
    for touched in assigner.added(conn, article_id, story_id, fp, article.published_at):
        story_store.refresh_story(conn, touched)
    return article_id


def ingest_document(engine: Engine, data: bytes, *, source: Source, url: str = "",
                    name: str = "") -> int | None:
    """Store one page or capture (not a feed) under `source`; None if already stored."""
    article = extract.extract_document(data, url=url, name=name)
    article = replace(article, url=url or article.url, source_id=source.id,
                      canonical_url=canonical_url(url) if url else "", fetched_at=utcnow())
    key = f"doc:{article.canonical_url or article.content_hash}"
    with transaction(engine) as conn:
        if article_store.find_duplicate(conn, source.id, key, article.canonical_url,
                                        article.title):
            return None
        assigner = StoryAssigner.load(conn, utcnow() - CANDIDATE_WINDOW)
    article = enrich.enrich_article(article)
    with transaction(engine) as conn:
        return store_article(conn, article, key, assigner)


def subscribe(engine: Engine, url: str, *, settings: Settings, user_id: int, title: str = "",
              folder: str = "", full_text: bool = False
              ) -> tuple[Subscription, RefreshReport | None]:
    """Subscribe a reader to a feed URL or a site URL (its feed is discovered). A source
    someone already subscribes to is not fetched again: the reader just joins it. A new one
    is fetched and its entries loaded; with `full_text`, each new entry's linked page is
    fetched and extracted (for feeds that carry only a teaser).

    Raises FetchError/FeedError (both ValueError) with a clear message when nothing usable is
    there; nothing is stored then.
    """
    with transaction(engine) as conn:
        known = source_store.find_source(conn, url.strip())
        if known is not None:
            return library.subscribe(conn, user_id, known.id or 0, title=title, folder=folder,
                                     full_text=full_text)[0], None
    with Fetcher(settings) as fetcher:
        result, feed = _fetch_feed(fetcher, url.strip())
        with transaction(engine) as conn:
            source, is_new = source_store.add_source(conn, Source(
                url=result.url, title=feed.title or result.url, site_url=feed.site_url,
                full_text=full_text))
            sub, _ = library.subscribe(conn, user_id, source.id or 0, title=title,
                                       folder=folder, full_text=full_text)
        if not is_new:
            return sub, None
        report = RefreshReport(source_id=source.id or 0, url=source.url)
        ingest_entries(engine, replace(source, full_text=full_text), feed.entries, report,
                       fetcher)
    _record_success(engine, source, result, settings, utcnow())
    return sub, report


def _fetch_feed(fetcher: Fetcher, url: str) -> tuple[FetchResult, ParsedFeed]:
    """Fetch and parse `url`; an HTML page is searched for its feed link instead."""
    result = fetcher.fetch(url)
    try:
        return result, parse_feed(result.content, url=result.final_url,
                                  content_type=result.content_type)
    except FeedError:
        links = discover_feeds(result.content, result.final_url)
        if not links:
            raise
    result = fetcher.fetch(links[0])
    return result, parse_feed(result.content, url=result.final_url,
                              content_type=result.content_type)


def prune(engine: Engine, settings: Settings) -> int:
    """Retention: read, unstarred articles older than the setting go (starred ones never),
    and so do the stories left empty."""
    with transaction(engine) as conn:
        gone = reading.prune_read_articles(conn, utcnow() - timedelta(days=settings.retention_days))
        story_store.delete_empty_stories(conn)
    return gone
