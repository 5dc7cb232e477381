"""The article page shows reported speech as reported, not in quotation marks."""

from __future__ import annotations

import html
import re

from tests.web.conftest import LiveServer


def _quote_items(page: str) -> list[str]:
    block = page.split('<ul class="quotes">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<li>(.*?)</li>", block, flags=re.S)


def test_direct_quotes_are_quoted_and_reported_speech_is_not(live: LiveServer) -> None:
    with live.client() as http:
        items = http.get("/api/v1/feed", params={"limit": 50}).json()["items"]
        pages = []
        for item in items:
            article = http.get(f"/api/v1/articles/{item['lead']['id']}").json()
            kinds = {q["direct"] for q in article.get("quotes", [])}
            if kinds == {True, False}:
                pages.append((article, http.get(f"/articles/{article['id']}").text))
    assert pages, "the demo newsroom has an article with both direct and reported speech"
    article, page = pages[0]
    shown = {html.unescape(re.sub(r"<[^>]+>", "", li)).split(" — ")[0]: li
             for li in _quote_items(page)}
    for quote in article["quotes"]:
        li = shown[quote["text"]]
        assert li.startswith("<q>") == quote["direct"], li
        assert ("(reported)" in li) != quote["direct"], li
