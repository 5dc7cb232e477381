"""The orchestrator: a source goes fetch → parse → extract → enrich → cluster → store.

Each step is one call into its stage; this module holds no SQL, parsing or scoring itself.
One bad entry never stops a refresh: it is counted and reported, the others land.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.engine import Connection, Engine

from tidings import enrich, extract
from tidings.cluster import Fingerprint
from tidings.config import Settings
from tidings.extract.entry import article_from_entry, merge_full_text
from tidings.extract.urls import canonical_url
from tidings.fetch import Fetcher, FetchError
from tidings.fetch.schedule import next_check
from tidings.leases import Heartbeat, holder_name, source_lock
from tidings.models import (
    Article,
    Entry,
    FetchResult,
    ParsedFeed,
    Source,
    Subscription,
    utcnow,
)
from tidings.placement import StoryAssigner, article_time, wait_turn
from tidings.sources import FeedError, discover_feeds, entry_key, parse_feed
from tidings.store import articles as article_store
from tidings.store import entities as entity_store
from tidings.store import jobs as job_store
from tidings.store import (
    library,
    placement_queue,
    reading,
    search_index,
    story_features,
    story_index,
)
from tidings.store import rules as rule_store
from tidings.store import sources as source_store
from tidings.store import stories as story_store
from tidings.store.db import run_in_transaction, transaction

log = logging.getLogger(__name__)



@dataclass
class RefreshReport:
    source_id: int
    url: str
    new: int = 0
    seen: int = 0
    not_modified: bool = False
    error: str | None = None
    failed: list[str] = field(default_factory=list)
    # Stored with the feed's own text because the linked page could not be used, and why.
    partial: list[str] = field(default_factory=list)

    def item_note(self) -> str | None:
        """The source's status line when the feed was read but some items were not whole."""
        problems = [*self.failed, *self.partial]
        if not problems:
            return None
        parts = [f"{len(self.failed)} of its items could not be stored"] if self.failed else []
        if self.partial:
            parts.append(f"{len(self.partial)} kept only the feed's text (their page could not"
                         " be used)")
        more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        return f"the feed was read, but {' and '.join(parts)}: {'; '.join(problems[:3])}{more}"


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
    _record_success(engine, source, result, settings, started, note=report.item_note())
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
                    at: datetime, *, note: str | None = None) -> None:
    next_at = next_check(at, interval_s=settings.refresh_interval_s, result=result)
    changes: dict[str, object] = {}
    if not result.not_modified:
        changes = {"etag": result.etag, "last_modified": result.last_modified}
    with transaction(engine) as conn:
        source_store.record_success(conn, source.id or 0, at, next_at, note=note, **changes)


def ingest_entries(engine: Engine, source: Source, entries: Sequence[Entry],
                   report: RefreshReport, fetcher: Fetcher | None = None) -> None:
    """Extract, enrich and store the entries not stored yet; count the rest. They are queued
    for placement once enriched, so that only the storing waits for other workers' articles
    queued earlier (storing is one article at a time anyway: `story_index.lock_assignment`)."""
    fresh = _new_entries(engine, source, entries, report)
    drafts = [_article_for(entry, source, fetcher, report.partial) for _, entry in fresh]
    enriched = enrich.enrich_many(drafts)
    assigner = StoryAssigner.for_run()
    vectors = assigner.embed(enriched)
    tickets = queue_placements(engine, len(enriched))
    for (key, _), article, vector, ticket in zip(fresh, enriched, vectors, tickets, strict=True):
        try:
            store_queued(engine, article, key, assigner, vector, ticket=ticket)
            report.new += 1
        except Exception as exc:  # one bad item must not stop the run
            log.warning("could not store %s from %s: %s", article.url, source.url, exc)
            report.failed.append(f"{article.url or article.title}: {exc}")
            give_back(engine, ticket)


def store_queued(engine: Engine, article: Article, key: str, assigner: StoryAssigner,
                 embedding: Sequence[float] = (), *, ticket: int) -> int:
    """Store an article queued for placement (`queue_placements`): its fingerprint first
    (no database), then its turn (articles queued earlier by any worker go first), then its
    transaction, retried after a deadlock or lock timeout (the assigner keeps only a parse
    cache)."""
    fingerprint = assigner.fingerprint(article, embedding)
    wait_turn(engine, ticket)
    return run_in_transaction(engine, partial(
        store_article, article=article, key=key, assigner=assigner, ticket=ticket,
        fingerprint=fingerprint))


def queue_placements(engine: Engine, count: int) -> list[int]:
    """Tickets for `count` articles about to be stored, in order (`store.placement_queue`)."""
    if not count:
        return []
    with transaction(engine) as conn:
        return placement_queue.queue(conn, count)


