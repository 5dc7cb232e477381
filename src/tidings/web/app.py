"""`create_app(settings)`: assembles the web UI, the JSON API and the Atom feeds."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException

from tidings.config import Settings, load_settings
from tidings.extract.urls import web_url
from tidings.store import NotFound
from tidings.store.db import flush_later, make_engine, migrate
from tidings.web import guards
from tidings.web.deps import AppState, SignInRequired
from tidings.web.errors import error_answer

__all__ = ["AppState", "create_app", "from_environment"]
from tidings.web.security import Guard

HERE = Path(__file__).resolve().parent


async def _not_found(request: Request, exc: Exception) -> Response:
    """Every store lookup of an unknown id (UnknownStory, NotYours, …) is a 404: another
    reader's source, star or token answers exactly like one that does not exist."""
    return error_answer(request, 404, str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_answer(request, exc.status_code, str(exc.detail), exc.headers)


async def _server_error(request: Request, _exc: Exception) -> Response:
    return error_answer(request, 500, "something went wrong on our side; it has been logged")


async def _busy(request: Request, _exc: Exception) -> Response:
    """No database connection free in time (`store.db.POOL_TIMEOUT_S`): come back shortly."""
    return error_answer(request, 503, "the server is busy; try again in a moment",
                        {"Retry-After": "1"})


async def _sign_in_first(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(f"/signin?next={quote(exc.next_path, safe='/')}", status_code=303)


def _templates() -> Jinja2Templates:
    from tidings.web.ui.render import ago, when  # noqa: PLC0415 - ui imports deps, not app

    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["ago"] = ago
    templates.env.filters["when"] = when
    templates.env.filters["web_url"] = web_url  # every href from outside passes through it
    return templates


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield
    flush_later()  # the "last used" stamps queued by GETs, before the engine goes


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    from tidings.web import (  # noqa: PLC0415 - routers import deps only
        api,
        atom,
        compat,
        search_feed,
        ui,
    )
    from tidings.web.ui.images import image_filters  # noqa: PLC0415

    engine = engine or make_engine(settings.effective_database_url)
    migrate(engine)
    app = FastAPI(title="Tidings", version="0.1.0", openapi_url="/api/v1/openapi.json",
                  docs_url=None, redoc_url=None, lifespan=_lifespan)
    templates = _templates()
    templates.env.filters.update(image_filters(settings))
    app.state.tidings = AppState(settings, engine, templates)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _server_error)
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(sa_exc.TimeoutError, _busy)  # the pool's, not a statement's
    app.add_middleware(Guard, settings=settings)
    guards.install(app, settings)  # body size limit; 422s that never echo the input
    app.include_router(api.router)
    app.include_router(ui.router)
    app.include_router(atom.router)
    compat.install(app)  # sync apps: Google Reader API and Fever
    app.include_router(search_feed.router)
    return app



def from_environment() -> FastAPI:
    """The app as `tidings serve --processes N` starts it in each process (settings from the
    TIDINGS_* environment, as the command itself read them)."""
    return create_app(load_settings())


def listening_socket(host: str, port: int) -> socket.socket:
    """The port the server processes share. Made as a TCP socket by protocol number: asyncio
    turns Nagle's algorithm off (TCP_NODELAY) only on connections accepted from such a socket,
    and uvicorn's own (`socket.socket(family)`, protocol 0) leaves it on, so each response
    written in two parts waited ~40 ms for the client's delayed acknowledgement."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock
