"""Presigned direct uploads: the upload_tickets table (one row per POST /v1/uploads until it
is completed or expires; the sweep finds expired ones by expires_at).

Revision ID: 0050
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0050"
down_revision = "0004"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "upload_tickets",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
    )
    op.create_index("ix_upload_tickets_expires_at", "upload_tickets", ["expires_at"])


def downgrade() -> None:
    op.drop_table("upload_tickets")
