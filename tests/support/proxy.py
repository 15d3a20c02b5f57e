"""Tiny recording proxies for tests. ``recording_proxy``: an HTTP forward proxy; absolute-URI
requests are forwarded with ``http.client``, ``CONNECT`` is tunnelled byte for byte, and every
request that reached it is recorded (``seen``); with ``credentials`` it answers 407 unless
``Proxy-Authorization`` carries them (Basic), as a corporate proxy does. ``socks_proxy``: a
SOCKS5 proxy (no authentication, CONNECT only) recording each target."""

from __future__ import annotations

import base64
import http.client
import select
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Seen:
    """One request the proxy received: its method, target (absolute URL or ``host:port`` for
    CONNECT) and the ``Proxy-Authorization`` it carried."""

    method: str
    target: str
    authorization: str | None


@dataclass
class RecordingProxy:
    url: str
    seen: list[Seen] = field(default_factory=list)

    def targets(self) -> list[str]:
        return [s.target for s in self.seen]


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes (or 10 s pass in silence)."""
    sockets = [client, upstream]
    try:
        while True:
            readable, _, _ = select.select(sockets, [], [], 10)
            if not readable:
                return
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                (upstream if sock is client else client).sendall(data)
    finally:
        upstream.close()


class _Handler(BaseHTTPRequestHandler):
    server: _ProxyServer

    def log_message(self, format: str, *args: object) -> None:
        return

    def _allowed(self) -> bool:
        given = self.headers.get("Proxy-Authorization")
        self.server.record.seen.append(Seen(self.command, self.path, given))
        expected = self.server.credentials
        if expected is None:
            return True
        token = "Basic " + base64.b64encode(expected.encode()).decode()
        if given == token:
            return True
        self.send_response(407)
        self.send_header("Proxy-Authenticate", 'Basic realm="test"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False

    def do_CONNECT(self) -> None:
        if not self._allowed():
            return
        host, _, port = self.path.rpartition(":")
        try:
            upstream = socket.create_connection((host, int(port)), timeout=10)
        except OSError:
            self.send_error(502)
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        _pipe(self.connection, upstream)

    def _forward(self) -> None:
        if not self._allowed():
            return
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() not in ("proxy-authorization", "proxy-connection", "connection")
        }
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 80, timeout=10)
        try:
            path = parts.path or "/"
            conn.request(
                self.command, path + (f"?{parts.query}" if parts.query else ""), body, headers
            )
            answer = conn.getresponse()
            data = answer.read()
        finally:
            conn.close()
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, record: RecordingProxy, credentials: str | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.record = record
        self.credentials = credentials


@contextmanager
def recording_proxy(credentials: str | None = None) -> Iterator[RecordingProxy]:
    """A proxy on a free loopback port for the duration; ``credentials`` is ``user:password``."""
    record = RecordingProxy("")
    server = _ProxyServer(record, credentials)
    record.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()


class _SocksHandler(socketserver.BaseRequestHandler):
    """SOCKS5 without authentication, CONNECT only (RFC 1928): enough for ``socks5h://``."""

    server: _SocksServer

    def handle(self) -> None:
        conn: socket.socket = self.request
        _version, count = conn.recv(2)
        conn.recv(count)
        conn.sendall(b"\x05\x00")  # no authentication
        _v, command, _r, kind = conn.recv(4)
        if kind == 3:  # a host name: the proxy resolves it (socks5h)
            host = conn.recv(conn.recv(1)[0]).decode()
        elif kind == 1:
            host = socket.inet_ntoa(conn.recv(4))
        else:
            return
        port = int.from_bytes(conn.recv(2), "big")
        self.server.record.seen.append(Seen("CONNECT", f"{host}:{port}", None))
        if command != 1:
            return
        upstream = socket.create_connection((host, port), timeout=10)
        conn.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("0.0.0.0") + b"\x00\x00")
        _pipe(conn, upstream)


class _SocksServer(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self, record: RecordingProxy) -> None:
        super().__init__(("127.0.0.1", 0), _SocksHandler)
        self.record = record


@contextmanager
def socks_proxy() -> Iterator[RecordingProxy]:
    """A SOCKS5 proxy on a free loopback port; ``url`` is its ``socks5h://`` address."""
    record = RecordingProxy("")
    server = _SocksServer(record)
    record.url = f"socks5h://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()
