"""refresh_source end to end: loopback HTTP → parse → extract → enrich → cluster → store."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.accounts import reader, subscribe
from tests.feeds import HARBOUR, rss
from tests.loopback import LoopbackSite, Route
from tidings import pipeline
from tidings.config import Settings
from tidings.enrich.language import headline_language
from tidings.fetch import Fetcher
from tidings.models import Follow, Source, TargetKind
from tidings.rank.feed import feed_for_user
from tidings.store import placement_queue
from tidings.store import sources as source_store
from tidings.store import users as user_store
from tidings.store.db import transaction
from tidings.store.schema import articles, entities

RSS = {"Content-Type": "application/rss+xml"}


def _add(engine: Engine, url: str) -> int:
    with transaction(engine) as conn:
        source_id = source_store.add_source(conn, Source(url=url, title=url))[0].id or 0
        subscribe(conn, source_id)
        return source_id


def _titles(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(articles.c.title)).scalars())


def test_refresh_twice_stores_each_entry_once(engine: Engine, settings: Settings,
                                              site: LoopbackSite) -> None:
    site.routes["/feed.xml"] = Route(rss("Harbour Post", HARBOUR), headers=RSS)
    source_id = _add(engine, site.url("/feed.xml"))
    with Fetcher(settings) as fetcher:
        first = pipeline.refresh_source(engine, fetcher, source_id, settings=settings)
        second = pipeline.refresh_source(engine, fetcher, source_id, settings=settings)
    assert (first.error, first.new, first.seen) == (None, 3, 0)
    assert (second.error, second.new, second.seen) == (None, 0, 3)
    assert _titles(engine) == sorted(t for _, t, _ in HARBOUR)
    with engine.connect() as conn:
        story_ids = conn.execute(sa.select(articles.c.story_id)).scalars().all()
        assert None not in story_ids  # every article is placed in a story
        assert placement_queue.ahead(conn, 2**31 - 1) == 0  # and its queue ticket used up


def test_feed_that_reorders_and_adds_does_not_duplicate(engine: Engine, settings: Settings,
                                                        site: LoopbackSite) -> None:
    site.routes["/feed.xml"] = Route(rss("Harbour Post", HARBOUR[:2]), headers=RSS)
    source_id = _add(engine, site.url("/feed.xml"))
    with Fetcher(settings) as fetcher:
        pipeline.refresh_source(engine, fetcher, source_id, settings=settings)
        site.routes["/feed.xml"] = Route(rss("Harbour Post", HARBOUR[::-1]), headers=RSS)
        report = pipeline.refresh_source(engine, fetcher, source_id, settings=settings)
    assert (report.new, report.seen) == (1, 2)
    assert len(_titles(engine)) == 3


def test_broken_sources_get_clear_errors_and_others_still_land(
        engine: Engine, settings: Settings, site: LoopbackSite) -> None:
    site.routes["/good.xml"] = Route(rss("Harbour Post", HARBOUR), headers=RSS)
    site.routes["/garbage.xml"] = Route(b"\x00\x01 this is not a feed \xff", headers=RSS)
    site.routes["/slow.xml"] = Route(rss("Slow", HARBOUR), headers=RSS, delay_s=5)
    ids = {name: _add(engine, site.url(f"/{name}.xml"))
           for name in ("missing", "garbage", "slow", "good")}
    with Fetcher(settings) as fetcher:
        reports = {name: pipeline.refresh_source(engine, fetcher, sid, settings=settings)
                   for name, sid in ids.items()}
    assert reports["good"].new == 3 and reports["good"].error is None
    with transaction(engine) as conn:
        state = {name: source_store.get_source(conn, sid) for name, sid in ids.items()}
    assert "404" in (state["missing"].last_error or "")
    assert "feed" in (state["garbage"].last_error or "").lower()
    assert "time" in (state["slow"].last_error or "").lower()
    for name in ("missing", "garbage", "slow"):
        assert state[name].error_count == 1
        assert state[name].next_check_at is not None
    assert state["good"].last_error is None


def test_conditional_get_sends_validators_and_handles_304(
        engine: Engine, settings: Settings, site: LoopbackSite) -> None:
    site.routes["/feed.xml"] = Route(rss("Harbour Post", HARBOUR),
                                     headers=RSS | {"ETag": '"v1"'})
    source_id = _add(engine, site.url("/feed.xml"))
    with Fetcher(settings) as fetcher:
        pipeline.refresh_source(engine, fetcher, source_id, settings=settings)
        site.routes["/feed.xml"] = not_modified = Route(b"", status=304, headers={"ETag": '"v1"'})
        report = pipeline.refresh_source(engine, fetcher, source_id, settings=settings)
    assert not_modified.seen_headers[0].get("If-None-Match") == '"v1"'
    assert report.not_modified and report.error is None
    with transaction(engine) as conn:
        assert source_store.get_source(conn, source_id).etag == '"v1"'


def _rss_items(items: list[tuple[str, str, str]]) -> bytes:
    """(guid, title, link) items with a short body each."""
    body = "".join(f"<item><guid>{g}</guid><title>{t}</title><link>{link}</link>"
                   f"<description>{t}: the details follow in a later update.</description></item>"
                   for g, t, link in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}' \
           f"</channel></rss>".encode()


def test_items_that_all_link_to_the_home_page_are_all_kept(
        engine: Engine, settings: Settings, site: LoopbackSite) -> None:
    home = "https://blog.example/"
    site.routes["/feed.xml"] = Route(_rss_items([("p1", "First note", home)]), headers=RSS)
    source_id = _add(engine, site.url("/feed.xml"))
    with Fetcher(settings) as fetcher:
        pipeline.refresh_source(engine, fetcher, source_id, settings=settings)
        site.routes["/feed.xml"] = Route(_rss_items([
            ("p2", "Second note", home), ("p1", "First note", home)]), headers=RSS)
        report = pipeline.refresh_source(engine, fetcher, source_id, settings=settings)
    assert (report.new, report.seen) == (1, 1)
    assert _titles(engine) == ["First note", "Second note"]


def test_a_feed_that_rewrites_its_guids_does_not_duplicate(
        engine: Engine, settings: Settings, site: LoopbackSite) -> None:
    items = [("old-1", "Pier reopens", "https://news.example/pier?utm_source=rss"),
             ("old-2", "Tram fares frozen", "https://news.example/tram")]
    site.routes["/feed.xml"] = Route(_rss_items(items), headers=RSS)
    source_id = _add(engine, site.url("/feed.xml"))
    with Fetcher(settings) as fetcher:
        pipeline.refresh_source(engine, fetcher, source_id, settings=settings)
        rewritten = [(f"new-{g}", t, link.replace("?utm_source=rss", "")) for g, t, link in items]
        site.routes["/feed.xml"] = Route(_rss_items(rewritten), headers=RSS)
        report = pipeline.refresh_source(engine, fetcher, source_id, settings=settings)
    assert (report.new, report.seen) == (0, 2)
    assert len(_titles(engine)) == 2


ARTICLE_PAGE = """<!doctype html><html><head><title>Ferry timetable | Harbour Post</title></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article>
<h1>Winter ferry timetable cuts evening sailings</h1>
<p>The island ferry will stop running after 8pm from December until March, the operator Blue
Tern Lines said on Tuesday, citing a shortage of qualified deck crew over the winter months.</p>
<p>Commuters who work late shifts in Port Elnor said the change would leave them stranded, and
the island council asked the operator to keep at least one late sailing on Fridays.</p>
<p>Blue Tern Lines said it would review the timetable in February once new crew members finish
their training, and that fares for the remaining sailings would not change.</p>
</article><footer>Subscribe to our newsletter</footer></body></html>"""


def test_full_text_sources_store_the_linked_page(engine: Engine, settings: Settings,
                                                 site: LoopbackSite) -> None:
    page_url = site.url("/news/ferry")
    site.routes["/news/ferry"] = Route(ARTICLE_PAGE.encode(),
                                       headers={"Content-Type": "text/html; charset=utf-8"})
    site.routes["/feed.xml"] = Route(_rss_items([("f1", "Ferry timetable cut", page_url)]),
                                     headers=RSS)
    with transaction(engine) as conn:
        user = reader(conn)
    sub, report = pipeline.subscribe(engine, site.url("/feed.xml"), settings=settings,
                                     user_id=user.id or 0, full_text=True)
    assert sub.full_text and sub.source.full_text and report and report.new == 1
    with engine.connect() as conn:
        text = conn.execute(sa.select(articles.c.text)).scalar_one()
    assert text.startswith("The island ferry will stop running after 8pm")
    assert "fares for the remaining sailings would not change." in text
    assert "Subscribe" not in text and "Home" not in text


def _headline_items(items: list[tuple[str, str]], language: str = "") -> bytes:
    """(guid, title) items with no description: a feed that carries only headlines."""
    body = "".join(f"<item><guid>{g}</guid><title>{t}</title>"
                   f"<link>https://wire.example/{g}</link></item>" for g, t in items)
    lang = f"<language>{language}</language>" if language else ""
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{lang}' \
           f"{body}</channel></rss>".encode()


def test_a_headline_only_item_is_enriched_and_a_mute_of_its_entity_holds(
        engine: Engine, settings: Settings, site: LoopbackSite) -> None:
    site.routes["/feed.xml"] = Route(_headline_items([
        ("w1", "Marta Quillon says Dunmore port will close for a week"),
        ("w2", "Ferry timetable for the Orrin islands changes on Monday")]), headers=RSS)
    source_id = _add(engine, site.url("/feed.xml"))
    with Fetcher(settings) as fetcher:
        report = pipeline.refresh_source(engine, fetcher, source_id, settings=settings)
    assert (report.error, report.new) == (None, 2)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(articles.c.title, articles.c.language,
                                        articles.c.text)).all()
        names = set(conn.execute(sa.select(entities.c.name)).scalars())
    assert {(t, lang, text) for t, lang, text in stored if t.startswith("Marta")} == {
        ("Marta Quillon says Dunmore port will close for a week", "en", "")}
    assert "Marta Quillon" in names
    with transaction(engine) as conn:
        user = reader(conn)
        before = [i.story.title for i in feed_for_user(conn, user.id or 0)]
        user_store.set_follow(conn, Follow(user.id or 0, TargetKind.ENTITY, "Marta Quillon",
                                           muted=True))
        after = [i.story.title for i in feed_for_user(conn, user.id or 0)]
    assert len(before) == 2 and any(h.startswith("Marta") for h in before)
    assert after == ["Ferry timetable for the Orrin islands changes on Monday"]


def test_a_headline_only_item_takes_the_language_its_feed_declares(
        engine: Engine, settings: Settings, site: LoopbackSite) -> None:
    title = "Dunmore gegen Orrin 2:1"
    assert headline_language(title) == ""  # alone, too short for the classifier to be sure
    site.routes["/feed.xml"] = Route(_headline_items([("d1", title)], language="de-DE"),
                                     headers=RSS)
    source_id = _add(engine, site.url("/feed.xml"))
    with Fetcher(settings) as fetcher:
        report = pipeline.refresh_source(engine, fetcher, source_id, settings=settings)
    assert (report.error, report.new) == (None, 1)
    with engine.connect() as conn:
        assert conn.execute(sa.select(articles.c.language)).scalars().all() == ["de"]
        assert conn.execute(sa.select(entities.c.name)).scalars().all() == []  # not enriched
