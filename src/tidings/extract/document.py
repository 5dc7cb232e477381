"""One entry point per input kind; every path ends in `finish` (hash, HTML, warning)."""

from __future__ import annotations

import hashlib
import unicodedata

from tidings.extract import decode
from tidings.extract.capture import clean_capture as _clean_capture_lines
from tidings.extract.decode import ExtractError
from tidings.extract.limits import trim_capture, trim_page
from tidings.extract.page import extract_tree, parse_tree
from tidings.extract.sanitize import sanitize_html, text_to_html
from tidings.models import Article

NO_TEXT = "no article text found"


def extract_document(
    data: bytes, *, url: str = "", content_type: str = "", name: str = ""
) -> Article:
    """Bytes of an HTML page (maybe gzipped) or a text capture → Article.

    Never raises on odd content: an empty or article-less page gives an Article with empty
    text and `warning` set. Raises ExtractError only when the input cannot be read as a page
    at all: binary data (NUL bytes, image/PDF/archive signatures), corrupt gzip, or more
    than `decode.MAX_DOCUMENT_BYTES` bytes (also after inflating).
    """
    label = name or url or "input"
    data = decode.gunzip(data, name=label)
    decode.check_readable(data, name=label)
    if not data.strip():
        return finish(Article(url=url), warning=f"{label} is empty")
    text = decode.decode_bytes(data, content_type)
    if decode.looks_like_html(text, content_type=content_type, name=name.removesuffix(".gz")):
        return extract_html(text, url=url)
    text, cut = trim_capture(text)
    article = clean_capture(text)
    article.url = url
    article.warning = cut or article.warning
    return article


def extract_html(html: str | bytes, *, url: str = "") -> Article:
    """HTML page → Article (main text by trafilatura plus our metadata and clean-up).

    A huge page is first trimmed to the parsing budget (`limits.trim_page`); the article's
    warning says so."""
    page = decode.decode_bytes(html) if isinstance(html, bytes) else html
    page, cut = trim_page(page)
    tree = parse_tree(page)
    if tree is None:
        return finish(Article(url=url), warning=cut or "the page holds no HTML document")
    return finish(extract_tree(tree, url=url), warning=cut)


def clean_capture(text: str) -> Article:
    """Page capture (select-all-and-copy text) → Article; see capture.py for the signals."""
    article = _clean_capture_lines(text)
    return finish(article)


def finish(article: Article, *, warning: str | None = None) -> Article:
    """Fill the derived fields every Article carries."""
    if not article.html and article.text:
        article.html = text_to_html(article.text)
    article.html = sanitize_html(article.html, base_url=article.url) if article.html else ""
    article.content_hash = content_hash(article.text)
    article.warning = warning or article.warning or (None if article.text.strip() else NO_TEXT)
    return article


def content_hash(text: str) -> str:
    """sha256 of the text after Unicode (NFKC), case and whitespace normalisation."""
    normalized = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


__all__ = ["ExtractError", "clean_capture", "content_hash", "extract_document", "extract_html"]
