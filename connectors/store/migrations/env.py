"""Alembic environment: the engine comes from the caller (connectors.store.migrate)."""

from alembic import context

from connectors.store.migrate import VERSION_TABLE
from connectors.store.schema import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
