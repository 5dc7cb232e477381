"""The API reference as a page of our own, rendered on the server from the OpenAPI document:
no script, nothing loaded from elsewhere, so it reads the same offline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tidings.web.ui.render import page

router = APIRouter()
METHODS = ("get", "post", "put", "patch", "delete")
_ANCHOR = re.compile(r"[^a-zA-Z0-9]+")


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    tag: str
    params: list[tuple[str, str, bool, str]] = field(default_factory=list)  # name, in, req, type
    body: str = ""
    responses: list[tuple[str, str]] = field(default_factory=list)
    anchor: str = ""


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type(s) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}))}"
    return str(schema.get("type", "any"))


def _body(spec: dict[str, Any]) -> str:
    content = spec.get("requestBody", {}).get("content", {})
    return ", ".join(f"{kind}: {_type(c.get('schema', {}))}" for kind, c in content.items())


def operations(openapi: dict[str, Any]) -> list[Operation]:
    """Every operation of the document, grouped by tag then path."""
    out = []
    for path, item in openapi.get("paths", {}).items():
        for method in METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            params = [(p["name"], p.get("in", ""), bool(p.get("required")),
                       _type(p.get("schema", {}))) for p in spec.get("parameters", [])]
            out.append(Operation(
                method.upper(), path, spec.get("summary", ""), spec.get("description", ""),
                (spec.get("tags") or ["other"])[0], params, _body(spec),
                [(code, r.get("description", "")) for code, r in spec.get("responses", {}).items()],
                anchor=f"{method}-{_ANCHOR.sub('-', path).strip('-')}"))
    return sorted(out, key=lambda o: (o.tag, o.path, METHODS.index(o.method.lower())))


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    openapi = request.app.openapi()
    ops = operations(openapi)
    return page(request, None, "api_docs.html", None, ops=ops,
                info=openapi.get("info", {}), tags=sorted({o.tag for o in ops}),
                schemas=sorted(openapi.get("components", {}).get("schemas", {})))
