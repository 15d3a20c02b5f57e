"""Real HTTP servers on free loopback ports for the tests.

``WsgiServer`` serves any WSGI app (PyPI ``httpbin``) from a werkzeug thread. ``EdgeServer`` is a
small stdlib server for what httpbin cannot do: slow and dripping bodies, truncated bodies, exact
charsets, huge bodies, repeated headers, TLS. Every server stops in its fixture's teardown.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class WsgiServer:
    def __init__(self, app: Callable[..., Any]) -> None:
        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up on purpose (cancel tests) are not errors worth printing."""


class EdgeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EdgeServer  # type: ignore[assignment]

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log line."""

    def _query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def _send(
        self, status: int, body: bytes, content_type: str, extra: list[tuple[str, str]] = ()
    ) -> None:  # type: ignore[assignment]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def do_PUT(self) -> None:
        self._route()

    def _route(self) -> None:
        if self.path.startswith("http://"):
            # Absolute-form request target: we are being used as a forward proxy.
            payload = {"proxied": self.path, "via": "edge-proxy"}
            self._send(200, json.dumps(payload).encode(), "application/json")
            return
        path = urlsplit(self.path).path.strip("/").replace("-", "_") or "index"
        handler = getattr(self, f"r_{path}", None)
        if handler is None:
            self._send(404, b"no such edge route", "text/plain")
            return
        handler(self._query())

    def r_echo(self, q: dict[str, str]) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        payload = {
            "method": self.command,
            "path": self.path,
            "headers": list(self.headers.items()),
            "body": body.decode("latin-1"),
        }
        self._send(200, json.dumps(payload).encode(), "application/json")

    def r_refused(self, q: dict[str, str]) -> None:
        """403 with an RFC 9457 problem whose title and detail are ``size`` characters long,
        with a long unbroken word in them (a path, as vendors quote it)."""
        path = "/pricing/v2/companies/100/price-lists/" + "x" * 400
        text = (f"Access to {path} is denied for the partner account. " * 10)[
            : int(q.get("size", "2000"))
        ]
        problem = {"type": "about:blank", "title": text, "status": 403, "detail": text}
        self._send(403, json.dumps(problem).encode(), "application/problem+json")

    def r_busy(self, q: dict[str, str]) -> None:
        """429 with ``Retry-After: after`` the first time a ``key`` is asked for, then 200."""
        key = q.get("key", "")
        with self.server.lock:
            first = key not in self.server.seen
            self.server.seen.add(key)
        if first:
            extra = (("Retry-After", q.get("after", "1")),)
            self._send(429, b'{"error": "busy"}', "application/json", extra)
            return
        self._send(200, b'{"ok": true}', "application/json")

    def r_slow(self, q: dict[str, str]) -> None:
        self.server.stopping.wait(float(q.get("delay", "5")))
        self._send(200, b"late", "text/plain")

    def r_drip(self, q: dict[str, str]) -> None:
        chunks, interval = int(q.get("chunks", "50")), float(q.get("interval", "0.1"))
        size = int(q.get("size", "1024"))
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(chunks * size))
        self.end_headers()
        for _ in range(chunks):
            if self.server.stopping.wait(interval):
                return
            try:
                self.wfile.write(b"x" * size)
                self.wfile.flush()
            except OSError:
                return

    def r_bytes(self, q: dict[str, str]) -> None:
        size = int(q.get("size", "1"))
        block = (b"0123456789abcdef" * 4096)[: min(size, 65536)]
        self.send_response(200)
        self.send_header("Content-Type", q.get("type", "application/octet-stream"))
        self.send_header("Content-Length", str(size))
        self.end_headers()
        remaining = size
        while remaining > 0:
            piece = block[: min(remaining, len(block))]
            self.wfile.write(piece)
            remaining -= len(piece)

    def r_json_array(self, q: dict[str, str]) -> None:
        items = int(q.get("items", "1000"))
        row = b'{"id":%d,"name":"item","tags":["a","b"],"price":12.5}'
        body = b"[" + b",".join(row % i for i in range(items)) + b"]"
        self._send(200, body, "application/json")

    def r_latin1(self, q: dict[str, str]) -> None:
        self._send(200, "café crème".encode("latin-1"), "text/plain; charset=iso-8859-1")

    def r_undeclared(self, q: dict[str, str]) -> None:
        text = "Prix: 12 € pour le café crème, très apprécié à Besançon et à Orléans."
        self._send(200, text.encode("cp1252"), "text/plain")

    def r_binary(self, q: dict[str, str]) -> None:
        self._send(200, bytes(range(256)) * 4, "application/octet-stream")

    def r_chunked(self, q: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for part in (b"alpha ", b"beta ", b"gamma"):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        self.wfile.write(b"0\r\n\r\n")

    def r_truncated(self, q: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"only ten b")
        self.wfile.flush()
        self.close_connection = True

    def r_repeated(self, q: dict[str, str]) -> None:
        self._send(
            200,
            b"{}",
            "application/json",
            [("X-Multi", "one"), ("X-Multi", "two"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
        )

    def r_redirect(self, q: dict[str, str]) -> None:
        self._send(int(q.get("status", "302")), b"", "text/plain", [("Location", q["to"])])

    def r_loop(self, q: dict[str, str]) -> None:
        self._send(302, b"", "text/plain", [("Location", "/loop")])


class EdgeServer(_Quiet):
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        """Plain HTTP, or HTTPS with ``tls`` (a server context; require client certs in it for
        mutual TLS)."""
        super().__init__(("127.0.0.1", 0), EdgeHandler)
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.seen: set[str] = set()  # keys /busy answered 429 once
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.port = self.server_address[1]
        self.base_url = f"{scheme}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self._thread.join(5)


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll a condition (for threads that have no signal to wait on)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)
