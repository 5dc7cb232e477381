"""Work limits: a page of any size costs bounded time and memory to extract.

trafilatura and our layout passes cost about 80 µs per element, so a hostile page of a few
megabytes of tiny tags ties up a worker for minutes. Before parsing, a page is slimmed
(scripts, styles, inline SVG and comments dropped, in one linear pass) and, when still over
the budget, cut at a tag boundary: the head with its metadata and the first part of the body
are read, the rest is not, and the article says so. The budgets sit well above every page of
the extraction evaluation sets (at most 10,077 elements and 534,100 characters once slimmed),
so real articles are never cut.
"""

from __future__ import annotations

import re

MAX_PAGE_CHARS = 1_500_000
MAX_PAGE_ELEMENTS = 30_000
# A text capture is cleaned line by line; past this many characters it is not one article.
MAX_CAPTURE_CHARS = 2_000_000

_BULK_OPEN = re.compile(r"<(script|style|svg|noscript|template)\b|<!--")
_ELEMENT = re.compile(r"<[a-zA-Z]")


def slim_html(page: str) -> str:
    """Drop scripts, styles, inline SVG and comments: never article text, often most bytes.

    One pass, each block's end looked up once: an unclosed `<script>` drops the rest of the
    page (as a browser would treat it), and thousands of them cost no more than one.
    """
    lowered = page.lower()
    kept: list[str] = []
    pos = 0
    while True:
        opener = _BULK_OPEN.search(lowered, pos)
        if opener is None:
            kept.append(page[pos:])
            break
        kept.append(page[pos:opener.start()])
        closing = "-->" if opener.group(1) is None else f"</{opener.group(1)}"
        end = lowered.find(closing, opener.end())
        if end < 0:
            break
        close = lowered.find(">", end + len(closing) - 1)
        pos = len(page) if close < 0 else close + 1
        if opener.group(1) is not None:  # a comment renders as nothing ("£<!-- -->5" is £5)
            kept.append(" ")
    return "".join(kept)


def trim_page(page: str) -> tuple[str, str | None]:
    """`page` within the parsing budget, and a warning when anything had to be left out."""
    if len(page) <= MAX_PAGE_CHARS and _elements_within(page, MAX_PAGE_ELEMENTS) is None:
        return page, None
    size = len(page)
    slim = slim_html(page)
    cut = min(len(slim), MAX_PAGE_CHARS)
    nth = _elements_within(slim[:cut], MAX_PAGE_ELEMENTS)
    if nth is not None:
        cut = nth
    if cut == len(slim):
        return slim, None
    boundary = slim.rfind("<", 0, cut + 1)
    trimmed = slim[: boundary if boundary > 0 else cut]
    return trimmed, (
        f"the page is very large ({size:,} characters, {_count_elements(slim):,} elements"
        f" without scripts and styles); only the first {len(trimmed):,} characters were read"
    )


def trim_capture(text: str) -> tuple[str, str | None]:
    """A text capture within budget, cut at a line end, with a warning if it was cut."""
    if len(text) <= MAX_CAPTURE_CHARS:
        return text, None
    end = text.rfind("\n", 0, MAX_CAPTURE_CHARS)
    trimmed = text[: end if end > 0 else MAX_CAPTURE_CHARS]
    return trimmed, (f"the capture is very large ({len(text):,} characters); only the first"
                     f" {len(trimmed):,} were read")


def _elements_within(page: str, limit: int) -> int | None:
    """Where the element after the first `limit` starts, or None if there are no more."""
    for count, match in enumerate(_ELEMENT.finditer(page), 1):
        if count > limit:
            return match.start()
    return None


def _count_elements(page: str) -> int:
    return sum(1 for _ in _ELEMENT.finditer(page))
