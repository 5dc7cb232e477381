"""`tidings demo` through the real pipeline: every sample event becomes one story."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.accounts import subscribe
from tests.feeds import rss
from tests.loopback import LoopbackSite, Route
from tidings import demo, pipeline
from tidings.config import Settings
from tidings.fetch import Fetcher
from tidings.models import Source
from tidings.store import sources as source_store
from tidings.store.db import transaction
from tidings.store.schema import articles, stories


def _story_of(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(articles.c.guid, articles.c.url, articles.c.story_id))
        return {key: r.story_id for r in rows for key in (r.guid, r.url) if key}


def test_demo_events_become_one_story_each(engine: Engine, settings: Settings) -> None:
    assert demo.load_demo(engine, settings) == 26
    story_of = _story_of(engine)
    events = demo.manifest()["events"]
    event_stories = []
    for event in events:
        ids = {story_of[a] for a in event["articles"]}
        assert len(ids) == 1, f"{event['id']} split over stories {ids}"
        event_stories.append(ids.pop())
    assert len(set(event_stories)) == len(events), "two events share a story"
    with engine.connect() as conn:
        counts = dict(conn.execute(sa.select(stories.c.id, stories.c.article_count)).all())
    assert [counts[s] for s in event_stories] == [len(e["articles"]) for e in events]
    assert demo.load_demo(engine, settings) == 0  # loading twice adds nothing


def test_two_same_kind_events_end_in_two_stories(engine: Engine, settings: Settings,
                                                 site: LoopbackSite) -> None:
    quake_a = [("a1", "Quake of 6.1 shakes Valparaiso",
                "A magnitude 6.1 earthquake struck off Valparaiso, Chile, on Monday, the "
                "seismology centre at the University of Chile said. Port cranes stopped."),
               ("a2", "Chile port city counts damage after Monday tremor",
                "Valparaiso officials said 40 homes were damaged by Monday's 6.1 earthquake; "
                "Mayor Camila Rojas said the port reopened on Tuesday.")]
    quake_b = [("b1", "Strong earthquake jolts Sendai",
                "A magnitude 6.4 earthquake hit Miyagi prefecture in Japan on Saturday; "
                "Tohoku Electric said its Onagawa plant was undamaged."),
               ("b2", "Miyagi tremor halts Sendai bullet trains",
                "Bullet trains around Sendai stopped after Saturday's 6.4 quake in Miyagi; "
                "hospitals in Sendai treated eleven people, Japan's agency said.")]
    site.routes["/q.xml"] = Route(rss("Wire", quake_a + quake_b),
                                  headers={"Content-Type": "application/rss+xml"})
    with transaction(engine) as conn:
        source_id = source_store.add_source(conn, Source(url=site.url("/q.xml")))[0].id or 0
        subscribe(conn, source_id)
    with Fetcher(settings) as fetcher:
        assert pipeline.refresh_source(engine, fetcher, source_id, settings=settings).new == 4
    with engine.connect() as conn:
        by_title = dict(conn.execute(sa.select(articles.c.title, articles.c.story_id)).all())
    a1, a2, b1, b2 = (by_title[title] for _, title, _ in quake_a + quake_b)
    assert a1 == a2 and b1 == b2 and a1 != b1


def test_demo_remove_takes_the_sample_out_and_keeps_the_rest(engine: Engine, settings: Settings,
                                                             site: LoopbackSite, cli) -> None:
    site.routes["/own.xml"] = Route(rss("Own", [("o1", "Our own story", "Text of our own.")]),
                                    headers={"Content-Type": "application/rss+xml"})
    assert demo.load_demo(engine, settings) == 26
    with transaction(engine) as conn:
        own = source_store.add_source(conn, Source(url=site.url("/own.xml")))[0].id or 0
        subscribe(conn, own, settings.user)
    with Fetcher(settings) as fetcher:
        assert pipeline.refresh_source(engine, fetcher, own, settings=settings).new == 1
    code, out = cli("demo", "--remove")
    assert code == 0 and "sample newsroom removed: 5 outlets" in out, out
    with engine.connect() as conn:
        titles = [r[0] for r in conn.execute(sa.select(articles.c.title))]
        left = conn.execute(sa.select(stories.c.article_count)).scalars().all()
        kept = [s.url for s in source_store.list_sources(conn)]
    assert titles == ["Our own story"] and left == [1]
    assert kept == [site.url("/own.xml")]
    assert cli("demo", "--remove")[1].strip().endswith("removed: 0 outlets")
