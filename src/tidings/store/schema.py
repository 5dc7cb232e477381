"""Table definitions (SQLAlchemy Core). The Alembic migrations create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Stores UTC, always returns timezone-aware UTC (SQLite forgets the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = sa.MetaData()
TS = UTCDateTime

sources = sa.Table(
    "sources", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False, server_default="feed"),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("site_url", sa.Text, nullable=False, server_default=""),
    # True while any subscriber asks for full text: the source is fetched once for all.
    sa.Column("full_text", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("next_check_at", TS),
    sa.Column("last_checked_at", TS),
    sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", TS, nullable=False),
)

stories = sa.Table(
    "stories", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("first_seen", TS, nullable=False),
    sa.Column("last_seen", TS, nullable=False),
    sa.Column("article_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("source_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("centroid", sa.Text),
    sa.Index("ix_stories_last_seen", "last_seen"),
)

articles = sa.Table(
    "articles", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE")),
    sa.Column("entry_key", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=False, server_default=""),
    sa.Column("canonical_url", sa.Text, nullable=False, server_default=""),
    sa.Column("guid", sa.Text, nullable=False, server_default=""),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("byline", sa.Text, nullable=False, server_default=""),
    sa.Column("published_at", TS),
    sa.Column("fetched_at", TS, nullable=False),
    sa.Column("language", sa.String(16), nullable=False, server_default=""),
    sa.Column("topic_label", sa.Text, nullable=False, server_default=""),
    sa.Column("topics", sa.JSON, nullable=False),
    sa.Column("key_points", sa.JSON, nullable=False),
    sa.Column("text", sa.Text, nullable=False, server_default=""),
    sa.Column("html", sa.Text, nullable=False, server_default=""),
    sa.Column("captions", sa.JSON, nullable=False),
    sa.Column("related", sa.JSON, nullable=False),
    sa.Column("lead_image", sa.Text, nullable=False, server_default=""),
    sa.Column("content_hash", sa.String(64), nullable=False, server_default=""),
    sa.Column("fingerprint", sa.Text),
    sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="SET NULL")),
    sa.UniqueConstraint("source_id", "entry_key", name="uq_articles_source_entry"),
    sa.Index("ix_articles_canonical_url", "canonical_url"),
    sa.Index("ix_articles_story_source", "story_id", "source_id", "fetched_at"),  # story_states
    sa.Index("ix_articles_published", "published_at"),
    sa.Index("ix_articles_source_fetched", "source_id", "fetched_at"),
    sa.Index("ix_articles_language", "language"),  # search: which stemmers to try
)

story_keys = sa.Table(
    # The story index: each article filed under its index keys (tidings.cluster.index), so
    # that a new article finds its candidate stories without scanning every story.
    "story_keys", metadata,
    sa.Column("key", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False),
    sa.Column("at", TS, nullable=False),
    # The article's story, kept equal to articles.story_id (`tidings.store.story_index` moves
    # both), so that a look-up ranks stories from this index alone, reading no article rows.
    sa.Column("story_id", sa.Integer),
    sa.Index("ix_story_keys_postings", "key", "at", "article_id", "story_id"),
    sa.Index("ix_story_keys_article", "article_id"),
)

placement_queue = sa.Table(
    # Articles queued for placement and not placed yet, in queue order (ticket): each waits
    # for the earlier ones (`tidings.store.placement_queue`).
    "placement_queue", metadata,
    sa.Column("ticket", sa.Integer, primary_key=True),
    sa.Column("queued_at", TS, nullable=False),
    sqlite_autoincrement=True,  # a ticket given back is never given again
)

entities = sa.Table(
    "entities", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("aliases", sa.JSON, nullable=False),
)
# a mute by name finds its entities by this (every feed request of a reader with one)
sa.Index("ix_entities_lower_name", sa.func.lower(entities.c.name))

article_entities = sa.Table(
    "article_entities", metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("entity_id", sa.Integer, sa.ForeignKey("entities.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("count", sa.Integer, nullable=False, server_default="1"),
    sa.Column("salience", sa.Float, nullable=False, server_default="0"),
    sa.Index("ix_article_entities_entity", "entity_id"),
)

quotes = sa.Table(
    "quotes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("entity_id", sa.Integer, sa.ForeignKey("entities.id", ondelete="SET NULL")),
    sa.Column("speaker", sa.Text, nullable=False, server_default=""),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("direct", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Index("ix_quotes_article", "article_id"),
)

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("password_hash", sa.Text),  # Argon2id; NULL: cannot sign in until one is set
    sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", TS, nullable=False),
)

sessions = sa.Table(
    "sessions", metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),  # sha256 of the cookie value
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("last_seen_at", TS, nullable=False),
    sa.Column("expires_at", TS, nullable=False),
    sa.Index("ix_sessions_user", "user_id"),
)

tokens = sa.Table(
    "tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("label", sa.Text, nullable=False, server_default=""),
    sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),  # sha256
    sa.Column("created_at", TS, nullable=False),
    sa.Column("last_used_at", TS),
    # App passwords only: sha256 of the Fever api_key md5("user:password"), which clients send.
    sa.Column("fever_hash", sa.String(64)),
    sa.UniqueConstraint("fever_hash", name="uq_tokens_fever_hash"),
    sa.Index("ix_tokens_user", "user_id"),
)

# A Google Reader ClientLogin: the Auth secret (sha256) an app got for one of its app passwords;
# revoking the app password ends it.
sync_logins = sa.Table(
    "sync_logins", metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("token_id", sa.Integer, sa.ForeignKey("tokens.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("last_used_at", TS, nullable=False),
    sa.Index("ix_sync_logins_token", "token_id"),
)

signin_failures = sa.Table(
    "signin_failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.Text, nullable=False),  # "user:<name>" or "addr:<client address>"
    sa.Column("at", TS, nullable=False),
    sa.Index("ix_signin_failures_key_at", "key", "at"),
)

subscriptions = sa.Table(
    "subscriptions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("folder", sa.Text, nullable=False, server_default=""),
    sa.Column("full_text", sa.Boolean, nullable=False, server_default=sa.false()),
    # "Mark all as read": every article that arrived up to here is read (unless kept unread).
    sa.Column("read_until", TS),
    sa.Column("created_at", TS, nullable=False),
    sa.UniqueConstraint("user_id", "source_id", name="uq_subscriptions_user_source"),
    sa.Index("ix_subscriptions_source", "source_id"),
)

read_state = sa.Table(
    "read_state", metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("read", sa.Boolean),  # NULL: as the subscription's read_until says
    sa.Column("starred", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("read_at", TS),
    sa.Column("starred_at", TS),
    sa.Index("ix_read_state_article", "article_id"),
)

follows = sa.Table(
    "follows", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("target_kind", sa.String(16), nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("weight", sa.Float, nullable=False, server_default="1"),
    sa.Column("muted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("user_id", "target_kind", "target", name="uq_follows_target"),
)

rules = sa.Table(
    "rules", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("scope", sa.String(16), nullable=False, server_default="global"),
    sa.Column("scope_value", sa.Text, nullable=False, server_default=""),
    sa.Column("field", sa.String(16), nullable=False, server_default="title"),
    sa.Column("pattern", sa.Text, nullable=False),
    sa.Column("action", sa.String(16), nullable=False, server_default="block"),
    sa.Column("match", sa.String(8), nullable=False, server_default="words"),  # words | regex
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", TS),
)

interactions = sa.Table(
    "interactions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE")),
    sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE")),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("dwell_ms", sa.Integer),
    sa.Column("position", sa.Integer),  # where the story stood in the feed when it happened
    sa.Column("features", sa.JSON),  # what the story was then (for undo: the profile replays)
    sa.Column("at", TS, nullable=False),
    sa.Index("ix_interactions_user_at", "user_id", "at"),
)

user_models = sa.Table(
    "user_models", metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("weights", sa.JSON, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
)

# Ranking reads these, never articles: kept up to date at ingest (tidings.store.story_features).
story_features = sa.Table(
    "story_features", metadata,
    sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False),
    sa.Column("headline", sa.Text, nullable=False, server_default=""),  # newest article's title
    sa.Column("lead_article_id", sa.Integer),
    sa.Column("first_seen", TS, nullable=False),
    sa.Column("last_seen", TS, nullable=False),  # newest dated arrival (undated: first seen)
    sa.Column("article_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("outlet_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("velocity", sa.Float, nullable=False, server_default="0"),  # articles/hour, 6 h
    sa.Column("topics", sa.JSON, nullable=False),  # lower-case labels
    sa.Column("entities", sa.JSON, nullable=False),  # [[entity id, name, weight]] best first
    sa.Column("entity_ids", sa.JSON, nullable=False),  # every entity any article mentions
    sa.Column("about", sa.Text, nullable=False, server_default=""),  # lower-case, bounded
    sa.Column("bylines", sa.JSON, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
    sa.Index("ix_story_features_last_seen", "last_seen"),
    sa.Index("ix_story_features_updated_at", "updated_at"),  # the catalogue's check
)

# One row per story and source covering it: a reader's candidates are the rows of the
# sources they subscribe to, newest first, through one index.
story_sources = sa.Table(
    "story_sources", metadata,
    sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False),
    sa.Column("article_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_at", TS, nullable=False),
    sa.Column("newest_article_id", sa.Integer),
    sa.Column("headline", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_story_sources_source_last", "source_id", "last_at", "story_id"),  # covering
)

# What a reader's hides and rules did to a story: hidden, or boosted, and why.
story_marks = sa.Table(
    "story_marks", metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False),
    sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"),
              primary_key=True, autoincrement=False),
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("boost", sa.Float, nullable=False, server_default="0"),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("at", TS, nullable=False),
)

saved_searches = sa.Table(
    "saved_searches", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("feed_hash", sa.String(64), nullable=False, unique=True),  # sha256 of the address
    sa.Column("created_at", TS, nullable=False),
    sa.UniqueConstraint("user_id", "name", name="uq_saved_searches_name"),
)

jobs = sa.Table(
    "jobs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("run_after", TS, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_by", sa.Text),
    sa.Column("locked_until", TS),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", TS, nullable=False),
    sa.Index("ix_jobs_run_after", "run_after"),
)


# The full-text index differs per engine (an FTS5 virtual table with its shadow tables, or a
# tsvector table): migration 0003 makes it and store/search_index.py owns it.
ENGINE_SPECIFIC = ("article_search",)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,  # noqa: ARG001
                   compare_to: Any) -> bool:  # noqa: ARG001
    """Alembic's filter: what the schema comparison looks at (all but ENGINE_SPECIFIC)."""
    table = obj.table.name if type_ in {"column", "index"} and hasattr(obj, "table") else name
    return not str(table or "").startswith(ENGINE_SPECIFIC)


def now() -> datetime:
    return datetime.now(UTC)
