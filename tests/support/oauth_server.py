"""A small, strict OAuth2 server on loopback for what oauth2-mock-server lacks: the device
authorization grant (RFC 8628: ``authorization_pending``, ``slow_down`` when polled too fast,
``expired_token``), ``private_key_jwt`` client authentication verified with the client's public
key (RFC 7523: signature, ``iss``/``sub``/``aud``/``exp``, one-time ``jti``), and an authorize
endpoint that can answer with a forged ``state``. It also does authorization code with PKCE
(S256 required, verifier checked), client credentials, one-time refresh tokens, OpenID
discovery and a protected ``/api`` that refuses expired tokens.

Everything it saw is kept for the tests: token requests per grant, device poll times,
rejections with their reasons.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from tests.support.servers import _Quiet

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class Client:
    """A registered client: a secret (basic or post), a public key (private_key_jwt), or
    neither (a public client, which may only use PKCE and device code)."""

    client_id: str
    secret: str | None = None
    public_key: RSAKey | None = None


@dataclass
class Device:
    """One device authorization in progress."""

    client_id: str
    user_code: str
    expires_at: float
    interval: float
    polls: list[float] = field(default_factory=list)
    approved: bool = False
    issued: bool = False


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


class StrictOAuthServer(_Quiet):
    """Serves on 127.0.0.1 from a thread; ``stop()`` when done."""

    def __init__(self, *, ttl: float = 60.0, interval: float = 0.1) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.token_url = f"{self.base_url}/token"
        self.ttl = ttl
        self.interval = interval
        self.slow_down_step = 0.2
        self.approve_after = 2  # device polls answered authorization_pending before approval
        self.slow_down_on: set[int] = set()  # poll numbers (1-based) answered slow_down
        self.device_lifetime = 30.0
        self.wrong_state = False
        self.clients: dict[str, Client] = {}
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.rejections: list[str] = []
        self.devices: dict[str, Device] = {}
        self.codes: dict[str, tuple[str, str, str]] = {}  # code -> client, redirect, challenge
        self.access: dict[str, float] = {}
        self.refresh: dict[str, str] = {}  # refresh token -> client id
        self.jtis: set[str] = set()
        self.api_calls = 0
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def register(self, client: Client) -> Client:
        self.clients[client.client_id] = client
        return client

    def reset(self) -> None:
        with self.lock:
            self.counts.clear()
            self.rejections.clear()
            self.api_calls = 0

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is refused from now on (as if it had expired)."""
        with self.lock:
            self.access = dict.fromkeys(self.access, 0.0)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(5)

    # -- endpoints -----------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.base_url,
            "authorization_endpoint": f"{self.base_url}/authorize",
            "token_endpoint": self.token_url,
            "device_authorization_endpoint": f"{self.base_url}/device",
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
                "none",
            ],
        }

    def authorize(self, query: dict[str, str]) -> str:
        """The redirect (Location) answering an authorization request."""
        client = self.clients.get(query.get("client_id", ""))
        redirect = query.get("redirect_uri", "")
        if client is None or not redirect.startswith("http://127.0.0.1:"):
            raise OAuthError(400, "invalid_request", "unknown client or redirect_uri")
        state = "forged-state" if self.wrong_state else query.get("state", "")
        if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
            params = {"error": "invalid_request", "error_description": "PKCE S256 is required"}
            return f"{redirect}?{urlencode({**params, 'state': state})}"
        code = secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = (client.client_id, redirect, query.get("code_challenge", ""))
        return f"{redirect}?{urlencode({'code': code, 'state': state})}"

    def device(self, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        client = self.authenticate(form, basic, public_ok=True)
        device_code = secrets.token_urlsafe(24)
        user_code = "WDJB-MJHT"
        with self.lock:
            self.devices[device_code] = Device(
                client.client_id, user_code, time.monotonic() + self.device_lifetime, self.interval
            )
        return {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": f"{self.base_url}/activate",
            "verification_uri_complete": f"{self.base_url}/activate?user_code={user_code}",
            "expires_in": self.device_lifetime,
            "interval": self.interval,
        }

    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        grant = form.get("grant_type", "")
        with self.lock:
            self.counts[grant] += 1
        if grant == "client_credentials":
            client = self.authenticate(form, basic, public_ok=False)
            return self.issue(client.client_id, refresh=False)
        if grant == "authorization_code":
            client = self.authenticate(form, basic, public_ok=True)
            return self.exchange_code(client, form)
        if grant == "refresh_token":
            client = self.authenticate(form, basic, public_ok=True)
            with self.lock:
                owner = self.refresh.pop(form.get("refresh_token", ""), None)
            if owner != client.client_id:
                raise OAuthError(400, "invalid_grant", "the refresh token is invalid or was used")
            return self.issue(client.client_id, refresh=True)
        if grant == DEVICE_GRANT:
            client = self.authenticate(form, basic, public_ok=True)
            return self.poll(client, form.get("device_code", ""))
        raise OAuthError(400, "unsupported_grant_type", f"grant {grant!r} is not supported")

    def exchange_code(self, client: Client, form: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            saved = self.codes.pop(form.get("code", ""), None)
        if saved is None or saved[0] != client.client_id:
            raise OAuthError(400, "invalid_grant", "the authorization code is invalid or used")
        if form.get("redirect_uri") != saved[1]:
            raise OAuthError(400, "invalid_grant", "redirect_uri differs from the authorize one")
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != saved[2]:
            raise OAuthError(400, "invalid_grant", "the PKCE code_verifier does not match")
        return self.issue(client.client_id, refresh=True)

    def poll(self, client: Client, device_code: str) -> dict[str, Any]:
        now = time.monotonic()
        with self.lock:
            device = self.devices.get(device_code)
            if device is None or device.client_id != client.client_id or device.issued:
                raise OAuthError(400, "invalid_grant", "unknown device code")
            if now > device.expires_at:
                raise OAuthError(400, "expired_token", "the device code expired")
            early = bool(device.polls) and now - device.polls[-1] < device.interval * 0.9
            device.polls.append(now)
            if early or len(device.polls) in self.slow_down_on:
                device.interval += self.slow_down_step
                raise OAuthError(400, "slow_down", "polling too fast")
            if len(device.polls) <= self.approve_after:
                raise OAuthError(400, "authorization_pending", "the user has not confirmed yet")
            device.issued = True
        return self.issue(client.client_id, refresh=True)

    def issue(self, client_id: str, *, refresh: bool) -> dict[str, Any]:
        access = f"at-{secrets.token_hex(16)}"
        answer: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.ttl,
        }
        with self.lock:
            self.access[access] = time.time() + self.ttl
            if refresh:
                answer["refresh_token"] = f"rt-{secrets.token_hex(16)}"
                self.refresh[answer["refresh_token"]] = client_id
        return answer

    def authenticate(
        self, form: dict[str, str], basic: tuple[str, str] | None, *, public_ok: bool
    ) -> Client:
        """The client the request proves to be; ``invalid_client`` otherwise."""
        if form.get("client_assertion_type") == ASSERTION_TYPE:
            return self.verify_assertion(form.get("client_assertion", ""), form.get("client_id"))
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret"))
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError(401, "invalid_client", "unknown client")
        if client.secret is not None:
            if secret != client.secret:
                raise OAuthError(401, "invalid_client", "wrong client secret")
            return client
        if client.public_key is not None or not public_ok or secret:
            raise OAuthError(401, "invalid_client", "this client must authenticate")
        return client

    def verify_assertion(self, assertion: str, named: str | None) -> Client:
        """RFC 7523 §3: signed by the client's key; iss = sub = client; aud = token URL;
        not expired; its jti never seen before."""
        try:
            unverified = json.loads(_b64(assertion.split(".")[1]))
            client = self.clients[str(unverified["iss"])]
            if client.public_key is None:
                raise KeyError("no key")
            claims = jwt.decode(assertion, client.public_key, algorithms=["RS256"]).claims
        except (JoseError, ValueError, KeyError, IndexError) as exc:
            raise OAuthError(401, "invalid_client", f"bad client assertion ({exc})") from exc
        problems = [
            name
            for name, ok in (
                ("sub", claims.get("sub") == client.client_id),
                ("aud", self.token_url in _list(claims.get("aud"))),
                ("exp", float(claims.get("exp", 0)) > time.time()),
                ("client_id", named in (None, client.client_id)),
                ("jti", bool(claims.get("jti")) and claims.get("jti") not in self.jtis),
            )
            if not ok
        ]
        if problems:
            raise OAuthError(401, "invalid_client", f"client assertion: bad {', '.join(problems)}")
        with self.lock:
            self.jtis.add(str(claims["jti"]))
        return client

    def api(self, authorization: str | None, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        token = (authorization or "").removeprefix("Bearer ") or query.get("access_token", "")
        with self.lock:
            self.api_calls += 1
            expires = self.access.get(token)
        if expires is None or expires <= time.time():
            return 401, {"error": "invalid_token", "error_description": "expired or unknown"}
        return 200, {"ok": True}


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: StrictOAuthServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log line."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        if parts.path == "/.well-known/openid-configuration":
            self._json(200, self.server.discovery())
        elif parts.path == "/authorize":
            try:
                location = self.server.authorize(query)
            except OAuthError as exc:
                self._json(exc.status, {"error": exc.error, "error_description": exc.description})
                return
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif parts.path == "/api":
            status, body = self.server.api(self.headers.get("Authorization"), query)
            self._json(status, body)
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode("utf-8")))
        basic = _basic(self.headers.get("Authorization"))
        path = urlsplit(self.path).path
        try:
            if path == "/token":
                self._json(200, self.server.token(form, basic))
            elif path == "/device":
                self._json(200, self.server.device(form, basic))
            else:
                self._json(404, {"error": "not_found"})
        except OAuthError as exc:
            with self.server.lock:
                self.server.rejections.append(f"{exc.error}: {exc.description}")
            self._json(exc.status, {"error": exc.error, "error_description": exc.description})

    def _json(self, status: int, data: dict[str, Any]) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    user, _, secret = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    return user, secret
