"""A per-host cap on concurrent requests, shared by every thread of one worker."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tidings.fetch.errors import FetchTimeout


class HostLimiter:
    """At most `max_per_host` requests in flight to one host name at a time."""

    def __init__(self, max_per_host: int = 2) -> None:
        if max_per_host < 1:
            raise ValueError(f"max_per_host must be at least 1, got {max_per_host}")
        self.max_per_host = max_per_host
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._active: dict[str, int] = {}
        self.peak: dict[str, int] = {}  # highest concurrency seen per host, for tests and stats

    def _semaphore(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            if host not in self._slots:
                self._slots[host] = threading.BoundedSemaphore(self.max_per_host)
            return self._slots[host]

    def _count(self, host: str, delta: int) -> None:
        with self._lock:
            self._active[host] = self._active.get(host, 0) + delta
            self.peak[host] = max(self.peak.get(host, 0), self._active[host])

    @contextmanager
    def slot(self, host: str, timeout: float | None = None) -> Iterator[None]:
        """Hold one of `host`'s slots; FetchTimeout if none frees up within `timeout`."""
        host = host.lower()
        semaphore = self._semaphore(host)
        if not semaphore.acquire(timeout=timeout):
            raise FetchTimeout(
                f"waited {timeout:.0f}s for a free connection to {host} (at most"
                f" {self.max_per_host} at a time); it will be retried later"
            )
        self._count(host, +1)
        try:
            yield
        finally:
            self._count(host, -1)
            semaphore.release()
