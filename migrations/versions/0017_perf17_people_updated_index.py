"""An index on people.updated_at: the newest change in the directory is a stamp read on every
public agenda request and every balance page (one index probe instead of a scan of the people).

Revision ID: 0017_perf17_people_updated_index
Revises: 0012_write17_messages
"""
from alembic import op

revision = "0017_perf17_people_updated_index"
down_revision = "0012_write17_messages"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_people_updated_at", "people", ["updated_at"], unique=False)


def downgrade():
    op.drop_index("ix_people_updated_at", table_name="people")
