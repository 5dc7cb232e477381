"""One real Tidings server (SQLite, the demo newsroom plus a loopback outlet with images) and
one Debian Chromium driven by Playwright, for the whole browser suite.

Chromium comes from Debian (`apt-get install chromium`), never from a browser download;
axe-core from the npm registry into the git-ignored `.browser/`. Locally the suite skips,
saying why, when Chromium is missing; in CI (`CI` set) it fails instead.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.accounts import PASSWORD
from tests.conftest import fresh_database
from tests.loopback import LoopbackSite, Route
from tests.web.conftest import _serve
from tidings import auth
from tidings.config import Settings, load_settings
from tidings.demo import load_demo
from tidings.store import accounts
from tidings.store.db import make_engine, migrate, transaction

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".browser"  # git-ignored: axe-core and the screenshots
SHOTS = WORK / "screenshots"
CHROMIUM = os.environ.get("TIDINGS_CHROMIUM", "/usr/bin/chromium")
AXE = WORK / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOT_LIST: list[Path] = []


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser suite cannot run in CI: {reason}")
    pytest.skip(reason)


def png(width: int, height: int, rgb: tuple[int, int, int] = (40, 110, 170)) -> bytes:
    """A real PNG (solid colour), so the image the reader sees is bytes we made."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


@dataclass
class Reader:
    base: str
    settings: Settings
    site: LoopbackSite
    axe: str
    image_article_title: str = "Lighthouse keepers open their tower to visitors"
    screenshots: list[Path] = field(default_factory=list)


def _axe_source() -> str:
    if not AXE.is_file() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                        str(WORK), "axe-core@4"], check=False, timeout=300)
    if not AXE.is_file():
        _missing(f"axe-core is not installed: run `npm install --prefix {WORK} axe-core@4`")
    return AXE.read_text(encoding="utf-8")


def _image_outlet(site: LoopbackSite) -> None:
    page = (Path(__file__).parent / "data" / "lighthouse.html").read_bytes()
    feed = (Path(__file__).parent / "data" / "lighthouse.rss").read_text(encoding="utf-8")
    site.routes["/feed.xml"] = Route(feed.replace("{base}", site.url("")).encode(),
                                     headers={"Content-Type": "application/rss+xml"})
    site.routes["/2026/lighthouse.html"] = Route(
        page.replace(b"{base}", site.url("").encode()),
        headers={"Content-Type": "text/html; charset=utf-8"})
    site.routes["/img/lighthouse.png"] = Route(png(640, 400),
                                               headers={"Content-Type": "image/png"})
    site.routes["/favicon.ico"] = Route(png(16, 16, (200, 60, 40)),
                                        headers={"Content-Type": "image/png"})


@pytest.fixture(scope="session")
def reader_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    if not Path(CHROMIUM).is_file():
        _missing(f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (Debian's)")
    axe = _axe_source()
    directory = tmp_path_factory.mktemp("browser")
    site = LoopbackSite()
    site.thread.start()
    _image_outlet(site)
    with fresh_database("sqlite", directory) as url:
        settings = load_settings(env={}, data_dir=directory, database_url=url,
                                 allow_hosts="127.0.0.1", fetch_timeout_s=2.0,
                                 starter_feeds=False, image_proxy=True)
        engine = make_engine(url)
        migrate(engine)
        load_demo(engine, settings)
        with transaction(engine) as conn:
            demo_user = accounts.user_named(conn, settings.user)
            accounts.set_password_hash(conn, demo_user.id or 0, auth.hash_password(PASSWORD))
        with _serve(settings, engine) as base:
            yield Reader(base, settings, site, axe)
        engine.dispose()
    site.server.shutdown()
    site.server.server_close()


@pytest.fixture(scope="session")
def browser(reader_site: Reader) -> Iterator[object]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only when run

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SHOT_LIST:
        terminalreporter.write_line(f"browser screenshots ({len(SHOT_LIST)}) in {SHOTS}:")
        for shot in SHOT_LIST:
            terminalreporter.write_line(f"  {shot.relative_to(ROOT)}")
