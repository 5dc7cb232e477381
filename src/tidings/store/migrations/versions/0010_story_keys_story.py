"""story index: each posting carries its article's story

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

A look-up ranks the stories sharing the most keys with a new article. It read every
posting's article row for its story (hundreds of rows, each as long as the article's text
on SQLite); with the story kept beside the posting and one index holding key, time, article
and story, it reads the index alone. The column is filled from the articles here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("story_keys", sa.Column("story_id", sa.Integer(), nullable=True))
    op.execute("UPDATE story_keys SET story_id = "
               "(SELECT a.story_id FROM articles AS a WHERE a.id = story_keys.article_id)")
    op.drop_index("ix_story_keys_key_at", table_name="story_keys")
    op.create_index("ix_story_keys_postings", "story_keys",
                    ["key", "at", "article_id", "story_id"])


def downgrade() -> None:
    op.drop_index("ix_story_keys_postings", table_name="story_keys")
    op.create_index("ix_story_keys_key_at", "story_keys", ["key", "at"])
    with op.batch_alter_table("story_keys") as batch:
        batch.drop_column("story_id")
