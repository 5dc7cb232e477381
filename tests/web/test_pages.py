"""The reader's pages over real HTTP (no browser): error pages, the offline API reference,
hide and feedback with undo, the theme and the sample note, the story briefing, images."""

from __future__ import annotations

import html
import re

import httpx

from tests.feeds import rss
from tests.loopback import LoopbackSite, Route
from tests.web.conftest import LiveServer

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _feed_story_ids(http: httpx.Client) -> list[int]:
    return [int(i) for i in re.findall(r'id="s(\d+)" data-item', http.get("/").text)]


def test_a_browser_gets_html_error_pages_and_the_api_json(live: LiveServer) -> None:
    with live.client() as http:
        page = http.get("/no/such/page", headers=BROWSER)
        story = http.get("/stories/999999", headers=BROWSER)
        api = http.get("/api/v1/stories/999999", headers=BROWSER)
        script = http.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in page.text and 'href="/"' in page.text
    assert story.status_code == 404 and "<h1>Not found</h1>" in story.text
    assert api.status_code == 404 and api.json()["detail"]
    assert script.status_code == 404 and script.json()["detail"]


def test_api_reference_is_our_own_page_and_lists_every_route(live: LiveServer) -> None:
    with live.anonymous() as anon:
        docs = anon.get("/api/v1/docs")
        spec = anon.get("/api/v1/openapi.json").json()
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert re.findall(r"<script[^>]*>", docs.text) == ['<script src="/static/keys.js" defer>']
    elsewhere = [u for u in re.findall(r'(?:src|href)="([^"]+)"', docs.text)
                 if not u.startswith(("/", "#"))]
    assert elsewhere == []  # nothing loaded or linked from another site: it reads offline
    for path, operations in spec["paths"].items():
        for method in operations:
            assert f'{method.upper()}</span> <code>{path}</code>' in docs.text, (method, path)


def test_hide_and_feedback_can_be_undone(live: LiveServer) -> None:
    with live.client() as http:
        story = _feed_story_ids(http)[0]
        hidden = http.post(f"/stories/{story}/hide", data={"back": "/#s1"})
        after = http.get(hidden.headers["location"])
        undone = http.post(f"/stories/{story}/undo", data={"kind": "hide", "back": "/"})
        back = _feed_story_ids(http)
        liked = http.post(f"/stories/{story}/feedback", data={"kind": "more", "back": "/"})
        marked = http.get("/api/v1/export").json()
        http.post(f"/stories/{story}/undo", data={"kind": "more", "back": "/"})
        unmarked = http.get("/api/v1/export").json()
        bad = http.post(f"/stories/{story}/feedback", data={"kind": "shout"})
    assert hidden.status_code == 303
    assert hidden.headers["location"] == f"/?done=hide&story={story}#s1"
    assert story not in _ids_in(after.text) and "Story hidden." in after.text
    assert f'action="/stories/{story}/undo"' in after.text
    assert undone.status_code == 303 and story in back
    assert liked.headers["location"] == f"/?done=more&story={story}"
    assert _kinds(marked, story).count("like") == 1 and "like" not in _kinds(unmarked, story)
    assert bad.status_code == 422


def _ids_in(text: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="s(\d+)" data-item', text)]


def _kinds(export: dict[str, object], story: int) -> list[str]:
    rows = export.get("interactions", [])
    assert isinstance(rows, list)
    return [r["kind"] for r in rows if r.get("story_id") == story]


def test_theme_and_sample_note_are_remembered(live: LiveServer) -> None:
    with live.client() as http:
        assert 'data-theme="auto"' in http.get("/").text and "Sample data." in http.get("/").text
        chosen = http.post("/theme", data={"theme": "dark", "back": "/latest"})
        dark = http.get("/latest").text
        http.post("/theme", data={"theme": "purple", "back": "/"})
        odd = http.get("/").text
        http.post("/sample-banner", data={"back": "/"})
        quiet = http.get("/").text
    assert chosen.status_code == 303 and chosen.headers["location"] == "/latest"
    assert 'data-theme="dark"' in dark and 'data-theme="auto"' in odd
    assert "Sample data." not in quiet


def test_story_page_is_a_briefing(live: LiveServer) -> None:
    with live.client() as http:
        items = http.get("/api/v1/feed", params={"limit": 200}).json()["items"]
        wide = max(items, key=lambda i: len(set(i["sources"])))
        page = http.get(f"/stories/{wide['story']['id']}").text
    for heading in ("Timeline", "Outlets", "Key players", "Who said what", "All coverage"):
        assert f">{heading}</h2>" in page, heading
    outlets = re.findall(r'<li><span>([^<]+)</span> <span class="n">(\d+) article', page)
    assert {html.unescape(name) for name, _ in outlets} == set(wide["sources"])
    assert len(re.findall(r'class="lead-sentence"', page)) == wide["story"]["article_count"]
    assert 'aria-label="Follow ' in page and 'aria-label="Mute ' in page


def test_image_proxy_is_off_unless_set(live: LiveServer) -> None:
    with live.client() as http:
        answer = http.get("/images", params={"url": "https://example.com/a.png"})
    with live.anonymous() as anon:
        anonymous = anon.get("/images", params={"url": "https://example.com/a.png"})
    assert answer.status_code == 404
    assert anonymous.status_code == 303  # readers only: it is not an open proxy


def test_source_icons_are_fetched_once_and_served_from_here(live: LiveServer,
                                                            site: LoopbackSite) -> None:
    site.routes["/icon-feed.xml"] = Route(
        rss("Icon outlet", [("i1", "An item with an icon", "Some text.")]),
        headers={"Content-Type": "application/rss+xml"})
    site.routes["/favicon.ico"] = Route(b"\x00\x00\x01\x00" + b"\x01" * 300,
                                        headers={"Content-Type": "image/x-icon"})
    with live.client() as http:
        source = http.post("/api/v1/sources", json={"url": site.url("/icon-feed.xml")}).json()
        sources_page = http.get("/sources").text
        first = http.get(f"/icons/{source['id']}")
        again = http.get(f"/icons/{source['id']}")
        sample_id = next(int(i) for i in re.findall(r'href="/sources/(\d+)"', sources_page)
                         if int(i) != source["id"])
        sample = http.get(f"/icons/{sample_id}")
        other = http.get("/icons/999999")
    assert f'src="/icons/{source["id"]}"' in sources_page
    assert first.status_code == 200 and first.headers["content-type"] == "image/x-icon"
    assert first.content == again.content == site.routes["/favicon.ico"].body
    assert site.routes["/favicon.ico"].hits == 1  # once, then from the data dir
    assert sample.headers["content-type"] == "image/svg+xml"  # never fetched: our own icon
    assert other.status_code == 404
