"""newsboat, a real Google Reader API client (its `feedhq` urls-source), against a real server:
`newsboat -x reload` then `-x print-unread` with a generated config, counts and titles read back
from newsboat's own cache; read state both ways. Skips without newsboat, except in CI (which
installs it: .ci/run)."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.compat.conftest import USER, VALLEY, SyncServer
from tests.feeds import HARBOUR
from tidings.models import utcnow
from tidings.store import library, sync
from tidings.store.db import transaction

NEWSBOAT = shutil.which("newsboat")
if NEWSBOAT is None and os.environ.get("CI"):
    pytest.fail("CI must run the newsboat tests: install it (apt-get install -y newsboat)",
                pytrace=False)
pytestmark = pytest.mark.skipif(NEWSBOAT is None, reason="newsboat is not installed "
                                "(apt-get install -y newsboat)")


class Newsboat:
    def __init__(self, server: SyncServer, home: Path) -> None:
        self.home = home
        self.config = home / "config"
        self.cache = home / "cache.db"
        (home / "urls").write_text("")
        password = home / "app-password"
        password.write_text(server.app_password)
        # the example in newsboat's manual ends the URL with a slash: the server copes
        self.config.write_text(
            'urls-source "feedhq"\n'
            f'feedhq-url "{server.base}/"\n'
            f'feedhq-login "{USER}"\n'
            f'feedhq-passwordfile "{password}"\n'
            "feedhq-min-items 100\n"
            "feedhq-show-special-feeds no\n")

    def run(self, *commands: str) -> str:
        env = {"HOME": str(self.home), "PATH": os.environ.get("PATH", ""), "TERM": "dumb",
               "LANG": "C.UTF-8"}
        done = subprocess.run(
            [NEWSBOAT or "newsboat", "-C", str(self.config), "-c", str(self.cache),
             "-u", str(self.home / "urls"), "-x", *commands],
            capture_output=True, text=True, timeout=120, env=env, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def press(self, *keys: bytes, settle_s: float = 2.0) -> None:
        """Run newsboat's text UI on a pseudo-terminal and type `keys` (each after the
        screen settles); it must quit on its own (the last key is `q`)."""
        env = {"HOME": str(self.home), "PATH": os.environ.get("PATH", ""), "TERM": "xterm",
               "LANG": "C.UTF-8", "LINES": "40", "COLUMNS": "120"}
        argv = [NEWSBOAT or "newsboat", "-C", str(self.config), "-c", str(self.cache),
                "-u", str(self.home / "urls"), "-l", "6", "-d", str(self.home / "log")]
        pid, fd = pty.fork()
        if pid == 0:  # the child: newsboat on the terminal
            os.execvpe(argv[0], argv, env)
        try:
            _drain(fd, settle_s * 2)
            for key in keys:
                os.write(fd, key)
                _drain(fd, settle_s)
            deadline = time.monotonic() + 30
            while os.waitpid(pid, os.WNOHANG) == (0, 0):
                assert time.monotonic() < deadline, "newsboat did not quit"
                _drain(fd, 0.2)
        finally:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            os.close(fd)

    def items(self) -> dict[str, bool]:
        """{title: unread} from newsboat's cache."""
        with sqlite3.connect(self.cache) as db:
            return {t: bool(u) for t, u in db.execute("SELECT title, unread FROM rss_item")}

    def feeds(self) -> set[str]:
        with sqlite3.connect(self.cache) as db:
            return {r[0] for r in db.execute("SELECT title FROM rss_feed")}


def _drain(fd: int, seconds: float) -> None:
    """Read (and drop) what newsboat draws for `seconds`, so that it never blocks on us."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                return


def test_newsboat_reads_subscriptions_and_unread_items(server: SyncServer,
                                                       tmp_path: Path) -> None:
    nb = Newsboat(server, tmp_path)
    nb.run("reload")
    assert nb.feeds() == {"Harbour Post", "Valley Herald"}
    titles = {t for _, t, _ in HARBOUR} | {t for _, t, _ in VALLEY}
    assert set(nb.items()) == titles and all(nb.items().values())
    total = len(server.unread_ids())
    assert f"{total} unread articles" in nb.run("print-unread")


def test_read_on_the_server_is_read_in_newsboat(server: SyncServer, tmp_path: Path) -> None:
    nb = Newsboat(server, tmp_path)
    nb.run("reload")
    harbour = server.sources["/harbour.xml"]
    with transaction(server.engine) as conn:
        library.mark_all_read(conn, server.user_id, utcnow(), source_id=harbour)
    nb.run("reload")
    unread = {t for t, u in nb.items().items() if u}
    assert unread == {t for _, t, _ in VALLEY}
    assert f"{len(VALLEY)} unread articles" in nb.run("print-unread")


def _unread_titles(server: SyncServer) -> set[str]:
    with transaction(server.engine) as conn:
        rows = sync.items(conn, server.user_id, sync.all_ids(conn, server.user_id, read=False))
    return {r.title for r in rows.values()}


def test_read_in_newsboat_is_read_on_the_server(server: SyncServer, tmp_path: Path) -> None:
    nb = Newsboat(server, tmp_path)
    nb.run("reload")
    # feed list: the first feed is the Harbour Post (folder Local); A marks it read
    nb.press(b"A", b"q")
    assert _unread_titles(server) == {t for _, t, _ in VALLEY}
    # n: the next unread feed (the Valley Herald); open it, then its first article
    nb.press(b"n", b"\r", b"\r", b"q", b"q", b"q")
    assert len(_unread_titles(server)) == len(VALLEY) - 1
