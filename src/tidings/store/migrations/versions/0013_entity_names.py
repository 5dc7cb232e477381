"""entities by lower-case name: a muted entity is found without reading every entity

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

A reader who mutes an entity by name has it resolved to entity ids on every feed request
(`tidings.store.story_features.muted_entity_ids`, `lower(name) IN (…)`). Without an index on
that expression each request read the whole entities table.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entities_lower_name", "entities", [sa.text("lower(name)")])


def downgrade() -> None:
    op.drop_index("ix_entities_lower_name", table_name="entities")
