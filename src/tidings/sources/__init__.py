"""Feed parsing (feedparser; our own JSON Feed), OPML in/out, feed discovery, entry identity."""

from tidings.sources.discovery import discover_feeds
from tidings.sources.errors import FeedError
from tidings.sources.feeds import parse_feed
from tidings.sources.identity import entry_key
from tidings.sources.opml import parse_opml, write_opml

__all__ = ["FeedError", "discover_feeds", "entry_key", "parse_feed", "parse_opml", "write_opml"]
