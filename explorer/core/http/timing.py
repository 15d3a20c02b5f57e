"""Measured phases of a send: DNS, connect, TLS, writing the request, waiting, downloading.

``requests`` reports one elapsed time. To say where the time went, our adapters hand urllib3
connection pools whose connections note the moment each phase ends into a ``HopClock``: the
connection resolves the host itself (timed ``getaddrinfo``) and connects to the addresses it got
in turn, then wraps TLS; ``request`` counts the bytes it writes; the response counts the bytes
of its status line and headers and notes when the status line arrived. The clock of the current
thread's send is a thread-local (each worker thread has its own ``requests.Session``, so a hop
runs start to end on one thread), started by the adapter for every hop (redirects included);
``Recording.timings`` turns the last hop's marks into contiguous phases, so they add up to the
total. A pooled connection that was reused has no DNS/connect/TLS marks and says so. A proxy's
connections (HTTP or SOCKS) are not timed: through one, only the wait and the download are split
off, and a note says why.

Every connection, a proxy's included, also keeps the head it writes (request line and headers,
``wire.parse_head``) in the hop's clock: ``putrequest`` marks a head as coming and the next
``send`` carries it whole (``http.client`` writes the buffered head in one call).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest, Response
from requests.utils import select_proxy
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.poolmanager import PoolManager
from urllib3.util.connection import allowed_gai_family, create_connection

from explorer.core.http.wire import WireHead, parse_head
from explorer.core.models import Timings

__all__ = [
    "HopClock",
    "Recording",
    "TimedAdapter",
    "WireConnection",
    "WireHTTPSConnection",
    "recording",
]

PROXY_NOTE = (
    "sent through the proxy {proxy}: DNS, connect and TLS happen between it and the server, "
    "so they are not measured here"
)


@dataclass(slots=True)
class HopClock:
    """``perf_counter`` marks of one hop, and the bytes it wrote and read."""

    start: float
    method: str = ""
    proxy: str | None = None
    dns_start: float | None = None
    dns_end: float | None = None
    connect_end: float | None = None
    tls_end: float | None = None
    request_start: float | None = None
    written: float | None = None
    status_line: float | None = None
    returned: float | None = None
    sent_bytes: int = 0
    sent_header_bytes: int = 0
    received_header_bytes: int = 0
    head_pending: bool = False
    wire: WireHead = ("", ())

    @property
    def fresh(self) -> bool:
        """Whether this hop opened its connection (False: a pooled one was reused)."""
        return self.dns_start is not None


@dataclass(slots=True)
class Recording:
    """The clocks of every hop of one ``HttpClient.send`` on this thread."""

    hops: list[HopClock] = field(default_factory=list)

    @property
    def method(self) -> str:
        """The final hop's method, as the adapter sent it ('' when nothing was sent)."""
        return self.hops[-1].method if self.hops else ""

    @property
    def last(self) -> HopClock | None:
        return self.hops[-1] if self.hops else None

    @property
    def wire(self) -> WireHead:
        """The final hop's request line and headers as written (empty when none was seen)."""
        return self.hops[-1].wire if self.hops else ("", ())

    def timings(self, started: float, ended: float, headers_at: float) -> Timings:
        """Contiguous phases of the final hop, in ms; ``headers_at`` is when the client had the
        final response, used when the connection's marks are missing (a proxy)."""
        total = (ended - started) * 1000
        last = self.last
        if last is None:
            return Timings(total, (headers_at - started) * 1000, (ended - headers_at) * 1000)
        redirects = last.start - self.hops[0].start
        first_byte = last.status_line or last.returned or headers_at
        if last.written is None:  # not our connection: a proxy's
            note = PROXY_NOTE.format(proxy=last.proxy) if last.proxy else ""
            return Timings(
                total_ms=total,
                ttfb_ms=(first_byte - last.start) * 1000,
                download_ms=(ended - first_byte) * 1000,
                prepare_ms=(self.hops[0].start - started) * 1000,
                redirects_ms=redirects * 1000,
                note=note,
            )
        began = min(t for t in (last.dns_start, last.request_start, last.written) if t is not None)
        dns = _span(last.dns_start, last.dns_end)
        connect = _span(last.dns_end, last.connect_end)
        tls = _span(last.connect_end, last.tls_end)
        # http.client opens a fresh connection in the middle of writing the request: sending is
        # the rest of the time from the first mark to the last byte written, so the phases
        # stay back to back whatever order the marks come in
        sending = (last.written - began) * 1000 - dns - connect - tls
        return Timings(
            total_ms=total,
            ttfb_ms=(first_byte - last.written) * 1000,
            download_ms=(ended - first_byte) * 1000,
            prepare_ms=(self.hops[0].start - started + began - last.start) * 1000,
            redirects_ms=redirects * 1000,
            dns_ms=dns,
            connect_ms=connect,
            tls_ms=tls,
            send_ms=max(sending, 0.0),
            reused=not last.fresh,
            measured=True,
            sent_header_bytes=last.sent_header_bytes,
            sent_body_bytes=last.sent_bytes - last.sent_header_bytes,
            received_header_bytes=last.received_header_bytes,
        )


def _proxy_host(proxy: str | None) -> str | None:
    """The proxy's host and port, never the credentials its URL may carry."""
    if not proxy:
        return None
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def _span(start: float | None, end: float | None) -> float:
    return (end - start) * 1000 if start is not None and end is not None else 0.0


_local = threading.local()


def _clock() -> HopClock | None:
    current: Recording | None = getattr(_local, "recording", None)
    return current.last if current is not None else None


