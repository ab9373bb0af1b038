"""Invitation templates: one text per convening and language (the `language` column, 'en' for existing texts).

Revision ID: 0009_lang15b_template_language
Revises: 0007_person_preferred_language
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_lang15b_template_language"
down_revision = "0007_person_preferred_language"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitation_templates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=5), server_default="en", nullable=False))
        batch_op.drop_constraint("uq_invitation_templates_convening_id", type_="unique")
        batch_op.create_unique_constraint("uq_invitation_templates_convening_language", ["convening_id", "language"])


def downgrade():
    # One text per convening again: only the English ones stay.
    op.execute("DELETE FROM invitation_templates WHERE language <> 'en'")
    with op.batch_alter_table("invitation_templates", schema=None) as batch_op:
        batch_op.drop_constraint("uq_invitation_templates_convening_language", type_="unique")
        batch_op.create_unique_constraint("uq_invitation_templates_convening_id", ["convening_id"])
        batch_op.drop_column("language")
