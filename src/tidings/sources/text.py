"""Small text helpers shared by the feed parsers: plain-text titles and lenient dates."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_TAG = re.compile(r"<[^>]{0,2000}>")
_SPACE = re.compile(r"\s+")
# Dates outside this range are typos or placeholders ("0001-01-01"), not publication times.
_EARLIEST, _LATEST = 1970, 2100


def plain_text(markup: str) -> str:
    """What a reader sees of a title that may contain tags or entities: tags dropped,
    entities decoded, whitespace collapsed."""
    if "<" in markup:
        markup = _TAG.sub(" ", markup)
    return _SPACE.sub(" ", html.unescape(markup)).strip()


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


def parse_date(text: str) -> datetime | None:
    """RFC 3339 / ISO 8601 first (JSON Feed), then RFC 822 (RSS-style); None if neither."""
    text = text.strip()
    if not text:
        return None
    try:
        return sane(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        pass
    try:
        return sane(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None
