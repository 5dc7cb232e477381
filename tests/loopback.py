"""A loopback web server whose answers a test sets per path."""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Route:
    def __init__(self, body: bytes = b"", status: int = 200,
                 headers: dict[str, str] | None = None, delay_s: float = 0.0) -> None:
        self.body, self.status, self.headers, self.delay_s = body, status, headers or {}, delay_s
        self.hits = 0
        self.seen_headers: list[dict[str, str]] = []


class LoopbackSite:
    """`site.routes["/feed.xml"] = Route(...)`; `site.url("/feed.xml")` is its address."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with site.lock:
                    route = site.routes.get(self.path) or Route(b"not here", 404)
                    route.hits += 1
                    route.seen_headers.append(dict(self.headers.items()))
                if route.delay_s:
                    threading.Event().wait(route.delay_s)
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                # the client may hang up (a killed worker, a timeout): not our failure
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"
