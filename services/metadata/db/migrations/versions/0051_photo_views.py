"""View analytics: photo_views, one row per photo and UTC day, removed with its photo.

Revision ID: 0051
Revises: 0050
"""
import sqlalchemy as sa
from alembic import op

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photo_views",
        sa.Column("photo_id", sa.Text, sa.ForeignKey("photos.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("views", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("photo_views")
