"""The bundled demo newsroom streamed through the clusterer: each event is one story.

The manifest lists which articles (feed guids, or the capture's URL) cover one event. Feeds
are parsed and cleaned as the pipeline does (`parse_feed`, `article_from_entry`,
`extract_document` for the capture), then streamed in order of publication, once without and
once with the entity names our enrichment finds.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from tidings import extract
from tidings.cluster import StreamClusterer
from tidings.demo import DATA, bundled_feeds, manifest
from tidings.enrich import enrich_many
from tidings.extract.entry import article_from_entry
from tidings.models import Article

LATEST = datetime.max.replace(tzinfo=UTC)


def demo_articles() -> list[tuple[str, Article]]:
    """(manifest id, article) for every bundled article, oldest first (undated last)."""
    out = [(entry.guid or entry.url, article_from_entry(entry))
           for _, feed in bundled_feeds() for entry in feed.entries]
    for capture in manifest().get("captures", []):
        data = (DATA / capture["file"]).read_bytes()
        out.append((capture["url"], extract.extract_document(data, url=capture["url"],
                                                             name=capture["file"])))
    return sorted(out, key=lambda pair: pair[1].published_at or LATEST)


def stream(articles: list[tuple[str, Article]], *, repair: bool,
           with_entities: bool) -> dict[str, int]:
    clusterer = StreamClusterer(repair=repair)
    for key, article in articles:
        names = tuple(e.name for e in article.entities) if with_entities else ()
        clusterer.add(key, article.title, article.text, article.published_at, entities=names)
    return clusterer.stories


def bcubed_f1(gold: dict[str, str], pred: dict[str, int]) -> float:
    both = Counter((gold[d], pred[d]) for d in gold)
    g, p = Counter(gold.values()), Counter(pred[d] for d in gold)
    prec = sum(both[(gold[d], pred[d])] / p[pred[d]] for d in gold) / len(gold)
    rec = sum(both[(gold[d], pred[d])] / g[gold[d]] for d in gold) / len(gold)
    return 2 * prec * rec / (prec + rec)


@pytest.fixture(scope="module")
def articles() -> list[tuple[str, Article]]:
    return demo_articles()


@pytest.fixture(scope="module")
def enriched(articles: list[tuple[str, Article]]) -> list[tuple[str, Article]]:
    done = enrich_many([a for _, a in articles])
    return [(key, a) for (key, _), a in zip(articles, done, strict=True)]


def events() -> dict[str, str]:
    """Article id -> event id; articles outside every event are their own event."""
    return {art: event["id"] for event in manifest()["events"] for art in event["articles"]}


def test_every_manifest_article_is_bundled(articles: list[tuple[str, Article]]) -> None:
    keys = {key for key, _ in articles}
    assert set(events()) <= keys, f"not in the bundle: {sorted(set(events()) - keys)}"


@pytest.mark.parametrize("repair", [True, False], ids=["repair", "no-repair"])
@pytest.mark.parametrize("source", ["plain", "entities"])
def test_each_event_is_one_story_and_no_two_events_share_one(
        request: Any, source: str, repair: bool) -> None:
    items = request.getfixturevalue("enriched" if source == "entities" else "articles")
    stories = stream(items, repair=repair, with_entities=source == "entities")
    truth = events()
    gold = {key: truth.get(key, f"alone:{key}") for key, _ in items}
    for event in manifest()["events"]:
        got = {stories[a] for a in event["articles"]}
        assert len(got) == 1, f"event {event['id']} split over stories {got}"
    owners = {stories[a]: e["id"] for e in manifest()["events"] for a in e["articles"]}
    strays = [k for k, s in stories.items() if s in owners and truth.get(k) != owners[s]]
    assert not strays, f"articles wrongly inside an event's story: {strays}"
    assert bcubed_f1(gold, stories) == 1.0
