"""Auth types by their on-disk name, each yielding a ``requests.auth.AuthBase`` (HTTPie's model).

A request file or provider preset names its auth (``none``, ``basic``, ``bearer``, ``api-key``,
``oauth2``) and gives parameters named as in ``schema``; ``build_auth`` checks them against it
and turns them into the object ``HttpClient.send`` applies. OAuth2 refresh lives in the
``TokenManager`` behind the ``oauth2`` entry, never in the UI.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from explorer.core.auth.manager import TokenManager
from explorer.core.auth.schema import unsupported, validate
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
    """A key in the header named ``key`` or, with ``where="query"``, in the query parameter
    named ``key`` (APIM's ``subscription-key``), replacing one already there."""

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
        else:
            r.headers[self.key] = self.value
        return r


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
