"""The CLI end to end, on both databases (settings come from TIDINGS_* in the environment)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.feeds import HARBOUR, rss
from tests.loopback import LoopbackSite, Route
from tidings.sources import parse_opml

REALWORLD_OPML = ["Subs.opml", "SubsNoTitleAttributes.opml"]


@pytest.fixture
def run(cli):
    code, out = cli("user", "add", "ann", "--password-stdin", stdin="a long passphrase\n")
    assert code == 0, out  # one account: commands need no --user
    return cli


def _outlines(data: bytes) -> set[tuple[str, str, str]]:
    return {(s.url, s.title, s.folder) for s in parse_opml(data)}


@pytest.mark.parametrize("name", REALWORLD_OPML)
def test_opml_import_export_import_loses_nothing(run, tmp_path: Path, shared_dir: Path,
                                                 name: str) -> None:
    original = (shared_dir / "data/feeds/realworld/feeds" / name).read_bytes()
    code, out = run("import-opml", str(shared_dir / "data/feeds/realworld/feeds" / name))
    assert code == 0, out
    exported = tmp_path / "out.opml"
    assert run("export-opml", "-o", str(exported))[0] == 0
    assert _outlines(exported.read_bytes()) == _outlines(original)
    code, out = run("import-opml", str(exported))
    assert code == 0 and "(0 new)" in out
    again = tmp_path / "again.opml"
    run("export-opml", "-o", str(again))
    assert again.read_text() == exported.read_text()


def test_refresh_once_reports_and_sources_shows_errors(run, site: LoopbackSite,
                                                       tmp_path: Path) -> None:
    site.routes["/good.xml"] = Route(rss("Harbour Post", HARBOUR),
                                     headers={"Content-Type": "application/rss+xml"})
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
        f'<outline text="Good" type="rss" xmlUrl="{site.url("/good.xml")}"/>'
        f'<outline text="Gone" type="rss" xmlUrl="{site.url("/gone.xml")}"/>'
        '</body></opml>')
    assert run("import-opml", str(opml))[0] == 0
    code, out = run("refresh", "--once")
    assert code == 0, out
    assert "3 new" in out and "404" in out
    code, listing = run("sources")
    assert code == 0
    gone = listing.split("Gone", 1)[1]
    assert "ERROR (1x)" in gone and "404" in gone


def test_add_refuses_private_addresses_with_a_clear_message(run) -> None:
    code, out = run("add", "http://192.168.1.1/feed.xml")
    assert code == 1
    assert "192.168.1.1" in out and "private" in out.lower()


def test_analyze_says_when_a_language_is_not_enriched(run, tmp_path: Path) -> None:
    page = tmp_path / "seite.txt"
    page.write_text(
        "Neue Brücke über den Fluss eröffnet\n\n"
        "Die neue Brücke über den Fluss ist am Montag für den Verkehr freigegeben worden. "
        "Nach drei Jahren Bauzeit können Fußgänger und Radfahrer nun direkt von der Altstadt "
        "zum Bahnhof gelangen. Die Stadt rechnet mit mehreren tausend Nutzern am Tag, und "
        "die Anwohner hoffen auf weniger Autoverkehr in den engen Gassen der Innenstadt.\n",
        encoding="utf-8")
    code, output = run("analyze", str(page))
    assert code == 0, output
    article = json.loads(output.strip().splitlines()[-1])
    assert article["language"] == "de" and article["entities"] == []
    assert article["warning"] == "language 'de' is not enriched: no entities, quotes or key points"


def test_the_port_serve_processes_share_answers_without_nagle_delays() -> None:
    """`tidings serve --processes N` listens on a socket of ours: connections accepted from
    it have TCP_NODELAY (asyncio sets it only for sockets made as TCP by protocol number;
    with uvicorn's own, each two-part response waited ~40 ms for a delayed ACK)."""
    import asyncio  # noqa: PLC0415
    import concurrent.futures  # noqa: PLC0415
    import socket  # noqa: PLC0415

    from tidings.web.app import listening_socket  # noqa: PLC0415

    async def accept_one() -> int:
        sock = listening_socket("127.0.0.1", 0)
        flags: list[int] = []

        async def handle(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            flags.append(w.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP,
                                                                socket.TCP_NODELAY))
            w.close()

        server = await asyncio.start_server(handle, sock=sock)
        _, writer = await asyncio.open_connection(*sock.getsockname())
        while not flags:
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        return flags[0]

    # in a thread of its own: an earlier test (the browser's) may leave this one's loop running
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, accept_one()).result(timeout=30) == 1
