"""Reading a response body without trusting its size: a cap on the decoded bytes.

We decompress ourselves (gzip and deflate only, the encodings we ask for) with a bounded
output per step, so a gzip bomb, a few kilobytes that inflate to gigabytes, is stopped at
`limit` decoded bytes, having held at most one step's output in memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from tidings.fetch.errors import BodyTooLarge, FetchError

_STEP = 256 * 1024  # most decoded bytes produced per decompress call


def _too_large(url: str, limit: int, what: str) -> BodyTooLarge:
    return BodyTooLarge(
        f"{url}: {what} is larger than the {limit:,}-byte limit; if this feed really is that"
        " big, raise TIDINGS_MAX_BODY_BYTES",
        url=url,
    )


def _has_zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] * 256 + data[1]) % 31 == 0


def _decompressor(encoding: str, first: bytes) -> zlib._Decompress | None:
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        # Some servers send raw deflate without the zlib header the spec asks for.
        wbits = zlib.MAX_WBITS if _has_zlib_header(first) else -zlib.MAX_WBITS
        return zlib.decompressobj(wbits)
    raise FetchError(f"the server sent an unsupported Content-Encoding {encoding!r}")


def _inflate(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """Decoded output in pieces of at most _STEP bytes."""
    decoder: zlib._Decompress | None = None
    for chunk in chunks:
        if encoding in ("", "identity"):
            yield chunk
            continue
        data = chunk
        while data:
            decoder = decoder or _decompressor(encoding, data)
            assert decoder is not None
            try:
                yield decoder.decompress(data, _STEP)
            except zlib.error as exc:
                raise FetchError(f"the {encoding} response body is corrupt ({exc})") from exc
            data = decoder.unconsumed_tail
            if decoder.eof:  # gzip allows several members in a row
                data, decoder = decoder.unused_data, None


def read_capped(chunks: Iterable[bytes], encoding: str, limit: int, url: str) -> bytes:
    """Join the decoded body, raising BodyTooLarge as soon as it passes `limit` bytes."""
    encodings = [e.strip().lower() for e in encoding.split(",") if e.strip()]
    if len(encodings) > 1:
        raise FetchError(f"{url}: stacked Content-Encodings {encoding!r} are unsupported", url=url)
    body = bytearray()
    for piece in _inflate(chunks, encodings[0] if encodings else ""):
        body += piece
        if len(body) > limit:
            raise _too_large(url, limit, "the response body (decompressed)")
    return bytes(body)
