"""Alembic environment: configured in code by services/metadata/migrate.py, which hands in an
open connection (already holding the migration lock) through config.attributes."""
from alembic import context

from services.metadata.db.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
