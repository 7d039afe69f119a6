"""Initial schema: users, API tokens, emails, images, variants, photos and the outbox.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("active_photo_id", sa.Text, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_sha256", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "emails",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("md5", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("verified_at", Timestamp, nullable=True),
        sa.Column("photo_id", sa.Text, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.UniqueConstraint("user_id", "email", name="uq_emails_user_email"),
    )
    op.create_index("ix_emails_md5", "emails", ["md5"])
    op.create_index("ix_emails_sha256", "emails", ["sha256"])
    op.create_index("uq_emails_verified_email", "emails", ["email"], unique=True,
                    postgresql_where=sa.text("verified_at IS NOT NULL"),
                    sqlite_where=sa.text("verified_at IS NOT NULL"))
    op.create_table(
        "images",
        sa.Column("sha256", sa.Text, primary_key=True),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
        sa.Column("alpha", sa.Boolean, nullable=False),
        sa.Column("frames", sa.Integer, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_table(
        "variants",
        sa.Column("sha256", sa.Text, sa.ForeignKey("images.sha256", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("fmt", sa.Text, primary_key=True),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "photos",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("user_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("sha256", sa.Text, sa.ForeignKey("images.sha256"), nullable=False),
        sa.Column("alt", sa.Text, nullable=True),
        sa.Column("rating", sa.Text, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.UniqueConstraint("id", name="uq_photos_id"),
        sa.UniqueConstraint("user_id", "sha256", name="uq_photos_user_sha256"),
    )
    op.create_index("ix_photos_sha256", "photos", ["sha256"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("queue", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
    )


def downgrade() -> None:
    for table in ("outbox", "photos", "variants", "images", "emails", "api_tokens", "users"):
        op.drop_table(table)
