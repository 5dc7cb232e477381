"""HTML page → Article: trafilatura finds the main text, we add metadata and clean-up.

trafilatura keeps some page furniture that sits inside the article container (photo
captions, "Read more:" links, ad labels, video durations, lone counters). We walk its
output block by block and lift those out with the same line signals the capture cleaner
uses. When trafilatura finds nothing, the capture cleaner runs on the page's plain-text
rendering as a fallback.
"""

from __future__ import annotations

import re
from copy import deepcopy

import html_text
import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.metadata import extract_metadata
from trafilatura.settings import set_date_params
from trafilatura.xml import xmltotxt

from tidings.extract import layout
from tidings.extract import signals as sig
from tidings.extract.capture import clean_capture
from tidings.extract.images import with_images
from tidings.extract.metadata import PageMeta, read_metadata, to_utc
from tidings.extract.reader_html import body_to_html
from tidings.models import Article

_BLOCK_JUNK_SHAPES = (sig.is_ad, sig.is_promo_cta, sig.is_counter, sig.is_duration,
                      sig.is_stamp, sig.is_promo_text)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def parse_tree(page: str) -> lxml_html.HtmlElement | None:
    """Parse HTML leniently; None when there is no document to speak of."""
    page = _XML_DECL.sub("", page)  # lxml refuses str input that declares an encoding
    if not page.strip():
        return None
    try:
        tree = lxml_html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return None
    strip_comments(tree)
    return tree


def strip_comments(tree: lxml_html.HtmlElement) -> None:
    """Remove comments and processing instructions, keeping the text after each.

    React writes `<!-- -->` between the text nodes of one sentence ("£<!-- -->5<!-- -->m");
    a comment left in the tree splits a paragraph's text into pieces that extraction
    heuristics judge one by one, and pieces get lost.
    """
    etree.strip_tags(tree, etree.Comment, etree.ProcessingInstruction)


def extract_tree(tree: lxml_html.HtmlElement, *, url: str = "") -> Article:
    """Article from a parsed page (the tree is not modified)."""
    declared = read_metadata(tree, url)
    document = _run_trafilatura(tree, url)
    article = Article(url=url)
    _fill_metadata(article, declared, _heuristic_metadata(tree, url, declared))
    article.captions = layout.find_captions(tree)
    article.related = layout.find_related(tree)
    article.key_points = layout.find_key_points(tree)
    linked = layout.linked_paragraphs(tree)
    if document is not None and document.body is not None:
        body = clean_body(document.body, article, linked)
        article.text = body_text(body)
        article.html = body_to_html(with_images(body, tree), url)
    if article.text and _looks_like_navigation(article.text):
        article.text, article.html = "", ""
    if not article.text:
        _fallback_capture(tree, article)
    return article


def _run_trafilatura(tree: lxml_html.HtmlElement, url: str) -> trafilatura.settings.Document | None:
    try:
        document = trafilatura.bare_extraction(
            # Links, images and formatting stay off: turning them on changes which blocks
            # trafilatura keeps, and measurably for the worse (bench/extraction.py).
            deepcopy(tree), url=url or None, include_comments=False, include_tables=True,
        )
    except (ValueError, TypeError, AttributeError, etree.LxmlError):
        return None  # a page trafilatura's heuristics trip over still gets the fallback
    return document if isinstance(document, trafilatura.settings.Document) else None


def _heuristic_metadata(
    tree: lxml_html.HtmlElement, url: str, declared: PageMeta
) -> trafilatura.settings.Document | None:
    """trafilatura's metadata guesses, for what the page did not declare.

    Its date search (htmldate) is the slowest part of extraction; the extensive variant
    runs only when the page declares no date.
    """
    if declared.title and declared.byline and declared.published_at and declared.section:
        return None
    try:
        return extract_metadata(tree, url or None, set_date_params(not declared.published_at))
    except (ValueError, TypeError, AttributeError, etree.LxmlError):
        return None


def _fill_metadata(
    article: Article, declared: PageMeta, document: trafilatura.settings.Document | None
) -> None:
    """Declared metadata first; trafilatura's findings fill what the page did not declare."""
    article.title = declared.title
    article.byline = declared.byline
    article.published_at = declared.published_at
    article.topic_label = declared.section
    article.lead_image = declared.lead_image
    if document is None:
        return
    article.title = article.title or (document.title or "")
    article.byline = article.byline or (document.author or "")
    article.published_at = article.published_at or to_utc(document.date or "")
    if not article.topic_label and document.categories:
        article.topic_label = document.categories[0]
    article.lead_image = article.lead_image or (document.image or "")


