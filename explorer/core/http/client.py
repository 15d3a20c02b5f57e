"""The HTTP client every part of the app sends through.

Built on ``requests`` the way HTTPie uses it: we prepare each request ourselves, merge the
environment's proxy and CA settings (``merge_environment_settings``, so ``HTTPS_PROXY`` and
``REQUESTS_CA_BUNDLE`` work), send with redirects off and follow them ourselves so every hop is
recorded, and stream the body in chunks so progress is reported and a cancel takes effect between
chunks. Every body passes the decompression guard (``explorer.core.http.guard``) chunk by chunk,
and a ``BodySink`` given as the progress callback takes the bytes as they arrive (``send``
streaming to stdout). ``requests.Session`` is not documented as thread-safe, so each worker thread
gets its own.
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import socket
import ssl
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
from requests.auth import AuthBase
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar, get_cookie_header
from requests.utils import requote_uri

from explorer.core.errors import (
    Cancelled,
    ConnectError,
    ExplorerError,
    IncompleteResponse,
    InvalidRequest,
    InvalidURL,
    MalformedResponse,
    RequestTimeout,
    TLSError,
    TooManyRedirects,
    TransportError,
)
from explorer.core.http.body import DEFAULT_SPILL_THRESHOLD, ResponseBody, charset_param
from explorer.core.http.guard import RATIO_AFTER, DecodeGuard, Limits, limits
from explorer.core.http.network import Network, proxy_failure
from explorer.core.http.timing import TimedAdapter, recording
from explorer.core.models import (
    Exchange,
    FileBody,
    Headers,
    RedirectHop,
    ResolvedRequest,
    Response,
)
from explorer.core.redaction import SENSITIVE_HEADERS
from explorer.core.templating import header_joiner
from explorer.core.transport_policy import refuse_body_redirect

__all__ = ["BodySink", "CancelToken", "ClientConfig", "HttpClient", "ProgressCallback"]

# Turning verification off is always an explicit, visible per-request choice; urllib3's warning
# would only repeat it on stderr for every request.
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

USER_AGENT = "api-explorer/0.1"
ProgressCallback = Callable[[int, int | None], None]
"""Called with (bytes received so far, Content-Length or None) after each chunk."""
STREAMED_HEAD = 256 * 1024
"""What a body taken by a ``BodySink`` keeps: its head, enough for the charset and binary checks
and the problem-details check (which reads the first 256 KB)."""

_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


class CancelToken:
    """Set from any thread; the sending thread checks it between chunks and stops.

    A cancel also shuts the socket of a response being read, so a read blocked on a slow server
    returns at once instead of waiting for the read timeout.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            with contextlib.suppress(OSError):
                callback()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Run ``callback`` when cancelled (at once if already); returns an unregister function."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return lambda: self._forget(callback)
        callback()
        return lambda: None

    def _forget(self, callback: Callable[[], None]) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._callbacks.remove(callback)

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("The request was cancelled.")


class BodySink(ABC):
    """A progress callback that also takes the body's bytes as they arrive.

    It rides the ``on_progress`` channel on purpose: every layer passes that down for the request
    the user sent (``Workbench.send``, ``ApiSession.send``) and for no other, so a token grant
    made on the way never reaches a sink. ``open`` is called for each response whose body is
    read (after redirects), so a request the session replays (a 401 after a token refresh, a
    429) opens the sink again.
    """

    @abstractmethod
    def __call__(self, received: int, total: int | None) -> None:
        """Progress, as for any ``ProgressCallback``."""

    @abstractmethod
    def open(self, status: int, headers: Headers) -> bool:
        """A body is about to be read. True: its bytes go to ``write`` as they arrive and the
        ``ResponseBody`` keeps only its head (``partial``); False: the body is kept as usual."""

    @abstractmethod
    def write(self, chunk: bytes) -> None:
        """The next decoded bytes of a body ``open`` took; raising stops the download."""


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Client-wide settings; per-request ones (timeouts, TLS verify) live on the request."""

    spill_threshold: int = DEFAULT_SPILL_THRESHOLD
    max_body_bytes: int | None = None
    """Most decoded bytes of one body; None: ``API_EXPLORER_MAX_BODY``, else 4 GiB."""
    max_ratio: int | None = None
    """Most decoded bytes per byte on the wire once ``ratio_after`` are decoded; None:
    ``API_EXPLORER_MAX_RATIO``, else 1000; 0: no ratio check."""
    ratio_after: int = RATIO_AFTER
    chunk_size: int = 256 * 1024
    user_agent: str = USER_AGENT
    trust_env: bool = True


class _ModernTLSAdapter(TimedAdapter):
    """Refuses TLS below 1.2 (ServiceChannel and every current vendor require 1.2+)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_minimum_version"] = ssl.TLSVersion.TLSv1_2
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        kwargs["ssl_minimum_version"] = ssl.TLSVersion.TLSv1_2
        return super().proxy_manager_for(proxy, **kwargs)