def give_back(engine: Engine, ticket: int) -> None:
    """The ticket of an article that was not stored: nobody waits for it."""
    try:
        with transaction(engine) as conn:
            placement_queue.release(conn, [ticket])
    except Exception as exc:  # the others then wait STALL_S for it, no longer
        log.warning("placement ticket %s not given back: %s", ticket, exc)


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


def _article_for(entry: Entry, source: Source, fetcher: Fetcher | None,
                 problems: list[str]) -> Article:
    """The entry as an article; with the source's full-text setting, from the linked page
    (when that page cannot be used, the feed's text, and the reason goes to `problems`)."""
    article = article_from_entry(entry)
    if fetcher is not None and source.full_text and entry.url:
        try:
            page = fetcher.fetch(entry.url)
            article = merge_full_text(article, extract.extract_document(
                page.content, url=page.final_url, content_type=page.content_type))
        except ValueError as exc:  # FetchError or ExtractError: keep the feed's own text
            log.info("full text of %s not fetched: %s", entry.url, exc)
            reason = str(exc)
            problems.append(reason if reason.startswith(entry.url) else f"{entry.url}: {reason}")
    canon = canonical_url(entry.url) if entry.url else ""
    return replace(article, canonical_url=canon, source_id=source.id, fetched_at=utcnow())


def store_article(conn: Connection, article: Article, key: str, assigner: StoryAssigner,
                  embedding: Sequence[float] = (), *, ticket: int | None = None,
                  fingerprint: Fingerprint | None = None) -> int:
    """Place the article in a story and write it with its annotations. `embedding` is its
    lead's (`StoryAssigner.embed`), when there is an encoder; `fingerprint` its
    `assigner.fingerprint(article, embedding)` when computed before the transaction;
    `ticket` its place in the placement queue (`store_queued`), removed here."""
    if fingerprint is None:
        fingerprint = assigner.fingerprint(article, embedding)  # no database
    story_index.lock_assignment(conn)  # concurrent workers place one article at a time
    if ticket is not None:
        placement_queue.placed(conn, ticket)
    placement = assigner.place(conn, article, fingerprint=fingerprint)
    article = replace(article, story_id=placement.story_id)
    article_id = article_store.insert_article(conn, article, entry_key=key,
                                              fingerprint=placement.stored)
    entity_store.save_annotations(conn, article_id, article.entities, article.quotes,
                                  enrich.entity_key)
    search_index.index_new_article(conn, article_id, article)  # with entities and quotes
    touched = assigner.added(conn, article_id, placement, article_time(article))
    for story_id in touched:
        story_store.refresh_story(conn, story_id)
    story_features.refresh_stories(conn, touched)  # what the feed reads, same transaction
    rule_store.apply_to_new_article(conn, article_id)  # each subscriber's rules, if any
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
    article = enrich.enrich_article(article)
    assigner = StoryAssigner.for_run()
    vector = assigner.embed([article])[0]
    with transaction(engine) as conn:
        return store_article(conn, article, key, assigner, vector)


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
    holder = holder_name("add")
    with Fetcher(settings) as fetcher:
        result, feed = _fetch_feed(fetcher, url.strip())
        with transaction(engine) as conn:
            source, is_new = source_store.add_source(conn, Source(
                url=result.url, title=feed.title or result.url, site_url=feed.site_url,
                full_text=full_text))
            sub, _ = library.subscribe(conn, user_id, source.id or 0, title=title,
                                       folder=folder, full_text=full_text)
            # The source and its refresh lease appear in one commit: a running worker cannot
            # start fetching the new feed while we load its entries ourselves.
            job = job_store.claim_key(conn, job_store.refresh_key(source.id or 0),
                                      {"source_id": source.id}, holder, utcnow(),
                                      lease=timedelta(seconds=settings.job_lease_s)
                                      ) if is_new else None
        if job is None:
            return sub, None
        report = RefreshReport(source_id=source.id or 0, url=source.url)
        try:
            with (Heartbeat(engine, job, holder, settings.job_lease_s),
                  source_lock(engine, source.id or 0)):
                ingest_entries(engine, replace(source, full_text=full_text), feed.entries,
                               report, fetcher)
                _record_success(engine, source, result, settings, utcnow(),
                                note=report.item_note())
        finally:
            with transaction(engine) as conn:
                job_store.complete(conn, job, holder)
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
        if gone:  # stories that lost articles: their features again
            story_features.refresh_stories(conn, story_features.stale_story_ids(conn))
    return gone
