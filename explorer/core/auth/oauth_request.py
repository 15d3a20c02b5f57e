"""OAuth2 set on a request, folder or collection, sent without a provider preset.

The auth's parameters (``schema`` ``oauth2``), once their variables are filled in, are an
``OAuthConfig``. ``RequestTokens`` (one per ``Workbench``) gives each identity one
``TokenManager`` from the workbench's ``TokenRegistry`` (key: workspace + a digest of what
identifies the identity, secrets hashed into it, never stored in it), so request-level OAuth2
has the provider lifecycle: skew, single flight, 401 → one refresh → one replay, rotated refresh
tokens kept. Tokens live in the credential store under ``CredentialKey(workspace,
"oauth2:<digest>", "", "access_token" | "refresh_token")``, never in files; a send without a
usable keyring keeps them in memory (a CI run with client credentials must not fail for want of
one), a sign-in (``login``) refuses to run without one.

Empty endpoints come from the issuer's OpenID configuration (``discovery``). Interactive grants
(authorization code: ``loopback``; device code: ``device``) run through the front end's
``Interaction``; without one they raise ``InteractionRequired``, whose sentence names
``api-explorer login``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl, urlsplit

from requests.auth import AuthBase

from explorer.core.auth.discovery import Endpoints, discover
from explorer.core.auth.grants import GrantSettings, TokenEndpoint
from explorer.core.auth.jwt import decode_jwt
from explorer.core.auth.manager import INTERACTIVE, Credentials, TokenManager, TokenRegistry
from explorer.core.auth.registry import ApiKeyAuth
from explorer.core.auth.schema import validate
from explorer.core.auth.tokens import (
    Interaction,
    InteractionRequired,
    Token,
    TokenEvent,
    token_from_json,
    token_to_json,
)
from explorer.core.credentials import CredentialKey, CredentialStore, KeyringUnavailable
from explorer.core.errors import InvalidRequest
from explorer.core.models import Exchange, FileBody, ResolvedRequest
from explorer.core.redaction import remember
from explorer.core.tls import TlsFiles

if TYPE_CHECKING:
    from http.cookiejar import CookieJar

    from explorer.core.http.client import CancelToken, HttpClient, ProgressCallback

__all__ = ["OAuthConfig", "OAuthSent", "OAuthUse", "RequestTokens", "TokenStatus"]

ACCESS_SLOT: Final = "access_token"
REFRESH_SLOT: Final = "refresh_token"
_SECRET_FIELDS: Final = (
    "client_secret",
    "private_key",
    "password",
    "access_token",
    "refresh_token",
)
_IDENTITY_FIELDS: Final = (
    "grant",
    "issuer",
    "token_url",
    "auth_url",
    "device_url",
    "client_id",
    "client_auth",
    "scope",
    "audience",
    "resource",
    "username",
    "extra_params",
)
_ENDPOINT_OF: Final = {
    "authorization_code": "auth_url",
    "device_code": "device_url",
}


@dataclass(frozen=True, slots=True)
class OAuthConfig:
    """An OAuth2 auth with its variables filled in; secrets are left out of ``repr``."""

    grant: str
    issuer: str = ""
    auth_url: str = ""
    token_url: str = ""
    device_url: str = ""
    redirect_uri: str = ""
    scope: str = ""
    audience: str = ""
    resource: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    client_auth: str = "client_secret_basic"
    private_key: str = field(default="", repr=False)
    pkce: str = "S256"
    username: str = ""
    password: str = field(default="", repr=False)
    access_token: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    header_prefix: str = "Bearer"
    add_token_to: str = "header"  # noqa: S105 - where the token goes, not a secret
    extra_params: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> OAuthConfig:
        """The auth's parameters checked against the schema (defaults filled in)."""
        checked = validate("oauth2", params)
        names = {f.name for f in fields(cls)} - {"grant"}
        config = cls(grant=checked["grant_type"], **{n: checked[n] for n in names})
        config.extra()  # a malformed extra_params is reported before anything is sent
        return config

    @property
    def static(self) -> bool:
        """A token given as it is, with nowhere to get another: sent like a bearer token."""
        return bool(self.access_token) and not (self.token_url or self.issuer)

    @property
    def interactive(self) -> bool:
        return self.grant in INTERACTIVE

    def identity(self) -> str:
        """What tells one identity from another, hashed: the key of its token manager and of
        its stored tokens. Secret values enter only as their own hashes."""
        parts = [str(getattr(self, name)) for name in _IDENTITY_FIELDS]
        parts += [hashlib.sha256(getattr(self, n).encode()).hexdigest() for n in _SECRET_FIELDS]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]

    def extra(self) -> tuple[tuple[str, str], ...]:
        """``audience``, ``resource`` and ``extra_params`` (``a=b&c=d``): sent with every token
        request."""
        pairs = [(k, v) for k, v in (("audience", self.audience), ("resource", self.resource)) if v]
        if self.extra_params.strip():
            try:
                pairs += parse_qsl(self.extra_params.strip(), strict_parsing=True)
            except ValueError as exc:
                raise InvalidRequest(
                    f"OAuth2 extra_params '{self.extra_params}' is not a=b&c=d."
                ) from exc
        return tuple(pairs)

    def secrets(self) -> frozenset[str]:
        return frozenset(v for v in (getattr(self, n) for n in _SECRET_FIELDS) if v)

    def with_endpoints(self, found: Endpoints) -> OAuthConfig:
        """Empty endpoints filled from the issuer's configuration."""
        return replace(
            self,
            auth_url=self.auth_url or found.authorization_endpoint,
            token_url=self.token_url or found.token_endpoint,
            device_url=self.device_url or found.device_authorization_endpoint,
        )

    def missing(self) -> list[str]:
        """The parameters this grant needs and does not have (endpoints: after discovery)."""
        return [name for name in self._needed() if not getattr(self, name)]

    def check(self) -> None:
        """One sentence naming what this grant still needs (after discovery)."""
        missing = self.missing()
        if not missing:
            return
        named = [
            f"{n} (or issuer)" if n.endswith("_url") and not self.issuer else n for n in missing
        ]
        which = "it" if len(missing) == 1 else "them"
        raise InvalidRequest(
            f"OAuth2 {self.grant.replace('_', ' ')} auth needs {', '.join(named)}; fill {which} "
            f"in the Auth tab (a {{{{variable}}}} may hold {which})."
        )

    def _needed(self) -> list[str]:
        needed = ["token_url"]
        endpoint = _ENDPOINT_OF.get(self.grant)
        if endpoint is not None:
            needed.append(endpoint)
        if self.grant == "password":
            needed += ["username", "password"]
        elif self.grant == "refresh_token":
            needed.append("refresh_token")
        if self.grant != "password" or self.client_auth == "private_key_jwt":
            needed.append("client_id")
        if self.client_auth == "private_key_jwt":
            needed.append("private_key")
        elif self.grant == "client_credentials" and self.client_auth != "none":
            needed.append("client_secret")
        return needed


