"""accounts: passwords, sessions, hashed tokens, per-user subscriptions and read state

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Upgrades a populated database without loss: every existing user keeps its follows and
interactions, is subscribed to every existing source (with the folder that source had), and
its Atom feed address keeps working (the token moves to `tokens`, stored hashed). Passwords
are unset: `tidings user passwd NAME --password-stdin` gives one.
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    _create_tables()
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_hash", sa.Text(), nullable=True))
        batch.add_column(sa.Column("is_admin", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
    op.create_index("ix_articles_source_fetched", "articles", ["source_id", "fetched_at"])
    _move_data()
    with op.batch_alter_table("users") as batch:
        batch.drop_column("feed_token")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("folder")


def _user_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE")


def _create_tables() -> None:
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        _user_fk(), sa.PrimaryKeyConstraint("id_hash"))
    op.create_index("ix_sessions_user", "sessions", ["user_id"])
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.Text(), server_default="", nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_used_at", TS, nullable=True),
        _user_fk(), sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("secret_hash"))
    op.create_index("ix_tokens_user", "tokens", ["user_id"])
    op.create_table(
        "signin_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_signin_failures_key_at", "signin_failures", ["key", "at"])
    _create_library_tables()


def _create_library_tables() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), server_default="", nullable=False),
        sa.Column("folder", sa.Text(), server_default="", nullable=False),
        sa.Column("full_text", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("read_until", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _user_fk(),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "source_id", name="uq_subscriptions_user_source"))
    op.create_index("ix_subscriptions_source", "subscriptions", ["source_id"])
    op.create_table(
        "read_state",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("read", sa.Boolean(), nullable=True),
        sa.Column("starred", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("read_at", TS, nullable=True),
        sa.Column("starred_at", TS, nullable=True),
        _user_fk(),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "article_id"))
    op.create_index("ix_read_state_article", "read_state", ["article_id"])


def _move_data() -> None:
    conn = op.get_bind()
    meta = sa.MetaData()
    users = sa.Table("users", meta, autoload_with=conn)
    sources = sa.Table("sources", meta, autoload_with=conn)
    tokens = sa.Table("tokens", meta, autoload_with=conn)
    subs = sa.Table("subscriptions", meta, autoload_with=conn)
    people = conn.execute(sa.select(users.c.id, users.c.feed_token, users.c.created_at)).all()
    feeds = conn.execute(sa.select(sources.c.id, sources.c.folder, sources.c.full_text)).all()
    for user in people:
        digest = hashlib.sha256(user.feed_token.encode()).hexdigest()
        conn.execute(sa.insert(tokens).values(user_id=user.id, kind="feed", label="Atom feed",
                                              secret_hash=digest, created_at=user.created_at))
        if feeds:
            conn.execute(sa.insert(subs), [
                {"user_id": user.id, "source_id": f.id, "folder": f.folder,
                 "full_text": f.full_text, "created_at": user.created_at} for f in feeds])


def downgrade() -> None:
    raise NotImplementedError("accounts cannot be folded back into one implicit user")
