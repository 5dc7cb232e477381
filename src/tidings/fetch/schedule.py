"""When to check a source next: pure functions of the last outcome and the clock.

Politeness lives here: a server that says "come back in an hour" (Cache-Control, Expires,
Retry-After) is believed within sane bounds, and a failing source is retried with exponential
back-off plus jitter, so a thousand readers that saw the same outage do not return in lockstep.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from tidings.fetch.errors import EgressRefused, HTTPStatusError
from tidings.models import FetchResult

MIN_INTERVAL_S = 5 * 60  # never poll one feed more often than this, whatever it says
MAX_INTERVAL_S = 24 * 3600  # and check at least daily while it works
MAX_BACKOFF_S = 24 * 3600  # a broken source is still retried daily
FIRST_BACKOFF_S = 5 * 60


def http_date(value: str) -> datetime | None:
    """An HTTP-date as an aware UTC datetime, or None when it is not one."""
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # "-0000" means UTC in HTTP dates
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    when = http_date(text)
    if when is None:
        return None
    return max(0.0, (when - now).total_seconds())


def parse_max_age(headers: Mapping[str, str], now: datetime) -> float | None:
    """How long the response stays fresh: Cache-Control max-age, else Expires minus Date."""
    cache_control = headers.get("cache-control", "")
    for directive in cache_control.split(","):
        name, _, value = directive.strip().partition("=")
        if name.lower() == "max-age" and value.strip().strip('"').isdigit():
            return float(value.strip().strip('"'))
    expires = http_date(headers.get("expires", ""))
    if expires is None:
        return None
    date = http_date(headers.get("date", "")) or now
    return max(0.0, (expires - date).total_seconds())


def backoff_s(error_count: int, rng: random.Random | None = None) -> float:
    """Delay after the `error_count`-th consecutive failure: doubling, capped, with jitter.

    "Equal jitter": half the delay is fixed, half random, so retries spread out but never
    come back sooner than half the nominal delay.
    """
    rng = rng or random.Random()
    exponent = min(max(error_count, 1) - 1, 20)
    nominal = min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2**exponent)
    return nominal / 2 + rng.uniform(0, nominal / 2)


def _clamp(seconds: float, low: float, high: float) -> float:
    return max(low, min(high, seconds))


def next_check(
    now: datetime,
    *,
    interval_s: float,
    result: FetchResult | None = None,
    error: Exception | None = None,
    error_count: int = 0,
    rng: random.Random | None = None,
) -> datetime:
    """When to fetch a source again.

    - success or 304 (`result`): the server's freshness (max-age/Expires) if it gave one,
      else `interval_s`, clamped to [MIN_INTERVAL_S, MAX_INTERVAL_S];
    - `error` with a Retry-After (429/503): that delay, at least MIN_INTERVAL_S, at most
      MAX_BACKOFF_S, never sooner than the back-off;
    - any other error: exponential back-off on `error_count` (consecutive failures,
      this one included) with jitter, capped at MAX_BACKOFF_S.
    """
    if error is None:
        fresh = result.max_age_s if result is not None else None
        delay = _clamp(fresh if fresh is not None else interval_s, MIN_INTERVAL_S, MAX_INTERVAL_S)
        return now + timedelta(seconds=delay)
    delay = backoff_s(error_count, rng)
    if isinstance(error, EgressRefused):
        delay = MAX_BACKOFF_S  # will not fix itself; the user must change the URL or allow-list
    retry_after = error.retry_after_s if isinstance(error, HTTPStatusError) else None
    if retry_after is not None:
        delay = max(delay, _clamp(retry_after, MIN_INTERVAL_S, MAX_BACKOFF_S))
    return now + timedelta(seconds=min(delay, MAX_BACKOFF_S))
