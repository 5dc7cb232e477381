"""The one HTTP client (limits, conditional GET, redirects, egress guard, politeness)."""

from tidings.fetch.client import Fetcher
from tidings.fetch.egress import check_url
from tidings.fetch.errors import (
    BodyTooLarge,
    EgressRefused,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    TooManyRedirects,
)
from tidings.fetch.limiter import HostLimiter
from tidings.fetch.schedule import next_check

__all__ = [
    "BodyTooLarge",
    "EgressRefused",
    "FetchError",
    "FetchTimeout",
    "Fetcher",
    "HTTPStatusError",
    "HostLimiter",
    "TooManyRedirects",
    "check_url",
    "next_check",
]
