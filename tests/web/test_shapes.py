"""The feed's JSON (orjson, dates left to it) is the JSON the other routes' shapes make
(`json`, dates by `isoformat`): same keys, same strings, whatever the dates and the text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import orjson
import pytest

from tidings.models import Article, FeedItem, Story
from tidings.web.api.shapes import item_json, same

WHEN = [datetime(2026, 12, 7, 23, 4, 5, tzinfo=UTC),  # no microseconds: isoformat omits them
        datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)]


@pytest.mark.parametrize("when", WHEN)
@pytest.mark.parametrize("published", [None, WHEN[1]])
def test_the_feed_item_orjson_writes_is_the_one_json_writes(when: datetime,
                                                             published: datetime | None) -> None:
    lead = Article(url="https://example.org/a?x=1&y=\u2028", title="Zoë says \"no\" \U0001f600 <b>",
                   id=7, source_id=3, story_id=5, published_at=published, fetched_at=when,
                   key_points=["one\nline", "\\back\\slash"])
    item = FeedItem(story=Story("Zoë — \u00e9t\u00e9", when, when, 4, 2, id=5), lead=lead,
                    score=0.1234, sources=["Le Monde", "BBC"], why=["you follow topic été"],
                    unread=2, updated=True)
    slow = json.loads(json.dumps(item_json(item), ensure_ascii=False))
    assert orjson.loads(orjson.dumps(item_json(item, same))) == slow
    assert slow["story"]["first_seen"] == when.isoformat()
    assert slow["lead"]["published"] == (published.isoformat() if published else None)
