"""The timing breakdown is measured on real connections: a fresh TLS connection has DNS, connect
and TLS phases, a pooled one says it was reused, the phases add up to the total, and the sizes
are the bytes that really crossed the socket."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from requests.auth import HTTPDigestAuth

from explorer.core.http import HttpClient
from explorer.core.models import Body, BodyMode, Exchange, RequestSpec, Timings
from explorer.core.templating import Scope, resolve
from tests.support.servers import EdgeServer


@pytest.fixture
def client() -> Iterator[HttpClient]:
    c = HttpClient()
    yield c
    c.close()


def send(client: HttpClient, spec: RequestSpec, ca_bundle: str | None = None) -> Exchange:
    request = resolve(spec, Scope())
    if ca_bundle:
        request = replace(request, ca_bundle=ca_bundle)
    return client.send(request)


def assert_adds_up(t: Timings) -> None:
    parts = sum(ms for _, ms in t.phases())
    assert abs(parts - t.total_ms) <= 0.05 * t.total_ms, (t.phases(), t.total_ms)


def test_a_fresh_tls_connection_measures_every_phase(
    client: HttpClient, tls_edge: tuple[EdgeServer, str]
) -> None:
    server, ca_path = tls_edge
    exchange = send(client, RequestSpec(url=f"{server.base_url}/bytes?size=4096"), ca_path)
    t = exchange.timings
    assert exchange.response.status == 200
    assert t.measured
    assert not t.reused
    assert min(t.dns_ms, t.connect_ms, t.tls_ms, t.ttfb_ms, t.download_ms) > 0
    assert_adds_up(t)


def test_a_pooled_connection_is_flagged_reused_with_no_connection_phases(
    client: HttpClient, tls_edge: tuple[EdgeServer, str]
) -> None:
    server, ca_path = tls_edge
    send(client, RequestSpec(url=f"{server.base_url}/echo"), ca_path)
    t = send(client, RequestSpec(url=f"{server.base_url}/echo"), ca_path).timings
    assert t.reused
    assert t.measured
    assert (t.dns_ms, t.connect_ms, t.tls_ms) == (0, 0, 0)
    assert t.ttfb_ms > 0
    assert_adds_up(t)


def test_plain_http_has_no_tls_phase(client: HttpClient, httpbin_url: str) -> None:
    t = send(client, RequestSpec(url=f"{httpbin_url}/bytes/2048")).timings
    assert not t.reused
    assert t.connect_ms > 0
    assert t.tls_ms == 0
    assert_adds_up(t)


def test_redirects_are_their_own_phase_and_the_final_hop_is_measured(
    client: HttpClient, httpbin_url: str
) -> None:
    exchange = send(
        client, RequestSpec("POST", f"{httpbin_url}/redirect-to?url=/get&status_code=303")
    )
    t = exchange.timings
    assert len(exchange.hops) == 1
    assert exchange.sent_method == "GET"
    assert t.redirects_ms > 0
    assert t.sent_body_bytes == 0
    assert_adds_up(t)


def test_a_digest_challenge_counts_as_an_earlier_hop_and_the_answer_is_timed(
    client: HttpClient, httpbin_url: str
) -> None:
    request = resolve(RequestSpec(url=f"{httpbin_url}/digest-auth/auth/user/pass"), Scope())
    exchange = client.send(request, auth=HTTPDigestAuth("user", "pass"))
    t = exchange.timings
    assert exchange.response.status == 200
    assert t.redirects_ms > 0  # the 401 round trip
    assert t.ttfb_ms > 0
    assert t.sent_header_bytes > 0
    assert_adds_up(t)


class RawServer:
    """Answers one fixed response per request and keeps the raw bytes each request carried."""

    RESPONSE_HEAD = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Padding: "
        + b"p" * 300
        + b"\r\nContent-Length: 5\r\n\r\n"
    )

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.received: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            connection, _ = self._listener.accept()
            with connection:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += connection.recv(65536)
                head, _, rest = data.partition(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                while len(rest) < length:
                    rest += connection.recv(65536)
                self.received.append(data[: len(head) + 4] + rest)
                connection.sendall(self.RESPONSE_HEAD + b"hello")

    def stop(self) -> None:
        self._listener.close()
        self._thread.join(5)


def test_sizes_are_the_bytes_on_the_wire(client: HttpClient) -> None:
    server = RawServer()
    try:
        body = Body(BodyMode.RAW, '{"name": "gadget", "note": "' + "x" * 1000 + '"}')
        exchange = send(client, RequestSpec("POST", f"{server.base_url}/items", body=body))
    finally:
        server.stop()
    (raw,) = server.received
    head_length = raw.index(b"\r\n\r\n") + 4
    t = exchange.timings
    assert t.sent_header_bytes == head_length
    assert t.sent_body_bytes == len(raw) - head_length == 1030
    assert t.received_header_bytes == len(RawServer.RESPONSE_HEAD)
    assert exchange.response.header_bytes == len(RawServer.RESPONSE_HEAD)
    assert exchange.response.wire_bytes == exchange.response.body.size == 5


def test_through_a_proxy_the_connection_phases_are_not_measured_and_it_says_so(
    client: HttpClient, edge: EdgeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://user:hunter2@127.0.0.1:{edge.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    exchange = send(client, RequestSpec(url="http://api.example.test/items"))
    t = exchange.timings
    assert "edge-proxy" in exchange.response.body.text()
    assert not t.measured
    assert f"127.0.0.1:{edge.port}" in t.note
    assert "hunter2" not in t.note
    assert (t.dns_ms, t.connect_ms, t.tls_ms) == (0, 0, 0)
    assert_adds_up(t)
