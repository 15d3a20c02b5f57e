"""Auth types by their on-disk name, each yielding a ``requests.auth.AuthBase`` (HTTPie's model).

A request file or provider preset names its auth (``none``, ``basic``, ``bearer``, ``api-key``,
``digest``, ``awsv4``, ``oauth2``) and gives parameters named as in ``schema``; ``build_auth``
checks them against it and turns them into the object ``HttpClient.send`` applies. OAuth2
refresh lives in the ``TokenManager`` behind the ``oauth2`` entry, never in the UI.

Digest is requests' ``HTTPDigestAuth``: its response hook answers the 401 challenge inside
``Session.send``, which ``HttpClient`` calls for every hop, so the window, ``send`` and ``run``
get the round trip unchanged. AWS Signature V4 is ``sigv4.SigV4Auth``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from explorer.core.auth.manager import TokenManager
from explorer.core.auth.schema import unsupported, validate
from explorer.core.auth.sigv4 import AwsCredentials, SigV4Auth
from explorer.core.errors import InvalidRequest
from explorer.core.models import AuthSpec

__all__ = [
    "AUTH_TYPES",
    "ApiKeyAuth",
    "BearerAuth",
    "NoAuth",
    "OAuth2Auth",
    "build_auth",
    "registry_key",
    "with_cookie",
    "without_cookie",
]


class NoAuth(AuthBase):
    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        return r


class BearerAuth(AuthBase):
    """``Authorization: Bearer <token>`` (a static token, e.g. PCE's out-of-band ones)."""

    def __init__(self, token: str, scheme: str = "Bearer") -> None:
        self.token = token
        self.scheme = "Bearer" if scheme.lower() == "bearer" else scheme

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"{self.scheme} {self.token}"
        return r


class ApiKeyAuth(AuthBase):
    """A key in the header named ``key``; with ``where="query"`` in the query parameter named
    ``key`` (APIM's ``subscription-key``); with ``where="cookie"`` as the cookie ``key`` at the
    end of the Cookie header. Each replaces a value of that name already there."""

    def __init__(self, key: str, value: str, where: str = "header") -> None:
        self.key = key
        self.value = value
        self.where = where

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.where == "query":
            parts = urlsplit(r.url or "")
            pairs = [
                (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != self.key
            ]
            pairs.append((self.key, self.value))
            r.url = urlunsplit(parts._replace(query=urlencode(pairs)))
        elif self.where == "cookie":
            r.headers["Cookie"] = with_cookie(r.headers.get("Cookie"), self.key, self.value)
        else:
            r.headers[self.key] = self.value
        return r


def without_cookie(header: str, name: str) -> str:
    """The Cookie header ``header`` without the cookie ``name``; the other pairs as written."""
    pieces = [p for p in header.split(";") if p.strip() and p.split("=", 1)[0].strip() != name]
    return ";".join(pieces).strip()


def with_cookie(header: str | bytes | None, name: str, value: str) -> str:
    """``header`` (a Cookie header or None) with the cookie ``name`` set to ``value``: one of
    that name removed, the new one last after ``; `` (how ``HttpClient`` joins Cookie headers)."""
    text = header.decode("latin-1") if isinstance(header, bytes) else header or ""
    return "; ".join(p for p in (without_cookie(text, name), f"{name}={value}") if p)


class OAuth2Auth(AuthBase):
    """Asks the token manager for a fresh token on every request (refreshing when needed)."""

    def __init__(self, manager: TokenManager) -> None:
        self.manager = manager

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self.manager.token()
        return BearerAuth(token.access_token, token.token_type)(r)


AuthFactory = Callable[[Mapping[str, str], TokenManager | None], AuthBase]


def _basic(params: Mapping[str, str], _: TokenManager | None) -> AuthBase:
    return HTTPBasicAuth(params.get("username", ""), params.get("password", ""))


def _bearer(params: Mapping[str, str], _: TokenManager | None) -> AuthBase:
    if not params["token"]:
        raise InvalidRequest("Bearer auth has no token; enter one or a {{variable}} that holds it.")
    return BearerAuth(params["token"])


def _api_key(params: Mapping[str, str], _: TokenManager | None) -> AuthBase:
    if not params["key"]:
        raise InvalidRequest(
            f"API-key auth has no name; enter the {params['in']} name the API expects."
        )
    if not params["value"]:
        raise InvalidRequest(
            f"API-key auth ({params['in']} {params['key']}) has no value; enter the key or a "
            "{{variable}} that holds it (a variable, a secret variable or --var NAME=VALUE)."
        )
    return ApiKeyAuth(params["key"], params["value"], params["in"])


def _digest(params: Mapping[str, str], _: TokenManager | None) -> AuthBase:
    if not params["username"]:
        raise InvalidRequest(
            "Digest auth has no username; enter one or a {{variable}} that holds it."
        )
    return HTTPDigestAuth(params["username"], params["password"])


def _awsv4(params: Mapping[str, str], _: TokenManager | None) -> AuthBase:
    if not params["access_key"] or not params["secret_key"]:
        missing = "access key ID" if not params["access_key"] else "secret access key"
        raise InvalidRequest(
            f"AWS Signature auth has no {missing}; enter it or a {{{{variable}}}} that holds it "
            "(a variable, a secret variable or --var NAME=VALUE)."
        )
    if not params["region"] or not params["service"]:
        raise InvalidRequest(
            "AWS Signature auth needs the region (such as us-east-1) and the service (such as "
            "execute-api or s3) the request goes to."
        )
    creds = AwsCredentials(
        params["access_key"],
        params["secret_key"],
        params["region"],
        params["service"],
        params["session_token"],
    )
    return SigV4Auth(creds)


def _oauth2(_: Mapping[str, str], manager: TokenManager | None) -> AuthBase:
    """A token manager's token. OAuth2 set on a request is sent with the token of its own
    identity (``oauth_request.RequestTokens``: by the workbench without a provider, by the
    provider's ``ApiSession`` inside its collection), never built here without a manager."""
    if manager is None:
        raise InvalidRequest(
            "OAuth2 auth needs its token engine to be sent; send it with the window, "
            "'api-explorer send' or 'api-explorer run', which get and refresh its token."
        )
    return OAuth2Auth(manager)


AUTH_TYPES: dict[str, AuthFactory] = {
    "none": lambda params, manager: NoAuth(),
    "basic": _basic,
    "bearer": _bearer,
    "api-key": _api_key,
    "digest": _digest,
    "awsv4": _awsv4,
    "oauth2": _oauth2,
}

_KINDS = {
    "oauth2-password": "oauth2",
    "oauth2-client-credentials": "oauth2",
    "oauth2-refresh-only": "oauth2",
}


def registry_key(kind: str) -> str:
    """The registry entry for a provider's ``auth.kind`` (``oauth2-password`` → ``oauth2``)."""
    return _KINDS.get(kind, kind)


def build_auth(
    auth_type: str, params: Mapping[str, str], *, manager: TokenManager | None = None
) -> AuthBase:
    """The auth object for ``auth_type`` (a request's type or a provider's ``auth.kind``), its
    parameters validated against ``schema``; an unknown type is ``schema.unsupported``."""
    kind = registry_key(auth_type)
    factory = AUTH_TYPES.get(kind)
    if factory is None:
        raise InvalidRequest(unsupported(auth_type))
    return factory(validate(kind, params), manager)


def explicit_auth(auth: AuthSpec | None) -> AuthBase | None:
    """The auth a request sets itself (basic, bearer, api-key ...), for a request sent without
    a provider; ``None`` or ``inherit`` sends none."""
    if auth is None or auth.type == "inherit":
        return None
    return build_auth(auth.type, dict(auth.params))
