"""search: the full-text index and saved searches

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

The index is engine-specific: an FTS5 table (rowid = article id) kept clean by a trigger on
SQLite, a tsvector table with a GIN index and ON DELETE CASCADE on PostgreSQL. Its terms are
made by `tidings.search.terms` in Python, so the migration builds it for every existing
article. A later migration that rebuilds `articles` in SQLite batch mode drops the trigger
and must create it again (`create_sqlite_trigger`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TRIGGER = """CREATE TRIGGER article_search_delete AFTER DELETE ON articles
BEGIN DELETE FROM article_search WHERE rowid = old.id; END"""


def create_sqlite_trigger() -> None:
    op.execute("DROP TRIGGER IF EXISTS article_search_delete")
    op.execute(TRIGGER)


def upgrade() -> None:
    from tidings.store.search_index import index_everything  # noqa: PLC0415

    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("feed_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("feed_hash"),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_searches_name"),
    )
    op.create_index("ix_articles_language", "articles", ["language"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TABLE article_search (article_id INTEGER PRIMARY KEY "
                   "REFERENCES articles(id) ON DELETE CASCADE, terms TSVECTOR NOT NULL)")
        op.execute("CREATE INDEX ix_article_search_terms ON article_search USING GIN (terms)")
    else:
        op.execute("CREATE VIRTUAL TABLE article_search USING fts5(terms, "
                   "tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")")
        create_sqlite_trigger()
    index_everything(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER IF EXISTS article_search_delete")
    op.execute("DROP TABLE article_search")
    op.drop_table("saved_searches")
    op.drop_index("ix_articles_language", table_name="articles")
