"""`create_app(settings)`: the web UI, the JSON API and their shared state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine

from tidings.config import Settings
from tidings.extract.urls import web_url
from tidings.store import NotFound
from tidings.store.db import make_engine, migrate
from tidings.web import guards

HERE = Path(__file__).resolve().parent


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    templates: Jinja2Templates


async def _not_found(_request: Request, exc: Exception) -> JSONResponse:
    """Every store lookup of an unknown id (UnknownStory, UnknownArticle, …) is a 404."""
    return JSONResponse({"detail": str(exc)}, status_code=404)


UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


async def _same_origin_only(request: Request, call_next: Callable[[Request], Awaitable[Response]]
                            ) -> Response:
    """Refuse cross-site writes: a page elsewhere must not add feeds or hide stories for
    whoever has Tidings open. Browsers send Origin on such requests; API clients send none."""
    origin = request.headers.get("origin")
    foreign = origin is not None and (
        origin == "null" or urlsplit(origin).netloc != request.headers.get("host", ""))
    if request.method in UNSAFE_METHODS and foreign:
        return JSONResponse({"detail": f"cross-site request from {origin} refused"},
                            status_code=403)
    return await call_next(request)


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    from tidings.web import api, atom, ui  # noqa: PLC0415 - routers import AppState from here

    engine = engine or make_engine(settings.effective_database_url)
    migrate(engine)
    app = FastAPI(title="Tidings", version="0.1.0", openapi_url="/api/v1/openapi.json",
                  docs_url="/api/v1/docs", redoc_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["ago"] = ui.ago
    templates.env.filters["web_url"] = web_url  # every href from outside passes through it
    app.state.tidings = AppState(settings, engine, templates)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_exception_handler(NotFound, _not_found)
    app.middleware("http")(_same_origin_only)
    guards.install(app, settings)  # body size limit; 422s that never echo the input
    app.include_router(api.router)
    app.include_router(ui.router)
    app.include_router(atom.router)
    return app
