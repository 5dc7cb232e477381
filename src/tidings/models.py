"""The domain in plain dataclasses: what every stage takes and returns.

No SQL, no HTTP here. `store` maps these to rows; the pure stages pass them along.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


def utcnow() -> datetime:
    return datetime.now(UTC)


class SourceKind(StrEnum):
    FEED = "feed"
    PAGE = "page"
    CAPTURE = "capture"
    SAMPLE = "sample"  # bundled demo data: stored once, never fetched


class EntityKind(StrEnum):
    PERSON = "person"
    ORG = "org"
    PLACE = "place"
    OTHER = "other"


class TargetKind(StrEnum):
    """What a user can follow or mute."""

    TOPIC = "topic"
    ENTITY = "entity"
    SOURCE = "source"
    KEYWORD = "keyword"


class InteractionKind(StrEnum):
    IMPRESSION = "impression"
    OPEN = "open"
    READ = "read"
    LIKE = "like"
    DISLIKE = "dislike"
    HIDE = "hide"
    SAVE = "save"


@dataclass
class Source:
    url: str
    kind: SourceKind = SourceKind.FEED
    title: str = ""
    site_url: str = ""
    folder: str = ""
    full_text: bool = False
    etag: str | None = None
    last_modified: str | None = None
    next_check_at: datetime | None = None
    error_count: int = 0
    last_error: str | None = None
    last_checked_at: datetime | None = None
    id: int | None = None


@dataclass
class FetchResult:
    """One HTTP exchange as the pipeline sees it. `not_modified` means a 304."""

    url: str
    final_url: str
    status: int
    content: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    retry_after_s: float | None = None
    max_age_s: float | None = None


@dataclass
class Entry:
    """One item of a parsed feed, before extraction."""

    title: str = ""
    url: str = ""
    guid: str = ""
    summary: str = ""
    content_html: str = ""
    author: str = ""
    published_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    language: str = ""  # as the feed declares it for the item (its own or the feed's), if at all


@dataclass
class ParsedFeed:
    title: str = ""
    site_url: str = ""
    entries: list[Entry] = field(default_factory=list)
    format: str = ""  # e.g. "rss20", "atom10", "json11"
    warning: str | None = None  # feed parsed, but with a problem worth showing


@dataclass
class Entity:
    name: str
    kind: EntityKind
    count: int = 1
    salience: float = 0.0
    aliases: list[str] = field(default_factory=list)
    id: int | None = None


@dataclass
class Quote:
    text: str
    speaker: str = ""  # canonical entity name when resolved, else the words used
    direct: bool = True


@dataclass
class Article:
    url: str = ""
    title: str = ""
    byline: str = ""
    published_at: datetime | None = None
    language: str = ""
    topic_label: str = ""
    key_points: list[str] = field(default_factory=list)
    text: str = ""
    html: str = ""  # sanitized reader HTML
    captions: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    lead_image: str = ""
    topics: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    guid: str = ""
    canonical_url: str = ""
    content_hash: str = ""
    source_id: int | None = None
    story_id: int | None = None
    fetched_at: datetime | None = None
    id: int | None = None
    warning: str | None = None  # extraction finished but found a problem (e.g. no article text)


@dataclass
class Story:
    title: str
    first_seen: datetime
    last_seen: datetime
    article_count: int = 0
    source_count: int = 0
    id: int | None = None


@dataclass
class User:
    name: str
    id: int | None = None
    is_admin: bool = False


class TokenKind(StrEnum):
    """What a stored secret opens: the API, a sync app, or one user's Atom feed."""

    API = "api"
    APP = "app"
    FEED = "feed"


@dataclass
class Token:
    user_id: int
    kind: TokenKind
    label: str = ""
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    id: int | None = None


@dataclass
class Subscription:
    """One reader's subscription to a shared source: their title, folder and choices."""

    user_id: int
    source: Source
    title: str = ""
    folder: str = ""
    full_text: bool = False
    unread: int = 0
    id: int | None = None

    @property
    def name(self) -> str:
        return self.title or self.source.title or self.source.url


@dataclass
class ReadState:
    """What one reader did with one article (None: never said)."""

    read: bool = False
    starred: bool = False
    hidden: bool = False


@dataclass
class Follow:
    user_id: int
    target_kind: TargetKind
    target: str
    weight: float = 1.0
    muted: bool = False
    id: int | None = None


@dataclass
class FeedItem:
    """One line of a user's feed: a story, its lead article and why it is there."""

    story: Story
    lead: Article
    score: float
    sources: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    unread: int = 0  # articles of the story the reader has not read
    updated: bool = False  # read before, and new articles have joined since


def article_json(article: Article) -> dict[str, object]:
    """The `extract`/`analyze` JSON shape (keys fixed in DESIGN.md)."""
    published = article.published_at.isoformat() if article.published_at else None
    return {
        "url": article.url,
        "title": article.title,
        "byline": article.byline,
        "published": published,
        "language": article.language,
        "topic": article.topic_label,
        "topics": list(article.topics),
        "key_points": list(article.key_points),
        "text": article.text,
        "captions": list(article.captions),
        "related": list(article.related),
        "entities": [
            {"name": e.name, "kind": str(e.kind), "count": e.count, "aliases": list(e.aliases)}
            for e in article.entities
        ],
        "quotes": [
            {"speaker": q.speaker, "text": q.text, "direct": q.direct} for q in article.quotes
        ],
        "warning": article.warning,
    }
