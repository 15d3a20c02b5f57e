"""Provider profiles: what a vendor's API needs, declared as data (no per-vendor code).

A profile says how to authenticate (auth kind, token endpoint, encoding, client auth, extra
headers, refresh rules), which credential slots exist (values live in the keyring, never here),
the environments with their base URLs and variables, rate limits, and how errors and envelopes
look. Built-in profiles are YAML files in ``resources/providers/``; user-defined ones live in
``<workspace>/providers/`` with the same schema (see ``docs/providers.md``).

Values may contain ``{{variables}}``: environment variables, credential slots (``{{client_id}}``,
``{{username}}`` ...; secret slots are masked wherever they end up) and dynamic values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from explorer.core.models import RequestSpec
from explorer.core.tls import TlsFiles

AUTH_KINDS = (
    "oauth2",
    "oauth2-password",
    "oauth2-client-credentials",
    "oauth2-refresh-only",
    "api-key",
    "basic",
    "bearer",
    "none",
)

SECRET_SLOTS = frozenset(
    {
        "password",
        "client_secret",
        "api_key",
        "static_token",
        "subscription_key",
        "refresh_token",
        "private_key",
    }
)

OAUTH2_SETTINGS = (
    "grant_type",
    "issuer",
    "auth_url",
    "token_url",
    "device_url",
    "redirect_uri",
    "scope",
    "audience",
    "resource",
    "client_id",
    "client_auth",
    "pkce",
    "header_prefix",
    "add_token_to",
    "extra_params",
)
"""The request-level OAuth2 parameters (``auth.schema`` ``oauth2``) a preset of kind ``oauth2``
sets; the secret ones (client secret, private key, password, refresh token) are credential slots."""


@dataclass(frozen=True, slots=True)
class CredentialSlot:
    """A credential the user provides. ``secret`` ones go to the keyring only."""

    name: str
    label: str = ""
    secret: bool = False
    optional: bool = False


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``requests`` per ``per_seconds``, counted per ``scope`` (client, user, company)."""

    requests: int
    per_seconds: float
    scope: str = "client"
    status: int = 429
    retry_after: bool = True


@dataclass(frozen=True, slots=True)
class OtpStep:
    """A one-time-password step before the token grant (Procode ``SendOTP``)."""

    send_url: str
    otp_param: str = "otp"


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """How to authenticate to one provider; templates are resolved per environment."""

    kind: str = "none"
    token_url: str = ""
    client_id: str = ""
    scope: str = ""
    token_request: str = "form"  # noqa: S105 - form | json, not a secret
    client_auth: str = "body"  # body | basic
    token_headers: tuple[tuple[str, str], ...] = ()
    extra_headers: tuple[tuple[str, str], ...] = ()
    api_key_header: str = "Authorization"
    api_key_query: str = ""
    api_key_format: str = "{api_key}"
    refresh_rotates: bool | None = None
    refresh_after_expiry: bool = True
    token_rate_limit: RateLimit | None = None
    otp: OtpStep | None = None
    skew_seconds: float = 30.0
    skew_fraction: float = 0.1
    credentials: tuple[CredentialSlot, ...] = ()
    #: Kind ``oauth2``: the ``OAUTH2_SETTINGS`` the preset gives (templates), sent through the
    #: request-level OAuth2 engine (``auth.oauth_request``).
    oauth2: tuple[tuple[str, str], ...] = ()

    def oauth2_setting(self, name: str, default: str = "") -> str:
        """One ``oauth2`` setting as the preset wrote it, else ``default``."""
        return next((value for key, value in self.oauth2 if key == name), default)


@dataclass(frozen=True, slots=True)
class Environment:
    """One deployment of the vendor's API. ``sandbox`` marks the embedded simulator's, whose base
    URL is only known once the simulator runs (``{{sandbox_url}}`` in the preset)."""

    name: str
    base_url: str
    live: bool = False
    sandbox: bool = False
    variables: Mapping[str, str] = field(default_factory=dict)
    secret_variables: tuple[str, ...] = ()
    token_url: str | None = None
    #: Further origins (``https://host[:port]``) that may receive the provider's credentials,
    #: beside the base URL's and the token URL's; may use ``{{variables}}``.
    origins: tuple[str, ...] = ()
    notes: str = ""
    #: CA bundle and client certificate for the API and token calls (``explorer.core.tls``);
    #: the workspace's saved values of the environment override them.
    tls: TlsFiles = field(default_factory=TlsFiles)


@dataclass(frozen=True, slots=True)
class ProviderProfile:
    id: str
    name: str
    docs_url: str = ""
    notes: str = ""
    auth: AuthConfig = field(default_factory=AuthConfig)
    rate_limits: tuple[RateLimit, ...] = ()
    environments: tuple[Environment, ...] = ()
    error_model: str = "generic"
    envelope: str = "none"
    paging: str = "none"
    builtin: bool = True
    source: str = ""
    #: What plain HTTP does at the real vendor (e.g. "400 Bad Request"); "" when unknown.
    plain_http: str = ""
    min_tls: str = ""
    #: Behaviours PROVIDERS.md marks GUESS; the UI shows them with a "guessed" badge.
    guesses: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    #: Representative requests (``{{base_url}}`` URLs) that ``--demo`` opens as a collection.
    samples: tuple[RequestSpec, ...] = ()

    def environment(self, name: str) -> Environment | None:
        lowered = name.lower()
        for env in self.environments:
            if env.name.lower() == lowered:
                return env
        return None


def credential_slots(auth: AuthConfig) -> tuple[CredentialSlot, ...]:
    """The slots a provider's auth stores: the preset's list, else what its kind needs
    (``auth.schema.provider_slots``); client id and secret are optional there."""
    if auth.credentials:
        return auth.credentials
    from explorer.core.auth.schema import provider_slots

    optional = {"client_id", "client_secret"}
    names = _oauth2_slots(auth) if auth.kind == "oauth2" else None
    return tuple(
        CredentialSlot(name, secret=name in SECRET_SLOTS, optional=name in optional)
        for name in names or provider_slots(auth.kind, auth.api_key_format)
    )


def _oauth2_slots(auth: AuthConfig) -> tuple[str, ...]:
    """Kind ``oauth2``: the client, plus what its grant and client authentication need."""
    grant = auth.oauth2_setting("grant_type", "client_credentials")
    names = ["client_id", "client_secret"]
    if grant == "password":
        names = ["username", "password", *names]
    elif grant == "refresh_token":
        names.append("refresh_token")
    if auth.oauth2_setting("client_auth") == "private_key_jwt":
        names[names.index("client_secret")] = "private_key"
    return tuple(names)
