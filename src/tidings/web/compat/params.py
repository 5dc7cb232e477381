"""Request parameters as sync clients send them: in the query string, in a form body, or both,
some repeated (`i`, `a`, `r`). One place checks counts and sizes, so that no endpoint can be
handed 10,000 values or a megabyte where it expects one short one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData, QueryParams

from tidings.web.compat.ids import BadRequest

MAX_VALUES = 1000  # of one repeated parameter (`i`: items per request)
MAX_FIELDS = 3000
MAX_VALUE_CHARS = 4000


@dataclass
class Params:
    pairs: list[tuple[str, str]]

    def many(self, name: str, limit: int = MAX_VALUES) -> list[str]:
        values = [v for k, v in self.pairs if k == name]
        if len(values) > limit:
            raise BadRequest(f"{name}: at most {limit} values per request, got {len(values)}")
        return values

    def one(self, name: str, default: str | None = None, max_chars: int = 2000) -> str | None:
        values = self.many(name)
        if len(values) > 1 and len(set(values)) > 1:
            raise BadRequest(f"{name}: give it once (got {len(values)} different values)")
        if not values:
            return default
        if len(values[0]) > max_chars:
            raise BadRequest(f"{name}: at most {max_chars} characters")
        return values[0]

    def need(self, name: str, max_chars: int = 2000) -> str:
        value = self.one(name, max_chars=max_chars)
        if value is None or not value.strip():
            raise BadRequest(f"missing parameter {name}")
        return value

    def number(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.one(name, max_chars=30)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError as exc:
            raise BadRequest(f"{name}: expected a whole number, got {raw[:30]!r}") from exc
        if not low <= value <= high:
            raise BadRequest(f"{name}: must be between {low} and {high}")
        return value


async def read_params(request: Request) -> Params:
    """Query string and (for POST) the urlencoded or multipart form, in that order."""
    pairs = list(QueryParams(request.url.query).multi_items())
    if request.method == "POST":
        try:
            form: FormData = await request.form(max_files=0, max_fields=MAX_FIELDS)
        except Exception as exc:  # any unreadable body is the client's error
            raise BadRequest(f"unreadable form body: {str(exc)[:120]}") from exc
        pairs += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    if len(pairs) > MAX_FIELDS:
        raise BadRequest(f"at most {MAX_FIELDS} parameters per request")
    for key, value in pairs:
        if len(value) > MAX_VALUE_CHARS or "\x00" in value:
            raise BadRequest(f"{key[:40]}: value too long or not text")
    return Params(pairs)


# A dependency, so that routes stay plain functions (run in the thread pool, never blocking
# the event loop on the database) while the body is read asynchronously.
SyncParams = Annotated[Params, Depends(read_params)]
