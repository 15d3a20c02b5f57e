"""The HTTP side of the simulator: a stdlib ``ThreadingHTTPServer`` on a background thread that
routes ``/{provider}/{environment prefix}/...`` to a vendor and ``/_sandbox/...`` to the control
plane, applying injected faults and counting every answer on the way."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from explorer.sandbox import control
from explorer.sandbox.kit import SimRequest, SimResponse, json_response
from explorer.sandbox.state import State

log = logging.getLogger("explorer.sandbox")
MAX_BODY = 16 * 1024 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def __init__(self, address: tuple[str, int], state: State) -> None:
        super().__init__(address, _Handler)
        self.state = state
        self.stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        """One daemon thread per connection, named after the port so tests can find them."""
        with self._open_lock:
            self._open.add(request)
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"api-explorer-sandbox-{self.server_address[1]}-connection",
            daemon=True,
        )
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End idle keep-alive connections so no handler thread outlives ``stop()``."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-request are normal for a test server; stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """The request log lives in ``GET /_sandbox/log``; no per-line stderr noise."""

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _request(self, path: str) -> SimRequest | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._write(json_response(411, {"error": "Send a Content-Length body."}, "length"))
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._write(json_response(400, {"error": "Bad Content-Length."}, "bad_length"))
            return None
        if length > MAX_BODY:
            self._write(json_response(413, {"error": "Body too large."}, "too_large"))
            return None
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        return SimRequest(
            self.command,
            path,
            query,
            headers,
            body,
            self.client_address[0],
            full_path=parts.path,
        )

    def _dispatch(self) -> None:
        state = self.server.state
        path = urlsplit(self.path).path
        segments = path.split("/", 3)  # '', provider, prefix, rest
        if len(segments) >= 3 and segments[1] == "_sandbox":
            request = self._request("/" + "/".join(segments[3:]))
            if request is None:
                return
            response = control.handle(state, segments[2], request)
            if request.method != "GET":
                with state.lock:
                    state.record(
                        request.method,
                        path,
                        None,
                        None,
                        response.status,
                        response.rule,
                        None,
                        request.client_ip,
                    )
            self._write(response)
            return
        vendor = state.vendors.get(segments[1]) if len(segments) >= 3 else None
        env = vendor.prefixes.get(segments[2]) if vendor is not None else None
        request = self._request("/" + segments[3] if len(segments) > 3 else "/")
        if request is None:
            return
        if vendor is None or env is None:
            self._write(
                json_response(
                    404,
                    {
                        "error": "No simulated provider here; the layout is "
                        "/{provider}/{environment}/... (see GET /_sandbox/info)."
                    },
                    "sandbox.unknown_route",
                )
            )
            return
        self._serve_vendor(state, vendor.id, segments[2], env, request, path)

    def _serve_vendor(  # noqa: PLR0917 - the routed request's parts
        self, state: State, vendor_id: str, prefix: str, env: str, request: SimRequest, path: str
    ) -> None:
        vendor = state.vendors[vendor_id]
        with state.lock:
            faults = state.faults[vendor_id]
            forced = faults.error_next > 0 or (
                faults.error_rate > 0 and state.random.random() < faults.error_rate
            )
            if faults.error_next > 0:
                faults.error_next -= 1
            latency = faults.latency_ms
            drop = faults.drop_connection or (
                faults.drop_rate > 0 and state.random.random() < faults.drop_rate
            )
            malformed = faults.malformed_json or (
                faults.malformed_rate > 0 and state.random.random() < faults.malformed_rate
            )
            status = faults.error_status
        if latency and self.server.stopping.wait(latency / 1000):
            return
        if drop:
            with state.lock:
                state.record(
                    request.method,
                    path,
                    vendor_id,
                    env,
                    0,
                    "fault.drop_connection",
                    None,
                    request.client_ip,
                )
            self.close_connection = True
            return
        if forced:
            response = json_response(
                status, {"message": "Injected fault: the server failed."}, "fault.error"
            )
        else:
            with state.lock:
                try:
                    response = vendor.handle(env, prefix, request)
                except Exception:  # noqa: BLE001 - a simulator bug must still answer
                    log.error("sandbox rule crashed:\n%s", traceback.format_exc())
                    response = json_response(
                        500, {"error": "The sandbox crashed; see its log."}, "sandbox.bug"
                    )
        if malformed and any(
            v.startswith("application/") and "json" in v
            for k, v in response.headers
            if k == "Content-Type"
        ):
            response.body = response.body[: max(1, len(response.body) // 2)]
            response.rule += "+fault.malformed_json"
        with state.lock:
            state.record(
                request.method,
                path,
                vendor_id,
                env,
                response.status,
                response.rule,
                response.grant,
                request.client_ip,
            )
        self._write(response)

    def _write(self, response: SimResponse) -> None:
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("X-Sandbox-Rule", response.rule)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except OSError:
            self.close_connection = True


class Sandbox:
    """A running simulator. ``base_url`` is where it listens; ``stop()`` shuts it down; it is a
    context manager too."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token_ttl: float | None = None,
        on_note: Callable[[str], None] | None = None,
    ) -> None:
        self._state = State(token_ttl, on_note=on_note)
        self._server = _Server((host, port), self._state)
        self.host = host
        self.port = int(self._server.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{shown}:{self.port}"
        self._state.base_url = self.base_url
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="api-explorer-sandbox", daemon=True
        )
        self._thread.start()

    def info(self) -> dict[str, Any]:
        """The same JSON as ``GET /_sandbox/info``."""
        return self._state.info()

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join(5)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_sandbox(
    host: str = "127.0.0.1",
    port: int = 0,
    token_ttl: float | None = None,
    on_note: Callable[[str], None] | None = None,
) -> Sandbox:
    """Start the simulator on a background thread and return it once it accepts connections."""
    return Sandbox(host, port, token_ttl, on_note=on_note)