class HttpClient:
    """Sends ``ResolvedRequest``s and returns ``Exchange``s; safe to use from many threads."""

    def __init__(self, config: ClientConfig | None = None) -> None:
        self.config = config or ClientConfig()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self.network = Network()
        """The settings' proxy and TLS defaults (``network.Network``); replaced, never mutated,
        when the settings change."""

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = self.config.trust_env
            adapter = _ModernTLSAdapter(pool_connections=4, pool_maxsize=16)
            session.mount("https://", adapter)
            session.mount("http://", TimedAdapter(pool_connections=4, pool_maxsize=16))
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        """Close every pooled connection of every thread."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def send(
        self,
        request: ResolvedRequest,
        *,
        auth: AuthBase | None = None,
        cancel: CancelToken | None = None,
        on_progress: ProgressCallback | None = None,
        hop_policy: Callable[[str], None] | None = None,
        jar: http.cookiejar.CookieJar | None = None,
    ) -> Exchange:
        """Send ``request``, following redirects if it asks to, and read the whole body.

        ``jar`` (the environment's, ``explorer.core.cookies``) adds its matching cookies to every
        hop (after the request's own ``Cookie`` header, never over a cookie it names) and takes
        every hop's ``Set-Cookie``; without one, cookies live for this send's redirects only.

        ``auth`` is applied to the first hop and to same-origin redirects only; credentials never
        follow a redirect to another host or from HTTPS down to HTTP. ``hop_policy`` sees every
        redirect target before it is contacted (a live environment's HTTPS-only rule) and may
        raise; a 307/308 that would re-send the body to another origin is refused
        (``transport_policy.refuse_body_redirect``).
        """
        cancel = cancel or CancelToken()
        cancel.raise_if_cancelled()
        request = self.network.presenting(request)
        config = self.config
        bounds = limits(config.max_body_bytes, config.max_ratio, config.ratio_after)
        started_at = datetime.now(UTC)
        t0 = time.perf_counter()
        with _failures_of(request), recording() as clock:
            response, hops, _, sent_headers = self._send_following(
                request, auth, cancel, hop_policy, jar if jar is not None else RequestsCookieJar()
            )
            t_headers = time.perf_counter()
            final = replace(request, url=hops[-1].location) if hops else request
            with _failures_of(final):
                result = self._read(response, final, cancel, on_progress, bounds)
        t_end = time.perf_counter()
        timings = clock.timings(t0, t_end, t_headers)
        if timings.received_header_bytes:  # counted on the wire, so exact
            result = replace(result, header_bytes=timings.received_header_bytes)
        return Exchange(
            request=request,
            response=result,
            hops=tuple(hops),
            timings=timings,
            started_at=started_at,
            sent_headers=sent_headers,
            sent_method=clock.method,
            wire_request_line=clock.wire[0],
            wire_headers=clock.wire[1],
        )

    def _send_following(
        self,
        request: ResolvedRequest,
        auth: AuthBase | None,
        cancel: CancelToken,
        hop_policy: Callable[[str], None] | None,
        jar: http.cookiejar.CookieJar,
    ) -> tuple[requests.Response, list[RedirectHop], float, tuple[tuple[str, str], ...]]:
        session = self._session()
        method, url, body = request.method, request.url, request.body
        headers = list(request.headers)
        origin = _origin(url)
        hops: list[RedirectHop] = []
        while True:
            same_origin = _origin(url) == origin
            hop = replace(request, url=url) if hops else request
            with _failures_of(hop), _body_stream(body) as data:
                prepared = self._prepare(method, url, headers, data, auth if same_origin else None)
                _add_cookies(prepared, jar)
                settings = session.merge_environment_settings(
                    prepared.url,
                    {},
                    True,
                    _verify(request),
                    _cert(request),
                )
                proxies = self.network.proxies_for(prepared.url or url)
                if proxies is not None:
                    settings["proxies"] = proxies
                cancel.raise_if_cancelled()
                t_send = time.perf_counter()
                try:
                    response = session.send(
                        prepared,
                        timeout=(request.connect_timeout, request.read_timeout),
                        allow_redirects=False,
                        **settings,
                    )
                except requests.exceptions.ProxyError as exc:
                    raise proxy_failure(settings["proxies"], url, _short(exc)) from exc
                ttfb = time.perf_counter() - t_send
            final = response.request or prepared  # digest's answer to the challenge, if any
            sent = tuple(
                (k, v if isinstance(v, str) else v.decode()) for k, v in final.headers.items()
            )
            extract_cookies_to_jar(jar, prepared, response.raw)  # type: ignore[no-untyped-call]
            location = session.get_redirect_target(response)
            if not (
                request.follow_redirects and location and response.status_code in _REDIRECT_CODES
            ):
                return response, hops, ttfb, sent
            next_url = requote_uri(urljoin(response.url, location))
            hops.append(RedirectHop(method, url, response.status_code, next_url))
            response.close()
            if len(hops) > request.max_redirects:
                raise TooManyRedirects(
                    f"{url} redirected more than {request.max_redirects} times; the server is "
                    "probably looping. Turn off redirect following to inspect the hops."
                )
            method, body, headers = _redirected(response.status_code, method, body, headers)
            if hop_policy is not None:
                hop_policy(next_url)
            if body is not None and _origin(next_url) != _origin(url):
                refuse_body_redirect(response.status_code, url, next_url)
            if _origin(next_url) != origin or _downgraded(url, next_url):
                headers = [(k, v) for k, v in headers if not _credential(k, v, request.secrets)]
            url = next_url

    def _prepare(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        data: bytes | IO[bytes] | None,
        auth: AuthBase | None,
    ) -> requests.PreparedRequest:
        merged: dict[str, str | bytes] = {
            "User-Agent": self.config.user_agent,
            "Accept-Encoding": "gzip, deflate",
            "Accept": "*/*",
        }
        seen: dict[str, str] = {}
        for name, raw in headers:
            key = next((k for k in merged if k.lower() == name.lower()), name)
            value = raw
            if name.lower() in seen:
                value = f"{seen[name.lower()]}{header_joiner(name)}{raw}"
            seen[name.lower()] = value
            merged.pop(key, None)
            merged[name] = _header_value(value)
        prepared = requests.Request(method, url, headers=merged, data=data, auth=auth).prepare()
        return prepared

    def _read(
        self,
        response: requests.Response,
        request: ResolvedRequest,
        cancel: CancelToken,
        on_progress: ProgressCallback | None,
        bounds: Limits,
    ) -> Response:
        """Read the body in chunks, each checked by the decompression guard before it is kept
        (and before a sink sees it)."""
        raw = response.raw
        headers = Headers(raw.headers.items())
        try:
            sink = _sink_taking(on_progress, response.status_code, headers)
        except BaseException:
            response.close()
            raise
        sock = _socket_of(raw)
        tls_version = sock.version() if isinstance(sock, ssl.SSLSocket) else None
        unregister = cancel.on_cancel(lambda: _shutdown(sock)) if sock is not None else None
        body = ResponseBody(
            spill_threshold=self.config.spill_threshold,
            keep_head=None if sink is None else STREAMED_HEAD,
        )
        body.declared_charset = charset_param(response.headers.get("Content-Type"))
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        guard = DecodeGuard(bounds, _host_of(request.url))
        try:
            for chunk in _chunks(response, self.config.chunk_size, cancel):
                guard.check(body.size + len(chunk), raw.tell())
                body.write(chunk)
                if sink is not None:
                    sink.write(chunk)
                if on_progress is not None:
                    on_progress(body.size, total)
        except BaseException:
            body.discard()
            raise
        finally:
            if unregister is not None:
                unregister()
            response.close()
            body.finish()
        header_bytes = (
            sum(len(k) + len(v) + 4 for k, v in headers) + len(response.reason or "") + 15
        )
        return Response(
            status=response.status_code,
            reason=response.reason or "",
            http_version=_http_version(raw.version),
            url=response.url,
            headers=headers,
            body=body,
            header_bytes=header_bytes,
            wire_bytes=raw.tell(),
            tls_version=tls_version,
        )


def _add_cookies(prepared: requests.PreparedRequest, jar: http.cookiejar.CookieJar) -> None:
    """The jar's cookies for this hop after the request's own ``Cookie`` header
    (``cookies.merge_cookie_header``)."""
    from explorer.core.cookies import merge_cookie_header

    own = prepared.headers.pop("Cookie", None)  # the jar adds nothing to a request that has one
    from_jar = get_cookie_header(jar, prepared)  # type: ignore[no-untyped-call]
    merged = merge_cookie_header(own.decode() if isinstance(own, bytes) else own, from_jar)
    if merged is not None:
        prepared.headers["Cookie"] = merged


def _sink_taking(
    on_progress: ProgressCallback | None, status: int, headers: Headers
) -> BodySink | None:
    """The progress callback if it is a ``BodySink`` that takes this body, else None."""
    if isinstance(on_progress, BodySink) and on_progress.open(status, headers):
        return on_progress
    return None


def _chunks(response: requests.Response, size: int, cancel: CancelToken) -> Iterator[bytes]:
    """Yield decoded chunks as soon as the network delivers them (``read1``, not ``read``), so a
    slow stream reports progress and honours a cancel between chunks instead of blocking until a
    whole chunk-size has arrived."""
    raw = response.raw
    try:
        while not cancel.cancelled:
            chunk = raw.read1(size, decode_content=True)
            if not chunk:
                break
            yield chunk
    except (urllib3.exceptions.HTTPError, OSError):
        cancel.raise_if_cancelled()
        raise
    cancel.raise_if_cancelled()


@contextlib.contextmanager
def _body_stream(body: bytes | FileBody | None) -> Iterator[bytes | IO[bytes] | None]:
    if isinstance(body, FileBody):
        try:
            handle = body.path.open("rb")
        except OSError as exc:
            raise InvalidRequest(
                f"The body file '{body.path}' cannot be read: {exc.strerror}."
            ) from exc
        with handle:
            yield handle
    else:
        yield body


def _redirected(
    status: int, method: str, body: bytes | FileBody | None, headers: list[tuple[str, str]]
) -> tuple[str, bytes | FileBody | None, list[tuple[str, str]]]:
    """Method and body rules of RFC 9110 §15.4 as browsers apply them."""
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        dropped = {"content-type", "content-length", "transfer-encoding"}
        return "GET", None, [(k, v) for k, v in headers if k.lower() not in dropped]
    return method, body, headers


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _credential(name: str, value: str, secrets: frozenset[str]) -> bool:
    """Whether a header must stay behind on a redirect to another origin: every header known to
    carry credentials (``Authorization``, ``Cookie``, API-key headers such as
    ``Ocp-Apim-Subscription-Key``) and any header holding a secret variable's value."""
    if name.lower() in SENSITIVE_HEADERS:
        return True
    return any(secret in value for secret in secrets if secret)


def _downgraded(old: str, new: str) -> bool:
    return urlsplit(old).scheme == "https" and urlsplit(new).scheme == "http"


def _verify(request: ResolvedRequest) -> bool | str:
    if not request.verify_tls:
        return False
    return request.ca_bundle or True


def _cert(request: ResolvedRequest) -> str | tuple[str, str] | None:
    if request.client_cert and request.client_key:
        return (request.client_cert, request.client_key)
    return request.client_cert


def _header_value(value: str) -> str | bytes:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")
    return value


def _http_version(version: int) -> str:
    return {9: "HTTP/0.9", 10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2"}.get(version, "HTTP/1.1")


def _socket_of(raw: Any) -> socket.socket | None:
    connection = getattr(raw, "connection", None) or getattr(raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


@contextlib.contextmanager
def _failures_of(request: ResolvedRequest) -> Iterator[None]:
    """Turn a library failure into one typed error naming ``request``'s host: the hop that
    failed, so an error after a redirect names where the redirect went, not where it started."""
    try:
        yield
    except ExplorerError:
        raise
    except requests.exceptions.RequestException as exc:
        raise _translate(exc, request) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise _translate_body_error(exc, request) from exc
    except (UnicodeError, ValueError) as exc:
        raise InvalidURL(f"'{request.url}' cannot be sent: {exc}.") from exc


def _translate(
    exc: requests.exceptions.RequestException, request: ResolvedRequest
) -> TransportError | InvalidURL:
    """Map a requests/urllib3 failure onto one typed error with a sentence a user understands."""
    host = _host_of(request.url)
    reason = exc.args[0] if exc.args else exc
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return RequestTimeout(
            f"Connecting to {host} took longer than {request.connect_timeout:g} s; check the "
            "address and your network, or raise the connect timeout.",
            phase="connect",
        )
    if isinstance(exc, requests.exceptions.ReadTimeout) or isinstance(
        reason, urllib3.exceptions.ReadTimeoutError
    ):
        return RequestTimeout(
            f"{host} sent nothing for {request.read_timeout:g} s; the server is slow or stuck. "
            "Try again or raise the read timeout.",
            phase="read",
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return TLSError(f"The secure connection to {host} failed: {_ssl_reason(exc)}.")
    if isinstance(
        exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
    ):
        return IncompleteResponse(
            f"{host} ended the response early or sent a corrupt body ({_short(exc)}); "
            "the data shown would be incomplete, so try again."
        )
    if isinstance(
        exc,
        requests.exceptions.InvalidURL
        | requests.exceptions.MissingSchema
        | requests.exceptions.InvalidSchema
        | requests.exceptions.URLRequired,
    ):
        return InvalidURL(f"'{request.url}' is not a URL that can be sent: {_short(exc)}.")
    malformed = _malformed(exc, host)
    if malformed is not None:
        return malformed
    if isinstance(exc, requests.exceptions.InvalidHeader):
        return InvalidURL(f"A header cannot be sent: {_short(exc)}.")
    if isinstance(exc, requests.exceptions.ProxyError):
        return ConnectError(f"The proxy refused or failed the connection to {host}: {_short(exc)}.")
    text = str(exc)
    if "NameResolution" in type(_root(exc)).__name__ or "Name or service not known" in text:
        return ConnectError(f"The host name in {host} could not be resolved; check the spelling.")
    if "Connection refused" in text or isinstance(_root(exc), ConnectionRefusedError):
        return ConnectError(
            f"{host} refused the connection; is the server running and listening on that port?"
        )
    if isinstance(exc, requests.exceptions.ConnectionError) and "Connection broken" in text:
        return IncompleteResponse(
            f"{host} closed the connection before the whole response arrived; try again."
        )
    return ConnectError(f"The connection to {host} failed: {_short(exc)}.")


def _malformed(exc: BaseException, host: str) -> TransportError | None:
    """A response that is not valid HTTP: the connection worked, the server's answer did not."""
    root = _root(exc)
    if isinstance(root, http.client.RemoteDisconnected):
        return IncompleteResponse(
            f"{host} closed the connection without answering; try again, and check that the "
            "address points at an HTTP server."
        )
    if isinstance(root, http.client.LineTooLong):
        return MalformedResponse(
            f"{host} sent a header line longer than 64 KB, which is not a usable HTTP response; "
            "check the address or ask the server's owner."
        )
    if isinstance(root, http.client.BadStatusLine):
        return MalformedResponse(
            f"{host} did not answer with an HTTP status line; check that the address and port "
            "point at an HTTP server (and the scheme, http or https, is right)."
        )
    if isinstance(root, http.client.HTTPException | urllib3.exceptions.InvalidHeader):
        return MalformedResponse(
            f"{host} sent response headers that are not valid HTTP ({_short(root).strip()}); "
            "check the address or ask the server's owner."
        )
    return None


def _translate_body_error(
    exc: urllib3.exceptions.HTTPError, request: ResolvedRequest
) -> TransportError:
    """Failures while streaming the body, raised by urllib3 directly (we read with ``read1``)."""
    host = _host_of(request.url)
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return RequestTimeout(
            f"{host} stopped sending for {request.read_timeout:g} s in the middle of the body; "
            "try again or raise the read timeout.",
            phase="read",
        )
    if isinstance(exc, urllib3.exceptions.SSLError):
        return TLSError(f"The secure connection to {host} failed mid-body: {_short(exc)}.")
    if isinstance(exc, urllib3.exceptions.DecodeError):
        return IncompleteResponse(
            f"{host} sent a body that does not decode as its Content-Encoding says ({_short(exc)})."
        )
    return IncompleteResponse(
        f"{host} ended the response early or sent a corrupt body ({_short(exc)}); "
        "the data shown would be incomplete, so try again."
    )


def _root(exc: BaseException) -> BaseException:
    seen = exc
    while True:
        nxt = seen.__cause__ or seen.__context__
        if nxt is None and seen.args and isinstance(seen.args[0], BaseException):
            nxt = seen.args[0]
        if nxt is None or nxt is seen:
            return seen
        reason = getattr(nxt, "reason", None)
        seen = reason if isinstance(reason, BaseException) else nxt


_EXPIRED, _HOST_MISMATCH, _IP_MISMATCH = 10, 62, 64  # OpenSSL X509_V_ERR_* codes


def _verify_advice(code: int) -> str:
    """What the user can do about a failed verification: an expired or misissued certificate
    is the server's to fix; an unknown issuer is fixed by trusting the right CA."""
    if code == _EXPIRED:
        return "the server's owner must renew it"
    if code in (_HOST_MISMATCH, _IP_MISMATCH):
        return "the certificate was issued for another host; check the address you typed"
    return "add the server's CA bundle or, for a test server only, turn off TLS verification"


_VERSION_REASONS = frozenset(
    {
        "UNSUPPORTED_PROTOCOL",
        "WRONG_VERSION_NUMBER",
        "TLSV1_ALERT_PROTOCOL_VERSION",
        "NO_PROTOCOLS_AVAILABLE",
        "VERSION_TOO_LOW",
    }
)
"""OpenSSL's reasons for a handshake that found no TLS version both sides accept."""


def _ssl_reason(exc: BaseException) -> str:
    root = _root(exc)
    if isinstance(root, ssl.SSLCertVerificationError):
        why = str(root.verify_message).rstrip(".")
        return f"the certificate could not be verified ({why}); {_verify_advice(root.verify_code)}"
    if isinstance(root, ssl.SSLError):
        text = root.reason or str(root)
        if root.reason in _VERSION_REASONS:  # not "EOF occurred in violation of protocol"
            return (
                f"the server offers no TLS version we accept ({text}); TLS 1.2 or newer is required"
            )
        return f"{text}"
    return _short(exc)


def _short(exc: BaseException) -> str:
    root = _root(exc)
    text = str(root) or type(root).__name__
    return text if len(text) < 200 else text[:197] + "..."
