"""People: preferred_language ('en', 'fr' or 'es'), chosen by the attendee on their home page.

Revision ID: 0007_person_preferred_language
Revises: 0004_lasting_links (file 0006)
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_person_preferred_language"
down_revision = "0004_lasting_links"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preferred_language", sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("preferred_language")
