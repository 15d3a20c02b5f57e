"""The request head recorded on the exchange is the one the server received, byte for byte:
the request line as sent (origin form, or absolute form through a proxy), every header in its
order with ``Host`` and ``Content-Length`` that requests never sees, repeats joined as sent; and
``sent_headers`` keeps meaning what requests prepared."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from explorer.core.http import HttpClient
from explorer.core.http.wire import parse_head
from explorer.core.models import Body, BodyMode, Exchange, KeyValue, RequestSpec
from explorer.core.templating import Scope, resolve
from tests.support.proxy import recording_proxy, socks_proxy
from tests.support.servers import EdgeServer


class HeadServer:
    """Keeps the raw head of every request and answers each on its own connection: a 302 to
    ``/landed`` for ``/moved``, a 200 otherwise."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.heads: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = self._listener.accept()
                with connection:
                    self._answer(connection)

    def _answer(self, connection: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        self.heads.append(head + b"\r\n\r\n")
        _, headers = parse_head(head)
        length = int(dict((k.lower(), v) for k, v in headers).get("content-length", "0"))
        while len(rest) < length:
            rest += connection.recv(65536)
        moved = b" /moved " in head.split(b"\r\n", 1)[0]
        status = b"302 Found\r\nLocation: /landed" if moved else b"200 OK"
        connection.sendall(
            b"HTTP/1.1 " + status + b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
        )

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept
        self._listener.close()
        self._thread.join(5)


@pytest.fixture
def server() -> Iterator[HeadServer]:
    s = HeadServer()
    yield s
    s.stop()


@pytest.fixture
def client() -> Iterator[HttpClient]:
    c = HttpClient()
    yield c
    c.close()


def head_bytes(exchange: Exchange) -> bytes:
    """The head the exchange says it wrote, as bytes again."""
    lines = [exchange.wire_request_line, *(f"{k}: {v}" for k, v in exchange.wire_headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def post(client: HttpClient, url: str) -> Exchange:
    spec = RequestSpec(
        "POST",
        url,
        headers=[KeyValue("X-Tag", "one"), KeyValue("X-Trace", "abc"), KeyValue("X-Tag", "two")],
        body=Body(BodyMode.RAW, '{"name": "gadget"}'),
    )
    return client.send(resolve(spec, Scope()))


def test_the_recorded_head_is_what_the_server_received(
    client: HttpClient, server: HeadServer
) -> None:
    exchange = post(client, f"{server.base_url}/items?page=2")
    (received,) = server.heads
    assert head_bytes(exchange) == received
    assert exchange.wire_request_line == "POST /items?page=2 HTTP/1.1"
    names = [name.lower() for name, _ in exchange.wire_headers]
    assert names[0] == "host"
    assert dict(exchange.wire_headers)["Host"] == f"127.0.0.1:{server.port}"
    assert dict(exchange.wire_headers)["Content-Length"] == "18"
    assert ("X-Tag", "one, two") in exchange.wire_headers
    assert names.count("x-tag") == 1
    assert exchange.headers_on_wire == exchange.wire_headers
    assert "host" not in {name.lower() for name, _ in exchange.sent_headers}


def test_a_pooled_connection_and_a_redirect_record_the_final_hops_head(
    client: HttpClient, server: HeadServer
) -> None:
    exchange = client.send(resolve(RequestSpec(url=f"{server.base_url}/moved"), Scope()))
    assert len(exchange.hops) == 1
    assert exchange.wire_request_line == "GET /landed HTTP/1.1"
    assert head_bytes(exchange) == server.heads[-1]


def test_through_a_proxy_the_request_line_is_in_absolute_form(
    client: HttpClient, server: HeadServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.setenv("no_proxy", "")
    with recording_proxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        exchange = post(client, f"{server.base_url}/items")
    assert proxy.targets() == [f"{server.base_url}/items"]
    assert exchange.wire_request_line == f"POST {server.base_url}/items HTTP/1.1"
    assert dict(exchange.wire_headers)["Content-Length"] == "18"
    assert not exchange.timings.measured  # the proxy's connections stay untimed


def test_through_a_socks_proxy_the_head_reaches_the_server_unchanged(
    client: HttpClient, server: HeadServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.setenv("no_proxy", "")
    with socks_proxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        exchange = post(client, f"{server.base_url}/items")
    assert proxy.seen
    (received,) = server.heads
    assert head_bytes(exchange) == received
    assert exchange.wire_request_line == "POST /items HTTP/1.1"


def test_parse_head_keeps_continuations_and_bytes_that_are_not_utf8() -> None:
    line, headers = parse_head(b"GET / HTTP/1.1\r\nX-A: 1\r\n\t2\r\nX-B: caf\xe9\r\nX-C:\r\n\r\n")
    assert line == "GET / HTTP/1.1"
    assert headers == (("X-A", "1\r\n\t2"), ("X-B", "café"), ("X-C", ""))


def test_through_a_proxy_tunnel_the_head_is_the_requests_not_the_connect(
    client: HttpClient, tls_edge: tuple[EdgeServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca_path = tls_edge
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.setenv("no_proxy", "")
    request = replace(
        resolve(RequestSpec(url=f"{server.base_url}/echo"), Scope()), ca_bundle=ca_path
    )
    with recording_proxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        exchange = client.send(request)
    assert [seen.method for seen in proxy.seen] == ["CONNECT"]
    assert exchange.wire_request_line == "GET /echo HTTP/1.1"
    assert dict(exchange.wire_headers)["Host"] == server.base_url.removeprefix("https://")
