"""Politeness: next-check times from server hints and failures, and the per-host cap."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tidings.fetch import EgressRefused, Fetcher, FetchError, HostLimiter, HTTPStatusError
from tidings.fetch.schedule import MAX_BACKOFF_S, MIN_INTERVAL_S, backoff_s, next_check
from tidings.models import FetchResult
from tidings.sources import FeedError

from .conftest import send

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _delay(when: datetime) -> float:
    return (when - NOW).total_seconds()


def test_backoff_grows_exponentially_and_is_capped():
    rng = random.Random(7)
    delays = [_delay(next_check(NOW, interval_s=1800, error=FetchError("x"), error_count=n,
                                rng=rng)) for n in range(1, 16)]
    nominal = [min(MAX_BACKOFF_S, 300 * 2 ** (n - 1)) for n in range(1, 16)]
    for delay, expected in zip(delays, nominal, strict=True):
        assert expected / 2 <= delay <= expected  # equal jitter: half fixed, half random
    assert delays[5] > 4 * delays[1]  # the 6th failure waits far longer than the 2nd
    assert max(delays) <= MAX_BACKOFF_S


def test_backoff_is_jittered():
    values = {round(backoff_s(4, random.Random(seed))) for seed in range(20)}
    assert len(values) > 10  # a thousand readers do not return in lockstep


def test_success_uses_interval_or_server_freshness_within_bounds():
    plain = FetchResult(url="u", final_url="u", status=200)
    assert _delay(next_check(NOW, interval_s=1800, result=plain)) == 1800
    fresh = FetchResult(url="u", final_url="u", status=304, not_modified=True, max_age_s=7200)
    assert _delay(next_check(NOW, interval_s=1800, result=fresh)) == 7200
    eager = FetchResult(url="u", final_url="u", status=200, max_age_s=0)
    assert _delay(next_check(NOW, interval_s=1800, result=eager)) == MIN_INTERVAL_S


def test_retry_after_is_honoured_and_egress_refusals_wait_long():
    busy = HTTPStatusError("429", status=429, retry_after_s=3 * 3600)
    assert _delay(next_check(NOW, interval_s=1800, error=busy, error_count=1)) == 3 * 3600
    refused = EgressRefused("refused")
    assert _delay(next_check(NOW, interval_s=1800, error=refused, error_count=1)) == MAX_BACKOFF_S
    bad_feed = FeedError("not a feed")
    assert 150 <= _delay(next_check(NOW, interval_s=1800, error=bad_feed, error_count=1)) <= 300


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_retry_after_from_a_real_503(server, settings, form):
    later = datetime.now(UTC) + timedelta(hours=2)
    value = "7200" if form == "seconds" else format_datetime(later, usegmt=True)

    @server.route("/down")
    def down(h):
        send(h, 503, b"maintenance", {"Retry-After": value})

    with Fetcher(settings) as fetcher, pytest.raises(HTTPStatusError) as caught:
        fetcher.fetch(server.url("/down"))
    assert caught.value.status == 503
    assert caught.value.retry_after_s == pytest.approx(7200, abs=5)
    when = next_check(NOW, interval_s=1800, error=caught.value, error_count=1)
    assert _delay(when) == pytest.approx(7200, abs=5)


def test_cache_control_and_expires_fill_max_age(server, settings):
    @server.route("/cc")
    def cc(h):
        send(h, 200, b"<rss/>", {"Cache-Control": "public, max-age=3600"})

    @server.route("/exp")
    def exp(h):
        now = datetime.now(UTC)
        send(h, 200, b"<rss/>", {"Date": format_datetime(now, usegmt=True),
                                 "Expires": format_datetime(now + timedelta(hours=1), usegmt=True)})

    with Fetcher(settings) as fetcher:
        assert fetcher.fetch(server.url("/cc")).max_age_s == 3600
        assert fetcher.fetch(server.url("/exp")).max_age_s == pytest.approx(3600, abs=1)


def test_per_host_cap_holds_across_threads(server, settings):
    """Eight threads, one host, cap 2: the server never sees more than two at once."""
    lock = threading.Lock()
    active, peak = [0], [0]

    @server.route("/slowish")
    def slowish(h):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.2)
        with lock:
            active[0] -= 1
        send(h, 200, b"<rss/>")

    limiter = HostLimiter(max_per_host=2)
    with Fetcher(settings, limiter=limiter) as fetcher, ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: fetcher.fetch(server.url("/slowish")), range(8)))
    assert all(r.status == 200 for r in results)
    assert peak[0] == 2 and limiter.peak["127.0.0.1"] == 2
