"""One table per auth type: its parameters, which of them are secret, their defaults and labels.

Everything that reads or writes auth parameters reads this table: the Auth tab builds its fields
from it, ``registry.build_auth`` validates against it, the importers and exporters map to and
from it, the snippets render it, and a provider's default credential slots come from it. So a
parameter has one name everywhere; API-key auth is ``key`` (the header or query parameter
name), ``value`` (the key itself, usually a ``{{variable}}``) and ``in`` (``header``, ``query`` or
``cookie``), as in Postman and OpenAPI.

A type missing from the table (``ntlm``, ``hawk``, ``oauth1`` ...) is kept exactly as imported
and exported unchanged; sending it is one clear error (``unsupported``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from explorer.core.errors import InvalidRequest

__all__ = [
    "GRANTS",
    "SCHEMA",
    "AuthType",
    "Grant",
    "Param",
    "api_key_from_template",
    "auth_type",
    "is_secret",
    "provider_slots",
    "template_fields",
    "unsupported",
    "validate",
]


@dataclass(frozen=True, slots=True)
class Param:
    """One auth parameter. ``choices`` (when set) are its only valid values."""

    name: str
    label: str
    secret: bool = False
    default: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AuthType:
    """An auth type the app knows. ``editable`` types get input fields in the Auth tab; the
    others are shown read-only with ``note`` and kept as they are."""

    name: str
    label: str
    params: tuple[Param, ...] = ()
    hint: str = ""
    editable: bool = True
    note: str = ""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


_VALUES_HINT = "Values may be {{variables}}; keep secrets in secret variables."
_DIGEST_KEPT = (
    ("realm", "Realm"),
    ("nonce", "Nonce"),
    ("algorithm", "Algorithm"),
    ("qop", "qop"),
    ("nonce_count", "Nonce count"),
    ("client_nonce", "Client nonce"),
    ("opaque", "Opaque"),
)
"""Digest settings an import brings (Postman records the last challenge's): kept so an export
writes them back, never sent, since each challenge brings its own."""
_GRANTS = ("client_credentials", "password", "authorization_code", "device_code", "refresh_token")
"""The OAuth2 grants a request, folder or collection can use (``grant_type``)."""
_CLIENT_AUTH = ("client_secret_basic", "client_secret_post", "private_key_jwt", "none")
"""How an OAuth2 client authenticates at the token endpoint (``client_auth``)."""

SCHEMA: Mapping[str, AuthType] = {
    t.name: t
    for t in (
        AuthType("none", "No auth", hint="Sent without credentials."),
        AuthType(
            "basic",
            "Basic",
            (Param("username", "Username"), Param("password", "Password", secret=True)),
            hint=_VALUES_HINT,
        ),
        AuthType("bearer", "Bearer token", (Param("token", "Token", secret=True),), _VALUES_HINT),
        AuthType(
            "api-key",
            "API key",
            (
                Param("key", "Name", default="X-Api-Key"),
                Param("value", "Value", secret=True),
                Param("in", "Add to", default="header", choices=("header", "query", "cookie")),
            ),
            hint="Sent as the header, query parameter or cookie named here (a cookie joins the "
            "request's Cookie header). " + _VALUES_HINT,
        ),
        AuthType(
            "digest",
            "Digest",
            (
                Param("username", "Username"),
                Param("password", "Password", secret=True),
                *(
                    Param(name, f"{label} (imported; the server's challenge decides)")
                    for name, label in _DIGEST_KEPT
                ),
            ),
            hint="Answers the server's 401 challenge (MD5 or SHA-256, qop auth): the request is "
            "sent, then repeated once with the credentials. " + _VALUES_HINT,
        ),
        AuthType(
            "awsv4",
            "AWS Signature V4",
            (
                Param("access_key", "Access key ID"),
                Param("secret_key", "Secret access key", secret=True),
                Param("session_token", "Session token (temporary credentials only)", secret=True),
                Param("region", "Region", default="us-east-1"),
                Param("service", "Service (execute-api, s3 ...)"),
            ),
            hint="Each request is signed when it is sent (the body too; S3 also gets "
            "x-amz-content-sha256). " + _VALUES_HINT,
        ),
        AuthType(
            "oauth2",
            "OAuth2",
            (
                Param("grant_type", "Grant type", default="client_credentials", choices=_GRANTS),
                Param("issuer", "Issuer (OpenID Connect discovery)"),
                Param("auth_url", "Authorization URL"),
                Param("token_url", "Token URL"),
                Param("device_url", "Device authorization URL"),
                Param("redirect_uri", "Redirect URI", default="http://127.0.0.1/callback"),
                Param("scope", "Scope"),
                Param("audience", "Audience"),
                Param("resource", "Resource"),
                Param("client_id", "Client ID"),
                Param("client_secret", "Client secret", secret=True),
                Param(
                    "client_auth",
                    "Client authentication",
                    default="client_secret_basic",
                    choices=_CLIENT_AUTH,
                ),
                Param("private_key", "Private key (PEM or file)", secret=True),
                Param("pkce", "PKCE", default="S256", choices=("S256", "off")),
                Param("username", "Username"),
                Param("password", "Password", secret=True),
                Param("access_token", "Access token", secret=True),
                Param("refresh_token", "Refresh token", secret=True),
                Param("header_prefix", "Header prefix", default="Bearer"),
                Param(
                    "add_token_to", "Add token to", default="header", choices=("header", "query")
                ),
                Param("extra_params", "Extra token parameters (a=b&c=d)"),
            ),
            hint="Tokens are fetched, refreshed and kept in the OS keyring by API Explorer; "
            "authorization code and device code need 'Get token' (or 'api-explorer login') "
            "once. Endpoints left empty come from the issuer's OpenID configuration. "
            + _VALUES_HINT,
        ),
    )
}

#: Names that hold secrets in auth types the table does not describe (moved to secret
#: variables on import, masked in history).
_UNKNOWN_SECRETS = frozenset(
    {
        "password",
        "token",
        "value",
        "client_secret",
        "access_token",
        "refresh_token",
        "secretKey",
        "secretAccessKey",
        "clientSecret",
        "clientToken",
        "accessToken",
        "sessionToken",
        "consumerSecret",
        "tokenSecret",
        "privateKey",
        "authKey",
    }
)
"""Secret parameters of the auth types the app keeps but cannot send (hawk, oauth1, ntlm ...),
by the names Postman and the importers give them."""


def auth_type(name: str) -> AuthType | None:
    return SCHEMA.get(name)


def is_secret(kind: str, param: str) -> bool:
    """Whether ``param`` of a ``kind`` auth holds a secret."""
    known = SCHEMA.get(kind)
    if known is None:
        return param in _UNKNOWN_SECRETS
    found = known.param(param)
    return found is not None and found.secret


def unsupported(kind: str) -> str:
    """The one sentence for an auth type the app keeps but cannot send."""
    return (
        f"API Explorer cannot send {kind} auth yet; it is kept as imported and exported unchanged."
    )


def validate(kind: str, params: Mapping[str, str]) -> dict[str, str]:
    """``params`` of a ``kind`` auth checked against the table, defaults filled in; an unknown
    type, an unknown parameter of an editable type or a value outside ``choices`` is one
    ``InvalidRequest``. A read-only type (OAuth2) keeps whatever else it was imported with."""
    known = SCHEMA.get(kind)
    if known is None:
        raise InvalidRequest(unsupported(kind))
    names = {p.name for p in known.params}
    extra = sorted(set(params) - names)
    if extra and known.editable:
        allowed = ", ".join(p.name for p in known.params) or "none"
        raise InvalidRequest(
            f"{known.label} auth has no parameter {', '.join(extra)}; its parameters are {allowed}."
        )
    checked = {p.name: params.get(p.name, p.default) for p in known.params}
    for p in known.params:
        if p.choices and checked[p.name] not in p.choices:
            raise InvalidRequest(
                f"{known.label} auth: '{p.name}' must be {' or '.join(p.choices)}, "
                f"not '{checked[p.name]}'."
            )
    return checked


@dataclass(frozen=True, slots=True)
class Grant:
    """A provider's OAuth2 grant: ``grant_type`` as sent to the token endpoint, ``mode`` as the
    ``TokenManager`` runs it (a refresh-only credential never falls back to a full grant)."""

    grant_type: str
    mode: str


#: Provider ``auth.kind`` → its OAuth2 grant; the one map the session and the snippets read.
GRANTS: Mapping[str, Grant] = {
    "oauth2-password": Grant("password", "password"),
    "oauth2-client-credentials": Grant("client_credentials", "client_credentials"),
    "oauth2-refresh-only": Grant("refresh_token", "refresh_only"),
}

_PROVIDER_SLOTS: Mapping[str, tuple[str, ...]] = {
    "oauth2-password": ("username", "password", "client_id", "client_secret"),
    "oauth2-client-credentials": ("client_id", "client_secret"),
    "oauth2-refresh-only": ("client_id", "client_secret", "refresh_token"),
    "basic": ("username", "password"),
    "bearer": ("static_token",),
}


def template_fields(template: str) -> tuple[str, ...]:
    """The ``{name}`` fields of a provider's API-key template (``ApiKey {username}:{password}``)."""
    return tuple(f for _, f, _, _ in string.Formatter().parse(template) if f)


def provider_slots(kind: str, api_key_format: str = "{api_key}") -> tuple[str, ...]:
    """The credential slots a provider auth ``kind`` needs when its preset lists none."""
    if kind == "api-key":
        return template_fields(api_key_format)
    return _PROVIDER_SLOTS.get(kind, ())


def api_key_from_template(
    header: str, query: str, template: str, credentials: Mapping[str, str]
) -> dict[str, str]:
    """A provider preset's API-key template (``api_key_header`` / ``api_key_query`` /
    ``api_key_format``) filled from its stored credentials, as canonical api-key params."""
    names = template_fields(template)
    missing = [name for name in names if not credentials.get(name)]
    if missing:
        raise InvalidRequest(
            f"The provider's API key format '{template}' needs {', '.join(missing)}; store "
            f"{'it' if len(missing) == 1 else 'them'} with 'api-explorer credentials set'."
        )
    value = template.format_map({name: credentials[name] for name in names})
    if query:
        return {"key": query, "value": value, "in": "query"}
    return {"key": header or "Authorization", "value": value, "in": "header"}
