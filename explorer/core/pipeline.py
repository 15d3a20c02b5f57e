"""``ApiSession``: one provider environment, everything between a saved request and its answer.

Given a ``ProviderProfile`` and an environment it builds the templating scope (request variables,
then the environment's variables and ``base_url``, then the credential slots from the store with
secret ones marked secret), resolves the request, waits its turn at the shared rate limiter,
applies auth and the provider's extra headers (PriceEdge's ``client_id``, Flexiti's generated
``x-reference-id``), sends, and on a 401 invalidates the token, refreshes once and replays once.
A 429 blocks the shared limiter for ``Retry-After`` and is retried for idempotent methods only.
The result carries the exchange, the normalised problem, the token events and the quota.

The environment's TLS files (``explorer.core.tls``: CA bundle, client certificate) apply to the
API call and to its token call alike; a server refusing the certificate is said as such.

A preset of auth kind ``oauth2``, and a request's own OAuth2 auth inside a provider's
collection, take their tokens from the request-level engine (``auth.oauth_request``
``RequestTokens``: one manager per identity, tokens in the credential store, every grant), so a
provider can use authorization code and device code too; the session's limiter, 429 retries and
401 replay still apply, and so do the provider's extra headers.

Thread-safe: token managers and limiters are shared through registries, so 200 concurrent
sends on an expired token make one token request.
"""

from __future__ import annotations

import hashlib
import http.cookiejar
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from requests.auth import AuthBase

from explorer.core.auth.grants import GrantSettings, TokenEndpoint
from explorer.core.auth.manager import Credentials, TokenManager, TokenRegistry
from explorer.core.auth.oauth_request import OAuthConfig, OAuthUse, RequestTokens
from explorer.core.auth.registry import BearerAuth, build_auth, explicit_auth, registry_key
from explorer.core.auth.schema import GRANTS, api_key_from_template
from explorer.core.auth.tokens import (
    Interaction,
    OtpCallback,
    Token,
    TokenEvent,
    token_from_json,
    token_to_json,
)
from explorer.core.confinement import FileAccess
from explorer.core.credentials import CredentialKey, CredentialStore, write_slot
from explorer.core.errors import InvalidRequest, TemplateError, UsageError
from explorer.core.http.client import CancelToken, HttpClient, ProgressCallback
from explorer.core.models import Exchange, FileBody, KeyValue, RequestSpec, ResolvedRequest
from explorer.core.origins import origin_of
from explorer.core.problems import Problem, normalise
from explorer.core.providers import (
    SECRET_SLOTS,
    Environment,
    ProviderProfile,
    credential_slots,
)
from explorer.core.ratelimit import LimiterRegistry, Quota, RateLimiter, RetryPolicy, parse_quota
from explorer.core.redaction import remember
from explorer.core.templating import Layer, Scope, expand, join_base_url, resolve
from explorer.core.tls import (
    PASSWORD,
    OwnTls,
    TlsFiles,
    is_reserved,
    resolve_tls,
    send_presenting,
)
from explorer.core.tls import apply as apply_tls
from explorer.core.transport_policy import require_https, require_verified_tls, unverified_note

__all__ = ["ApiSession", "SessionResult"]

_OAUTH_GRANTS = {kind: grant.mode for kind, grant in GRANTS.items()}
GENERATED = {"$guid32": lambda: uuid.uuid4().hex, "$reference_id": lambda: uuid.uuid4().hex}
"""Per-request values for extra headers (Flexiti's ``x-reference-id``: a GUID of ≤ 32 chars)."""


@dataclass(frozen=True, slots=True)
class SessionResult:
    """A send through the session: the exchange plus what the lifecycle did on the way."""

    exchange: Exchange
    problem: Problem | None
    events: tuple[TokenEvent, ...]
    quota: Quota | None
    attempts: int
    notes: tuple[str, ...]
    secrets: frozenset[str]

    def redacted_exchange(self) -> Exchange:
        """The exchange with every secret of the send known to it, for history and exports
        (``workspace.history`` masks ``request.secrets`` wherever they appear)."""
        request = replace(self.exchange.request, secrets=self.secrets)
        return replace(self.exchange, request=request)


WaitCallback = Callable[[float, str], None]
"""Told (seconds, reason) before a send waits to retry, on the sending thread."""


