"""Request dependencies shared by every router: the app's state, the database connection and
who is asking. Who may do what is decided here, once per request: routers take the `User`
these return and pass `user.id` to store functions, which scope every query by it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, TypeVar

import anyio
import anyio.from_thread
from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Connection, Engine

from tidings import auth
from tidings.config import Settings
from tidings.models import TokenKind, User
from tidings.store import accounts
from tidings.store.db import read_transaction, transaction

SESSION_COOKIE = "tidings_session"
READS = frozenset({"GET", "HEAD"})
F = TypeVar("F", bound=Callable[..., object])


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    templates: Jinja2Templates
    # the feed's worker threads (`settings.rank_threads`): a request beyond them waits in the
    # event loop, holding no thread and no connection, instead of a thread that would take
    # turns at the interpreter with the others (bench.feed_latency's library at 100/s, 2
    # against anyio's 40: server CPU per request 16-19 against 19-22 ms on SQLite, p99 lower
    # in each of 6 alternating runs on both engines)
    rankers: anyio.CapacityLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.rankers = anyio.CapacityLimiter(self.settings.rank_threads)


class SignInRequired(Exception):
    """A page asked for by someone not signed in: the app redirects them to /signin."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def state(request: Request) -> AppState:
    st: AppState = request.app.state.tidings
    return st


class ClientGone(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=499, detail="the client closed the request")


def writes(route: F) -> F:
    """Mark a GET route that writes (opening a story marks it read, a sync app's GET marks
    or logs in): its requests get a write transaction like every POST."""
    route.tidings_writes = True  # type: ignore[attr-defined]
    return route


def reads_only(request: Request) -> bool:
    """A GET or HEAD of a route not marked `writes`: it runs in a read-only transaction."""
    endpoint = request.scope.get("endpoint")
    return request.method in READS and not getattr(endpoint, "tidings_writes", False)


def client_gone(request: Request) -> bool:
    """Whether the client of this GET went away (asked from a worker thread; False
    elsewhere). Only for GET and HEAD: it reads the request's (empty) body message."""
    try:
        return bool(anyio.from_thread.run(request.is_disconnected))
    except RuntimeError:  # not on one of anyio's worker threads: nothing to ask
        return False


@asynccontextmanager
async def watch_client(request: Request) -> AsyncIterator[threading.Event]:
    """An event set as soon as the client of this GET goes away, for work on a worker thread
    to check between its phases (asking the event loop from the thread, as `client_gone`
    does, costs a round trip through it each time)."""
    gone = threading.Event()

    async def watch() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass
        gone.set()

    task = asyncio.create_task(watch())
    try:
        yield gone
    finally:
        task.cancel()


def still_there(request: Request) -> None:
    """Stop a request whose client went away while it waited for a worker thread (a busy
    server): nobody would read the answer. Each synchronous step of a request waits for a
    thread of its own, so this is asked again where the work is (`db`, the feed route)."""
    if client_gone(request):
        raise ClientGone


def db(request: Request) -> Iterator[Connection]:
    """The request's one transaction: read-only for GETs (never waits on a writer, and a
    write in it fails), a write transaction otherwise."""
    reads = reads_only(request)
    if reads:
        still_there(request)  # before taking a connection
    begin = read_transaction if reads else transaction
    with begin(state(request).engine) as conn:
        yield conn


# Committed when the route returns, before the response leaves: a client that follows a
# redirect at once must see what it just wrote (PostgreSQL lets the next request start
# before an after-response commit).
Conn = Annotated[Connection, Depends(db, scope="function")]


def session_hash(request: Request) -> str | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    return auth.secret_hash(cookie) if cookie and len(cookie) <= 200 else None


def _session_user(request: Request, conn: Connection) -> User | None:
    digest = session_hash(request)
    if digest is None:
        return None
    return accounts.session_user(conn, digest, state(request).settings.session_idle_s)


def _bearer_user(request: Request, conn: Connection) -> User | None:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip() or len(secret) > 200:
        return None
    return accounts.token_user(conn, auth.secret_hash(secret.strip()), (TokenKind.API,))


def api_user(request: Request, conn: Conn) -> User:
    """The API's caller: a Bearer token, or the browser's session. 401 otherwise."""
    return api_caller(request, conn)


def api_caller(request: Request, conn: Connection) -> User:
    """Who sends this API request (a Bearer token, or the browser's session); 401 otherwise."""
    user = _bearer_user(request, conn) or _session_user(request, conn)
    if user is None:
        raise HTTPException(status_code=401, detail="sign in, or send Authorization: Bearer "
                            "<token> (make one with `tidings token create NAME`)",
                            headers={"WWW-Authenticate": 'Bearer realm="tidings"'})
    request.state.user = user
    return user


def api_user_alone(request: Request) -> User:
    """`api_user` in a transaction of its own, for routes that run the pipeline (which opens
    its own transactions: holding one across it would make SQLite wait on itself)."""
    with transaction(state(request).engine) as conn:
        return api_caller(request, conn)


def page_user(request: Request, conn: Conn) -> User:
    """The signed-in reader of a page; anyone else is sent to the sign-in page."""
    return _page_reader(request, conn)


def page_user_alone(request: Request) -> User:
    with transaction(state(request).engine) as conn:
        return _page_reader(request, conn)


def _page_reader(request: Request, conn: Connection) -> User:
    user = _session_user(request, conn)
    if user is None:
        path = request.url.path
        raise SignInRequired(path if request.method in {"GET", "HEAD"} else "/")
    request.state.user = user
    return user


ApiUser = Annotated[User, Depends(api_user)]
Reader = Annotated[User, Depends(page_user)]
ApiUserAlone = Annotated[User, Depends(api_user_alone)]
ReaderAlone = Annotated[User, Depends(page_user_alone)]




def uid(user: User) -> int:
    return user.id or 0
