"""sync apps: Fever keys beside app passwords, ClientLogin sessions of the Google Reader API

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-01

Adds only: existing rows are untouched. App passwords made before this revision have no Fever
key (it needs the password itself, which was never stored); make a new one for a Fever app.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("fever_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_tokens_fever_hash", ["fever_hash"])
    op.create_table(
        "sync_logins",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_used_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["token_id"], ["tokens.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id_hash"))
    op.create_index("ix_sync_logins_token", "sync_logins", ["token_id"])


def downgrade() -> None:
    op.drop_index("ix_sync_logins_token", table_name="sync_logins")
    op.drop_table("sync_logins")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_constraint("uq_tokens_fever_hash", type_="unique")
        batch.drop_column("fever_hash")
