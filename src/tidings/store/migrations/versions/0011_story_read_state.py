"""story read state from an index: articles by story, source and arrival

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

A feed page asks how many of each shown story's articles the reader has read
(`reading.story_states`): per article that is its story, its source (the reader's
subscription, with its "read until") and when it arrived. With all three in the story index
the page's question is answered from the index, without reading the article rows (with their
text) at all. The index replaces the one on the story alone, of which it is an extension.
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_story_source", "articles",
                    ["story_id", "source_id", "fetched_at"])
    op.drop_index("ix_articles_story", table_name="articles")


def downgrade() -> None:
    op.create_index("ix_articles_story", "articles", ["story_id"])
    op.drop_index("ix_articles_story_source", table_name="articles")
