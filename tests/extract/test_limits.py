"""Work limits: a huge or hostile page is trimmed before parsing, and the article says so."""

from __future__ import annotations

from tidings.extract import extract_document
from tidings.extract.limits import (
    MAX_CAPTURE_CHARS,
    MAX_PAGE_CHARS,
    MAX_PAGE_ELEMENTS,
    slim_html,
    trim_page,
)

HEAD = ('<!doctype html><html><head><meta charset="utf-8"><title>Tide tables | Ledger</title>'
        '<meta property="og:title" content="Tide tables for the harbour"></head><body><article>'
        "<h1>Tide tables for the harbour</h1><p>The harbour master published the tide tables"
        " for the spring, with the first high water at ten past six on Monday morning.</p>")


def test_a_normal_page_is_not_touched():
    page = HEAD + "<p>More prose about the tides and ferries in the bay.</p>" * 2000
    assert trim_page(page) == (page, None)


def test_a_30_mb_page_of_tiny_tags_is_cut_at_the_budget_and_keeps_its_head():
    page = HEAD + '<div><span><a href="/x">x</a></span></div>' * 720_000 + "<p>TAIL</p>"
    assert len(page) > 30_000_000
    trimmed, warning = trim_page(page)
    assert len(trimmed) <= MAX_PAGE_CHARS
    assert trimmed.count("<div") <= MAX_PAGE_ELEMENTS
    assert trimmed.endswith(">")  # cut at a tag boundary
    assert "TAIL" not in trimmed and warning and "very large" in warning
    article = extract_document(page.encode(), url="https://ledger.example/tides",
                               content_type="text/html")
    assert article.title == "Tide tables for the harbour"
    assert "tide tables" in article.text and "very large" in (article.warning or "")


def test_thousands_of_unclosed_scripts_are_dropped_in_one_pass():
    page = HEAD + "<script>var a = 1;" * 2_000_000
    slim = slim_html(page)
    assert slim.startswith(HEAD) and "<script" not in slim
    trimmed, _ = trim_page(page)
    assert "<script" not in trimmed


def test_slimming_keeps_text_between_blocks_and_drops_comments():
    page = "<p>a</p><!-- hidden --><STYLE>p{}</STYLE ><p>b</p><svg><g/></svg><p>c</p><!-- open"
    assert slim_html(page) == "<p>a</p> <p>b</p> <p>c</p>"  # blocks leave a space, comments none


def test_a_huge_text_capture_is_cut_at_a_line_end():
    text = "Harbour news\n" + "A line of a very long capture that goes on and on.\n" * 60_000
    assert len(text) > MAX_CAPTURE_CHARS
    article = extract_document(text.encode(), name="capture.txt")
    assert "very large" in (article.warning or "")