@dataclass(frozen=True, slots=True)
class TokenStatus:
    """What the Auth tab shows for an OAuth2 auth: ``state`` is ``none`` (no token yet),
    ``valid`` or ``expired`` (the next send refreshes it); ``token`` for the inspector."""

    state: str
    expires_at: float | None = None
    has_refresh_token: bool = False
    token: Token | None = None


@dataclass(frozen=True, slots=True)
class OAuthSent:
    """A request sent with a request-level OAuth2 token."""

    exchange: Exchange
    events: tuple[TokenEvent, ...]
    notes: tuple[str, ...]
    secrets: frozenset[str]
    attempts: int


@dataclass(frozen=True, slots=True)
class OAuthUse:
    """An identity ready for a sender with its own loop (a provider's session: limiter, 429
    retries): its shared ``manager`` (None for a token given as it is) and its secrets."""

    config: OAuthConfig
    manager: TokenManager | None
    secrets: frozenset[str]

    def token(self, cancel: CancelToken | None = None) -> Token:
        """The token to send now: the manager's (refreshed when due), or the given one."""
        if self.manager is None:
            return Token(self.config.access_token)
        return self.manager.token(cancel)

    def auth(self, token: Token) -> AuthBase:
        """``token`` placed as the auth says: ``Authorization: <prefix> <token>`` or the query
        parameter ``access_token``."""
        if self.config.add_token_to == "query":  # noqa: S105 - a place, not a secret
            return ApiKeyAuth("access_token", token.access_token, "query")
        value = f"{self.config.header_prefix} {token.access_token}".lstrip()
        return ApiKeyAuth("Authorization", value, "header")


