"""A loopback server that answers each path the way a broken or malicious server would.

Raw sockets, not ``http.server``: every connection answers once and
closes (``Connection: close``, so no client reuses a socket this server already dropped), and half
of these answers are not valid HTTP (a 100 KB header line,
a garbled status line, conflicting lengths, chunking cut short), which a well-behaved server
library refuses to produce. Token routes serve the OAuth2 failures vendors really send (an HTML
login page with 200, garbage, a token without ``expires_in``). Every connection thread ends when
the server stops.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

HEAD_LIMIT = 256 * 1024
BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
"""64 MB of zeros in about 64 KB: the decoded-size cap must stop it long before the end."""


def _response(status: str, body: bytes, *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close", *headers]
    head += ["", ""]
    return "\r\n".join(head).encode("latin-1") + body


class HostileServer:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.stopping = threading.Event()
        self.issued = 0
        self.revoked_up_to = 0
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, name=f"hostile-{self.port}")
        self._accepter.start()

    # -- plumbing ------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            worker = threading.Thread(
                target=self._serve, args=(conn,), name=f"hostile-{self.port}-conn"
            )
            with self._lock:
                self._threads.append(worker)
            worker.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                path, headers = self._read_request(conn)
                with self._lock:
                    self.requests.append((path, headers))
                route = urlsplit(path).path.strip("/").replace("-", "_") or "index"
                query = {k: v[-1] for k, v in parse_qs(urlsplit(path).query).items()}
                handler: Callable[..., None] = getattr(self, f"r_{route}", self.r_missing)
                handler(conn, query, headers)
            except OSError:
                return

    def _read_request(self, conn: socket.socket) -> tuple[str, dict[str, str]]:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < HEAD_LIMIT:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        parts = lines[0].split(" ")
        return (parts[1] if len(parts) > 1 else "/"), headers

    def stop(self) -> None:
        self.stopping.set()
        # close() alone does not wake a thread blocked in accept(); shutdown() does.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._accepter.join(5)
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(5)

    # -- broken HTTP ---------------------------------------------------------------------------

    def r_missing(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(_response("404 Not Found", b"no such hostile route"))

    def r_huge_header(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(_response("200 OK", b"ok", "X-Huge: " + "a" * 100_000))

    def r_many_headers(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(_response("200 OK", b"ok", *(f"X-H{i}: v" for i in range(150))))

    def r_garbage_status(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(b"HTCPCP/1.0 418 I'm a teapot\r\n\r\n")

    def r_silent_close(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        """Accept, read the request, hang up without a byte."""

    def r_conflicting_length(
        self, conn: socket.socket, q: dict[str, str], h: dict[str, str]
    ) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\n"
            b"Content-Length: 2\r\nContent-Length: 5\r\n\r\nokabc"
        )

    def r_short_length(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 100\r\n\r\nonly 17 bytes here"
        )

    def r_long_length(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nokAND-TRAILING-JUNK"
        )

    def r_truncated_chunked(
        self, conn: socket.socket, q: dict[str, str], h: dict[str, str]
    ) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n64\r\nonly ten b"
        )

    def r_bad_chunk_size(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\n"
            b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"
        )

    def r_gzip_bomb(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(_response("200 OK", BOMB, "Content-Encoding: gzip"))

    def r_corrupt_gzip(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(_response("200 OK", b"not gzip at all", "Content-Encoding: gzip"))

    def r_binary_json(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        body = b'{"name": "\xff\xfe caf\xe9"}\x00\x01'
        conn.sendall(_response("200 OK", body, "Content-Type: application/json"))

    def r_silent(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        """Slowloris, first kind: take the request and never answer."""
        self.stopping.wait(30)

    def r_stall_mid_body(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        """Slowloris, second kind: headers and a first byte, then nothing."""
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1000\r\n\r\nx")
        self.stopping.wait(30)

    def r_close_mid_body(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 100000\r\n\r\n"
            + b"x" * 50_000
        )
        conn.shutdown(socket.SHUT_RDWR)

    def r_reset_mid_body(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 100000\r\n\r\n" + b"x" * 5_000
        )
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    def r_echo(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(_response("200 OK", json.dumps(h).encode(), "Content-Type: application/json"))

    def r_redirect(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(_response(q.get("status", "302") + " Found", b"", f"Location: {q['to']}"))

    # -- token endpoints -----------------------------------------------------------------------

    def r_token_html(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        page = b"<!doctype html><html><body><form action=/login>Sign in</form></body></html>"
        conn.sendall(_response("200 OK", page, "Content-Type: text/html"))

    def r_token_garbage(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        conn.sendall(_response("200 OK", b"\x00\x9c{{{ not json", "Content-Type: application/json"))

    def r_token_html_error(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        page = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
        conn.sendall(_response("500 Internal Server Error", page, "Content-Type: text/html"))

    def r_token_noexp(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        """A token without ``expires_in`` (nor a JWT ``exp``): good until the API says 401."""
        with self._lock:
            self.issued += 1
            body = {"access_token": f"noexp-token-{self.issued}", "token_type": "bearer"}
        conn.sendall(
            _response("200 OK", json.dumps(body).encode(), "Content-Type: application/json")
        )

    def r_api(self, conn: socket.socket, q: dict[str, str], h: dict[str, str]) -> None:
        """Accepts tokens issued after the last ``revoke``; 401 otherwise."""
        given = h.get("authorization", "").removeprefix("Bearer ").removeprefix("bearer ")
        number = int(given.rsplit("-", 1)[-1]) if given.startswith("noexp-token-") else 0
        with self._lock:
            good = number > self.revoked_up_to
        if good:
            conn.sendall(_response("200 OK", b'{"ok": true}', "Content-Type: application/json"))
        else:
            conn.sendall(_response("401 Unauthorized", b'{"error": "invalid_token"}'))

    def revoke(self) -> None:
        with self._lock:
            self.revoked_up_to = self.issued