class ApiSession:
    """Sends requests to one provider environment with its auth, limits and error model."""

    def __init__(
        self,
        profile: ProviderProfile,
        environment: str,
        *,
        store: CredentialStore,
        workspace_id: str,
        client: HttpClient,
        limiters: LimiterRegistry,
        tokens: TokenRegistry,
        variables: Mapping[str, str] | None = None,
        otp: OtpCallback | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        keep_access_token: bool = False,
        oauth: RequestTokens | None = None,
    ) -> None:
        env = profile.environment(environment)
        if env is None:
            names = ", ".join(e.name for e in profile.environments) or "none"
            raise UsageError(
                f"{profile.name} has no environment '{environment}'; choose one of: {names}."
            )
        self.profile = profile
        self.env: Environment = env
        self.store = store
        self.workspace_id = workspace_id
        self.client = client
        self.tokens = tokens
        self.variables = dict(variables or {})
        self.otp = otp
        self.retry = retry or RetryPolicy()
        self.clock = clock
        self.keep_access_token = keep_access_token
        self._oauth = oauth
        self._creds: dict[str, str] | None = None
        self._creds_lock = threading.Lock()
        limits = [(r.requests, r.per_seconds) for r in profile.rate_limits]
        self.limiter: RateLimiter = limiters.get(profile.id, env.name, limits)
        self.kind = profile.auth.kind
        self.slots = credential_slots(profile.auth)

    # -- scope and credentials -----------------------------------------------------------------

    def key(self, slot: str) -> CredentialKey:
        return CredentialKey(self.workspace_id, self.profile.id, self.env.name, slot)

    def credential_values(self) -> dict[str, str]:
        """Stored slot values (blocking: keyring). Includes a persisted refresh token."""
        names = {s.name for s in self.slots} | {"refresh_token"}
        return self.store.values(self.key(""), sorted(names))

    def _slot_values(self) -> dict[str, str]:
        """The slot values sends use, read from the keyring once per session (a keyring read is
        a D-Bus round trip); ``credentials_changed`` after the user changes them."""
        with self._creds_lock:
            if self._creds is None:
                self._creds = self.credential_values()
                self._creds.pop("refresh_token", None)
            return dict(self._creds)

    def _require_from_outside(self, creds: Mapping[str, str], given: Mapping[str, str]) -> None:
        """A store that reads slots from elsewhere (``--secrets-from-env``) cannot be asked
        for a missing one: a required slot neither there nor given as a variable is an error
        naming where it was looked for (the environment variable), before anything is sent."""
        for slot in self.slots:
            if slot.optional or creds.get(slot.name) or given.get(slot.name):
                continue
            source = self.store.source_of(self.key(slot.name))
            if source is not None:
                raise InvalidRequest(
                    f"{self._who} needs {slot.name}; set the environment variable {source}."
                )

    def credentials_changed(self) -> None:
        """The stored credentials were edited: the next send re-reads them, and the token
        manager of this environment (with the old client secret, user or token) is dropped, so
        the next send makes a new grant with the new values."""
        with self._creds_lock:
            self._creds = None
        prefix = self._manager_prefix
        self.tokens.drop_matching(lambda key: isinstance(key, tuple) and key[:3] == prefix)

    def write_credential(self, slot: str, value: str | None) -> None:
        """Store or clear one slot (``credentials.write_slot``), then ``credentials_changed``:
        the next send uses the new values."""
        write_slot(self.store, self.key(slot), value)
        self.credentials_changed()

    @property
    def _manager_prefix(self) -> tuple[str, str, str]:
        return (self.workspace_id, self.profile.id, self.env.name.lower())

    def origins(self, scope: Scope) -> frozenset[str]:
        """The origins that may receive this environment's credentials: the base URL's, the
        token endpoint's and those the preset lists (``origins``)."""
        raw = (self.env.base_url, self.env.token_url or self.profile.auth.token_url)
        found: set[str] = set()
        for url in (*raw, *self.env.origins):
            if not url:
                continue
            origin = origin_of(expand(url, scope, "provider origin"))
            if origin is not None:
                found.add(origin)
        return frozenset(found)

    def scope(
        self,
        extra: Mapping[str, str] | None = None,
        credentials: Mapping[str, str] | None = None,
        fallback: Sequence[Layer] = (),
    ) -> Scope:
        """Request variables, then environment (with ``base_url``), then credentials, then
        ``fallback`` (a collection's and its folders' variables, for the runner)."""
        creds = dict(self.credential_values() if credentials is None else credentials)
        creds.pop("refresh_token", None)
        secret = {s.name for s in self.slots if s.secret} | set(self.env.secret_variables)
        env_values = {**self.env.variables, "base_url": self.env.base_url}
        return Scope(
            (
                Layer("request", {**self.variables, **(extra or {})}),
                Layer(f"environment {self.env.name}", env_values, frozenset(secret)),
                Layer("credentials", creds, frozenset(secret)),
                *fallback,
            )
        )

    # -- tokens --------------------------------------------------------------------------------

    def token_manager(
        self, credentials: Mapping[str, str] | None = None, tls: TlsFiles | None = None
    ) -> TokenManager | None:
        """The shared manager of this environment's OAuth2 credential (None without OAuth2);
        its token calls present ``tls`` (resolved: ``tls_files``), part of its identity. Kind
        ``oauth2``: the request-level engine's manager of its identity (discovery on first use:
        network)."""
        creds = dict(self.credential_values() if credentials is None else credentials)
        scope = self.scope(credentials=creds)
        if self.kind == "oauth2":
            return self.oauth_use(scope, creds, tls).manager
        grant = _OAUTH_GRANTS.get(self.kind)
        if grant is None:
            return None
        auth = self.profile.auth
        token_url = expand(self.env.token_url or auth.token_url, scope, "token URL")
        require_https(token_url, live=self.env.live, who=self._who, what="token")
        client_id = expand(auth.client_id, scope, "client_id") or creds.get("client_id", "")
        who = creds.get("username") or client_id
        # Changed credentials must not reuse the old manager: the key ends in a digest of what
        # the grant sends (never the values themselves); ``credentials_changed`` drops them all.
        tls = tls or TlsFiles()
        identity = "\0".join(
            (
                who,
                token_url,
                creds.get("client_secret", ""),
                creds.get("password", ""),
                tls.fingerprint(),
            )
        )
        digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
        key = (*self._manager_prefix, digest)
        settings = GrantSettings(
            provider=self.profile.name,
            environment=self.env.name,
            token_url=token_url,
            client_id=client_id,
            client_secret=creds.get("client_secret", ""),
            client_auth=auth.client_auth,
            encoding=auth.token_request,
            scope=expand(auth.scope, scope, "scope"),
            headers=tuple(
                (k, expand(_generated(v), scope, f"token header {k}"))
                for k, v in auth.token_headers
            ),
            otp_url=expand(auth.otp.send_url, scope, "OTP URL") if auth.otp else "",
            otp_param=auth.otp.otp_param if auth.otp else "otp",
        )
        limit = auth.token_rate_limit
        interval = limit.per_seconds / limit.requests if limit and limit.requests else 0.0

        client = PresentingClient(self.client, tls) if tls.items() else self.client

        def factory() -> TokenManager:
            keep = self.keep_access_token
            return TokenManager(
                TokenEndpoint(settings, client, clock=self.clock),
                grant=grant,
                credentials=self._grant_credentials,
                persist_refresh=lambda value: self.store.set(self.key("refresh_token"), value),
                refresh_after_expiry=auth.refresh_after_expiry,
                skew_seconds=auth.skew_seconds,
                skew_fraction=auth.skew_fraction,
                token_interval=interval,
                otp=self.otp,
                clock=self.clock,
                initial=self._kept_token() if keep else None,
                persist_token=self._keep_token if keep else None,
                reload=self._kept_token if keep else None,
            )

        return self.tokens.get(key, factory)

    def request_tokens(self) -> RequestTokens:
        """The request-level OAuth2 engine this session sends kind ``oauth2`` and a request's
        own OAuth2 through: the one given (the workbench's), else one of its own on the same
        store and token registry, so the managers and stored tokens are the same ones."""
        with self._creds_lock:
            if self._oauth is None:
                self._oauth = RequestTokens(
                    store=self.store,
                    workspace_id=self.workspace_id,
                    client=self.client,
                    registry=self.tokens,
                    clock=self.clock,
                )
            return self._oauth

    def oauth_params(self, scope: Scope, credentials: Mapping[str, str]) -> dict[str, str]:
        """Kind ``oauth2``: the preset's settings filled in from ``scope`` (the environment's
        ``token_url`` wins), with the client, key and user from the credential slots, as the
        request-level ``oauth2`` parameters. A missing credential is one sentence naming how
        to store it."""
        auth = self.profile.auth
        if self.kind != "oauth2":
            raise UsageError(f"{self._who} authenticates with {self.kind}, not OAuth2.")
        params = {name: expand(value, scope, f"auth {name}") for name, value in auth.oauth2}
        token_url = self.env.token_url or auth.token_url
        if token_url:
            params["token_url"] = expand(token_url, scope, "token URL")
            require_https(params["token_url"], live=self.env.live, who=self._who, what="token")
        params["client_id"] = params.get("client_id") or credentials.get("client_id", "")
        for slot in _OAUTH2_SLOTS:
            if credentials.get(slot):
                params[slot] = credentials[slot]
        if params.get("grant_type") == "refresh_token":
            params["refresh_token"] = self.store.get(self.key("refresh_token")) or ""
        missing = [n for n in OAuthConfig.from_params(params).missing() if n in _OAUTH2_CREDS]
        if missing:
            name = missing[0]
            how = f"--secret {name}" if self._secret(name) else f"--value {name}=..."
            raise InvalidRequest(
                f"{self._who} needs {name}; store it with 'api-explorer credentials set "
                f'--provider {self.profile.id} --env "{self.env.name}" {how}\'.'
            )
        return params

    def oauth_use(
        self,
        scope: Scope,
        credentials: Mapping[str, str],
        tls: TlsFiles | None = None,
        cancel: CancelToken | None = None,
    ) -> OAuthUse:
        """Kind ``oauth2``: its identity in the request-level engine (``oauth_params``)."""
        params = self.oauth_params(scope, credentials)
        return self.request_tokens().use(params, cancel, tls)

    def login(
        self,
        interaction: Interaction,
        cancel: CancelToken | None = None,
        *,
        variables: Mapping[str, str] | None = None,
        fallback: Sequence[Layer] = (),
        tls: TlsFiles | None = None,
    ) -> Token:
        """Kind ``oauth2``: sign in now (browser or device code for the interactive grants, the
        grant itself for the others) and keep the tokens in the credential store, where every
        later send of this environment, in any process of the workspace, finds them."""
        creds = self._slot_values()
        scope = self.scope(variables, creds, fallback)
        params = self.oauth_params(scope, creds)
        presented = self.tls_files(scope, override=tls)
        return self.request_tokens().login(params, interaction, cancel, presented)

    def _kept_token(self) -> Token | None:
        """The access token kept in the store, by this process or another sharing it."""
        return token_from_json(self.store.get(self.key(ACCESS_SLOT)))

    def _keep_token(self, token: Token) -> None:
        """Opt-in: the access token (never the refresh token twice) in the keyring."""
        self.store.set(self.key(ACCESS_SLOT), token_to_json(token))

    def _grant_credentials(self) -> Credentials:
        values = self.credential_values()
        return Credentials(
            values.get("username", ""), values.get("password", ""), values.get("refresh_token")
        )

    # -- sending -------------------------------------------------------------------------------

    def send(
        self,
        spec: RequestSpec,
        *,
        variables: Mapping[str, str] | None = None,
        fallback: Sequence[Layer] = (),
        cancel: CancelToken | None = None,
        on_progress: ProgressCallback | None = None,
        base_dir: Path | None = None,
        files: FileAccess | None = None,
        tls: TlsFiles | None = None,
        on_wait: WaitCallback | None = None,
        jar: http.cookiejar.CookieJar | None = None,
    ) -> SessionResult:
        """Send ``spec``; ``on_wait`` hears each wait before a 429 retry (seconds, reason), so
        a window can say why nothing happens yet. ``jar`` (the environment's cookies) goes
        with the API call only, never with a token call. ``base_dir`` anchors its relative file
        paths (the request file's folder) and ``files`` confines a saved request's body files (and
        the TLS files its scope names) to its workspace. A URL outside ``origins`` goes without
        the provider's auth and headers. ``tls`` (the command line's files) wins over the
        scope's and the preset's TLS files, which apply to the token call too."""
        cancel = cancel or CancelToken()
        creds = self._slot_values()
        self._require_from_outside(creds, {**self.variables, **(variables or {})})
        scope = self.scope(variables, creds, fallback)
        spec = self._absolute(spec)
        notes: list[str] = []
        own = self._own_origin(spec, scope, notes)
        if own:
            spec = self._with_extra_headers(spec)
        resolved = resolve(spec, scope, base_dir=base_dir, files=files)
        presented = self.tls_files(scope, base_dir=base_dir, files=files, override=tls)
        resolved = apply_tls(resolved, presented)
        # Known from here on to logs and crash reports, wherever they end up (docs/security.md).
        remember(resolved.secrets | {v for k, v in creds.items() if self._secret(k)})
        require_https(resolved.url, live=self.env.live, who=self._who)
        require_verified_tls(resolved.verify_tls, live=self.env.live, who=self._who)
        if not resolved.verify_tls:
            notes.append(unverified_note(resolved.url))
        tokens = self._tokens(
            resolved, own=own, scope=scope, creds=creds, tls=presented, cancel=cancel
        )
        manager = tokens.manager if tokens is not None else None
        events: list[TokenEvent] = []
        lock = threading.Lock()

        def collect(event: TokenEvent) -> None:
            with lock:
                events.append(event)

        unsubscribe = manager.subscribe(collect) if manager is not None else None
        try:
            exchange, attempts, token, quota = self._exchange(
                resolved,
                creds if own else None,
                tokens,
                cancel,
                on_progress,
                notes=notes,
                tls=presented,
                on_wait=on_wait,
                jar=jar,
            )
        finally:
            if unsubscribe is not None:
                unsubscribe()
        response = exchange.response
        problem = normalise(
            response.status,
            response.headers,
            response.body.head(256 * 1024),
            reason=response.reason,
        )
        secrets = resolved.secrets | {v for k, v in creds.items() if self._secret(k)}
        if tokens is not None:
            secrets |= tokens.secrets
        if token is not None:
            secrets |= token.secrets()
        return SessionResult(
            exchange=exchange,
            problem=problem,
            events=tuple(events),
            quota=quota,
            attempts=attempts,
            notes=tuple(notes),
            secrets=frozenset(secrets),
        )

    def _tokens(
        self,
        resolved: ResolvedRequest,
        *,
        own: bool,
        scope: Scope,
        creds: Mapping[str, str],
        tls: TlsFiles,
        cancel: CancelToken,
    ) -> _Tokens | None:
        """Where the send's token comes from: the request's own OAuth2 (to any origin, like
        every auth a request sets itself), else for the provider's origins and an inherited auth
        the preset's (kind ``oauth2`` through the request-level engine); None: no token."""
        auth = resolved.auth
        if auth is not None and auth.type == "oauth2":
            return _Tokens.of(self.request_tokens().use(dict(auth.params), cancel, tls))
        if not own or (auth is not None and auth.type != "inherit"):
            return None
        if self.kind == "oauth2":
            return _Tokens.of(self.oauth_use(scope, creds, tls, cancel))
        manager = self.token_manager(creds, tls)
        if manager is None:
            return None
        return _Tokens(manager, manager.token, lambda t: BearerAuth(t.access_token, t.token_type))

    def _exchange(
        self,
        resolved: ResolvedRequest,
        creds: Mapping[str, str] | None,
        tokens: _Tokens | None,
        cancel: CancelToken,
        on_progress: ProgressCallback | None,
        *,
        notes: list[str],
        tls: TlsFiles,
        on_wait: WaitCallback | None = None,
        jar: http.cookiejar.CookieJar | None = None,
    ) -> tuple[Exchange, int, Token | None, Quota | None]:
        """Send with the limiter, one 401 replay and 429 retries; ``creds`` None means the
        provider's own auth is not for this request's origin."""
        attempts = retries = 0
        replayed = False
        manager = tokens.manager if tokens is not None else None
        while True:
            with self.limiter.hold(cancel):
                token: Token | None = None
                if tokens is None:
                    auth = self._auth(resolved, creds)
                else:
                    token = tokens.fetch(cancel)
                    auth = tokens.auth(token)
                exchange = send_presenting(
                    self.client,
                    resolved,
                    tls,
                    auth=auth,
                    cancel=cancel,
                    on_progress=on_progress,
                    hop_policy=self._hop_policy,
                    jar=jar,
                )
            attempts += 1
            status = exchange.response.status
            quota = parse_quota(exchange.response.headers)
            self.limiter.observe(quota)
            if status == 401 and manager is not None and token is not None and not replayed:
                if _permission_denial(exchange):
                    notes.append("401 is a permission denial, not an expired token; not refreshed")
                    break
                if isinstance(resolved.body, FileBody):
                    notes.append("401 not replayed: a streamed file body cannot be sent twice")
                    break
                manager.invalidate(token)
                exchange.response.body.discard()
                replayed = True
                notes.append("401: token refreshed and the request replayed once")
                continue
            if status == 429:
                retry_after = quota.retry_after if quota else None
                delay = self.retry.delay(resolved.method, retries + 1, retry_after)
                self.limiter.block_for(delay if delay is not None else retry_after or 0.0)
                if delay is None:
                    notes.append(self._no_retry_note(resolved.method, retries))
                    break
                retries += 1
                exchange.response.body.discard()
                notes.append(f"429: retry {retries} after {delay:g} s")
                if on_wait is not None:
                    on_wait(delay, f"rate limited (429), retry {retries}")
                continue
            break
        return exchange, attempts, token, quota

    def tls_files(
        self,
        scope: Scope,
        *,
        base_dir: Path | None = None,
        files: FileAccess | None = None,
        override: TlsFiles | None = None,
    ) -> TlsFiles:
        """The TLS files a send in ``scope`` presents and trusts, API and token call alike
        (``tls.resolve_tls``): ``override``, the scope's (the workspace's saved values of this
        environment among them), then the preset's."""
        return resolve_tls(
            scope, preset=self.env.tls, override=override, base_dir=base_dir, files=files
        )

    def _no_retry_note(self, method: str, retries: int) -> str:
        if retries:
            return f"429 again after {retries} retries; giving up"
        return f"429 not retried: {method} is not idempotent"

    def _auth(self, resolved: ResolvedRequest, creds: Mapping[str, str] | None) -> AuthBase | None:
        explicit = explicit_auth(resolved.auth)
        if explicit is not None or creds is None:
            return explicit
        auth = self.profile.auth
        kind = registry_key(self.kind)
        if kind == "none":
            return None
        # The preset's own vocabulary (slots, the api-key template) as the schema's params.
        params: dict[str, str] = {}
        if kind == "api-key":
            params = api_key_from_template(
                auth.api_key_header, auth.api_key_query, auth.api_key_format, creds
            )
        elif kind == "basic":
            params = {"username": creds.get("username", ""), "password": creds.get("password", "")}
        elif kind == "bearer":
            params = {"token": creds.get("static_token", "")}
            if not params["token"]:
                raise InvalidRequest(
                    f"{self._who} needs a static_token; store it with "
                    "'api-explorer credentials set --secret static_token'."
                )
        return build_auth(kind, params)

    def _absolute(self, spec: RequestSpec) -> RequestSpec:
        """A relative URL (``/path``) joined to ``{{base_url}}``."""
        url = join_base_url(spec.url)
        return spec if url == spec.url else replace(spec, url=url)

    def _own_origin(self, spec: RequestSpec, scope: Scope, notes: list[str]) -> bool:
        """Whether the request goes to one of ``origins``; when not, ``notes`` says so."""
        try:
            target = origin_of(expand(spec.url, scope, "URL"))
        except TemplateError:
            return True  # resolution reports the undefined variables next
        if target is None:
            return True  # not an http(s) URL with a host: resolution says what is wrong
        allowed = self.origins(scope)
        if target in allowed:
            return True
        notes.append(
            f"{self._who}'s credentials were not sent: {target} is not one of its origins "
            f"({', '.join(sorted(allowed)) or 'none'})"
        )
        return False

    def _with_extra_headers(self, spec: RequestSpec) -> RequestSpec:
        """The provider's extra headers (a user's header of the same name wins)."""
        present = {h.name.lower() for h in spec.headers if h.enabled}
        extra = tuple(
            KeyValue(name, _generated(value))
            for name, value in self.profile.auth.extra_headers
            if name.lower() not in present
        )
        return replace(spec, headers=(*spec.headers, *extra)) if extra else spec

    @property
    def _who(self) -> str:
        return f"{self.profile.name} ({self.env.name})"

    def _hop_policy(self, url: str) -> None:
        """Every redirect target of a live environment passes the first URL's HTTPS rule."""
        require_https(url, live=self.env.live, who=self._who, what="redirect")

    def _secret(self, slot: str) -> bool:
        return slot in SECRET_SLOTS or any(s.name == slot and s.secret for s in self.slots)


