"""Series: their own look (series_brands, one row per series): organization name, logo, accent colour,
footer text and contact address (issue 17 item 6).

Revision ID: 0019_brand17_series_brand
Revises: 0018_perf17_guest_list_changes
"""
from alembic import op
import sqlalchemy as sa

from convene.db_types import UTCDateTime

revision = "0019_brand17_series_brand"
down_revision = "0018_perf17_guest_list_changes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "series_brands",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=False),
        sa.Column("accent", sa.String(length=7), nullable=False),
        sa.Column("footer", sa.String(length=500), nullable=False),
        sa.Column("contact", sa.String(length=254), nullable=False),
        sa.Column("logo_name", sa.String(length=40), nullable=True),
        sa.Column("logo_width", sa.Integer(), nullable=True),
        sa.Column("logo_height", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"], name=op.f("fk_series_brands_series_id_series"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("series_id", name=op.f("pk_series_brands")),
    )


def downgrade():
    op.drop_table("series_brands")
