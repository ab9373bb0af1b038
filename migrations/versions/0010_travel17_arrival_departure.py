"""Invitations: arrives_on and departs_on, the travel dates an attendee gives for the venue list.

Revision ID: 0010_travel17_arrival_departure
Revises: 0008_i18n15_convening_language
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_travel17_arrival_departure"
down_revision = "0008_i18n15_convening_language"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arrives_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("departs_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("departs_on")
        batch_op.drop_column("arrives_on")
