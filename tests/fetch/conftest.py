"""Loopback HTTP servers for the fetch tests: real sockets on 127.0.0.1, ephemeral ports.

A test registers handlers by path; each handler gets the live BaseHTTPRequestHandler and
writes whatever status, headers and bytes (or slow drips) the case needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tidings.config import Settings, load_settings

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class LoopbackServer:
    host: str
    port: int
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes[path] = handler
            return handler

        return register


def send(
    handler: BaseHTTPRequestHandler,
    status: int = 200,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> None:
    """Write one complete response with a correct Content-Length."""
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body:
        handler.wfile.write(body)


def _make_handler(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = server.routes.get(path)
            try:
                if route is None:
                    send(self, 404, b"not found")
                else:
                    route(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up on purpose (cap, deadline): that is the test passing

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    return _Handler


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A threaded HTTP server on 127.0.0.1 for one test."""
    state = LoopbackServer("127.0.0.1", 0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def settings() -> Settings:
    """Settings that admit the loopback test servers and keep every limit small and fast."""
    return load_settings(
        env={},
        allow_hosts=("127.0.0.1",),
        fetch_timeout_s=2.0,
        max_body_bytes=1_000_000,
        max_redirects=3,
    )
