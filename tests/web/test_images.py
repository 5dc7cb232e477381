"""An article's own pictures in the reader view, through the image proxy: a loopback feed
with full text on, its page with two inline images (and a pixel and a data: URI), served
back by a real Tidings server that fetches each image through the egress guard."""

from __future__ import annotations

import html
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.accounts import PASSWORD
from tests.conftest import fresh_database
from tests.feeds import rss
from tests.loopback import LoopbackSite, Route
from tests.web.conftest import LiveServer, _serve
from tidings import auth
from tidings.config import load_settings
from tidings.demo import load_demo
from tidings.store import accounts
from tidings.store.db import make_engine, migrate, transaction
from tidings.web.security import CSP
from tidings.web.ui.images import MAX_IMAGE_BYTES

PARAS = [
    "The valley railway reopened its mountain line on Saturday after a winter of repairs to "
    "the viaduct, with the first train leaving the lower station just after eight.",
    "Volunteers had rebuilt the drainage along four kilometres of track, the operator said, "
    "and the line should no longer close after every heavy storm in the autumn.",
    "Passengers on the first train were mostly regulars, several of whom said the line had "
    "been the only way to reach the upper villages in winter for as long as they remembered.",
    "The operator plans a second reopening in June, when the branch to the quarry is "
    "expected to carry visitors again for the first time in eleven years.",
]


def png(width: int, height: int) -> bytes:
    """A real PNG (greyscale, 8-bit) of the given size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + bytes([(x * 7) % 256 for x in range(width)]) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0,
                                                              0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def article_page() -> bytes:
    inline = ['<figure><img src="/img/viaduct.png" alt="The viaduct" width="64" height="48">'
              "<figcaption>The viaduct after its repair.</figcaption></figure>",
              '<p><img src="/img/train.png" alt="The first train"></p>'
              '<img src="/img/pixel.gif" width="1" height="1">'
              '<img src="data:image/png;base64,iVBORw0KGgo=" alt="inline data">']
    body = "".join(f"<p>{p}</p>{inline[i] if i < 2 else ''}" for i, p in enumerate(PARAS))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Line reopens</title>"
            f"</head><body><nav><a href='/'>Home</a></nav><article><h1>Line reopens</h1>{body}"
            f"</article><footer>About us</footer></body></html>").encode()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    directory: Path = tmp_path_factory.mktemp("images")
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
            yield LiveServer(base, settings, engine)
        engine.dispose()


def _proxied_targets(page: str) -> list[str]:
    body = page.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    sources = [html.unescape(s) for s in re.findall(r'<img [^>]*src="([^"]+)"', body)]
    assert all(s.startswith("/images?url=") for s in sources), sources
    return [parse_qs(urlsplit(s).query)["url"][0] for s in sources]


def test_an_article_keeps_its_images_in_the_reader_view(proxied: LiveServer,
                                                        site: LoopbackSite) -> None:
    pictures = {"/img/viaduct.png": png(64, 48), "/img/train.png": png(40, 30)}
    for path, data in pictures.items():
        site.routes[path] = Route(data, headers={"Content-Type": "image/png"})
    site.routes["/img/pixel.gif"] = Route(b"GIF89a", headers={"Content-Type": "image/gif"})
    site.routes["/line-reopens"] = Route(article_page(),
                                         headers={"Content-Type": "text/html; charset=utf-8"})
    feed = rss("Valley news", [("line", "Line reopens", "The mountain line is open again.")])
    site.routes["/valley.xml"] = Route(feed.replace(b"https://news.example.com/line?utm_source=rss",
                                                    site.url("/line-reopens").encode()),
                                       headers={"Content-Type": "application/rss+xml"})
    with proxied.client() as http:
        source = http.post("/api/v1/sources", json={"url": site.url("/valley.xml"),
                                                    "full_text": True})
        assert source.status_code == 201, source.text
        items = http.get("/api/v1/articles",
                         params={"source_id": source.json()["id"]}).json()["items"]
        assert [i["title"] for i in items] == ["Line reopens"]
        page = http.get(f"/articles/{items[0]['id']}")
        assert page.status_code == 200
        targets = _proxied_targets(page.text)
        assert targets == [site.url("/img/viaduct.png"), site.url("/img/train.png")]
        assert page.text.count("The viaduct after its repair.") == 1  # with its figure only
        assert "data:image" not in page.text and "pixel.gif" not in page.text
        served = [http.get("/images", params={"url": t}) for t in targets]
    assert [s.status_code for s in served] == [200, 200]
    assert [s.content for s in served] == list(pictures.values())
    assert {s.headers["content-type"] for s in served} == {"image/png"}
    assert all(s.headers["content-security-policy"] == "default-src 'none'" for s in served)
    assert "img-src 'self'" in CSP  # the proxied address is our own origin
    assert site.routes["/img/pixel.gif"].hits == 0


def test_the_proxy_fetches_only_images_through_the_guard(proxied: LiveServer,
                                                         site: LoopbackSite) -> None:
    site.routes["/not-an-image"] = Route(b"<html>hello</html>",
                                         headers={"Content-Type": "text/html"})
    site.routes["/svg"] = Route(b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                headers={"Content-Type": "image/svg+xml"})
    site.routes["/huge.png"] = Route(png(2, 2) + b"\x00" * MAX_IMAGE_BYTES,
                                     headers={"Content-Type": "image/png"})
    with proxied.client() as http:
        page = http.get("/images", params={"url": site.url("/not-an-image")})
        svg = http.get("/images", params={"url": site.url("/svg")})
        huge = http.get("/images", params={"url": site.url("/huge.png")})
        private = http.get("/images", params={"url": "http://10.0.0.1/a.png"})
        metadata = http.get("/images", params={"url": "http://169.254.169.254/latest"})
        odd = http.get("/images", params={"url": "javascript:alert(1)"})
    with proxied.anonymous() as anon:
        anonymous = anon.get("/images", params={"url": site.url("/svg")})
    assert page.status_code == 415 and svg.status_code == 415  # SVG can carry script
    assert huge.status_code in (413, 415, 502) and len(huge.content) < 10_000
    assert private.status_code == 502 and metadata.status_code == 502
    assert "10.0.0.1" in private.json()["detail"] or "refuse" in private.text.lower()
    assert odd.status_code == 404
    assert anonymous.status_code == 303  # readers only: not an open proxy