class RequestTokens:
    """The token managers, stored tokens and discovered endpoints of request-level OAuth2 for
    one workspace; thread-safe. ``interaction`` None is headless (``send``, ``run``)."""

    def __init__(
        self,
        *,
        store: CredentialStore,
        workspace_id: str,
        client: HttpClient,
        registry: TokenRegistry,
        interaction: Interaction | None = None,
        clock: Callable[[], float] = time.time,
        slow_down_step: float = 5.0,
    ) -> None:
        self.store = store
        self.workspace_id = workspace_id
        self.client = client
        self.registry = registry
        self.interaction = interaction
        self.clock = clock
        self.slow_down_step = slow_down_step
        self._discovered: dict[str, Endpoints] = {}
        self._discovery = threading.Lock()

    # -- what the window and ``login`` call ---------------------------------------------------

    def manager(
        self,
        params: Mapping[str, str],
        cancel: CancelToken | None = None,
        tls: TlsFiles | None = None,
    ) -> TokenManager:
        """The identity's shared manager (discovery on first use: network); its token calls
        present ``tls`` (the request's client certificate and CA bundle)."""
        config = OAuthConfig.from_params(params)
        return self._manager(config, self._settled(config, cancel), tls)

    def login(
        self,
        params: Mapping[str, str],
        interaction: Interaction,
        cancel: CancelToken | None = None,
        tls: TlsFiles | None = None,
    ) -> Token:
        """Get a token now (the browser or device sign-in for interactive grants, the grant
        itself for the others) and keep it in the credential store; every later send of the
        same identity, in any process of this workspace, uses and refreshes it."""
        config = OAuthConfig.from_params(params)
        settled = self._settled(config, cancel)
        manager = self._manager(config, settled, tls)
        if config.interactive:
            token = self._sign_in(settled, manager.endpoint, interaction, cancel)
        else:
            manager.forget()
            token = manager.token(cancel)
        self._keep(config, token, strict=True)
        manager.adopt(token)
        return token

    def forget(self, params: Mapping[str, str]) -> None:
        """Drop the identity's tokens, in memory and in the credential store ("Forget token")."""
        config = OAuthConfig.from_params(params)
        key = self._registry_key(config, None)[:3]
        self.registry.drop_matching(lambda k: isinstance(k, tuple) and k[:3] == key)
        for slot in (ACCESS_SLOT, REFRESH_SLOT):
            self.store.delete(self._key(config, slot))

    def status(self, params: Mapping[str, str]) -> TokenStatus:
        """The identity's token as the Auth tab shows it (reads the credential store)."""
        config = OAuthConfig.from_params(params)
        token = self._current(config)
        has_refresh = bool(self._read(config, REFRESH_SLOT) or config.refresh_token)
        if token is None:
            return TokenStatus("none", has_refresh_token=has_refresh)
        expired = token.expires_at is not None and token.expires_at <= self.clock()
        return TokenStatus("expired" if expired else "valid", token.expires_at, has_refresh, token)

    def use(
        self,
        params: Mapping[str, str],
        cancel: CancelToken | None = None,
        tls: TlsFiles | None = None,
    ) -> OAuthUse:
        """The identity of ``params`` for a sender that runs its own loop (discovery on first
        use: network); its secrets are remembered for redaction."""
        config = OAuthConfig.from_params(params)
        remember(config.secrets())
        if config.static:
            return OAuthUse(config, None, config.secrets())
        manager = self._manager(config, self._settled(config, cancel), tls)
        return OAuthUse(config, manager, config.secrets())

    # -- sending -------------------------------------------------------------------------------

    def send(
        self,
        resolved: ResolvedRequest,
        params: Mapping[str, str],
        *,
        cancel: CancelToken | None = None,
        on_progress: ProgressCallback | None = None,
        tls: TlsFiles | None = None,
        jar: CookieJar | None = None,
    ) -> OAuthSent:
        """Send ``resolved`` with the identity's token; after a 401, refresh and replay once.
        ``tls`` (the request's client certificate and CA bundle) is presented by the API call
        and the token calls alike; ``jar`` (the environment's cookies) goes with the API call
        only."""
        use = self.use(params, cancel, tls)
        client = self._client(tls)
        secrets = resolved.secrets | use.secrets
        manager = use.manager
        if manager is None:
            exchange = client.send(
                resolved,
                auth=use.auth(use.token()),
                cancel=cancel,
                on_progress=on_progress,
                jar=jar,
            )
            return OAuthSent(exchange, (), (), secrets, 1)
        events: list[TokenEvent] = []
        unsubscribe = manager.subscribe(events.append)
        notes: list[str] = []
        attempts = 0
        try:
            while True:
                token = manager.token(cancel)
                secrets |= token.secrets()
                exchange = client.send(
                    resolved, auth=use.auth(token), cancel=cancel, on_progress=on_progress, jar=jar
                )
                attempts += 1
                if exchange.response.status != 401 or attempts > 1:
                    break
                if isinstance(resolved.body, FileBody):
                    notes.append("401 not replayed: a streamed file body cannot be sent twice")
                    break
                manager.invalidate(token)
                exchange.response.body.discard()
                notes.append("401: token refreshed and the request replayed once")
        finally:
            unsubscribe()
        return OAuthSent(exchange, tuple(events), tuple(notes), frozenset(secrets), attempts)

    # -- the engine ----------------------------------------------------------------------------

    def _settled(self, config: OAuthConfig, cancel: CancelToken | None) -> OAuthConfig:
        """``config`` with its endpoints discovered (once per issuer) and checked."""
        settled = config
        if config.issuer and not (config.token_url and config.auth_url and config.device_url):
            with self._discovery:
                found = self._discovered.get(config.issuer)
                if found is None:
                    found = discover(config.issuer, self.client, cancel=cancel)
                    self._discovered[config.issuer] = found
            settled = config.with_endpoints(found)
        settled.check()
        return settled

    def _registry_key(self, config: OAuthConfig, tls: TlsFiles | None) -> tuple[str, ...]:
        """One manager per identity and the TLS files its token calls present."""
        fingerprint = tls.fingerprint() if tls is not None and tls.items() else ""
        return ("oauth2", self.workspace_id, config.identity(), fingerprint)

    def _client(self, tls: TlsFiles | None) -> HttpClient:
        """The client presenting ``tls`` (a client certificate, a CA bundle) when there is one."""
        if tls is None or not tls.items():
            return self.client
        from explorer.core.pipeline import PresentingClient

        return PresentingClient(self.client, tls)

    def _key(self, config: OAuthConfig, slot: str) -> CredentialKey:
        return CredentialKey(self.workspace_id, f"oauth2:{config.identity()}", "", slot)

    def _manager(
        self, config: OAuthConfig, settled: OAuthConfig, tls: TlsFiles | None = None
    ) -> TokenManager:
        return self.registry.get(
            self._registry_key(config, tls), lambda: self._new_manager(config, settled, tls)
        )

    def _new_manager(
        self, config: OAuthConfig, settled: OAuthConfig, tls: TlsFiles | None
    ) -> TokenManager:
        host = urlsplit(settled.token_url).netloc or settled.token_url
        settings = GrantSettings(
            provider=f"The OAuth2 server {host}",
            environment="",
            token_url=settled.token_url,
            client_id=settled.client_id,
            client_secret=settled.client_secret,
            client_auth=settled.client_auth,
            scope=settled.scope,
            private_key=settled.private_key,
            extra=settled.extra(),
            fix_credentials="check them in the request's OAuth2 auth (or the variables that "
            "hold them).",
            fix_settings="check the OAuth2 auth's token_url, scope and extra_params.",
        )
        endpoint = TokenEndpoint(settings, self._client(tls), clock=self.clock)

        def credentials() -> Credentials:
            stored = self._read(config, REFRESH_SLOT) or config.refresh_token or None
            return Credentials(config.username, config.password, stored)

        def acquire(cancel: CancelToken | None) -> Token:
            if self.interaction is None:
                raise InteractionRequired(config.grant)
            return self._sign_in(settled, endpoint, self.interaction, cancel)

        return TokenManager(
            endpoint,
            grant="refresh_only" if config.grant == "refresh_token" else config.grant,
            credentials=credentials,
            persist_refresh=lambda value: self._write(config, REFRESH_SLOT, value, strict=False),
            clock=self.clock,
            initial=self._current(config),
            persist_token=lambda token: self._keep_access(config, token, strict=False),
            reload=lambda: self._stored(config),
            acquire=acquire if config.interactive else None,
            fix_refresh="give one in the OAuth2 auth's refresh_token (a secret variable)",
        )

    def _sign_in(
        self,
        config: OAuthConfig,
        endpoint: TokenEndpoint,
        interaction: Interaction,
        cancel: CancelToken | None,
    ) -> Token:
        """The interactive grant: the browser (authorization code) or a device code."""
        if config.grant == "device_code":
            from explorer.core.auth.device import sign_in

            return sign_in(
                endpoint,
                config.device_url,
                interaction,
                cancel=cancel,
                slow_down_step=self.slow_down_step,
            )
        from explorer.core.auth.loopback import Authorization, authorize

        extra = tuple((k, v) for k, v in config.extra() if k in {"audience", "resource"})
        request = Authorization(
            config.auth_url,
            config.client_id,
            config.redirect_uri,
            config.scope,
            pkce=config.pkce == "S256",
            extra=extra,
        )
        code = authorize(request, interaction, cancel)
        return endpoint.authorization_code(
            code.code, code.redirect_uri, code.verifier, cancel=cancel
        )

    # -- the credential store ------------------------------------------------------------------

    def _current(self, config: OAuthConfig) -> Token | None:
        """The stored access token, else the one the auth gives (an imported token)."""
        stored = self._stored(config)
        if stored is not None or not config.access_token:
            return stored
        info = decode_jwt(config.access_token)
        expires = info.expires_at if info is not None else None
        return Token(config.access_token, expires_at=expires, grant="given")

    def _stored(self, config: OAuthConfig) -> Token | None:
        return token_from_json(self._read(config, ACCESS_SLOT))

    def _keep(self, config: OAuthConfig, token: Token, *, strict: bool) -> None:
        """Store the access token with its expiry, and the refresh token when it has one."""
        self._keep_access(config, token, strict=strict)
        if token.refresh_token:
            self._write(config, REFRESH_SLOT, token.refresh_token, strict=strict)

    def _keep_access(self, config: OAuthConfig, token: Token, *, strict: bool) -> None:
        self._write(config, ACCESS_SLOT, token_to_json(token), strict=strict)

    def _read(self, config: OAuthConfig, slot: str) -> str | None:
        try:
            return self.store.get(self._key(config, slot))
        except KeyringUnavailable:
            return None

    def _write(self, config: OAuthConfig, slot: str, value: str, *, strict: bool) -> None:
        """Store one token; a send without a usable keyring keeps it in memory only."""
        try:
            self.store.set(self._key(config, slot), value)
        except KeyringUnavailable:
            if strict:
                raise
