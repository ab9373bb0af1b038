"""Personal links remember why they were revoked ("replaced" by a newer link, or "revoked").

Revision ID: 0002_token_revoked_because
Revises: 2f3ffffc1500
"""
from alembic import op
import sqlalchemy as sa

revision = "0002_token_revoked_because"
down_revision = "2f3ffffc1500"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_because", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.drop_column("revoked_because")
