"""The read model's versions and pending refreshes (services/metadata/relay/readmodel_writer).

- `rm_versions`: per read-model key ("user:arpit", "photo:<id>", "email:<hash>") its update
  counter, bumped in the transaction of every change that alters the entry. Entries in
  Redis carry it, and a write never replaces a newer one.
- `rm_pending`: keys whose entry has not been written to Redis since their last change, with
  the version to reach; deleted once a write at that version (or newer) landed. The metadata
  worker retries what is left (Redis down, a process killed after its commit).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rm_versions",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "rm_pending",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rm_pending")
    op.drop_table("rm_versions")
