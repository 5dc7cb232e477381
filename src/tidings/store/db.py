"""Engines, migrations and transactions. The caller owns every transaction."""

from __future__ import annotations

import atexit
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

log = logging.getLogger(__name__)
T = TypeVar("T")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The pool is sized to the web server's threads: FastAPI runs each request on one of
# anyio's 40 worker threads and holds one connection for it (a few routes take a second one
# for a moment: a pipeline run, a once-a-minute stamp). A request that cannot get one in
# POOL_TIMEOUT_S is answered 503 with Retry-After rather than left hanging.
POOL_SIZE = 40
MAX_OVERFLOW = 10
POOL_TIMEOUT_S = 3.0
READ_ONLY = "tidings_read_only"  # execution option of read connections (`read_engine`)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling of the URL the user gave."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if path and path != ":memory:":
            kwargs = _pool_sizes() | kwargs
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = sa.create_engine(url, **(_pool_sizes() | kwargs))
    sa.event.listen(engine, "checkout", _ping_if_idle)
    sa.event.listen(engine, "checkin", _idle_since)
    sa.event.listen(engine, "begin", _postgresql_begin)
    return engine


def _postgresql_begin(conn: Connection) -> None:
    """READ ONLY in the driver's own BEGIN (psycopg sends `BEGIN READ ONLY`), set on every
    transaction either way: no round trip of its own, and a write transaction on a
    connection a read used before is not left read-only (SQLAlchemy's `postgresql_readonly`
    option left it so)."""
    driver = conn.connection.driver_connection
    read_only = bool(conn.get_execution_options().get(READ_ONLY))
    if driver is not None and driver.read_only is not read_only:
        driver.read_only = read_only


PING_IDLE_S = 10.0  # a pooled connection idle longer is checked before it is used


def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    """The pool's pre-ping, for connections that sat idle (a restarted or restarting server
    dropped them): a busy pool's connections are not pinged on every checkout, which cost a
    round trip per request. Raising DisconnectionError makes the pool try another."""
    if time.monotonic() - record.info.get("idle_since", time.monotonic()) < PING_IDLE_S:
        return
    try:
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT 1")
        dbapi_conn.rollback()
    except Exception as exc:  # any driver error: the connection is not usable
        raise sa.exc.DisconnectionError(str(exc)) from exc


def _idle_since(_dbapi_conn: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _pool_sizes() -> dict[str, Any]:
    return {"pool_size": POOL_SIZE, "max_overflow": MAX_OVERFLOW, "pool_timeout": POOL_TIMEOUT_S}


def _sqlite_begin(conn: Connection) -> None:
    """Writers take the write lock up front (BEGIN IMMEDIATE), so that two writers queue on
    busy_timeout instead of failing with "locked"; readers begin deferred and are refused
    any write (`PRAGMA query_only`), so that reads never queue behind writes (WAL)."""
    read_only = bool(conn.get_execution_options().get(READ_ONLY))
    info = conn.connection.info
    if info.get("query_only", False) != read_only:
        conn.exec_driver_sql(f"PRAGMA query_only={'ON' if read_only else 'OFF'}")
        info["query_only"] = read_only
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def read_engine(engine: Engine) -> Engine:
    """The same engine and pool, for transactions that only read: a deferred BEGIN on
    SQLite (refused writes), READ ONLY on PostgreSQL."""
    return engine.execution_options(**{READ_ONLY: True})


def writable(engine: Engine) -> Engine:
    """`engine` (a read engine's too) for transactions that write."""
    return engine.execution_options(**{READ_ONLY: False})


def is_read_only(conn: Connection) -> bool:
    return bool(conn.get_execution_options().get(READ_ONLY))


SQLITE_MMAP_BYTES = 1 << 30  # address space, not memory: the OS page cache backs it


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see make_engine)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")  # reads without a copy per page
    cur.close()


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (idempotent).

    On SQLite, Alembic's batch mode rebuilds a table to alter it (copy, drop, rename): with
    foreign keys enforced, dropping the old table would cascade and delete every row that
    refers to it. Enforcement is off while migrating, and the result is checked after."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                command.upgrade(alembic_config(conn), revision)
                if raw is not None and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("migration left rows that refer to missing rows")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


class IdList(sa.TypeDecorator[list[int]]):
    """A list of ids as one parameter: an array on PostgreSQL, JSON text on SQLite."""

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(sa.BigInteger))
        return dialect.type_descriptor(sa.Text())

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        ids = [int(i) for i in value]
        return ids if dialect.name == "postgresql" else json.dumps(ids)


class in_ids(sa.sql.expression.ColumnElement[Any]):  # noqa: N801 - reads as a function
    """`column IN (the ids given as parameter `name`)` as one statement whatever the count:
    `= ANY(array)` on PostgreSQL, `IN (SELECT value FROM json_each(…))` on SQLite.

    An expanding IN makes a new statement for each number of ids, which each request then
    compiles (SQLAlchemy), converts (psycopg) and parses and plans (the server) afresh; this
    one is compiled once and, run often enough on a connection, prepared by psycopg."""

    inherit_cache = True
    type = sa.types.NULLTYPE  # a Boolean would render as "… = 1" on SQLite (no index)
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own (cache keys)
        ("column", InternalTraversal.dp_clauseelement),
        ("ids", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: sa.ColumnElement[Any], name: str) -> None:
        self.column = column
        self.ids = sa.bindparam(name, type_=IdList())


