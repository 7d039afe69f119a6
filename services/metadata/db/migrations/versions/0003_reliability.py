"""Reliability: images.failed and images.unreferenced_at.

- `failed`: why the resizer gave up on an image (its photos answer `status: failed`). NULL
  while processing or ready; `corrupt_image` (it could not be decoded) or `gave_up`
  (dead-lettered after the delivery limit: crashes, time or memory budget).
- `unreferenced_at`: when garbage collection first saw the image with no photo using it
  (services/metadata/gc). Its bytes are removed once that is older than the grace period;
  a new photo of the same bytes clears it.

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
    op.add_column("images", sa.Column("unreferenced_at", sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    op.drop_column("images", "unreferenced_at")
    op.drop_column("images", "failed")
