"""Account security (issue 10): API tokens get a public id, an expiry and the time they were
last used (GET/DELETE /v1/tokens); email_bars records the accounts an address's owner turned
away with "Not me" (POST /v1/emails/reject), which may not claim that address again.

Tokens issued before this migration expire 30 days after they were issued (TOKEN_TTL's
default) and get an id derived from their stored hash.

Revision ID: 0053
Revises: 0052
"""
from datetime import UTC, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0053"
down_revision = "0052"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("id", sa.Text, nullable=True))
        batch.add_column(sa.Column("expires_at", Timestamp, nullable=True))
        batch.add_column(sa.Column("last_used_at", Timestamp, nullable=True))
    conn = op.get_bind()
    tokens = sa.table("api_tokens", sa.column("token_sha256", sa.Text),
                      sa.column("id", sa.Text), sa.column("created_at", Timestamp),
                      sa.column("expires_at", Timestamp))
    for sha, issued in conn.execute(sa.select(tokens.c.token_sha256, tokens.c.created_at)):
        issued_at = issued if issued.tzinfo else issued.replace(tzinfo=UTC)  # SQLite: naive
        conn.execute(tokens.update().where(tokens.c.token_sha256 == sha).values(
            id="t_" + sha[:16], expires_at=issued_at + timedelta(days=30)))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("id", existing_type=sa.Text, nullable=False)
        batch.alter_column("expires_at", existing_type=Timestamp, nullable=False)
        batch.create_unique_constraint("uq_api_tokens_id", ["id"])
    op.create_table(
        "email_bars",
        sa.Column("email", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("created_at", Timestamp, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("email_bars")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint("uq_api_tokens_id", type_="unique")
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
        batch.drop_column("id")