@compiles(in_ids)
def _in_ids_sqlite(element: in_ids, compiler: SQLCompiler, **kw: Any) -> str:
    return (f"{compiler.process(element.column, **kw)} IN "
            f"(SELECT value FROM json_each({compiler.process(element.ids, **kw)}))")


@compiles(in_ids, "postgresql")
def _in_ids_postgresql(element: in_ids, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.ids, **kw)})"


def insert_ignoring_duplicates(conn: Connection, table: sa.Table, rows: list[dict[str, Any]],
                               unique: list[str]) -> int:
    """INSERT … ON CONFLICT DO NOTHING on both dialects; safe against concurrent writers."""
    if not rows:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (dialect.insert(table).values(rows).on_conflict_do_nothing(index_elements=unique)
            .returning(*table.primary_key.columns))
    return len(conn.execute(stmt).all())  # rows inserted (rowcount is -1 on some drivers)


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One unit of work: commits on success, rolls back on any error."""
    with engine.begin() as conn:
        yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that reads only (a write in it fails): see `read_engine`."""
    with read_engine(engine).begin() as conn:
        yield conn


def write_aside(conn: Connection, stmt: sa.Executable) -> None:
    """Run a small bookkeeping write (a last-used stamp, an expired session's removal): in
    `conn` when it may write, else in a short transaction of its own, so that a read stays
    a read."""
    if not is_read_only(conn):
        conn.execute(stmt)
        return
    with writable(conn.engine).begin() as writer:
        writer.execute(stmt)


FLUSH_EVERY_S = 1.0
_later: dict[tuple[str, Any], tuple[Engine, sa.Executable]] = {}
_later_lock = threading.Lock()
_flushing = threading.Lock()  # one flush at a time: a shutdown's waits for the thread's
_flusher: list[threading.Thread] = []


def write_later(conn: Connection, key: tuple[Any, ...], stmt: sa.Executable) -> None:
    """A bookkeeping write nobody waits for (a "last used" stamp): in `conn` when it may
    write; from a read, queued under `key` (a later stamp of the same row replaces it) and
    written within FLUSH_EVERY_S by one background transaction per database. So a GET stays
    a read: it takes no second connection and never queues on the write lock."""
    if not is_read_only(conn):
        conn.execute(stmt)
        return
    engine = writable(conn.engine)
    with _later_lock:
        _later[(engine.url.render_as_string(), key)] = (engine, stmt)
        if not _flusher:
            thread = threading.Thread(target=_flush_forever, name="stamps", daemon=True)
            _flusher.append(thread)
            thread.start()


def flush_later() -> None:
    """Write what `write_later` queued now (each database in one transaction). Returns once
    nothing queued before the call is still being written (the web app's shutdown calls it,
    so no stamp reaches an engine after its owner disposed of it)."""
    with _flushing:
        with _later_lock:
            pending = list(_later.values())
            _later.clear()
        _write(pending)


def _write(pending: list[tuple[Engine, sa.Executable]]) -> None:
    by_engine: dict[str, tuple[Engine, list[sa.Executable]]] = {}
    for engine, stmt in pending:
        by_engine.setdefault(engine.url.render_as_string(), (engine, []))[1].append(stmt)
    for engine, stmts in by_engine.values():
        try:  # a lost stamp must not stop the next ones
            run_in_transaction(engine, partial(_execute_all, stmts=stmts))
        except Exception as exc:
            log.info("%s queued stamps not written: %s", len(stmts), exc)


def _execute_all(conn: Connection, stmts: list[sa.Executable]) -> None:
    for stmt in stmts:
        conn.execute(stmt)


def _flush_forever() -> None:
    while True:
        time.sleep(FLUSH_EVERY_S)
        flush_later()


atexit.register(flush_later)


# PostgreSQL SQLSTATEs after which the same transaction, run again, may well succeed:
# deadlock_detected, serialization_failure, lock_not_available (lock_timeout).
_TRANSIENT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})
RETRY_ATTEMPTS = 6


def is_transient(exc: BaseException) -> bool:
    """A deadlock, serialisation failure or lock timeout: retry, don't report."""
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    return isinstance(exc, sa.exc.OperationalError) and "database is locked" in str(exc.orig)


def run_in_transaction(engine: Engine, work: Callable[[Connection], T], *,
                       attempts: int = RETRY_ATTEMPTS,
                       before_retry: Callable[[], None] | None = None) -> T:
    """`work(conn)` in one transaction, run again (after a short random pause) when the
    database aborts it for a deadlock, a serialisation failure or a lock timeout.
    `before_retry` undoes whatever in-memory state `work` changed before it failed."""
    for attempt in range(1, attempts + 1):
        try:
            with engine.begin() as conn:
                return work(conn)
        except sa.exc.DBAPIError as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            log.info("transaction aborted (%s), retry %s of %s",
                     getattr(exc.orig, "sqlstate", None) or "locked", attempt, attempts - 1)
            if before_retry is not None:
                before_retry()
            time.sleep(random.uniform(0.0, 0.02 * 2**attempt))
    raise AssertionError("unreachable")  # the loop returns or raises
