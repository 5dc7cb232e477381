"""`Prepared`: the feed's per-request SELECTs, compiled once and run on the driver's cursor."""

from __future__ import annotations

import collections
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


class Prepared:
    """A SELECT run on the driver's cursor, compiled once per kind of database: the feed's
    per-request statements. SQLAlchemy's own execution and its result rows cost more than
    the database takes to answer them (one story-state query, 50 stories: 350 → 180 µs on
    SQLite, 800 → 600 µs on PostgreSQL). The values go through the statement's own type
    conversions both ways, the rows are named tuples, the engine's `before_cursor_execute`
    listeners still see the statement, and a driver error is raised as SQLAlchemy's."""

    def __init__(self, stmt: sa.Select[Any] | sa.CompoundSelect) -> None:
        self.stmt = stmt
        self._forms: dict[tuple[str, str], _Form] = {}

    def rows(self, conn: Connection, params: dict[str, Any]) -> list[Any]:
        dialect = conn.dialect
        form = self._forms.get((dialect.name, dialect.driver))
        if form is None:
            form = self._forms[(dialect.name, dialect.driver)] = _Form(self.stmt, dialect)
        values = form.compiled.construct_params(params)
        for name, convert in form.binds:
            values[name] = convert(values[name])
        args: Any = tuple([values[n] for n in form.order]) if form.order else values
        if not conn.in_transaction():
            conn.begin()  # as `conn.execute` would (the engine's BEGIN hooks run)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if conn._has_events or conn.engine._has_events:
                conn.dispatch.before_cursor_execute(conn, cursor, form.sql, args, None, False)
            cursor.execute(form.sql, args)
            raw = cursor.fetchall()
            if form.results is None:  # some conversions depend on the driver's column types
                form.convert_results([d[1] for d in cursor.description or ()], dialect)
        except dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DBAPIError.instance(form.sql, args, exc,
                                             dialect.loaded_dbapi.Error) from exc
        finally:
            cursor.close()
        make, procs = form.row, form.results
        if not procs:
            return [make(r) for r in raw]
        return [make([v if p is None or v is None else p(v) for p, v in zip(procs, r,
                                                                               strict=True)])
                for r in raw]


class _Form:
    """One statement as one driver takes it."""

    def __init__(self, stmt: sa.Select[Any] | sa.CompoundSelect, dialect: sa.Dialect) -> None:
        self.compiled = stmt.compile(dialect=dialect)
        if self.compiled.post_compile_params:  # an IN list: make it `in_ids` or an `or_`
            raise ValueError("a Prepared statement takes no expanding IN")
        self.sql = str(self.compiled)
        self.order = tuple(self.compiled.positiontup or ())
        self.binds = [(name, proc) for name, proc in
                      ((name, b.type._cached_bind_processor(dialect))
                       for name, b in self.compiled.binds.items()) if proc is not None]
        self.columns = list(stmt.selected_columns)
        self.results: list[Any] | None = None  # known at the first run
        named = collections.namedtuple(  # type: ignore[misc]
            "Row", [str(c.key) for c in self.columns], rename=True)
        self.row = named._make

    def convert_results(self, codes: list[Any], dialect: sa.Dialect) -> None:
        procs = [c.type._cached_result_processor(dialect, code)
                 for c, code in zip(self.columns, codes, strict=True)]
        self.results = procs if any(p is not None for p in procs) else []
