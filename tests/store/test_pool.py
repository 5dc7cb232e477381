"""PostgreSQL connections the server dropped while they sat in the pool are replaced before
use (the pool pings only connections idle for a while, not one per request); read
transactions are READ ONLY, write transactions after them on the same connection are not."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.store import db
from tidings.store.db import make_engine, read_transaction, transaction


def test_a_connection_dropped_while_idle_is_replaced(db_url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop a connection")
    engine: Engine = make_engine(db_url, pool_size=1, max_overflow=0)
    admin = make_engine(db_url)
    try:
        with transaction(engine) as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with admin.begin() as conn:  # the server drops the pooled connection
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        monkeypatch.setattr(db, "PING_IDLE_S", 0.0)  # it has been idle long enough
        with read_transaction(engine) as conn:
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
            assert conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"
        with transaction(engine) as conn:
            assert conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "off"
    finally:
        engine.dispose()
        admin.dispose()



def test_a_write_made_aside_from_a_read_writes(engine: Engine) -> None:
    """`write_aside` / `write_later` (last-used stamps) write from inside a read: the engine
    they take from the read connection must not stay read-only."""
    with read_transaction(engine) as conn:
        assert db.is_read_only(conn)
        with db.writable(conn.engine).begin() as writer:
            writer.exec_driver_sql("UPDATE sources SET error_count = error_count + 1")
