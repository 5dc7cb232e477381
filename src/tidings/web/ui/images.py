"""Article images, optionally through this server: the reader's browser then asks only us,
and we fetch through the egress guard, so publishers never see the reader's address."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from tidings.config import Settings
from tidings.extract.urls import web_url
from tidings.fetch import Fetcher
from tidings.fetch.errors import BodyTooLarge, FetchError
from tidings.web.deps import ReaderAlone, state

router = APIRouter()
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/avif")
MAX_IMAGE_BYTES = 5_000_000
_IMG_SRC = re.compile(r'(<img\b[^>]*?\ssrc=")([^"]*)(")', re.I)


def image_url(url: str, *, proxy: bool) -> str:
    """Where the browser loads an image from: the publisher, or our proxy."""
    target = web_url(url)
    if not target or not proxy:
        return target
    return "/images?url=" + quote(target, safe="")


def image_filters(settings: Settings) -> dict[str, Callable[[str], str]]:
    """Template filters: `image_url` for one URL, `proxy_images` for sanitized HTML."""
    proxy = settings.image_proxy

    def one(url: str) -> str:
        return image_url(url, proxy=proxy)

    def rewrite(body: str) -> str:
        if not proxy:
            return body
        return _IMG_SRC.sub(lambda m: m.group(1) + html.escape(one(html.unescape(m.group(2))))
                            + m.group(3), body)

    return {"image_url": one, "proxy_images": rewrite}


@router.get("/images")
def proxied_image(request: Request, _user: ReaderAlone,
                  url: Annotated[str, Query(max_length=2048)]) -> Response:
    st = state(request)
    if not st.settings.image_proxy or not web_url(url):
        raise HTTPException(404, "no image here")
    # The egress guard checks every hop; the body is cut at the image limit while it streams.
    limited = replace(st.settings, max_body_bytes=min(st.settings.max_body_bytes,
                                                      MAX_IMAGE_BYTES))
    try:
        with Fetcher(limited) as fetcher:
            got = fetcher.fetch(url)
    except BodyTooLarge as exc:
        raise HTTPException(502, f"the image is larger than {MAX_IMAGE_BYTES:,} bytes") from exc
    except FetchError as exc:
        raise HTTPException(502, f"the image could not be fetched: {exc}") from exc
    kind = got.content_type.split(";")[0].strip().lower()
    if kind not in IMAGE_TYPES or len(got.content) > MAX_IMAGE_BYTES:
        raise HTTPException(415, "that address does not answer with an image")
    return Response(got.content, media_type=kind, headers={
        "Cache-Control": "private, max-age=86400", "Content-Security-Policy": "default-src 'none'"})