def clean_body(
    body: etree._Element, article: Article, linked: set[str] | frozenset[str] = frozenset()
) -> etree._Element:
    """A copy of trafilatura's body without captions, promo and related-link blocks."""
    body = deepcopy(body)
    # A long uncredited "caption" in prose (a video's description) reads as article text.
    captions = [t for t in article.captions if sig.words(t) < 25 or sig.is_caption(t)]
    known = {_norm(t) for t in [*captions, *article.related, *article.key_points]}
    teasers = _teasers(list(body), linked)
    under_header = False
    for block in list(body):
        if block.tag == "list":
            _drop_known_items(block, known)
        text = _plain(block)
        verdict = _block_verdict(block, text, known, article)
        if not verdict and block in teasers:
            verdict = "related"  # paragraphs that are one link each: teasers for other pages
        if not verdict and under_header and block.tag == "list":
            verdict = "related list"  # the links under a "Read also" header
        under_header = verdict == "header"
        if verdict:
            for item in block if verdict == "related list" else [block]:
                _collect(article, verdict, _plain(item))
            body.remove(block)
    return body


def _teasers(blocks: list[etree._Element], linked: set[str] | frozenset[str]
             ) -> list[etree._Element]:
    """Paragraphs that are one link to another page of the site; headings only in a run of
    such blocks or at the body's edges (a lone linked heading in the prose is a section of
    the article that links to its topic page)."""
    flags = [b.tag in {"p", "head"} and _norm(_plain(b)) in linked for b in blocks]
    last = len(blocks) - 1
    return [b for i, b in enumerate(blocks) if flags[i] and (
        b.tag == "p" or i in (0, last) or (i > 0 and flags[i - 1])
        or (i < last and flags[i + 1]))]


def _drop_known_items(block: etree._Element, known: set[str]) -> None:
    """The key-points box (or a related-links list) repeated inside the body is not body text."""
    items = list(block)
    if items and all(_norm(_plain(item)) in known for item in items):
        for item in items:
            block.remove(item)


def _block_verdict(block: etree._Element, text: str, known: set[str], article: Article) -> str:
    """Why a block is not article text ('' when it is)."""
    if not text:
        return "empty" if block.find(".//graphic") is None else ""
    if _norm(text) in known:
        return "known"
    if block.getprevious() is None and article.title and _norm(text) == _norm(article.title):
        return "title"  # the headline is its own field; the body starts after it
    if any(check(text) for check in _BLOCK_JUNK_SHAPES):
        return "chrome"
    if sig.is_caption(text, beside_image=_beside_image(block)) and sig.words(text) <= 60:
        return "caption"
    prefixed = sig.RELATED_PREFIX.match(text)
    if prefixed and block.tag in {"p", "head"} and sig.words(text) <= 25:
        return "related"
    if block.tag in {"p", "head"} and sig.words(text) <= 10 and sig.RELATED_HEADER.match(text):
        return "header"
    return ""


def _beside_image(block: etree._Element) -> bool:
    """Caption evidence: an image in the block or in the block just before or after."""
    near = [block, block.getprevious(), block.getnext()]
    return any(b is not None and (b.tag == "graphic" or b.find(".//graphic") is not None)
               for b in near)


def _collect(article: Article, verdict: str, text: str) -> None:
    if verdict == "caption" and text not in article.captions:
        article.captions.append(text)
    elif verdict in {"related", "related list"} and sig.words(text) >= 3:
        prefixed = sig.RELATED_PREFIX.match(text)
        headline = text[prefixed.end():].strip() if prefixed else text
        if headline and headline not in article.related:
            article.related.append(headline)


def body_text(body: etree._Element) -> str:
    """Plain text: one paragraph per block (list items and table rows each their own)."""
    body = deepcopy(body)
    etree.strip_tags(body, "ref", "hi")  # xmltotxt would render links as markdown
    for graphic in list(body.iter("graphic")):
        graphic.tag = "lb"  # an image is not text; keep its tail
        graphic.attrib.clear()
    paragraphs: list[str] = []
    for block in body:
        rendered = xmltotxt(block, False).strip()
        lines = [" ".join(line.split()) for line in rendered.splitlines()]
        if block.tag == "list":
            lines = [line.removeprefix("- ") for line in lines]
        joiner = "\n\n" if block.tag in {"list", "table"} else "\n"
        text = joiner.join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def _fallback_capture(tree: lxml_html.HtmlElement, article: Article) -> None:
    """trafilatura found nothing: clean the page's visible text like a capture."""
    try:
        rendered = html_text.extract_text(deepcopy(tree), guess_layout=True)
    except (ValueError, TypeError, etree.LxmlError):
        return
    captured = clean_capture(rendered)
    article.text = captured.text
    article.title = article.title or captured.title
    article.key_points = article.key_points or captured.key_points
    for caption in captured.captions:
        if caption not in article.captions:
            article.captions.append(caption)


def _looks_like_navigation(text: str) -> bool:
    """Only short labels and no prose at all: a menu or index page, not an article."""
    lines = [line for line in text.splitlines() if line.strip()]
    if any(sig.is_sentence(line) and sig.words(line) >= 6 for line in lines):
        return False
    return sum(sig.words(line) for line in lines) / max(1, len(lines)) < 5


def _plain(block: etree._Element) -> str:
    """A block's words without markup, one line (for judging, not for output)."""
    return " ".join(" ".join(block.itertext()).split())


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())
