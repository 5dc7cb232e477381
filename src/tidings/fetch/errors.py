"""Why a fetch failed, as exceptions whose message a user can act on.

All are ValueError subclasses so that a caller that only wants "bad input, tell the user" can
catch one type; the pipeline looks at the subclass to decide how long to back off.
"""

from __future__ import annotations


class FetchError(ValueError):
    """A URL could not be fetched. The message names the URL, what failed and what to do."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class EgressRefused(FetchError):
    """The URL points somewhere Tidings must not reach (private network, metadata, bad scheme)."""


class BodyTooLarge(FetchError):
    """The response body (after decompression) is larger than `max_body_bytes`."""


class FetchTimeout(FetchError):
    """Connecting or reading took longer than the fetch deadline."""


class TooManyRedirects(FetchError):
    """More redirects than `max_redirects`, or a redirect loop."""


class HTTPStatusError(FetchError):
    """The server answered with an error status. `retry_after_s` is set from Retry-After."""

    def __init__(
        self, message: str, *, url: str = "", status: int = 0, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.retry_after_s = retry_after_s
