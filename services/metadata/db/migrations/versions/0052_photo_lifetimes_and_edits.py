"""Photo lifetimes and edits: photos.expires_at (410 past it, then swept), photos.source_id
(the photo an edit was made from) and photo_tombstones (swept photos keep answering 410).

Revision ID: 0052
Revises: 0051
"""
import sqlalchemy as sa
from alembic import op

revision = "0052"
down_revision = "0051"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("photos", sa.Column("expires_at", Timestamp, nullable=True))
    op.add_column("photos", sa.Column("source_id", sa.Text, nullable=True))
    op.create_index("ix_photos_expires_at", "photos", ["expires_at"])
    op.create_table(
        "photo_tombstones",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("gone_at", Timestamp, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("photo_tombstones")
    op.drop_index("ix_photos_expires_at", table_name="photos")
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("source_id")
        batch.drop_column("expires_at")
