"""catalogue: story features indexed by when they changed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

Each serving process holds the recent stories' features in memory
(`tidings.store.catalogue`) and checks a few times a second whether any changed: the count
and the newest `updated_at` of `story_features`, which this index answers without reading
the rows.
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_story_features_updated_at", "story_features", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_story_features_updated_at", table_name="story_features")
