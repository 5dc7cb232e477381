"""Source favicons: fetched once through the egress guard, kept on disk under the data dir,
served from our origin (a reader's browser never asks the publisher). A source without one,
or one never fetched (sample outlets), gets our own plain icon."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tidings.fetch import Fetcher
from tidings.fetch.errors import FetchError
from tidings.models import Source, SourceKind
from tidings.store import library
from tidings.store.db import transaction
from tidings.web.api.shapes import Id
from tidings.web.deps import ReaderAlone, state, uid

router = APIRouter()
MAX_ICON_BYTES = 100_000
SIGNATURES = {b"\x89PNG": "image/png", b"\x00\x00\x01\x00": "image/x-icon",
              b"GIF8": "image/gif", b"\xff\xd8\xff": "image/jpeg"}
PLAIN = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
         b'<rect width="16" height="16" rx="3" fill="#8a94a6"/>'
         b'<circle cx="4.5" cy="11.5" r="1.6" fill="#fff"/>'
         b'<path d="M3 7a6 6 0 0 1 6 6M3 3.5a9.5 9.5 0 0 1 9.5 9.5" stroke="#fff" '
         b'stroke-width="1.6" fill="none"/></svg>')
CACHE = "private, max-age=604800"


def icon_kind(data: bytes) -> str:
    """The image type of a favicon's bytes ("" when they are not one we serve)."""
    return next((kind for magic, kind in SIGNATURES.items() if data.startswith(magic)), "")


def favicon_urls(source: Source) -> list[str]:
    """/favicon.ico of the site, then of the feed's own host when that differs."""
    out: list[str] = []
    for address in (source.site_url, source.url):
        parts = urlsplit(address or "")
        if parts.scheme in {"http", "https"} and parts.netloc:
            url = urlunsplit((parts.scheme, parts.netloc, "/favicon.ico", "", ""))
            out += [url] if url not in out else []
    return out


def _first_icon(source: Source, fetcher: Fetcher) -> bytes:
    for url in favicon_urls(source):
        try:
            data = fetcher.fetch(url).content
        except FetchError:
            continue
        if len(data) <= MAX_ICON_BYTES and icon_kind(data):
            return data
    return b""


def _fetch_once(path: Path, source: Source, fetcher: Fetcher) -> bytes:
    """The icon's bytes; after the first try, from disk (an empty file: there is none)."""
    if path.is_file():
        return path.read_bytes()
    data = _first_icon(source, fetcher)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)  # two readers asking at once never see half an icon
    return data


@router.get("/icons/{source_id}")
def source_icon(source_id: Id, request: Request, user: ReaderAlone) -> Response:
    st = state(request)
    with transaction(st.engine) as conn:
        source = library.get_subscription(conn, uid(user), source_id).source
    data = b""
    if source.kind in {SourceKind.FEED, SourceKind.PAGE}:
        with Fetcher(st.settings) as fetcher:
            data = _fetch_once(st.settings.data_dir / "icons" / str(source_id), source, fetcher)
    if not data:
        return Response(PLAIN, media_type="image/svg+xml", headers={"Cache-Control": CACHE})
    return Response(data, media_type=icon_kind(data), headers={
        "Cache-Control": CACHE, "Content-Security-Policy": "default-src 'none'"})
