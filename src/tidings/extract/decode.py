"""Bytes to text: gzip, binary sniffing, charset choice, HTML-or-capture detection.

Charset order: a byte-order mark wins; then bytes that are valid UTF-8 *and* contain
non-ASCII are UTF-8 whatever the label says (a page labelled latin-1 that decodes as
multi-byte UTF-8 is mislabelled — the reverse accident is vanishingly rare); then the
declared charsets (HTTP header, then `<meta>`) if they decode cleanly; then a statistical
guess; cp1252 with replacement characters as the last resort, so decoding never fails.
"""

from __future__ import annotations

import codecs
import re
import zlib

from charset_normalizer import from_bytes

# Pages above this are not news articles; refusing is clearer than minutes of parsing.
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Magic numbers of formats people plausibly feed us by mistake.
_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or an Office document)",
    b"\x7fELF": "an executable",
    b"RIFF": "a RIFF media file",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_:.-]+)", re.I)
_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b",
                         re.I | re.S)
_HTML_TAG = re.compile(r"</?(p|div|span|a|br|table|td|li|ul|h[1-6]|article|section|img)\b[^>]*>",
                       re.I)


class ExtractError(ValueError):
    """Input that cannot be read as a page at all (binary data, over the size cap)."""


def gunzip(data: bytes, *, name: str = "") -> bytes:
    """Inflate gzip bytes (by magic number), refusing bombs over the size cap."""
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        inflater = zlib.decompressobj(wbits=31)
        out = inflater.decompress(data, MAX_DOCUMENT_BYTES + 1)
    except zlib.error as exc:
        raise ExtractError(f"{name or 'input'}: corrupt gzip data ({exc}); "
                           "pass the page uncompressed or re-download it") from exc
    if not out and not inflater.eof:
        raise ExtractError(f"{name or 'input'}: truncated or corrupt gzip data; "
                           "pass the page uncompressed or re-download it")
    if len(out) > MAX_DOCUMENT_BYTES:
        raise ExtractError(f"{name or 'input'}: inflates to over {MAX_DOCUMENT_BYTES} bytes; "
                           "that is not a news page")
    return out


def check_readable(data: bytes, *, name: str = "") -> None:
    """Raise ExtractError for binary data or oversized input."""
    label = name or "input"
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ExtractError(f"{label}: {len(data)} bytes is over the {MAX_DOCUMENT_BYTES}-byte "
                           "limit for one page; save just the article page")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise ExtractError(f"{label}: looks like {what}, not an HTML page or text capture")
    if _has_bom(data) or _is_bomless_utf16(data[:8192]):
        return  # UTF-16/32 text legitimately contains NUL bytes
    head = data[:8192]
    controls = sum(head.count(bytes([c])) for c in _CONTROL_BYTES)
    if controls > max(2, len(head) // 50):
        raise ExtractError(f"{label}: {controls} control bytes in the first {len(head)} "
                           "(e.g. NUL), so it is binary data, not an HTML page or text capture")


# Bytes text never holds (tab, newline, form feed, carriage return and ESC excepted).
_CONTROL_BYTES = [c for c in range(32) if c not in (9, 10, 12, 13, 27)]


def _is_bomless_utf16(head: bytes) -> bool:
    """UTF-16 text without a BOM: every other byte NUL for mostly-Latin text."""
    if len(head) < 64:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) > 0.6 * (len(head) // 2) and min(even, odd) < 0.05 * (len(head) // 2)


def _has_bom(data: bytes) -> bool:
    return any(data.startswith(bom) for bom, _ in _BOMS)


def declared_charsets(data: bytes, content_type: str = "") -> list[str]:
    """Charsets named by the HTTP header and the page's own <meta>, valid codec names only."""
    names: list[str] = []
    header = _HEADER_CHARSET.search(content_type or "")
    if header:
        names.append(header.group(1))
    meta = _META_CHARSET.search(data[:16384])
    if meta:
        names.append(meta.group(1).decode("ascii", "replace"))
    return [n for n in (_codec_name(n) for n in names) if n]


def _codec_name(label: str) -> str:
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return ""
    # Browsers treat latin-1 labels as windows-1252; so do we.
    return "cp1252" if name in {"latin-1", "iso8859-1", "ascii"} else name


def decode_bytes(data: bytes, content_type: str = "") -> str:
    """Decode page bytes robustly (see module docstring); never raises."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace").lstrip("\ufeff")
    if _is_bomless_utf16(data[:8192]):
        codec = "utf-16-le" if data[1::2][:4096].count(0) > data[0::2][:4096].count(0) else (
            "utf-16-be")
        return data.decode(codec, errors="replace")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
        if _mostly_utf8(data):
            return data.decode("utf-8", errors="replace")
    else:
        if not text.isascii():
            return text
    for codec in declared_charsets(data, content_type):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    if text:
        return text  # pure ASCII
    guess = from_bytes(data[:200_000]).best()
    if guess is not None and guess.encoding:
        return data.decode(guess.encoding, errors="replace")
    return data.decode("cp1252", errors="replace")


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few broken bytes (a truncated snippet, a pasted fragment) is still UTF-8."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    wide = sum(1 for char in text if ord(char) > 0x7F) - broken
    return wide >= 20 and broken <= wide // 50


def looks_like_html(text: str, *, content_type: str = "", name: str = "") -> bool:
    """True for HTML, False for a plain-text capture; the name and type win when explicit."""
    lowered_type = (content_type or "").lower()
    lowered_name = (name or "").lower()
    if "html" in lowered_type or "xml" in lowered_type:
        return True
    if "text/plain" in lowered_type or lowered_name.endswith((".txt", ".text")):
        return False
    if lowered_name.endswith((".html", ".htm", ".html.gz", ".htm.gz", ".xhtml")):
        return True
    head = text[:20000]
    if _HTML_START.match(head):
        return True
    return len(_HTML_TAG.findall(head)) >= 5


_BULK = re.compile(r"<(script|style|svg|noscript|template)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def slim_html(page: str) -> str:
    """Drop scripts, styles, inline SVG and comments: never article text, often most bytes.

    A comment renders as nothing, so it goes without a trace ("£<!-- -->5" is "£5").
    """
    return _BULK.sub(" ", _COMMENT.sub("", page))
