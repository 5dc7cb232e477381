"""Sign-in timing: an unknown user and a wrong password must take the same time (else the
answer's latency tells which user names exist). A real server on loopback, SQLite, each
attempt from its own loopback address so that throttling does not interfere.

`python -m bench.signin` prints the median time of each and their ratio.
"""

from __future__ import annotations

import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from tidings import auth
from tidings.config import load_settings
from tidings.store import accounts
from tidings.store.db import make_engine, migrate, transaction
from tidings.web.app import create_app

ROUNDS = 15


def _attempt(base: str, address: str, name: str) -> float:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=base, transport=transport, timeout=30) as http:
        started = time.perf_counter()
        answer = http.post("/api/v1/session", json={"name": name, "password": "a guess"})
        elapsed = time.perf_counter() - started
    assert answer.status_code == 401, answer.text
    return elapsed * 1000


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(env={}, data_dir=Path(tmp), starter_feeds=False,
                                 signin_max_failures=1000)
        engine = make_engine(settings.effective_database_url)
        migrate(engine)
        with transaction(engine) as conn:
            accounts.create_user(conn, "reader", auth.hash_password("the right passphrase"))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(create_app(settings, engine), log_level="error"))
        threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        unknown, wrong = [], []
        for n in range(ROUNDS):  # interleaved, so that load changes hit both alike
            unknown.append(_attempt(base, f"127.0.5.{2 * n + 1}", f"nobody-{n}"))
            wrong.append(_attempt(base, f"127.0.5.{2 * n + 2}", "reader"))
        server.should_exit = True
        engine.dispose()
    mu, mw = statistics.median(unknown), statistics.median(wrong)
    print(f"sign-in refused, median of {ROUNDS}: unknown user {mu:.1f} ms, wrong password "
          f"{mw:.1f} ms (ratio {mu / mw:.2f}; 1.00 = indistinguishable)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
