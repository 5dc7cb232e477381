"""The one HTTP client: every byte Tidings pulls from the web comes through `Fetcher.fetch`.

It follows redirects itself, so each hop passes the egress guard; streams the body under a
decoded-size cap; sends conditional GETs; and gives every fetch one total deadline.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from tidings.config import Settings
from tidings.fetch.body import read_capped
from tidings.fetch.egress import GetAddrInfo, check_url
from tidings.fetch.errors import (
    BodyTooLarge,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    TooManyRedirects,
)
from tidings.fetch.limiter import HostLimiter
from tidings.fetch.network import DEADLINE, GuardedBackend
from tidings.fetch.schedule import parse_max_age, parse_retry_after
from tidings.models import FetchResult

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.7, */*;q=0.5"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_STATUS_HINTS = {
    401: "the feed needs a login, which Tidings does not support for this source",
    403: "the server refuses Tidings; check the URL in a browser",
    404: "check the URL, or look for the site's new feed address",
    410: "the feed is gone for good; unsubscribe from it",
    429: "the server asks us to slow down; Tidings will retry after the delay it gave",
    503: "the server is unavailable; Tidings will retry later",
}


def _if_304(status: int, value: str | None) -> str | None:
    return value if status == 304 else None


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with our network backend (the egress guard at connect time)."""

    def __init__(self, backend: GuardedBackend) -> None:
        super().__init__()
        # httpx does not expose network_backend; the pool is rebuilt with it (httpx is pinned).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=backend,
        )


class Fetcher:
    """Fetch URLs politely and safely. Use as a context manager; thread-safe.

    `deadline_s` bounds a whole fetch (all redirect hops and the body), default three times
    `settings.fetch_timeout_s`; `limiter` caps concurrent requests per host and may be shared
    by several Fetchers; `getaddrinfo` is the resolver (tests inject one).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        deadline_s: float | None = None,
        limiter: HostLimiter | None = None,
        getaddrinfo: GetAddrInfo = socket.getaddrinfo,
    ) -> None:
        self.settings = settings
        self.deadline_s = deadline_s if deadline_s is not None else 3 * settings.fetch_timeout_s
        self.limiter = limiter or HostLimiter()
        self._getaddrinfo = getaddrinfo
        backend = GuardedBackend(settings.allow_hosts, getaddrinfo)
        self._client = httpx.Client(
            transport=_GuardedTransport(backend),
            timeout=httpx.Timeout(settings.fetch_timeout_s),
            follow_redirects=False,
            trust_env=False,  # a proxy from the environment would bypass the egress guard
            headers={
                "User-Agent": settings.user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url` (conditionally when `etag`/`last_modified` are given).

        Returns a FetchResult (`not_modified=True` on 304); raises a FetchError subclass with
        a message for the user on anything else.
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        token = DEADLINE.set(time.monotonic() + self.deadline_s)
        try:
            return self._follow(url.strip(), headers)
        except httpx.TimeoutException as exc:
            raise FetchTimeout(
                f"{url}: no complete answer within the time limit ({self.deadline_s:.0f}s in"
                " all); the server is too slow or not responding, Tidings will retry later",
                url=url,
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise FetchError(
                f"{url}: could not connect or the connection broke ({exc or type(exc).__name__});"
                " check the URL, Tidings will retry later",
                url=url,
            ) from exc
        finally:
            DEADLINE.reset(token)

    def _follow(self, url: str, headers: dict[str, str]) -> FetchResult:
        current, seen = url, {url}
        for _hop in range(self.settings.max_redirects + 1):
            check_url(current, self.settings.allow_hosts, self._getaddrinfo)
            with self._exchange(current, headers) as response:
                location = response.headers.get("location")
                if response.status_code not in REDIRECT_STATUSES or not location:
                    return self._result(url, current, response, headers)
            current = urljoin(current, location.strip())
            if current in seen:
                raise TooManyRedirects(f"{url}: redirect loop via {current}", url=url)
            seen.add(current)
        raise TooManyRedirects(
            f"{url}: more than {self.settings.max_redirects} redirects; open it in a browser to"
            " find where it really lives and subscribe to that address",
            url=url,
        )

    @contextmanager
    def _exchange(self, url: str, headers: dict[str, str]) -> Iterator[httpx.Response]:
        host = urlsplit(url).hostname or ""
        remaining = max(0.0, (DEADLINE.get() or time.monotonic()) - time.monotonic())
        with (
            self.limiter.slot(host, timeout=remaining),
            self._client.stream("GET", url, headers=headers) as response,
        ):
            yield response

    def _result(
        self, url: str, final_url: str, response: httpx.Response, sent: dict[str, str]
    ) -> FetchResult:
        now = datetime.now(UTC)
        status = response.status_code
        if status >= 400 or (status >= 300 and status != 304):
            raise self._status_error(final_url, response, now)
        result = FetchResult(
            url=url,
            final_url=final_url,
            status=status,
            content_type=response.headers.get("content-type", ""),
            # A 304 need not repeat the validators; keep the ones we sent so they are not lost.
            etag=response.headers.get("etag") or _if_304(status, sent.get("If-None-Match")),
            last_modified=response.headers.get("last-modified")
            or _if_304(status, sent.get("If-Modified-Since")),
            not_modified=status == 304,
            max_age_s=parse_max_age(response.headers, now),
        )
        if status != 304:
            result.content = self._read_body(final_url, response)
        return result

    def _read_body(self, url: str, response: httpx.Response) -> bytes:
        limit = self.settings.max_body_bytes
        encoding = response.headers.get("content-encoding", "")
        declared = response.headers.get("content-length", "")
        if not encoding and declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge(
                f"{url}: the server announces {int(declared):,} bytes, more than the"
                f" {limit:,}-byte limit; raise TIDINGS_MAX_BODY_BYTES if the feed really is"
                " that big",
                url=url,
            )
        try:
            return read_capped(response.iter_raw(), encoding, limit, url)
        except FetchError as exc:
            exc.url = exc.url or url
            raise

    @staticmethod
    def _status_error(url: str, response: httpx.Response, now: datetime) -> HTTPStatusError:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"), now)
        hint = _STATUS_HINTS.get(status, "Tidings will retry later")
        if 300 <= status < 400:
            hint = "a redirect without a usable Location header"
        reason = response.reason_phrase or "error"
        return HTTPStatusError(
            f"{url}: the server answered HTTP {status} {reason}; {hint}",
            url=url,
            status=status,
            retry_after_s=retry_after,
        )
