"""The migrations build exactly the schema the code uses, on both databases."""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from tidings.store.db import migrate
from tidings.store.schema import include_object, metadata


def test_migrated_schema_matches_tables(engine: Engine) -> None:
    with engine.connect() as conn, warnings.catch_warnings():
        # SQLAlchemy does not reflect SQLite's indexes on an expression: checked below
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, metadata)
        if conn.dialect.name == "sqlite":
            expressions = {i.name for t in metadata.tables.values() for i in t.indexes
                           if any(not isinstance(e, sa.Column) for e in i.expressions)}
            diff = [d for d in diff if not (d[0] == "add_index" and d[1].name in expressions)]
            made = {r[0] for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index'")}
            assert expressions and expressions <= made
    assert diff == []


def test_migrate_is_idempotent(engine: Engine) -> None:
    migrate(engine)  # already at head: a no-op, not an error
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is not None
