"""story index: articles filed under their index keys for candidate look-up

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Upgrades a populated database without loss: every stored article with a readable
fingerprint is filed under its keys here, so stories stored before keep taking new articles.
"""

import sqlalchemy as sa
from alembic import op

from tidings.cluster import Fingerprint, FingerprintError
from tidings.cluster.index import index_keys

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_keys",
        sa.Column("key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "article_id"),
    )
    op.create_index("ix_story_keys_key_at", "story_keys", ["key", "at"])
    op.create_index("ix_story_keys_article", "story_keys", ["article_id"])
    _file_stored_articles()


def _file_stored_articles() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, fingerprint, COALESCE(published_at, fetched_at) AS at FROM articles "
        "WHERE fingerprint IS NOT NULL"))
    keys = sa.table("story_keys", sa.column("key"), sa.column("article_id"), sa.column("at"))
    batch: list[dict[str, object]] = []
    for row in rows:
        try:
            fp = Fingerprint.from_json(row.fingerprint)
        except FingerprintError:
            continue  # unreadable: the assigner skips it as well
        batch += [{"key": k, "article_id": row.id, "at": row.at} for k in index_keys(fp)]
    for start in range(0, len(batch), 5000):
        conn.execute(sa.insert(keys), batch[start:start + 5000])


def downgrade() -> None:
    op.drop_index("ix_story_keys_article", table_name="story_keys")
    op.drop_index("ix_story_keys_key_at", table_name="story_keys")
    op.drop_table("story_keys")