ACCESS_SLOT = "access_token"
"""Keyring slot of the opt-in stored access token (JSON with its expiry)."""
_OAUTH2_SLOTS = ("client_secret", "private_key", "username", "password")
"""Kind ``oauth2``: the request-level parameters that come from the credential slots."""
_OAUTH2_CREDS = frozenset({"client_id", *_OAUTH2_SLOTS, "refresh_token"})


@dataclass(frozen=True, slots=True)
class _Tokens:
    """Where one send's token comes from (``fetch``: refreshed when due), the manager a 401
    invalidates (None: a token given as it is), how the token goes on the request, and the
    secrets its settings hold."""

    manager: TokenManager | None
    fetch: Callable[[CancelToken], Token]
    auth: Callable[[Token], AuthBase]
    secrets: frozenset[str] = frozenset()

    @classmethod
    def of(cls, use: OAuthUse) -> _Tokens:
        return cls(use.manager, use.token, use.auth, use.secrets)


def workspace_layers(
    session: ApiSession,
    workspace: Path | None,
    secret_names: Iterable[str] = (),
    *,
    read_secrets: bool = True,
) -> tuple[Layer, ...]:
    """What a send resolves after the environment and credentials, everywhere a request is
    sent (window, ``send``, ``run``): the workspace's saved values of the session's environment
    (``environments/<provider>.yaml``), then the secret variables named there, by the preset's
    environment (``secret_variables``) or in ``secret_names`` (a collection's), read from the
    credential store (blocking: keyring), where ``credentials set --secret NAME`` puts them.
    The saved TLS files (``tls_client_cert`` ..., relative to the workspace) come as an
    ``OwnTls`` layer, and a PKCS#12 file's ``tls_password`` from the store with the secrets."""
    from explorer.core.workspace.environments import load_environments

    layers: list[Layer] = []
    env = session.env
    wanted = set(secret_names) | {n for n in env.secret_variables if n not in env.variables}
    pkcs12 = env.tls.pkcs12
    if workspace is not None:
        name = session.env.name.lower()
        saved = load_environments(workspace, session.profile.id)
        match = next((e for e in saved if e.name.lower() == name), None)
        if match is not None:
            wanted |= set(match.secret_names)
            own = TlsFiles.from_variables(match.values).anchored(workspace)
            if own.items():
                layers.append(OwnTls(f"saved TLS {env.name}", own.variables()))
                pkcs12 = pkcs12 or own.pkcs12
            values = {k: v for k, v in match.values.items() if not is_reserved(k)}
            layers.append(Layer(f"saved {env.name}", values))
    if pkcs12:
        wanted.add(PASSWORD)
    if wanted and read_secrets:
        values = session.store.values(session.key(""), sorted(wanted))
        missing = {
            name: place
            for name in sorted(wanted - set(values))
            if (place := session.store.source_of(session.key(name))) is not None
        }
        layers.append(Layer("keyring", values, frozenset(values), missing))
    return tuple(layers)


