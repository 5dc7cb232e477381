"""Google Reader ids, streams and times as apps send them (pure parsing, no server)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tidings.web.compat.ids import (
    BadRequest,
    item_id,
    item_state,
    long_item_id,
    stream,
    timestamp,
)


@pytest.mark.parametrize("raw", ["tag:google.com,2005:reader/item/000000000000002a",
                                 "tag:google.com,2005:reader/item/2a", "000000000000002a",
                                 "42", " 42 "])
def test_every_item_id_form_names_the_same_article(raw: str) -> None:
    assert item_id(raw) == 42
    assert long_item_id(42) == "tag:google.com,2005:reader/item/000000000000002a"


@pytest.mark.parametrize("raw", ["", "0", "-1", str(2**63), "2a", "0x2a", "1.0",
                                 "tag:google.com,2005:reader/item/", "ffffffffffffffff",
                                 "tag:google.com,2005:reader/item/" + "1" * 17])
def test_bad_item_ids_are_bad_requests(raw: str) -> None:
    with pytest.raises(BadRequest):
        item_id(raw)


def test_streams() -> None:
    assert stream("user/-/state/com.google/reading-list").kind == "all"
    assert stream("user/1234/state/com.google/starred").kind == "starred"
    assert stream("feed/7").source_id == 7
    assert stream("user/-/label/Local").label == "Local"
    assert stream("user/-/label/For you").kind == "for-you"
    assert stream("user/-/label/Headlines").kind == "headlines"
    assert stream("feed/https://example.org/a.xml", allow_url=True).url == (
        "https://example.org/a.xml")
    for bad in ("feed/https://example.org/a.xml", "feed/0", "user/-/label/", "splice/me"):
        with pytest.raises(BadRequest):
            stream(bad)


def test_item_tags() -> None:
    assert item_state("user/-/state/com.google/read") == "read"
    assert item_state(" user/77/state/com.google/kept-unread") == "kept-unread"
    assert item_state("user/-/state/com.google/tracking-body-link-used") is None
    for bad in ("user/-/label/Later", "user/-/state/com.google/reading-list", "read",
                "user/-/state/com.google/starred\x00"):
        with pytest.raises(BadRequest):
            item_state(bad)


def test_times_in_seconds_milliseconds_and_microseconds() -> None:
    when = datetime(2026, 12, 1, 12, 0, 0, 250_000, tzinfo=UTC)
    micros = int(when.timestamp() * 1_000_000)
    assert timestamp(str(micros), "ts") == when
    assert timestamp(str(micros // 1000), "ts") == when
    assert timestamp(str(micros // 1_000_000), "ts") == when.replace(microsecond=0)
    for bad in ("soon", "-5", "9" * 20):
        with pytest.raises(BadRequest):
            timestamp(bad, "ts")
