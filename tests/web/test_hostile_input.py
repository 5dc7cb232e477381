"""Hostile input against the running server: every answer is a clear 4xx, never a 5xx.

Feeds that crashed the parser, bodies over the size limit, ids past 64 bits, lone surrogates
and non-finite numbers, each sent over real HTTP to a server on 127.0.0.1.
"""

from __future__ import annotations

import pytest

from tests.loopback import LoopbackSite, Route
from tests.web.conftest import LiveServer

# The campaign's crashers: 21-33 bytes each, served as a feed.
CRASHING_FEEDS = {
    "attribute-error": b"<item<id<d</item</id>",
    "type-error": b"<entry<title</content<",
    "key-error": b"<item<category>></ITEM</category>",
    "nul-in-encoding": b'<?xml version="1.0" encoding="ut\x00f-8"?><rss></rss>',
}
TOO_BIG = 2_000_000  # over the default 1 MB request limit
PAST_64_BITS = str(2**63)


@pytest.mark.parametrize("body", CRASHING_FEEDS.values(), ids=CRASHING_FEEDS.keys())
def test_a_crashing_feed_is_a_clear_error_on_the_api_and_the_add_form(
        live: LiveServer, site: LoopbackSite, body: bytes) -> None:
    site.routes["/crash.xml"] = Route(body, headers={"Content-Type": "application/rss+xml"})
    with live.client() as http:
        api = http.post("/api/v1/sources", json={"url": site.url("/crash.xml")})
        form = http.post("/sources", data={"url": site.url("/crash.xml")})
    assert api.status_code == 422, api.text
    assert "feed" in api.json()["detail"] and "Traceback" not in api.text
    assert form.status_code == 422 and 'role="alert"' in form.text  # the page, with the error


def test_a_body_over_the_limit_gets_413_without_being_echoed(live: LiveServer) -> None:
    marker = "Q" * 64
    big = '{"kind": "topic", "target": "' + marker * (TOO_BIG // 64) + '"}'
    with live.client() as http:
        declared = http.post("/api/v1/follows", content=big,
                             headers={"Content-Type": "application/json"})
        chunked = http.post("/api/v1/follows", content=(big[i:i + 65536].encode()
                                                       for i in range(0, len(big), 65536)),
                            headers={"Content-Type": "application/json"})
        form = http.post("/sources", data={"url": "x" * TOO_BIG})
    for answer in (declared, chunked, form):
        assert answer.status_code == 413, answer.text[:200]
        assert marker not in answer.text and len(answer.content) < 500
        assert "TIDINGS_MAX_REQUEST_BYTES" in answer.json()["detail"]


def test_a_422_names_the_field_but_never_echoes_the_value(live: LiveServer) -> None:
    value = "Z" * 100_000
    with live.client() as http:
        answer = http.post("/api/v1/follows", json={"kind": "topic", "target": value})
    assert answer.status_code == 422
    assert "target" in answer.text and "ZZZZZZZZZZ" not in answer.text
    assert len(answer.content) < 2_000


@pytest.mark.parametrize("path", [
    "/api/v1/stories/{}", "/api/v1/articles/{}", "/api/v1/entities/{}", "/stories/{}",
    "/articles/{}", "/entities/{}",
])
def test_ids_past_64_bits_are_client_errors(live: LiveServer, path: str) -> None:
    with live.client() as http:
        answers = [http.get(path.format(n)) for n in (PAST_64_BITS, "-1", "0", "1" * 40)]
        deleted = http.delete(f"/api/v1/follows/{PAST_64_BITS}")
    assert all(400 <= a.status_code < 500 for a in [*answers, deleted]), [
        (a.status_code, a.text[:100]) for a in answers]


def test_a_nul_in_a_follow_target_is_refused_on_both_engines(live: LiveServer) -> None:
    """`SafeText` refuses it up front: SQLite would store it, PostgreSQL would refuse it."""
    raw = '{"kind": "topic", "target": "nul \\u0000 inside"}'
    with live.client() as http:
        answer = http.post("/api/v1/follows", content=raw,
                           headers={"Content-Type": "application/json"})
        follows = http.get("/api/v1/follows").text
    assert answer.status_code == 422, answer.text
    assert "nul" not in follows


# Each JSON body carries a NUL or a lone surrogate in one text field (as JSON escapes).
UNSTORABLE_JSON = [
    ("/api/v1/sources", '{"url": "http://127.0.0.1:9/feed.xml", "title": "a \\u0000 b"}'),
    ("/api/v1/sources", '{"url": "http://127.0.0.1:9/feed.xml", "folder": "\\ud800"}'),
    ("/api/v1/sources", '{"url": "http://127.0.0.1:9/\\u0000.xml"}'),
    ("/api/v1/follows", '{"kind": "topic", "target": "lone \\udfff"}'),
    ("/api/v1/tokens", '{"label": "a \\u0000 label"}'),
    ("/api/v1/saved-searches", '{"name": "n \\u0000", "query": "harbour"}'),
    ("/api/v1/saved-searches", '{"name": "fine", "query": "harbour \\ud800"}'),
    ("/api/v1/session", '{"name": "demo \\u0000", "password": "x"}'),
]


@pytest.mark.parametrize(("path", "raw"), UNSTORABLE_JSON)
def test_text_the_databases_cannot_store_is_422_in_every_json_body(
        live: LiveServer, path: str, raw: str) -> None:
    with live.client() as http:
        answer = http.post(path, content=raw, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert "\\u0000" not in answer.text and "ud800" not in answer.text  # never echoed


# A NUL in a form field, a query or a path segment of the pages and the JSON API.
UNSTORABLE_REQUESTS = [
    ("POST", "/sources", {"url": "http://127.0.0.1:9/feed.xml", "folder": "a\x00b"}),
    ("POST", "/follows", {"kind": "topic", "target": "x\x00y"}),
    ("POST", "/search/saved", {"name": "n\x00", "q": "harbour"}),
    ("POST", "/account/tokens", {"label": "l\x00"}),
    ("GET", "/folders/a%00b", None),
    ("GET", "/search/saved/a%00b", None),
    ("GET", "/api/v1/saved-searches/a%00b/items", None),
]


@pytest.mark.parametrize(("method", "path", "form"), UNSTORABLE_REQUESTS)
def test_a_nul_anywhere_in_a_request_is_a_client_error(
        live: LiveServer, method: str, path: str, form: dict[str, str] | None) -> None:
    with live.client() as http:
        answer = http.request(method, path, data=form,
                              headers={"Origin": live.base} if form else None)
        still_up = http.get("/api/v1/health")
    assert answer.status_code == 422, (answer.status_code, answer.text[:300])
    assert still_up.status_code == 200


@pytest.mark.parametrize("raw", [
    '{"kind": "topic", "target": "bad \\ud800 surrogate"}',
    '{"kind": "topic", "target": "x", "weight": NaN}',
    '{"kind": "topic", "target": "x", "weight": 1e400}',
    '{"kind": "topic", "target": "x", "weight": -Infinity}',
    '{"kind": "read", "story_id": 9223372036854775808}',
    '{"kind": "read", "article_id": 99999999999999999999999}',
])
def test_unstorable_values_are_client_errors(live: LiveServer, raw: str) -> None:
    with live.client() as http:
        follows = http.post("/api/v1/follows" if "target" in raw else "/api/v1/interactions",
                            content=raw, headers={"Content-Type": "application/json"})
        still_up = http.get("/api/v1/health")
    assert follows.status_code == 422, follows.text
    assert still_up.status_code == 200
