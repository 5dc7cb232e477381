"""Small text helpers shared by the feed parsers: plain-text titles and lenient dates."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_YMD = re.compile(
    r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_TAG = re.compile(r"<[^>]{0,2000}>")
# Script/style bodies and comments are not text a reader sees (an unclosed comment runs to
# the end, as in a browser).
_HIDDEN = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?(-->|$)", re.S)
_SPACE = re.compile(r"\s+")
# Dates outside this range are typos or placeholders ("0001-01-01"), not publication times.
_EARLIEST, _LATEST = 1970, 2100


_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")


def language_tag(*declared: str) -> str:
    """The first well-formed language tag among `declared`, lower-cased ("de-at"), or "";
    anything else a feed puts there (free text, kilobytes of it) is ignored. What it means
    for enrichment (two-letter codes): `tidings.enrich.language.declared_code`."""
    for value in declared:
        found = _LANGUAGE_TAG.fullmatch(value.strip()) if isinstance(value, str) else None
        if found and len(found.group(0)) <= 16:  # fits the articles.language column
            return found.group(0).lower()
    return ""


def plain_text(markup: str) -> str:
    """What a reader sees of a title that may contain tags or entities: tags dropped,
    entities decoded, whitespace collapsed."""
    if "<" in markup:
        markup = _TAG.sub(" ", _HIDDEN.sub(" ", _COMMENT.sub("", markup)))
    return _SPACE.sub(" ", html.unescape(markup)).strip()


def detail_text(value: str, mime: str) -> str:
    """A feedparser text construct as plain text: markup only stripped when it IS markup, so
    a text/plain title "History of the <blink> tag" keeps its brackets."""
    if mime == "text/plain":
        return _SPACE.sub(" ", value).strip()
    return plain_text(value)


def sane(value: datetime | None) -> datetime | None:
    """`value` in UTC (naive taken as UTC), or None when it is not a plausible date."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value if _EARLIEST <= value.year <= _LATEST else None


def from_struct(value: time.struct_time | None) -> datetime | None:
    """A feedparser `*_parsed` value (a UTC struct_time) as an aware datetime."""
    if value is None:
        return None
    try:
        return sane(datetime(*value[:6], tzinfo=UTC))
    except (TypeError, ValueError, OverflowError):
        return None


def parse_numeric_date(text: str) -> datetime | None:
    """ISO 8601 / RFC 3339, or "2020/1/10 14:33:00" (feedparser misreads the latter as
    1 November); no zone means UTC. None for anything else."""
    text = text.strip()
    match = _YMD.match(text)
    try:
        if match:
            year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
            return sane(datetime(year, month, day, hour, minute, second, tzinfo=UTC))
        return sane(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        return None


def parse_date(text: str | None) -> datetime | None:
    """ISO 8601 and numeric dates first (JSON Feed), then RFC 822 (RSS); None if neither."""
    text = (text or "").strip()
    if not text:
        return None
    numeric = parse_numeric_date(text)
    if numeric is not None:
        return numeric
    try:
        return sane(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None
