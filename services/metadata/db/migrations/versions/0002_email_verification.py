"""Email verification: the email_tokens table (links sent by mail, stored hashed, with an
expiry and the time they were used) and an index on emails.email, so every claim of one
address can be found and locked when one of them is verified.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_index("ix_emails_email", "emails", ["email"])
    op.create_table(
        "email_tokens",
        sa.Column("token_sha256", sa.Text, primary_key=True),
        sa.Column("email_id", sa.Text, sa.ForeignKey("emails.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("used_at", Timestamp, nullable=True),
    )
    op.create_index("ix_email_tokens_email_id", "email_tokens", ["email_id"])


def downgrade() -> None:
    op.drop_table("email_tokens")
    op.drop_index("ix_emails_email", table_name="emails")
