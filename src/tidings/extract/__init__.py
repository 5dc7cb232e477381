"""HTML pages and page captures → Article, and the one HTML sanitizer.

- `extract_document(data, url=, content_type=, name=)`: bytes of any supported input.
- `extract_html(html, url=)`: an HTML page (trafilatura + our metadata and clean-up).
- `clean_capture(text)`: the select-all-and-copy text of a page.
- `sanitize_html(html, base_url=)`, `text_to_html(text)`: for everything the web UI shows.
"""

from tidings.extract.decode import ExtractError
from tidings.extract.document import clean_capture, content_hash, extract_document, extract_html
from tidings.extract.sanitize import sanitize_html, text_to_html

__all__ = [
    "ExtractError",
    "clean_capture",
    "content_hash",
    "extract_document",
    "extract_html",
    "sanitize_html",
    "text_to_html",
]
