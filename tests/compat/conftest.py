"""A real Tidings server on 127.0.0.1 for sync apps, once per module and database: two loopback
feeds (one carries a syndicated copy of the other's lead story), a reader made with the real
CLI (`tidings user add`, `tidings token create --app`), subscribed through the pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from tests.conftest import fresh_database
from tests.feeds import HARBOUR, rss
from tests.loopback import LoopbackSite, Route
from tests.web.conftest import _serve
from tidings import pipeline
from tidings.cli import app as cli_app
from tidings.config import Settings, load_settings
from tidings.fetch import Fetcher
from tidings.models import utcnow
from tidings.store import accounts, library, sync
from tidings.store.db import make_engine, migrate, transaction

RSS = {"Content-Type": "application/rss+xml"}
USER = "ann"
PASSWORD = "ann's long account passphrase"
# A second outlet: the first item is a syndicated copy of the Harbour Post's lead story.
VALLEY = [
    ("v1", HARBOUR[0][1], HARBOUR[0][2]),
    ("v2", "Orchard growers expect a record apple harvest",
     "Growers in the Tarn valley expect the largest apple harvest in a decade after a mild "
     "spring and a dry, sunny September, the growers' cooperative said on Tuesday."),
]


@dataclass
class SyncServer:
    base: str
    settings: Settings
    engine: Engine
    site: LoopbackSite
    app_password: str
    env: dict[str, str]
    sources: dict[str, int]
    user_id: int = 0

    def http(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30, headers=headers)

    def login(self) -> str:
        with self.http() as h:
            answer = h.post("/accounts/ClientLogin",
                            data={"Email": USER, "Passwd": self.app_password})
        assert answer.status_code == 200, answer.text
        return dict(line.split("=", 1) for line in answer.text.split())["Auth"]

    def reader(self) -> httpx.Client:
        return self.http(Authorization=f"GoogleLogin auth={self.login()}")

    def article_ids(self) -> list[int]:
        with transaction(self.engine) as conn:
            return sync.all_ids(conn, self.user_id)

    def unread_ids(self) -> list[int]:
        with transaction(self.engine) as conn:
            return sync.all_ids(conn, self.user_id, read=False)

    def reset(self) -> None:
        """Everything unread and unstarred again (explicit marks win over any watermark)."""
        with transaction(self.engine) as conn:
            library.set_state(conn, self.user_id, sync.all_ids(conn, self.user_id),
                              read=False, starred=False)

    def publish(self, path: str, body: bytes) -> None:
        """A feed gains entries; fetch it now, as the worker would."""
        self.site.routes[path] = Route(body, headers=RSS)
        with Fetcher(self.settings) as fetcher:
            report = pipeline.refresh_source(self.engine, fetcher, self.sources[path],
                                             settings=self.settings)
        assert report.error is None, report.error

    def cli(self, *args: str, stdin: str | None = None) -> str:
        result = CliRunner().invoke(cli_app, list(args), env=self.env, input=stdin)
        assert result.exit_code == 0, result.output
        return result.output


def _make_reader(server: SyncServer) -> str:
    server.cli("user", "add", USER, "--password-stdin", stdin=PASSWORD + "\n")
    return server.cli("token", "create", USER, "--app", "sync tests").strip().splitlines()[-1]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[SyncServer]:
    directory: Path = tmp_path_factory.mktemp("sync")
    site = LoopbackSite()
    site.thread.start()
    site.routes["/harbour.xml"] = Route(rss("Harbour Post", HARBOUR), headers=RSS)
    site.routes["/valley.xml"] = Route(rss("Valley Herald", VALLEY,
                                           start=utcnow() - timedelta(hours=2)), headers=RSS)
    with fresh_database(request.param, directory) as url:
        settings = load_settings(env={}, data_dir=directory, database_url=url,
                                 allow_hosts="127.0.0.1", fetch_timeout_s=5.0,
                                 starter_feeds=False)
        env = {"TIDINGS_DATA_DIR": str(directory), "TIDINGS_DATABASE_URL": url,
               "TIDINGS_ALLOW_HOSTS": "127.0.0.1", "TIDINGS_STARTER_FEEDS": "0"}
        engine = make_engine(url)
        migrate(engine)
        with _serve(settings, engine) as base:
            server = SyncServer(base, settings, engine, site, "", env, {})
            server.app_password = _make_reader(server)
            with transaction(engine) as conn:
                server.user_id = accounts.user_named(conn, USER).id or 0
            for path, folder in (("/harbour.xml", "Local"), ("/valley.xml", "Regional")):
                sub, _ = pipeline.subscribe(engine, site.url(path), settings=settings,
                                            user_id=server.user_id, folder=folder)
                server.sources[path] = sub.source.id or 0
            yield server
        engine.dispose()
    site.server.shutdown()
    site.server.server_close()


@pytest.fixture
def server(served: SyncServer) -> SyncServer:
    served.reset()
    return served
