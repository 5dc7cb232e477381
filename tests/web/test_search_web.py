"""Search over real HTTP on the demo newsroom: the API, the results page, saved searches and
their secret Atom feeds, and hostile queries answered 4xx with a clear message."""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest

from tests.web.conftest import LiveServer

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = [
    'NEAR(quist', "*", '"', 'quist"', "((((((((((quist))))))))))", "-" * 40 + "quist",
    "quist\x00", "title:", "OR", 'quist OR', "col:x", "is:everything", "after:tomorrow",
    " ".join(["w"] * 30), "q" * 1001, "') OR 1=1 --", "a:b:c",
]


def test_search_api_finds_highlights_and_pages(live: LiveServer) -> None:
    with live.client() as http:
        body = http.get("/api/v1/search", params={"q": "entity:Quist"}).json()
        assert len(body["items"]) >= 2
        assert all("<mark>Quist</mark>" in i["snippet_html"] for i in body["items"])
        for item in body["items"]:  # escaped text; our <mark> is the only markup
            assert "<" not in re.sub(r"</?mark>", "", item["snippet_html"])
        first = http.get("/api/v1/search", params={"q": "entity:Quist", "limit": 1}).json()
        second = http.get("/api/v1/search", params={"q": "entity:Quist", "limit": 1,
                                                     "cursor": first["next"]}).json()
        assert first["next"] and first["items"][0] != second["items"][0]
        assert [i["article"]["id"] for i in first["items"] + second["items"]] == [
            i["article"]["id"] for i in body["items"][:2]]
        stories = http.get("/api/v1/search", params={"q": "entity:Quist", "group": "stories",
                                                     "order": "relevant"}).json()
        assert sum(i["matched"] for i in stories["items"]) == len(body["items"])
        assert len({i["story_id"] for i in stories["items"]}) == len(stories["items"])


def test_only_the_readers_own_subscriptions_are_searched(live: LiveServer) -> None:
    live.add_reader("stranger")
    with live.client("stranger") as http:
        assert http.get("/api/v1/search", params={"q": "entity:Quist"}).json()["items"] == []
    with live.anonymous() as http:
        assert http.get("/api/v1/search", params={"q": "quist"}).status_code == 401


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_get_a_clear_4xx(live: LiveServer, query: str) -> None:
    with live.client() as http:
        api = http.get("/api/v1/search", params={"q": query})
        page = http.get("/search", params={"q": query})
    assert api.status_code == 400, api.text
    assert "at character" in api.json()["detail"] and api.json()["position"] >= 1
    assert page.status_code == 400 and 'class="error"' in page.text


def test_a_query_beyond_any_reason_is_refused_before_parsing(live: LiveServer) -> None:
    with live.client() as http:
        answer = http.get("/api/v1/search", params={"q": "a " * 20_000})
        bad_cursor = http.get("/api/v1/search", params={"q": "quist", "cursor": "n~x~y"})
    assert answer.status_code == 422
    assert bad_cursor.status_code == 400 and "cursor" in bad_cursor.json()["detail"]


def test_saved_search_is_a_stream_and_a_secret_atom_feed(live: LiveServer) -> None:
    with live.client() as http:
        made = http.post("/api/v1/saved-searches", json={"name": "Quist", "query":
                                                         "entity:Quist"})
        assert made.status_code == 201, made.text
        assert http.post("/api/v1/saved-searches", json={"name": "Quist", "query": "x"}
                         ).status_code == 409
        assert http.post("/api/v1/saved-searches", json={"name": "bad", "query": "x:"}
                         ).status_code == 400
        names = [s["name"] for s in http.get("/api/v1/saved-searches").json()["items"]]
        items = http.get("/api/v1/saved-searches/Quist/items").json()["items"]
        assert names == ["Quist"] and len(items) >= 2
    feed_path = urlsplit(made.json()["feed_url"]).path
    with live.anonymous() as anyone:
        atom = anyone.get(feed_path)
        assert atom.status_code == 200
        entries = ET.fromstring(atom.content).findall(f"{ATOM}entry")
        assert len(entries) == len(items)
        assert anyone.get("/feeds/search/not-the-secret.atom").status_code == 404
    with live.client() as http:
        rotated = urlsplit(http.post("/api/v1/saved-searches/Quist/feed").json()["feed_url"]).path
        with live.anonymous() as anyone:
            assert anyone.get(feed_path).status_code == 404
            assert anyone.get(rotated).status_code == 200
        assert http.delete("/api/v1/saved-searches/Quist").status_code == 204
        assert http.get("/api/v1/saved-searches/Quist/items").status_code == 404
    with live.anonymous() as anyone:
        assert anyone.get(rotated).status_code == 404


def test_search_box_results_page_and_save_this_search(live: LiveServer) -> None:
    with live.client() as http:
        home = http.get("/")
        assert re.search(r'<form role="search"[^>]*action="/search"', home.text)
        results = http.get("/search", params={"q": "entity:Quist", "group": "stories"})
        assert results.status_code == 200 and "<mark>Quist</mark>" in results.text
        assert "Save this search" in results.text
        saved = http.post("/search/saved", data={"name": "Cup final", "q": "entity:Quist"})
        assert saved.status_code == 200 and "/feeds/search/" in saved.text
        view = http.get("/search/saved/Cup%20final")
        assert view.status_code == 200 and "<mark>Quist</mark>" in view.text
        assert http.post("/search/saved/Cup%20final/delete").status_code == 303
        assert http.get("/search/saved/Cup%20final").status_code == 404
