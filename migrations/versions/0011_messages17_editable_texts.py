"""Every message editable: message_texts (a kind's text per language at convening, series or site level)
takes over invitation_templates (their rows become convening-level 'invitation' texts); the series'
sender name and reply-to; the outbox's from_name and reply_to.

Revision ID: 0011_messages17_editable_texts
Revises: 0010_travel17_arrival_departure
"""
from alembic import op
import sqlalchemy as sa

from convene.db_types import UTCDateTime

revision = "0011_messages17_editable_texts"
down_revision = "0010_travel17_arrival_departure"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "message_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("convening_id", sa.Integer(), nullable=True),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["convening_id"], ["convenings.id"],
                                name=op.f("fk_message_texts_convening_id_convenings"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"], name=op.f("fk_message_texts_series_id_series"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_texts")),
        sa.UniqueConstraint("kind", "language", "scope", name="uq_message_texts_kind_language_scope"),
    )
    with op.batch_alter_table("message_texts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_texts_convening_id"), ["convening_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_message_texts_series_id"), ["series_id"], unique=False)
    op.execute(
        "INSERT INTO message_texts "
        "(kind, language, scope, convening_id, series_id, subject, body, version, updated_at) "
        "SELECT 'invitation', language, 'convening:' || CAST(convening_id AS VARCHAR(20)), convening_id, NULL, "
        "subject, body, version, updated_at FROM invitation_templates")
    op.drop_table("invitation_templates")
    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_from_name", sa.String(length=100), server_default="", nullable=False))
        batch_op.add_column(sa.Column("mail_reply_to", sa.String(length=254), server_default="", nullable=False))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("from_name", sa.String(length=100), server_default="", nullable=False))
        batch_op.add_column(sa.Column("reply_to", sa.String(length=254), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("reply_to")
        batch_op.drop_column("from_name")
    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.drop_column("mail_reply_to")
        batch_op.drop_column("mail_from_name")
    op.create_table(
        "invitation_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("convening_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), server_default="en", nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["convening_id"], ["convenings.id"],
                                name=op.f("fk_invitation_templates_convening_id_convenings"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_templates")),
        sa.UniqueConstraint("convening_id", "language", name="uq_invitation_templates_convening_language"),
    )
    # Only the convenings' own invitation texts have a place in the older schema.
    op.execute(
        "INSERT INTO invitation_templates (convening_id, language, subject, body, version, updated_at) "
        "SELECT convening_id, language, subject, body, version, updated_at FROM message_texts "
        "WHERE kind = 'invitation' AND convening_id IS NOT NULL")
    with op.batch_alter_table("message_texts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_texts_series_id"))
        batch_op.drop_index(batch_op.f("ix_message_texts_convening_id"))
    op.drop_table("message_texts")
