"""The one error the feed stages raise for bytes that are not what we expected."""

from __future__ import annotations


class FeedError(ValueError):
    """The bytes are not a feed (or not OPML). The message says what they are and what to do."""
