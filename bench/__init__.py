"""Quality gates and speed benchmarks: each module's main() prints figures beside a baseline."""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlalchemy as sa

from tidings.store.db import make_engine


def load_shared_tool(path: Path) -> ModuleType:
    """A reference scorer from ../shared/tools, imported in place (never copied in)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"scorer not found at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def pg_schema(base_url: str, prefix: str = "bench") -> Iterator[str]:
    """A PostgreSQL database of a bench's own: a fresh schema in `base_url`'s database (its
    URL), dropped after."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in base_url else "?"
        yield f"{base_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def constants(module: ModuleType, **values: Any) -> Iterator[None]:
    """Bench-only: try other values of a module's constants (the shipped ones restored after)."""
    saved = {name: getattr(module, name) for name in values}
    for name, value in values.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)
