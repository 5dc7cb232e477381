"""Fixtures shared by the whole suite: ../shared data, databases, a loopback web server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.loopback import LoopbackSite
from tidings.config import Settings, load_settings
from tidings.store.db import make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """`../shared` beside the checkout (real third-party data); skip when absent."""
    if not (SHARED / "data").is_dir():
        pytest.skip(f"needs ../shared beside the checkout ({SHARED} not found)")
    return SHARED


# --- databases: every store/pipeline test runs on SQLite and on PostgreSQL -----------------


PG_ENV = "TIDINGS_TEST_DATABASE_URL"


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@contextmanager
def fresh_database(kind: str, directory: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'tidings.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL run needs {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/test)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings for a test: its own data dir and database, loopback feeds allowed."""
    return load_settings(env={}, data_dir=tmp_path, database_url=db_url,
                         allow_hosts="127.0.0.1", fetch_timeout_s=2.0, starter_feeds=False)


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    s = LoopbackSite()
    s.thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()


@pytest.fixture
def cli(tmp_path: Path, db_url: str):
    """Run `tidings …` in-process on the test's database: cli("add", URL, stdin=…)."""
    from typer.testing import CliRunner  # noqa: PLC0415

    from tidings.cli import app  # noqa: PLC0415

    env = {"TIDINGS_DATA_DIR": str(tmp_path), "TIDINGS_DATABASE_URL": db_url,
           "TIDINGS_ALLOW_HOSTS": "127.0.0.1", "TIDINGS_FETCH_TIMEOUT_S": "2",
           "TIDINGS_STARTER_FEEDS": "0"}
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env=env, input=stdin)
        return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")

    return invoke
