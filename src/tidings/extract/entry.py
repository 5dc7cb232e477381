"""Feed entries → Article, and when a feed's own text is not the whole article.

The pipeline decides per source (`Source.full_text`) or per entry (`needs_full_text`)
to fetch the linked page through `tidings.fetch` and run `extract_document` on it; this
module never does HTTP. Entry content that is a text dump of a page goes through the
capture cleaner, the same safety net as for captures.
"""

from __future__ import annotations

import re

import html_text
from lxml import etree

from tidings.extract import decode, signals
from tidings.extract.capture import clean_capture
from tidings.extract.document import finish
from tidings.models import Article, Entry, Source

_TRUNCATED_END = re.compile(r"(?:…|\.\.\.|\[(?:…|\.\.\.)\]|\(more\.*\)|read more\W*|continue "
                            r"reading\W*|weiterlesen\W*|lire la suite\W*)\s*$", re.I)
SHORT_ENTRY_WORDS = 120
DUMP_LINES = 8  # a plain-text entry with this many lines is treated as a page dump
_MARKUP = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*\b[^>]*>")


def entry_text(entry: Entry) -> str:
    """The entry's own text: its content, else its summary, as plain text."""
    body = entry.content_html or entry.summary or ""
    if not body.strip():
        return ""
    # Feed fields hold HTML fragments: one tag is enough (a page needs more, see decode).
    if not (_MARKUP.search(body) or decode.looks_like_html(body)):
        return body
    try:
        return html_text.extract_text(body, guess_layout=True)
    except (ValueError, etree.LxmlError):
        return ""


def needs_full_text(entry: Entry, source: Source | None = None) -> bool:
    """Fetch the linked page? Yes when the source asks for it or the text looks cut short."""
    if not entry.url:
        return False
    if source is not None and source.full_text:
        return True
    text = entry_text(entry).strip()
    return not text or bool(_TRUNCATED_END.search(text)) or len(text.split()) < SHORT_ENTRY_WORDS


def _is_chrome(paragraph: str) -> bool:
    """A paragraph that is page furniture whatever surrounds it (ads, calls to action,
    share/utility lines, counters, video durations, date stamps)."""
    checks = (signals.is_ad, signals.is_promo_cta, signals.is_utility, signals.is_counter,
              signals.is_duration, signals.is_stamp)
    return any(check(paragraph) for check in checks)


def article_from_entry(entry: Entry) -> Article:
    """An Article from the feed's own fields.

    HTML content is the publisher's article: every paragraph is kept but page furniture.
    Plain text with many lines is usually a dump of a whole page and goes through the capture
    cleaner, the same safety net as for page captures. If nothing would be left, the feed's
    own text is kept as it is rather than lost.
    """
    raw = entry_text(entry)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", raw) if p.strip()]
    body = entry.content_html or entry.summary or ""
    dump = not _MARKUP.search(body) and raw.count("\n") >= DUMP_LINES
    cleaned = clean_capture(raw) if dump else Article(
        text="\n\n".join(p for p in paragraphs if not _is_chrome(p)))
    article = Article(
        url=entry.url,
        guid=entry.guid,
        title=entry.title or cleaned.title,
        byline=entry.author or cleaned.byline,
        published_at=entry.published_at or cleaned.published_at,
        topic_label=(entry.tags[0] if entry.tags else "") or cleaned.topic_label,
        key_points=cleaned.key_points,
        text=cleaned.text.strip() or "\n\n".join(paragraphs),
        captions=cleaned.captions,
        related=cleaned.related,
        language=entry.language,  # declared: settles short texts and headlines (enrich)
    )
    return finish(article)


def merge_full_text(from_feed: Article, from_page: Article) -> Article:
    """The fetched page's text with the feed's identity; the feed's text if the page had none."""
    if not from_page.text.strip():
        return from_feed
    for name in ("title", "byline", "published_at", "topic_label", "url", "guid"):
        if getattr(from_feed, name):
            setattr(from_page, name, getattr(from_feed, name))
    return from_page
