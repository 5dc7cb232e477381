"""ranking: story features kept at ingest, story marks, rule matching, interaction context

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Ranking reads `story_features` and `story_sources` instead of articles and entity rows; both
are filled here for every existing story (`tidings.store.story_features.backfill`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "story_features",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("headline", sa.Text(), server_default="", nullable=False),
        sa.Column("lead_article_id", sa.Integer(), nullable=True),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("article_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("outlet_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("velocity", sa.Float(), server_default="0", nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("entity_ids", sa.JSON(), nullable=False),
        sa.Column("about", sa.Text(), server_default="", nullable=False),
        sa.Column("bylines", sa.JSON(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("story_id"),
    )
    op.create_index("ix_story_features_last_seen", "story_features", ["last_seen"])
    op.create_table(
        "story_sources",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("article_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_at", TS, nullable=False),
        sa.Column("newest_article_id", sa.Integer(), nullable=True),
        sa.Column("headline", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("story_id", "source_id"),
    )
    op.create_index("ix_story_sources_source_last", "story_sources",
                    ["source_id", "last_at", "story_id"])  # covering: the feed reads only it
    op.create_table(
        "story_marks",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("boost", sa.Float(), server_default="0", nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "story_id"),
    )
    op.add_column("rules", sa.Column("match", sa.String(8), server_default="words",
                                     nullable=False))
    op.add_column("rules", sa.Column("name", sa.Text(), server_default="", nullable=False))
    op.add_column("rules", sa.Column("created_at", TS, nullable=True))
    op.add_column("interactions", sa.Column("position", sa.Integer(), nullable=True))
    op.add_column("interactions", sa.Column("features", sa.JSON(), nullable=True))
    # Every story there is gets its features now; from here on ingest keeps them.
    from tidings.store.story_features import backfill  # noqa: PLC0415 - needs the tables

    backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("features")
        batch.drop_column("position")
    with op.batch_alter_table("rules") as batch:
        batch.drop_column("created_at")
        batch.drop_column("name")
        batch.drop_column("match")
    op.drop_table("story_marks")
    op.drop_index("ix_story_sources_source_last", table_name="story_sources")
    op.drop_table("story_sources")
    op.drop_index("ix_story_features_last_seen", table_name="story_features")
    op.drop_table("story_features")
