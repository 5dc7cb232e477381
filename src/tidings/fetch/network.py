"""The socket layer under httpx: connect only to checked addresses, never past the deadline.

httpx resolves and connects inside httpcore, so the egress guard lives here, in a network
backend: it resolves the host itself, refuses if any address is private, then connects to one
of exactly those addresses (the IP, not the name), so DNS cannot change the answer in between.
Timeouts in httpx are per read; a server dripping one byte per second never trips them, so
every read is also clamped to the whole fetch's deadline (kept in a context variable because
pooled connections outlive a single fetch).
"""

from __future__ import annotations

import contextvars
import socket
import ssl
import time
import typing
from collections.abc import Sequence

import httpcore

from tidings.fetch.egress import GetAddrInfo, checked_addresses

# Monotonic time by which the current fetch must be done; None outside a fetch.
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "tidings_fetch_deadline", default=None
)


def _remaining(timeout: float | None) -> float | None:
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the fetch deadline has passed")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A stream whose every read and write gives up at the fetch deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _remaining(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, _remaining(timeout))
        return DeadlineStream(tls)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses the egress guard admitted, and only before the deadline."""

    def __init__(
        self, allow_hosts: Sequence[str] = (), getaddrinfo: GetAddrInfo = socket.getaddrinfo
    ) -> None:
        self._allow_hosts = tuple(allow_hosts)
        self._getaddrinfo = getaddrinfo

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = checked_addresses(host, port, self._allow_hosts, self._getaddrinfo)
        last_error: Exception | None = None
        for ip in addresses:
            try:
                stream = super().connect_tcp(
                    str(ip), port, _remaining(timeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
                continue
            return DeadlineStream(stream)
        assert last_error is not None  # checked_addresses never returns an empty list
        raise last_error
