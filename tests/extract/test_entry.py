"""Feed entries: the capture cleaner as safety net, and when to fetch the full page."""

from __future__ import annotations

from tidings.extract.entry import article_from_entry, merge_full_text, needs_full_text
from tidings.models import Article, Entry, Source

PARA = ("The regional rail operator announced on Friday that night trains between the two "
        "cities will run every day from June, after a trial last summer drew full carriages.")


def test_text_dump_entry_is_cleaned() -> None:
    dump = f"<p>Advertisement</p><p>{PARA}</p><p>Share this article</p><p>12</p>"
    article = article_from_entry(Entry(title="Night trains return", url="https://x.example/a",
                                       content_html=dump))
    assert article.text == PARA
    assert article.title == "Night trains return"
    assert article.content_hash


def test_plain_summary_entry() -> None:
    article = article_from_entry(Entry(title="T", summary=PARA, url="https://x.example/b"))
    assert article.text == PARA


def test_needs_full_text() -> None:
    full = Entry(url="https://x.example/c", content_html=" ".join([PARA] * 6))
    assert not needs_full_text(full)
    assert needs_full_text(full, Source(url="https://x.example/feed", full_text=True))
    assert needs_full_text(Entry(url="https://x.example/d", summary=PARA[:80] + " […]"))
    assert needs_full_text(Entry(url="https://x.example/e", summary="Short teaser. Read more"))
    assert not needs_full_text(Entry(summary="no link to fetch"))


def test_merge_full_text_keeps_feed_identity() -> None:
    feed = Article(title="Feed title", url="https://x.example/f", text="teaser")
    page = Article(title="Page title | Site", text=PARA)
    merged = merge_full_text(feed, page)
    assert (merged.title, merged.text) == ("Feed title", PARA)
    assert merge_full_text(feed, Article(text="")) is feed
