"""Lasting personal links: access_tokens.nonce (the secret is HMAC(SECRET_KEY, nonce)).

Revision ID: 0004_lasting_links
Revises: 0005_webhooks
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_lasting_links"
down_revision = "0005_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nonce", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.drop_column("nonce")
