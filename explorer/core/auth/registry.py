"""Auth types by their on-disk name, each yielding a ``requests.auth.AuthBase`` (HTTPie's model).

A request file or provider preset names its auth (``none``, ``basic``, ``bearer``, ``api-key``,
``oauth2``) and gives parameters; ``build_auth`` turns that into the object ``HttpClient.send``
applies. OAuth2 refresh lives in the ``TokenManager`` behind the ``oauth2`` entry, never in the UI.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from explorer.core.auth.manager import TokenManager
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
    """A key in a header (with a template such as ``ApiKey {username}:{password}``) or in the
    query string (APIM's ``subscription-key``)."""

    def __init__(self, value: str, *, header: str = "Authorization", query: str = "") -> None:
        self.value = value
        self.header = header
        self.query = query

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.query:
            parts = urlsplit(r.url or "")
            pairs = [
                (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != self.query
            ]
            pairs.append((self.query, self.value))
            r.url = urlunsplit(parts._replace(query=urlencode(pairs)))
        else:
            r.headers[self.header] = self.value
        return r


class OAuth2Auth(AuthBase):
    """Asks the token manager for a fresh token on every request (refreshing when needed)."""

    def __init__(self, manager: TokenManager) -> None:
        self.manager = manager

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self.manager.token()
        return BearerAuth(token.access_token, token.token_type)(r)


def format_api_key(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{name}`` fields of ``template``; a missing value is one clear error."""
    names = [field for _, field, _, _ in string.Formatter().parse(template) if field]
    missing = [name for name in names if not values.get(name)]
    if missing:
        raise InvalidRequest(
            f"The API key format '{template}' needs {', '.join(missing)}; store "
            f"{'it' if len(missing) == 1 else 'them'} with 'api-explorer credentials set'."
        )
    return template.format_map({name: values[name] for name in names})


AuthFactory = Callable[[Mapping[str, str], TokenManager | None], AuthBase]


def _basic(params: Mapping[str, str], _: TokenManager | None) -> AuthBase:
    return HTTPBasicAuth(params.get("username", ""), params.get("password", ""))


def _bearer(params: Mapping[str, str], _: TokenManager | None) -> AuthBase:
    token = params.get("token") or params.get("static_token") or ""
    if not token:
        raise InvalidRequest("Bearer auth has no token; set one or store 'static_token'.")
    return BearerAuth(token, params.get("scheme", "Bearer"))


def _api_key(params: Mapping[str, str], _: TokenManager | None) -> AuthBase:
    value = format_api_key(params.get("format", "{api_key}"), params)
    return ApiKeyAuth(
        value, header=params.get("header") or "Authorization", query=params.get("query", "")
    )


def _oauth2(_: Mapping[str, str], manager: TokenManager | None) -> AuthBase:
    if manager is None:
        raise InvalidRequest("OAuth2 auth needs a provider; pass --provider and --env.")
    return OAuth2Auth(manager)


AUTH_TYPES: dict[str, AuthFactory] = {
    "none": lambda params, manager: NoAuth(),
    "basic": _basic,
    "bearer": _bearer,
    "api-key": _api_key,
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
    factory = AUTH_TYPES.get(registry_key(auth_type))
    if factory is None:
        known = ", ".join(sorted(AUTH_TYPES))
        raise InvalidRequest(f"Unknown auth type '{auth_type}'; use one of {known}.")
    return factory(params, manager)


def explicit_auth(auth: AuthSpec | None) -> AuthBase | None:
    """The auth a request sets itself (basic, bearer, api-key ...), for a request sent without
    a provider; ``None`` or ``inherit`` sends none."""
    if auth is None or auth.type == "inherit":
        return None
    return build_auth(auth.type, dict(auth.params))
