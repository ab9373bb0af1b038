"""guest_list_changes: a change counter per guest list, moved by every flush that adds, changes or removes
one of its invitations; the balance figures' change stamp reads one row per edition (issue 18, item 3).
No backfill: a convening without a row reads as 0 changes.

Revision ID: 0018_perf17_guest_list_changes
Revises: 0017_perf17_people_updated_index
"""
from alembic import op
import sqlalchemy as sa

revision = "0018_perf17_guest_list_changes"
down_revision = "0017_perf17_people_updated_index"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "guest_list_changes",
        sa.Column("convening_id", sa.Integer(), nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["convening_id"], ["convenings.id"], name=op.f("fk_guest_list_changes_convening_id_convenings"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("convening_id", name=op.f("pk_guest_list_changes")),
    )


def downgrade():
    op.drop_table("guest_list_changes")
