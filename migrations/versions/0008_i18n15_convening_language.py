"""Convenings and series: default_language ('en', 'fr' or 'es'), what attendees who chose none read.

A convening without one inherits its conference's, then its series'; without any, English.

Revision ID: 0008_i18n15_convening_language
Revises: 0009_lang15b_template_language (landed first; one head)
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_i18n15_convening_language"
down_revision = "0009_lang15b_template_language"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("convenings", "series"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("default_language", sa.String(length=5), nullable=True))


def downgrade():
    for table in ("series", "convenings"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("default_language")