@contextlib.contextmanager
def recording() -> Iterator[Recording]:
    """Collect the hops of one send made on this thread (a nested send gets its own)."""
    outer: Recording | None = getattr(_local, "recording", None)
    _local.recording = current = Recording()
    try:
        yield current
    finally:
        _local.recording = outer


class _CountingReader:
    """Stands in for the response's file while the status line and headers are read, to count
    their bytes and note when the status line arrived."""

    def __init__(self, raw: IO[bytes], clock: HopClock) -> None:
        self._raw = raw
        self._clock = clock

    def readline(self, limit: int = -1) -> bytes:
        line = self._raw.readline(limit)
        if self._clock.status_line is None:
            self._clock.status_line = time.perf_counter()
        self._clock.received_header_bytes += len(line)
        return line

    def close(self) -> None:
        """``begin`` closes the file when the status line is not HTTP."""
        self._raw.close()


class _CountedResponse(http.client.HTTPResponse):
    def begin(self) -> None:
        clock = _clock()
        if clock is None or self.headers is not None or self.fp is None:
            super().begin()
            return
        raw = self.fp
        self.fp = _CountingReader(raw, clock)
        try:
            super().begin()
        finally:
            if isinstance(self.fp, _CountingReader):
                self.fp = raw


class WireConnection(HTTPConnection):
    """Keeps the head of each request it writes in the hop's clock."""

    def putrequest(
        self,
        method: str,
        url: str,
        skip_host: bool = False,
        skip_accept_encoding: bool = False,
    ) -> None:
        super().putrequest(
            method, url, skip_host=skip_host, skip_accept_encoding=skip_accept_encoding
        )
        clock = _clock()
        if clock is not None:
            clock.head_pending = True

    def send(self, data: Any) -> None:
        """The head is taken before it is written: writing may open the connection, and a
        proxy tunnel's ``CONNECT`` written then is not the request's head."""
        clock = _clock()
        if clock is not None and clock.head_pending and isinstance(data, bytes):
            clock.head_pending = False
            clock.wire = parse_head(data)
        super().send(data)


class WireHTTPSConnection(WireConnection, HTTPSConnection):
    """The TLS form; through a proxy its head goes inside the tunnel, after the ``CONNECT``."""


class _TimedConnection(WireConnection):
    """Resolves and connects with a mark after each step, and counts what it writes."""

    response_class = _CountedResponse

    def _new_conn(self) -> socket.socket:
        clock = _clock()
        if clock is None:
            return super()._new_conn()
        host = self._dns_host.strip("[]")
        clock.dns_start = time.perf_counter()
        try:
            addresses = socket.getaddrinfo(
                host, self.port, allowed_gai_family(), socket.SOCK_STREAM
            )
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        clock.dns_end = time.perf_counter()
        sock = self._connect_first([str(info[4][0]) for info in addresses])
        clock.connect_end = time.perf_counter()
        sys.audit("http.client.connect", self, self.host, self.port)
        return sock

    def _connect_first(self, addresses: list[str]) -> socket.socket:
        """The first address that accepts, as ``create_connection`` tries them (it is given
        addresses, so it resolves nothing again)."""
        error: OSError = OSError("getaddrinfo returned no address")
        for address in addresses:
            try:
                return create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as exc:
                error = exc
        if isinstance(error, TimeoutError):
            raise ConnectTimeoutError(
                self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
            ) from error
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}") from error

    def request(self, *args: Any, **kwargs: Any) -> None:
        clock = _clock()
        if clock is not None:
            clock.request_start = time.perf_counter()
        super().request(*args, **kwargs)
        if clock is not None:
            clock.written = time.perf_counter()

    def endheaders(self, message_body: Any = None, *, encode_chunked: bool = False) -> None:
        super().endheaders(message_body, encode_chunked=encode_chunked)
        clock = _clock()
        if clock is not None:
            clock.sent_header_bytes = clock.sent_bytes

    def send(self, data: Any) -> None:
        super().send(data)
        clock = _clock()
        if clock is not None and isinstance(data, bytes | bytearray | memoryview):
            clock.sent_bytes += len(data)


class _TimedHTTPSConnection(_TimedConnection, WireHTTPSConnection):
    def connect(self) -> None:
        super().connect()
        clock = _clock()
        if clock is not None and clock.connect_end is not None:
            clock.tls_end = time.perf_counter()


class _TimedPool(HTTPConnectionPool):
    ConnectionCls = _TimedConnection


class _TimedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _TimedHTTPSConnection


class _WirePool(HTTPConnectionPool):
    ConnectionCls = WireConnection


class _WireHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = WireHTTPSConnection


class TimedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose direct connections are timed; starts a clock for each hop."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        manager: PoolManager = self.poolmanager
        manager.pool_classes_by_scheme = {"http": _TimedPool, "https": _TimedHTTPSPool}

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        """The proxy's pool manager, whose connections keep the heads they write (untimed)."""
        manager: PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if proxy.lower().startswith("socks"):
            from explorer.core.http.socks_wire import SOCKS_WIRE_POOLS

            manager.pool_classes_by_scheme = SOCKS_WIRE_POOLS
        else:
            manager.pool_classes_by_scheme = {"http": _WirePool, "https": _WireHTTPSPool}
        return manager

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        """Send one hop with a fresh clock (``Session.send`` passes the proxies by keyword)."""
        current: Recording | None = getattr(_local, "recording", None)
        if current is None:
            return super().send(request, *args, **kwargs)
        clock = HopClock(start=time.perf_counter(), method=request.method or "")
        proxies = kwargs.get("proxies")
        if proxies:  # most sends have none: no URL parsing for them
            clock.proxy = _proxy_host(select_proxy(request.url or "", dict(proxies)))
        current.hops.append(clock)
        response = super().send(request, *args, **kwargs)
        clock.returned = time.perf_counter()
        return response
