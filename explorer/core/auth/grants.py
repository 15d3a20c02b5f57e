"""OAuth2 token requests: password, client credentials, refresh, authorization code, device
code (RFC 8628: the device authorization request and one poll), and the OTP step before them.

Authlib builds the request (``prepare_token_request`` encodes the grant parameters and scope,
``ClientAuth`` applies the client authentication, see ``client_auth``); we send it through our
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
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl

from authlib.common.urls import add_params_to_qs
from authlib.oauth2.rfc6749.parameters import prepare_token_request

from explorer.core import safe_parse
from explorer.core.auth.client_auth import apply_client_auth, method_of
from explorer.core.auth.jwt import decode_jwt
from explorer.core.auth.tokens import OtpRequired, Token, TokenError, TokenRejected
from explorer.core.errors import TransportError
from explorer.core.http.client import CancelToken, HttpClient
from explorer.core.models import Exchange, ResolvedRequest
from explorer.core.problems import normalise

__all__ = ["DEVICE_GRANT", "DeviceStart", "GrantSettings", "TokenEndpoint"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
"""The ``grant_type`` of a device-code token request (RFC 8628 §3.4)."""


@dataclass(frozen=True, slots=True)
class GrantSettings:
    """Everything a token request needs, already resolved for one environment."""

    provider: str
    environment: str
    token_url: str
    client_id: str = ""
    client_secret: str = ""
    client_auth: str = "body"  # body | basic, or a method of ``client_auth.METHODS``
    encoding: str = "form"  # form | json
    scope: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    otp_url: str = ""
    otp_param: str = "otp"
    verify_tls: bool = True
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    private_key: str = ""  # private_key_jwt: PEM text or a PEM file's path
    extra: tuple[tuple[str, str], ...] = ()  # audience, resource, extra_params: every request
    fix_credentials: str = "check them with 'api-explorer credentials set'."
    fix_settings: str = "check the provider preset's token settings (encoding, scope, grant)."

    @property
    def who(self) -> str:
        """How messages name the server: the provider and environment, or the token host."""
        return f"{self.provider} ({self.environment})" if self.environment else self.provider


@dataclass(frozen=True, slots=True)
class DeviceStart:
    """A device authorization response (RFC 8628 §3.2); times in seconds."""

    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float


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

    def authorization_code(
        self, code: str, redirect_uri: str, verifier: str, *, cancel: CancelToken | None = None
    ) -> Token:
        """Exchange the code the browser brought back (with the PKCE verifier, when one was
        used: the server checks it against the challenge of the authorization request)."""
        params = {"code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}
        return self._grant("authorization_code", params, cancel, secrets=(code, verifier))

    def device_code(self, device_code: str, *, cancel: CancelToken | None = None) -> Token:
        """One poll of the token endpoint for a device-code grant; ``authorization_pending`` and
        ``slow_down`` come back as a ``TokenError`` with that ``code`` (``device.poll``)."""
        params = {"device_code": device_code}
        token = self._grant(DEVICE_GRANT, params, cancel, secrets=(device_code,), scoped=False)
        return replace(token, grant="device_code")

    def device_authorization(
        self, device_url: str, *, cancel: CancelToken | None = None
    ) -> DeviceStart:
        """Start a device-code grant (RFC 8628 §3.1): the codes to show the user."""
        s = self.settings
        form = add_params_to_qs("", [("scope", s.scope)] if s.scope else [])
        exchange = self._send(self._request(device_url, form, ()), cancel)
        response = exchange.response
        raw = response.body.head(64 * 1024)
        if not response.ok:
            raise self._failure(exchange, "device_code", raw, with_otp=False)
        data = _json_object(raw) or {}
        device, user = data.get("device_code"), data.get("user_code")
        uri = data.get("verification_uri", data.get("verification_url"))
        if not (isinstance(device, str) and isinstance(user, str) and isinstance(uri, str)):
            raise TokenError(
                f"{s.who}'s device authorization endpoint answered {response.status} without "
                "device_code, user_code and verification_uri; check device_url."
            )
        complete = data.get("verification_uri_complete")
        return DeviceStart(
            device,
            user,
            uri,
            complete if isinstance(complete, str) else None,
            _seconds(data.get("expires_in"), 600.0),
            _seconds(data.get("interval"), 5.0),
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
        scoped: bool = True,
    ) -> Token:
        s = self.settings
        if s.scope and scoped:
            params["scope"] = s.scope
        body: str = prepare_token_request(grant_type, **params)
        request = self._request(s.token_url, body, secrets)
        issued = self.clock()
        exchange = self._send(request, cancel)
        return self._read(exchange, grant_type, issued, with_otp)

    def _request(self, url: str, form: str, secrets: tuple[str, ...]) -> ResolvedRequest:
        """A POST of ``form`` (plus the extra parameters) to ``url`` with the client's
        authentication; JSON instead of a form when the preset says so."""
        s = self.settings
        body = add_params_to_qs(form, list(s.extra)) if s.extra else form
        headers: dict[str, str] = {"Content-Type": "application/x-www-form-urlencoded"}
        method = method_of(s.client_auth, s.client_secret)
        headers, body = apply_client_auth(
            method,
            url,
            headers,
            body,
            client_id=s.client_id,
            client_secret=s.client_secret,
            private_key=s.private_key,
        )
        if s.encoding == "json":
            body = json.dumps(dict(parse_qsl(body, keep_blank_values=True)))
            headers["Content-Type"] = "application/json"
        return ResolvedRequest(
            method="POST",
            url=url,
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

    def _send(self, request: ResolvedRequest, cancel: CancelToken | None) -> Exchange:
        try:
            return self.client.send(request, cancel=cancel)
        except TransportError as exc:
            raise TokenError(
                f"The token endpoint of {self.settings.who} could not be reached: {exc}"
            ) from exc

    def _read(self, exchange: Exchange, grant_type: str, issued: float, with_otp: bool) -> Token:
        response = exchange.response
        raw = response.body.head(64 * 1024)
        if response.ok:
            data = _json_object(raw)
            if data is not None and isinstance(data.get("access_token"), str):
                return _token(data, grant_type, issued)
            raise TokenError(
                f"{self.settings.who}'s token endpoint answered {response.status} without an "
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
        who = s.who
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
            f"{_advice(key, grant_type, s)}",
            status=status,
            code=code,
        )


_CLIENT_CODES = frozenset({"invalid_client", "unauthorized_client"})
_CREDENTIAL_CODES = frozenset(
    {"", "invalid_grant", "authentication_failure", "invalid_credentials", "access_denied"}
)


_CODES = {
    "authorization_code": "the authorization code",
    "device_code": "the device code",
    DEVICE_GRANT: "the device code",
    "refresh_token": "the refresh token",
}


def _what(key: str, grant_type: str) -> str:
    if key in _CLIENT_CODES:
        return "the client id or client secret"
    if grant_type in _CODES and key != "invalid_scope":
        return _CODES[grant_type]
    if key in _CREDENTIAL_CODES:
        return "the username or password" if grant_type == "password" else "the client credentials"
    return f"the token request ({key})"


def _advice(key: str, grant_type: str, settings: GrantSettings) -> str:
    if key not in _CLIENT_CODES:
        if grant_type == "refresh_token":
            return "it expired or was revoked, so a new grant is needed."
        if grant_type == "authorization_code":
            return "it expired, was used already or its PKCE verifier did not match; sign in again."
        if grant_type in {"device_code", DEVICE_GRANT}:
            return "it expired or was declined; start the device sign-in again."
    if key in _CLIENT_CODES or key in _CREDENTIAL_CODES:
        return settings.fix_credentials
    return settings.fix_settings


def _seconds(value: object, default: float) -> float:
    """A positive number of seconds from a server's JSON, else ``default``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        number = float(value)
    except ValueError:
        return default
    return number if 0 < number < 86400 else default


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
