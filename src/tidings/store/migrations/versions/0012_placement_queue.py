"""placement queue: articles are placed in stories in the order they were queued

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Which story an article joins depends on which articles were placed before it. Workers that
store the articles of one queue at the same time committed them in whatever order they won
the write lock (on SQLite an unfair race), so the same articles formed other stories with
two workers than with one. A queued article now holds a ticket here until it is placed
(`tidings.store.placement_queue`, `tidings.placement.wait_turn`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "placement_queue",
        sa.Column("ticket", sa.Integer(), primary_key=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("placement_queue")
