"""images.failed: why the resizer gave up on an image (its photos answer `status: failed`).

NULL while it is processing or ready; a code otherwise: `corrupt_image` (the resizer could
not decode it), `gave_up` (dead-lettered after the delivery limit: crashes, time or memory
budget).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("images", sa.Column("failed", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("images", "failed")
