"""Alembic environment: runs on the connection that `store.db.migrate` passes in."""

from alembic import context

from tidings.store.schema import include_object, metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through tidings.store.db.migrate(engine)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  include_object=include_object)
with context.begin_transaction():
    context.run_migrations()
