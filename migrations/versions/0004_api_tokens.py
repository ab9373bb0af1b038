"""Personal API tokens (read-only, named, stored as a digest).

Revision ID: 0004_api_tokens
Revises: 0002_invitee_confirmed_at (file 0003_invitee_confirmed_at.py)
"""
from alembic import op
import sqlalchemy as sa

import convene.db_types

revision = "0004_api_tokens"
down_revision = "0002_invitee_confirmed_at"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", convene.db_types.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", convene.db_types.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", convene.db_types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_tokens_digest")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))
    op.drop_table("api_tokens")
