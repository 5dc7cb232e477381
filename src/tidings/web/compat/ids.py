"""The Google Reader API's identifiers, parsed strictly: item ids in the four forms clients send,
stream ids, and timestamps in seconds or microseconds. Pure; every bad value is a BadRequest
(a 400 that names the parameter), never a 500."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

MAX_ID = 2**63 - 1
ITEM_PREFIX = "tag:google.com,2005:reader/item/"
STATE = "user/-/state/com.google/"
LABEL = "user/-/label/"
FOR_YOU = "For you"
HEADLINES = "Headlines"
STORY_CATEGORY = "tidings/story/"
_HEX = re.compile(r"[0-9a-fA-F]{1,16}")
_DEC = re.compile(r"-?[0-9]{1,20}")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BadRequest(ValueError):
    """A parameter a client sent that we cannot use: answered 400 with this message."""


def item_id(raw: str) -> int:
    """Our article id from `tag:google.com,2005:reader/item/<hex>`, 16 hex digits, or
    decimal (what itemRefs carry)."""
    text = raw.strip()
    if text.startswith(ITEM_PREFIX):
        digits = text[len(ITEM_PREFIX):]
        if not _HEX.fullmatch(digits):
            raise BadRequest(f"item id {raw[:80]!r}: not hexadecimal after {ITEM_PREFIX}")
        value = int(digits, 16)
    elif len(text) == 16 and _HEX.fullmatch(text):
        value = int(text, 16)
    elif _DEC.fullmatch(text):
        value = int(text)
    else:
        raise BadRequest(f"item id {raw[:80]!r}: expected a decimal, 16-hex or "
                         f"{ITEM_PREFIX}<hex> id")
    if not 1 <= value <= MAX_ID:
        raise BadRequest(f"item id {raw[:80]!r} is out of range")
    return value


def long_item_id(article_id: int) -> str:
    return f"{ITEM_PREFIX}{article_id:016x}"


@dataclass(frozen=True)
class Stream:
    """One stream: kind is all | starred | read | kept-unread | feed | label | for-you |
    headlines | subscribe (a `feed/<url>` to subscribe to)."""

    kind: str
    source_id: int | None = None
    label: str | None = None
    url: str | None = None


def _own(raw: str) -> str:
    """A stream id or tag with the user named as `-` (clients may name the user; there is
    one)."""
    text = raw.strip()
    if len(text) > 2000:
        raise BadRequest("stream id is too long")
    return re.sub(r"^user/\d+/", "user/-/", text)


def stream(raw: str, *, allow_url: bool = False) -> Stream:
    text = _own(raw)
    states = {"reading-list": "all", "starred": "starred", "read": "read",
              "kept-unread": "kept-unread"}
    if text.startswith(STATE) and text[len(STATE):] in states:
        return Stream(states[text[len(STATE):]])
    if text.startswith(LABEL) and text[len(LABEL):].strip():
        return _label_stream(text[len(LABEL):])
    if text.startswith("feed/"):
        rest = text[len("feed/"):]
        if rest.isdigit() and 1 <= int(rest) <= MAX_ID:
            return Stream("feed", source_id=int(rest))
        if allow_url and re.match(r"https?://", unquote(rest)):
            return Stream("subscribe", url=unquote(rest))
    raise BadRequest(f"unknown stream {raw[:80]!r}: use user/-/state/com.google/reading-list, "
                     "…/starred, …/read, feed/<id> or user/-/label/<folder>")


ITEM_STATES = frozenset({"read", "starred", "kept-unread"})  # what an item's tags can set
_IGNORED_STATES = re.compile(r"broadcast|like|tracking-[a-z-]+")  # accepted, not kept


def item_state(raw: str) -> str | None:
    """The state an `edit-tag` tag sets on items: read, starred or kept-unread; None for a
    tag apps send that Tidings does not keep (broadcast, like, tracking-*). Any other tag,
    an item label included, is a BadRequest: the app would believe it was kept."""
    text = _own(raw)
    state = text[len(STATE):] if text.startswith(STATE) else None
    if state in ITEM_STATES:
        return state
    if state is not None and _IGNORED_STATES.fullmatch(state):
        return None
    if text.startswith(LABEL):
        raise BadRequest(f"{raw[:80]!r}: items carry no labels here (a folder holds "
                         "subscriptions: use subscription/edit)")
    raise BadRequest(f"unknown tag {raw[:80]!r}: use user/-/state/com.google/read, "
                     "…/starred or …/kept-unread")


def _label_stream(name: str) -> Stream:
    if len(name) > 200:
        raise BadRequest("a label has at most 200 characters")
    if name == FOR_YOU:
        return Stream("for-you")
    if name == HEADLINES:
        return Stream("headlines")
    return Stream("label", label=name)


def label_of(raw: str) -> str:
    """The folder a `user/-/label/<name>` tag names."""
    s = stream(raw)
    if s.kind != "label" or s.label is None:
        raise BadRequest(f"{raw[:80]!r} is not a folder label (user/-/label/<name>)")
    return s.label


def timestamp(raw: str, name: str) -> datetime:
    """A time as clients send it: seconds, milliseconds or microseconds since 1970."""
    if not _DEC.fullmatch(raw.strip()):
        raise BadRequest(f"{name}: expected a number of seconds (or microseconds) since 1970")
    value = int(raw)
    micros = value if value >= 10**14 else value * 1000 if value >= 10**11 else value * 10**6
    if not 0 <= micros <= 253_402_300_799 * 10**6:  # up to the year 9999
        raise BadRequest(f"{name}: {raw[:30]} is out of range")
    return EPOCH + timedelta(microseconds=micros)


def usec(when: datetime | None) -> int:
    return int(when.timestamp() * 1_000_000) if when else 0