class PresentingClient(HttpClient):
    """``client`` presenting and trusting ``tls`` in every request it sends: a token endpoint's
    (a provider's, or a request's own OAuth2), whose ``GrantSettings`` carry no TLS files."""

    def __init__(self, client: HttpClient, tls: TlsFiles) -> None:
        super().__init__(client.config)
        self._client = client
        self._tls = tls

    def send(
        self,
        request: ResolvedRequest,
        *,
        auth: AuthBase | None = None,
        cancel: CancelToken | None = None,
        on_progress: ProgressCallback | None = None,
        hop_policy: Callable[[str], None] | None = None,
        jar: http.cookiejar.CookieJar | None = None,
    ) -> Exchange:
        return send_presenting(
            self._client,
            apply_tls(request, self._tls),
            self._tls,
            auth=auth,
            cancel=cancel,
            on_progress=on_progress,
            hop_policy=hop_policy,
            jar=jar,
        )


PERMISSION_DENIALS = frozenset({("servicechannel", "504")})
"""(error format, code) pairs a vendor sends with 401 to mean "not allowed", where a new token
cannot help (ServiceChannel answers permission failures with 401 and code 504, never 403)."""


def _permission_denial(exchange: Exchange) -> bool:
    response = exchange.response
    problem = normalise(response.status, response.headers, response.body.head(64 * 1024))
    return problem is not None and (problem.format, problem.code or "") in PERMISSION_DENIALS


_GENERATED_RE = re.compile(r"\{\{\s*(\$guid32|\$reference_id)\s*\}\}")


def _generated(value: str) -> str:
    """Fill per-request generated values now, so each request (and replay) gets its own."""
    return _GENERATED_RE.sub(lambda m: GENERATED[m.group(1)](), value)
