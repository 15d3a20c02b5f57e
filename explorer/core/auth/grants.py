"""OAuth2 token requests: password, client credentials, refresh, and the OTP step before them.

Authlib builds the request (``prepare_token_request`` encodes the grant parameters and scope,
``ClientAuth`` applies ``client_secret_basic`` or ``client_secret_post``); we send it through our
own ``HttpClient`` so TLS settings, proxies, timeouts and cancellation are the same as for every
other call, and we read the answer ourselves, because vendors fail grants in ways no library
knows: PriceEdge answers bad credentials with 403, ServiceChannel redirects bad client
credentials to an HTML login page (302) and throttles the endpoint with 429, Procode asks for an
OTP first. Each failure becomes one sentence that names the provider and what to do.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_token_request

from explorer.core import safe_parse
from explorer.core.auth.jwt import decode_jwt
from explorer.core.auth.tokens import OtpRequired, Token, TokenError, TokenRejected
from explorer.core.errors import TransportError
from explorer.core.http.client import CancelToken, HttpClient
from explorer.core.models import Exchange, ResolvedRequest
from explorer.core.problems import normalise

__all__ = ["GrantSettings", "TokenEndpoint"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class GrantSettings:
    """Everything a token request needs, already resolved for one environment."""

    provider: str
    environment: str
    token_url: str
    client_id: str = ""
    client_secret: str = ""
    client_auth: str = "body"  # body | basic
    encoding: str = "form"  # form | json
    scope: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    otp_url: str = ""
    otp_param: str = "otp"
    verify_tls: bool = True
    connect_timeout: float = 10.0
    read_timeout: float = 30.0


class TokenEndpoint:
    """Performs grants against one token URL; stateless apart from the settings."""

    def __init__(
        self,
        settings: GrantSettings,
        client: HttpClient,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.client = client
        self.clock = clock

    def password(
        self,
        username: str,
        password: str,
        *,
        otp: str | None = None,
        cancel: CancelToken | None = None,
    ) -> Token:
        params = {"username": username, "password": password}
        if otp:
            params[self.settings.otp_param] = otp
        return self._grant("password", params, cancel, secrets=(password,), with_otp=bool(otp))

    def client_credentials(self, *, cancel: CancelToken | None = None) -> Token:
        return self._grant("client_credentials", {}, cancel)

    def refresh(self, refresh_token: str, *, cancel: CancelToken | None = None) -> Token:
        return self._grant(
            "refresh_token", {"refresh_token": refresh_token}, cancel, secrets=(refresh_token,)
        )

    def send_otp(self, username: str, *, cancel: CancelToken | None = None) -> str:
        """Ask the provider to send the one-time password (Procode ``SendOTP``)."""
        s = self.settings
        if not s.otp_url:
            raise TokenError(f"{s.provider} asks for a one-time password but has no OTP URL set.")
        body = json.dumps({"username": username, "client_id": s.client_id}).encode()
        request = ResolvedRequest(
            method="POST",
            url=s.otp_url,
            headers=(*s.headers, ("Content-Type", "application/json")),
            body=body,
            verify_tls=s.verify_tls,
            follow_redirects=False,
        )
        exchange = self._send(request, cancel)
        if not exchange.response.ok:
            problem = normalise(
                exchange.response.status,
                exchange.response.headers,
                exchange.response.body.head(4096),
            )
            why = problem.summary() if problem else f"HTTP {exchange.response.status}"
            raise TokenError(f"{s.provider} could not send the one-time password: {why}.")
        return f"{s.provider} sent a one-time password to {username}'s registered channel."

    def _grant(
        self,
        grant_type: str,
        params: dict[str, str],
        cancel: CancelToken | None,
        *,
        secrets: tuple[str, ...] = (),
        with_otp: bool = False,
    ) -> Token:
        s = self.settings
        if s.scope:
            params["scope"] = s.scope
        body: str = prepare_token_request(grant_type, **params)
        method = "client_secret_basic" if s.client_auth == "basic" else "client_secret_post"
        if not s.client_secret and method == "client_secret_post":
            method = "none"
        headers: dict[str, str] = {"Content-Type": "application/x-www-form-urlencoded"}
        auth = ClientAuth(s.client_id, s.client_secret, method)
        _, headers, body = auth.prepare("POST", s.token_url, headers, body)
        if s.encoding == "json":
            body = json.dumps(dict(parse_qsl(body, keep_blank_values=True)))
            headers["Content-Type"] = "application/json"
        request = ResolvedRequest(
            method="POST",
            url=s.token_url,
            headers=(
                *s.headers,
                *((k, str(v)) for k, v in headers.items()),
                ("Accept", "application/json"),
            ),
            body=body.encode("utf-8"),
            verify_tls=s.verify_tls,
            follow_redirects=False,
            connect_timeout=s.connect_timeout,
            read_timeout=s.read_timeout,
            secrets=frozenset(x for x in (*secrets, s.client_secret) if x),
        )
        issued = self.clock()
        exchange = self._send(request, cancel)
        return self._read(exchange, grant_type, issued, with_otp)

    def _send(self, request: ResolvedRequest, cancel: CancelToken | None) -> Exchange:
        try:
            return self.client.send(request, cancel=cancel)
        except TransportError as exc:
            raise TokenError(
                f"The token endpoint of {self.settings.provider} could not be reached: {exc}"
            ) from exc

    def _read(self, exchange: Exchange, grant_type: str, issued: float, with_otp: bool) -> Token:
        response = exchange.response
        raw = response.body.head(64 * 1024)
        if response.ok:
            data = _json_object(raw)
            if data is not None and isinstance(data.get("access_token"), str):
                return _token(data, grant_type, issued)
            raise TokenError(
                f"{self.settings.provider}'s token endpoint answered {response.status} without an "
                "access_token; check the token URL."
            )
        raise self._failure(exchange, grant_type, raw, with_otp)

    def _failure(
        self, exchange: Exchange, grant_type: str, raw: bytes, with_otp: bool
    ) -> TokenError:
        s, response = self.settings, exchange.response
        status = response.status
        problem = normalise(status, response.headers, raw, reason=response.reason)
        code = problem.code if problem else None
        said = (problem.detail or problem.title) if problem else response.reason
        key = (code or "").lower().replace("-", "_")
        who = f"{s.provider} ({s.environment})"
        if status in _REDIRECTS:
            return TokenRejected(
                f"{who} rejected the client id or client secret: its token endpoint redirected to "
                f"a login page (HTTP {status}); check client_id and client_secret.",
                status=status,
                code="invalid_client",
            )
        if status in {429, 503}:
            wait = problem.retry_after if problem else None
            hint = response.headers.get("Error-Message") or said or "too many token requests"
            when = f"in {wait:g} s" if wait else "shortly"
            return TokenError(
                f"{who} throttled the token request (HTTP {status}: {hint}); try again {when}.",
                status=status,
                code=code,
                retry_after=wait,
            )
        if status not in {400, 401, 403, 409}:
            return TokenError(
                f"{who}'s token endpoint failed with HTTP {status} ({said}); try again later.",
                status=status,
                code=code,
            )
        if "otp" in key:
            if not with_otp:
                return OtpRequired(
                    f"{who} needs a one-time password for this user.", status=status, code=code
                )
            return TokenRejected(
                f"{who} rejected the one-time password ({said}); request a new one and retry.",
                status=status,
                code=code,
            )
        return TokenRejected(
            f"{who} rejected {_what(key, grant_type)} with HTTP {status} ({said}); "
            f"{_advice(key, grant_type)}",
            status=status,
            code=code,
        )


_CLIENT_CODES = frozenset({"invalid_client", "unauthorized_client"})
_CREDENTIAL_CODES = frozenset(
    {"", "invalid_grant", "authentication_failure", "invalid_credentials", "access_denied"}
)


def _what(key: str, grant_type: str) -> str:
    if key in _CLIENT_CODES:
        return "the client id or client secret"
    if grant_type == "refresh_token":
        return "the refresh token"
    if key in _CREDENTIAL_CODES:
        return "the username or password" if grant_type == "password" else "the client credentials"
    return f"the token request ({key})"


def _advice(key: str, grant_type: str) -> str:
    if grant_type == "refresh_token" and key not in _CLIENT_CODES:
        return "it expired or was revoked, so a new grant is needed."
    if key in _CLIENT_CODES or key in _CREDENTIAL_CODES:
        return "check them with 'api-explorer credentials set'."
    return "check the provider preset's token settings (encoding, scope, grant)."


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        data = safe_parse.loads(raw)  # a server's answer: too deep is "not JSON"
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _token(data: dict[str, Any], grant_type: str, issued: float) -> Token:
    access = str(data["access_token"])
    expires_at: float | None = None
    expires_in = data.get("expires_in", data.get("expires-in"))
    try:
        if expires_in is not None and expires_in != "":
            expires_at = issued + float(expires_in)
    except (TypeError, ValueError):
        expires_at = None
    if expires_at is None:
        info = decode_jwt(access)
        if info is not None and info.expires_at is not None and "iat" in info.claims:
            expires_at = issued + (info.expires_at - float(info.claims["iat"]))
    refresh = data.get("refresh_token")
    scope = data.get("scope")
    return Token(
        access_token=access,
        token_type=str(data.get("token_type") or "Bearer"),
        issued_at=issued,
        expires_at=expires_at,
        refresh_token=str(refresh) if refresh else None,
        scope=str(scope) if scope else None,
        grant=grant_type,
    )
