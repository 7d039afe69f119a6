"""The metadata tables (SQLAlchemy Core). The migrations in migrations/versions must produce
exactly this; tests/integration/metadata/test_migrations.py compares them."""
from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

Timestamp = sa.DateTime(timezone=True)

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    # No foreign key: photos already references users, and the cycle would need deferred
    # constraints on both databases. Deleting a photo clears it in the same transaction.
    sa.Column("active_photo_id", sa.Text, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("username", name="uq_users_username"),
)

api_tokens = sa.Table(
    "api_tokens", metadata,
    sa.Column("token_sha256", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("created_at", Timestamp, nullable=False),
    # The public name of a token (GET/DELETE /v1/tokens): the secret is never shown again.
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False),
    sa.Column("last_used_at", Timestamp, nullable=True),
    sa.UniqueConstraint("id", name="uq_api_tokens_id"),
)

# Accounts an address's owner turned away ("Not me", POST /v1/emails/reject): such an account
# may not claim that address again.
email_bars = sa.Table(
    "email_bars", metadata,
    sa.Column("email", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("created_at", Timestamp, nullable=False),
)

emails = sa.Table(
    "emails", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("md5", sa.Text, nullable=False, index=True),
    sa.Column("sha256", sa.Text, nullable=False, index=True),
    sa.Column("verified_at", Timestamp, nullable=True),
    sa.Column("photo_id", sa.Text, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("user_id", "email", name="uq_emails_user_email"),
    # Every claim of an address, verified or not: verifying one locks and settles them all.
    sa.Index("ix_emails_email", "email"),
)
# An address belongs to at most one account once verified; unverified claims may overlap.
sa.Index("uq_emails_verified_email", emails.c.email, unique=True,
         postgresql_where=emails.c.verified_at.isnot(None),
         sqlite_where=emails.c.verified_at.isnot(None))

# Links sent by mail. Only the SHA-256 of a token is stored, so the table alone cannot
# verify anything. `purpose` keeps a token good for one kind of action only ("verify").
email_tokens = sa.Table(
    "email_tokens", metadata,
    sa.Column("token_sha256", sa.Text, primary_key=True),
    sa.Column("email_id", sa.Text, sa.ForeignKey("emails.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False),
    sa.Column("used_at", Timestamp, nullable=True),
)

images = sa.Table(
    "images", metadata,
    sa.Column("sha256", sa.Text, primary_key=True),
    sa.Column("format", sa.Text, nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("bytes", sa.BigInteger, nullable=False),
    sa.Column("alpha", sa.Boolean, nullable=False),
    sa.Column("frames", sa.Integer, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    # Why the resizer gave up on it (corrupt_image, gave_up), else NULL (migration 0003).
    sa.Column("failed", sa.Text, nullable=True),
    # When garbage collection first found no photo using it; cleared by a new photo (0003).
    sa.Column("unreferenced_at", Timestamp, nullable=True),
)

variants = sa.Table(
    "variants", metadata,
    sa.Column("sha256", sa.Text, sa.ForeignKey("images.sha256", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("fmt", sa.Text, primary_key=True),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("bytes", sa.BigInteger, nullable=False),
)

photos = sa.Table(
    "photos", metadata,
    # seq orders a user's photos for cursors; id is the public, unguessable name.
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("user_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("sha256", sa.Text, sa.ForeignKey("images.sha256"), nullable=False, index=True),
    sa.Column("alt", sa.Text, nullable=True),
    sa.Column("rating", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    # Past it the photo answers 410 and the expiry sweep deletes it (photos/expiry.py).
    sa.Column("expires_at", Timestamp, nullable=True, index=True),
    # An edit (PUT /v1/photos/<id>/transform) names the photo it was made from; no foreign
    # key: deleting the source leaves the edit, and the name as its history.
    sa.Column("source_id", sa.Text, nullable=True),
    sa.UniqueConstraint("id", name="uq_photos_id"),
    sa.UniqueConstraint("user_id", "sha256", name="uq_photos_user_sha256"),
)

outbox = sa.Table(
    "outbox", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("queue", sa.Text, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

# The read model's update counters and pending refreshes (migration 0004).
rm_versions = sa.Table(
    "rm_versions", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
)

rm_pending = sa.Table(
    "rm_pending", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("since", Timestamp, nullable=False),
)

# A presigned direct upload (POST /v1/uploads) until it is completed or expires: the bytes
# wait in the blob store under `key` (uploads/<id>), outside the content-addressed space.
upload_tickets = sa.Table(
    "upload_tickets", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("content_type", sa.Text, nullable=False),
    sa.Column("bytes", sa.BigInteger, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False, index=True),
)

# Views per photo per UTC day (analytics), added to by services/metadata/stats/rollup.py.
photo_views = sa.Table(
    "photo_views", metadata,
    sa.Column("photo_id", sa.Text, sa.ForeignKey("photos.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("views", sa.BigInteger, nullable=False),
)

# Photos the expiry sweep deleted: their links answer 410 Gone, not 404, for good.
photo_tombstones = sa.Table(
    "photo_tombstones", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("gone_at", Timestamp, nullable=False),
)
