"""The authorization-code grant the native-app way (RFC 8252): the system browser, a one-shot
loopback listener, PKCE (RFC 7636, S256) and ``state``.

A listener is bound on 127.0.0.1 (or ::1) at the redirect URI's port (a free one when it gives
none) before the browser opens, and answers only the redirect URI's exact path. The browser is
opened with ``Interaction.open_browser`` (Python's ``webbrowser`` by default, so ``BROWSER``
works) on a thread of its own: a launcher that waits for the browser must not hold up the wait.
The first answer on that path ends the wait: a ``state`` other than ours is refused (a forged
redirect), an ``error`` is the server's refusal, a ``code`` is exchanged by the caller. The
browser is shown a short page saying which. The wait ends too at the ``Interaction``'s timeout
or when the ``CancelToken`` is cancelled.
"""

from __future__ import annotations

import hmac
import html
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Final
from urllib.parse import parse_qsl, urlsplit

from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from explorer.core.auth.tokens import AuthorizePrompt, Interaction, TokenError, TokenRejected
from explorer.core.errors import Cancelled, InvalidRequest
from explorer.core.http.client import CancelToken

__all__ = ["Authorization", "AuthorizationCode", "authorize", "loopback_address"]

_LOOPBACK_HOSTS: Final = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1", "::1": "::1"}
_PAGE: Final = (
    "<!doctype html><html><head><meta charset='utf-8'><title>API Explorer</title></head>"
    "<body style='font-family:sans-serif;margin:3em'><h1>{title}</h1><p>{text}</p></body></html>"
)


@dataclass(frozen=True, slots=True)
class Authorization:
    """The authorization request to make (RFC 6749 §4.1.1); ``extra`` goes into its query
    (``audience``, ``resource``)."""

    auth_url: str
    client_id: str
    redirect_uri: str
    scope: str = ""
    pkce: bool = True
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class AuthorizationCode:
    """What the browser brought back, and what the token request must repeat."""

    code: str
    redirect_uri: str
    verifier: str


def loopback_address(redirect_uri: str) -> tuple[str, str, int, str]:
    """(host as written, address to bind, port or 0, exact path) of a loopback redirect URI;
    any other is one sentence (the app can receive the code only on this machine)."""
    parts = urlsplit(redirect_uri.strip())
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or 0
    except ValueError:
        port = -1
    if parts.scheme != "http" or host not in _LOOPBACK_HOSTS or port < 0:
        raise InvalidRequest(
            f"OAuth2 redirect_uri '{redirect_uri}' must be a loopback address such as "
            "http://127.0.0.1/callback (a port may be given), where API Explorer receives the "
            "authorization code."
        )
    return host, _LOOPBACK_HOSTS[host], port, parts.path or "/"


def authorize(
    request: Authorization, interaction: Interaction, cancel: CancelToken | None = None
) -> AuthorizationCode:
    """Open the browser on the authorization URL and wait for the code at the loopback
    redirect; ``state`` checked, PKCE S256 unless ``request.pkce`` is False."""
    verifier = secrets.token_urlsafe(64) if request.pkce else ""
    state = secrets.token_urlsafe(32)
    host, address, port, path = loopback_address(request.redirect_uri)
    with _Listener(address, port, path, state) as listener:
        shown = f"[{host}]" if ":" in host else host
        redirect_uri = f"http://{shown}:{listener.port}{path}"
        challenge = (
            {
                "code_challenge": create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            }
            if verifier
            else {}
        )
        url = prepare_grant_uri(
            request.auth_url,
            request.client_id,
            "code",
            redirect_uri,
            request.scope or None,
            state,
            **challenge,
            **dict(request.extra),
        )
        interaction.on_authorize(AuthorizePrompt(url, redirect_uri, interaction.timeout))
        opener = threading.Thread(
            target=_open, args=(interaction.open_browser, url), name="explorer-browser", daemon=True
        )
        opener.start()
        code = listener.wait(interaction.timeout, cancel)
    return AuthorizationCode(code, redirect_uri, verifier)


def _open(open_browser: Callable[[str], bool], url: str) -> None:
    """Run the browser launcher; a launcher that fails leaves the printed URL to the user."""
    import webbrowser

    try:
        open_browser(url)
    except (OSError, webbrowser.Error):
        return


class _Listener:
    """A one-shot HTTP listener on the loopback interface, served on a thread of its own."""

    def __init__(self, address: str, port: int, path: str, state: str) -> None:
        self.path = path
        self.state = state
        self.done = threading.Event()
        self.code = ""
        self.failure: TokenError | None = None
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.answer(self)

            def log_message(self, format: str, *args: object) -> None:
                return None

        server_class = _IPv6Server if ":" in address else HTTPServer
        try:
            self.server = server_class((address, port), Handler)
        except OSError as exc:
            raise TokenError(
                f"API Explorer cannot listen on {address} port {port} for the OAuth2 redirect "
                f"({exc.strerror or exc}); choose another port in redirect_uri."
            ) from exc
        self.port: int = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="explorer-oauth-redirect",
            daemon=True,
        )

    def __enter__(self) -> _Listener:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def wait(self, timeout: float, cancel: CancelToken | None) -> str:
        """The code from the first answer on the path; raises on a refusal, timeout or cancel."""
        unregister = cancel.on_cancel(self.done.set) if cancel is not None else None
        try:
            answered = self.done.wait(timeout)
        finally:
            if unregister is not None:
                unregister()
        if cancel is not None and cancel.cancelled and not self.code and self.failure is None:
            raise Cancelled("The OAuth2 sign-in was cancelled.")
        if not answered:
            raise TokenError(
                f"No OAuth2 answer came back from the browser within {timeout:g} s; the sign-in "
                "was stopped. Start it again."
            )
        if self.failure is not None:
            raise self.failure
        return self.code

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        """Judge one request to the listener and show the browser what happened."""
        parts = urlsplit(handler.path)
        if parts.path != self.path or self.done.is_set():
            _reply(handler, 404, "Not found", "This is not the address API Explorer waits on.")
            return
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if not hmac.compare_digest(params.get("state", ""), self.state):
            self.failure = TokenRejected(
                "The OAuth2 answer was refused: its state does not match the sign-in API Explorer "
                "started (a forged or stale redirect). Start the sign-in again.",
                code="invalid_state",
            )
            _reply(handler, 400, "Sign-in refused", self.failure.message)
        elif params.get("error"):
            said = params.get("error_description") or params["error"]
            self.failure = TokenRejected(
                f"The authorization server refused the sign-in ({params['error']}: {said}).",
                code=params["error"],
            )
            _reply(handler, 400, "Sign-in refused", self.failure.message)
        elif not params.get("code"):
            self.failure = TokenError("The OAuth2 answer carried no authorization code.")
            _reply(handler, 400, "Sign-in failed", self.failure.message)
        else:
            self.code = params["code"]
            _reply(
                handler,
                200,
                "Signed in",
                "API Explorer received the authorization. You can close this tab.",
            )
        self.done.set()


class _IPv6Server(HTTPServer):
    address_family = socket.AF_INET6


def _reply(handler: BaseHTTPRequestHandler, status: int, title: str, text: str) -> None:
    body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode("utf-8")
    handler.send_response(status)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Cache-Control", "no-store")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)
