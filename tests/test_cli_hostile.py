"""Hostile and broken input through the CLI: a clear message and exit code, never a traceback,
and a failing source shown as failing, never as "checked never · ok"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.loopback import LoopbackSite, Route
from tidings.cli import app

CRASHING_FEEDS = {
    "attribute-error": b"<item<id<d</item</id>",
    "type-error": b"<entry<title</content<",
    "key-error": b"<item<category>></ITEM</category>",
    "nul-in-encoding": b'<?xml version="1.0" encoding="ut\x00f-8"?><rss></rss>',
}
RSS = {"Content-Type": "application/rss+xml"}


def _deep(levels: int) -> bytes:
    return (b"<opml><body>" + b"<outline text='f'>" * levels
            + b"<outline xmlUrl='https://deep.example/feed'/>" + b"</outline>" * levels
            + b"</body></opml>")


def _many(count: int) -> bytes:
    return (b"<opml><body>" + b"".join(b"<outline xmlUrl='https://m.example/%d'/>" % i
                                       for i in range(count)) + b"</body></opml>")


BROKEN_OPML = {
    "one-nul": (b"\x00", "empty"),
    "bad-qname": (b"<?x?><opml n=''><:<outline", "not valid XML"),
    "deeper-than-256": (_deep(300), "more than 256 levels"),
    "60000-outlines": (_many(60_000), "more than the 50,000"),
}


@pytest.fixture
def run(tmp_path: Path, db_url: str):
    env = {"TIDINGS_DATA_DIR": str(tmp_path), "TIDINGS_DATABASE_URL": db_url,
           "TIDINGS_ALLOW_HOSTS": "127.0.0.1", "TIDINGS_FETCH_TIMEOUT_S": "2",
           "TIDINGS_STARTER_FEEDS": "0", "TIDINGS_WORKER_POLL_S": "0.1"}
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        stdin = "a long passphrase\n" if "--password-stdin" in args else None
        result = runner.invoke(app, list(args), env=env, input=stdin)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{args} raised {result.exception!r}")
        return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")

    code, out = invoke("user", "add", "ann", "--password-stdin")
    assert code == 0, out  # one account: commands need no --user
    return invoke


@pytest.mark.parametrize("body", CRASHING_FEEDS.values(), ids=CRASHING_FEEDS.keys())
def test_add_of_a_crashing_feed_is_a_clear_error(run, site: LoopbackSite, body: bytes) -> None:
    site.routes["/crash.xml"] = Route(body, headers=RSS)
    code, out = run("add", site.url("/crash.xml"))
    assert code == 1 and "could not add" in out and "feed" in out
    assert "Traceback" not in out
    assert run("sources")[1].strip() == ""  # nothing was stored


@pytest.mark.parametrize(("data", "message"), BROKEN_OPML.values(), ids=BROKEN_OPML.keys())
def test_import_of_a_broken_opml_file_is_a_clear_error(run, tmp_path: Path, data: bytes,
                                                       message: str) -> None:
    path = tmp_path / "subs.opml"
    path.write_bytes(data)
    code, out = run("import-opml", str(path))
    assert code == 1 and "cannot import" in out and message in out, out
    assert "Traceback" not in out
    assert run("sources")[1].strip() == ""


@pytest.mark.parametrize("command", [("worker", "--drain", "--concurrency", "1"),
                                     ("refresh", "--once")], ids=["worker", "refresh"])
def test_a_subscribed_feed_that_turns_hostile_shows_its_error(
        run, site: LoopbackSite, tmp_path: Path, command: tuple[str, ...]) -> None:
    site.routes["/turns.xml"] = Route(CRASHING_FEEDS["key-error"], headers=RSS)
    opml = tmp_path / "subs.opml"
    opml.write_text(f'<opml><body><outline text="Turncoat" xmlUrl="{site.url("/turns.xml")}"/>'
                    "</body></opml>")
    assert run("import-opml", str(opml))[0] == 0
    code, out = run(*command)
    assert code == 0 and "Traceback" not in out
    listing = run("sources")[1]
    assert "Turncoat" in listing and "ERROR (1x)" in listing and "could not be read" in listing
    assert "checked never" not in listing and "· ok" not in listing
