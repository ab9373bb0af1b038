"""Invitations: when the invitee themself last answered or confirmed their details by personal link.

Organizers see a person's self-identified data only for convenings where this is set
(auth.policy.sees_sensitive_fields). Existing answers given through the personal link
(status history "invitee via personal link" with no acting account) fill it in.

Revision ID: 0002_invitee_confirmed_at
Revises: 0002_token_revoked_because
"""
from alembic import op
import sqlalchemy as sa

import convene.db_types

revision = "0002_invitee_confirmed_at"
down_revision = "0002_token_revoked_because"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invitee_confirmed_at", convene.db_types.UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE invitations SET invitee_confirmed_at = ("
        " SELECT MAX(c.at) FROM invitation_status_changes c"
        " WHERE c.invitation_id = invitations.id AND c.actor_id IS NULL"
        " AND c.via = 'invitee via personal link')")


def downgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("invitee_confirmed_at")
