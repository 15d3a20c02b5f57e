"""A loopback server that records every request it gets and answers 200 JSON.

Parity tests send one request from many front ends (the window's services, the CLI, executed
snippets, newman, httpyac) and compare what arrived here, so the record keeps exactly what a
request decides: method, target (path and query), headers and body bytes. Any method is
recorded (HEAD and OPTIONS included; a HEAD answer has no body), and a chunked body is
recorded as the bytes it carries, so a command streaming from stdin compares with a sized one.
``/token`` is a small OAuth2 token endpoint (password and client-credentials grants, client auth
in the body or HTTP Basic) so provider presets can point their grants at the same server.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.support.servers import _Quiet


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request as it reached the server."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    def header(self, name: str) -> str | None:
        """The value of ``name`` (case-insensitive), repeats joined as HTTP allows."""
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return ", ".join(values) if values else None


@dataclass(frozen=True, slots=True)
class TokenRules:
    """What ``/token`` accepts; any other credential gets a 401 ``invalid_client``."""

    client_id: str = "parity-client"
    client_secret: str = "parity-secret"
    username: str = "alice"
    password: str = "wonderland"

    def token_for(self, form: dict[str, str], basic: tuple[str, str] | None) -> str | None:
        """The access token this grant earns (named after the grant), or None."""
        client = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if client != (self.client_id, self.client_secret):
            return None
        grant = form.get("grant_type")
        if grant == "client_credentials":
            return "tok-client-credentials"
        if grant == "password" and (form.get("username"), form.get("password")) == (
            self.username,
            self.password,
        ):
            return "tok-password"
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: RecordingServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log line."""

    def __getattr__(self, name: str) -> Any:
        """``do_<METHOD>`` for every method a client may send (curl -X wHat)."""
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _chunked(self) -> bytes:
        chunks = []
        while size := int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline().strip():
            pass  # trailer fields
        return b"".join(chunks)

    def _handle(self) -> None:
        body = self._body()
        record = Recorded(self.command, self.path, tuple(self.headers.items()), body)
        self.server.add(record)
        if record.path == "/token":
            self._token(record)
            return
        query = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        self._reply(200, {"method": self.command, "path": record.path, "args": query})

    def _token(self, record: Recorded) -> None:
        form = dict(parse_qsl(record.body.decode("latin-1"), keep_blank_values=True))
        basic = None
        authorization = record.header("Authorization") or ""
        if authorization.startswith("Basic "):
            user, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
            basic = (user, secret)
        token = self.server.rules.token_for(form, basic)
        if token is None:
            self._reply(401, {"error": "invalid_client"})
            return
        self._reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class RecordingServer(_Quiet):
    """Records requests in arrival order; ``mark()`` and ``since(mark)`` slice one front end's."""

    def __init__(self, rules: TokenRules | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.rules = rules or TokenRules()
        self.port = self.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._records: list[Recorded] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def add(self, record: Recorded) -> None:
        with self._lock:
            self._records.append(record)

    def mark(self) -> int:
        with self._lock:
            return len(self._records)

    def since(self, mark: int) -> list[Recorded]:
        with self._lock:
            return list(self._records[mark:])

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(5)
