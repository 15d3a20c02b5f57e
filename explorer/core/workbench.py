"""The ``Workbench``: one workspace's providers, credential store, HTTP client, token and limiter
registries and one ``ApiSession`` per provider environment; what every front end sends through.

It applies ``explorer.core.context`` (binding, layers, inheritance, anchoring) and hands the
request to the binding's session, or sends it as a literal request. The window's ``Core``,
``send``, ``run``, the Run dialog and ``snippet`` each build one; the credential store is opened
on first use, so a command that needs no secret never touches the keyring.

A literal request whose (inherited) auth is OAuth2 gets its token from the workbench's
``RequestTokens`` (``auth.oauth_request``): the provider lifecycle without a provider. The window
gives an ``Interaction`` (browser and device sign-in); ``send`` and ``run`` give none, so an
interactive grant without a stored token names ``api-explorer login``. ``login``,
``forget_token`` and ``token_status`` are what the Auth tab's "Get token", "Forget token" and
token state call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.core.context import (
    UNBOUND,
    UNPLACED,
    Assembled,
    Binding,
    Placement,
    TlsFiles,
    anchor_files,
    bind,
    with_defaults,
)
from explorer.core.credentials import CredentialStore, KeyringUnavailable
from explorer.core.errors import InvalidRequest, UsageError
from explorer.core.models import RequestSpec, ResolvedRequest
from explorer.core.settings import RequestDefaults
from explorer.core.templating import Layer
from explorer.core.workspace.model import folder_layers, with_inherited

if TYPE_CHECKING:
    from http.cookiejar import CookieJar

    from explorer.core.auth.manager import TokenRegistry
    from explorer.core.auth.oauth_request import RequestTokens, TokenStatus
    from explorer.core.auth.tokens import Interaction, OtpCallback, Token, TokenEvent
    from explorer.core.cookies import CookieJars, JarScope
    from explorer.core.credentials import CredentialKey
    from explorer.core.http.client import CancelToken, HttpClient, ProgressCallback
    from explorer.core.pipeline import ApiSession, SessionResult, WaitCallback
    from explorer.core.providers import ProviderProfile
    from explorer.core.ratelimit import LimiterRegistry
    from explorer.core.settings import AppSettings

__all__ = ["Bound", "Workbench", "send_literal", "send_resolved"]


@dataclass(frozen=True)
class Bound:
    """A binding with its session (None for a literal request) and saved layers."""

    binding: Binding
    session: ApiSession | None
    layers: tuple[Layer, ...]


StoreFactory = Callable[[], "CredentialStore"]


class _OnFirstUse(CredentialStore):
    """The credential store, opened by the first call that reads or writes it: a snippet
    without reveal, or a provider whose auth stores nothing, never opens the keyring."""

    def __init__(self, factory: StoreFactory) -> None:
        self._factory = factory
        self._store: CredentialStore | None = None
        self._lock = threading.Lock()

    def _open(self) -> CredentialStore:
        with self._lock:
            if self._store is None:
                self._store = self._factory()
            return self._store

    def get(self, key: CredentialKey) -> str | None:
        return self._open().get(key)

    def set(self, key: CredentialKey, value: str) -> None:
        self._open().set(key, value)

    def delete(self, key: CredentialKey) -> bool:
        return self._open().delete(key)

    def values(self, base: CredentialKey, slots: Iterable[str]) -> dict[str, str]:
        return self._open().values(base, slots)

    def source_of(self, key: CredentialKey) -> str | None:
        return self._open().source_of(key)

    @property
    def kind(self) -> str:  # type: ignore[override]
        return self._open().kind

    @property
    def description(self) -> str:  # type: ignore[override]
        return self._open().description


@dataclass
class Workbench:
    """One workspace's providers, credential store, HTTP client and shared registries, and the
    ``ApiSession`` of each provider environment: what every front end sends through. The store
    is opened on first need (a provider-less run never touches the keyring)."""

    profiles: Mapping[str, ProviderProfile]
    store_factory: StoreFactory
    workspace_id: str
    workspace_root: Path | None
    client: HttpClient
    limiters: LimiterRegistry
    tokens: TokenRegistry
    variables: Mapping[str, str] = field(default_factory=dict)
    otp: OtpCallback | None = None
    default_dir: Path | None = None
    process_env: bool = False
    tls: TlsFiles | None = None
    interaction: Interaction | None = None
    defaults: RequestDefaults = field(default_factory=RequestDefaults)
    """The settings' request options (``apply_settings``); a request's own win."""
    _sessions: dict[tuple[str, str], ApiSession] = field(default_factory=dict)
    _store: _OnFirstUse | None = None
    _request_tokens: RequestTokens | None = None
    _no_store: bool = False
    _cookies: CookieJars | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def store(self) -> CredentialStore:
        """The store, opened on first use (``_OnFirstUse`` has its interface)."""
        with self._lock:
            if self._store is None:
                self._store = _OnFirstUse(self.store_factory)
            return self._store

    def apply_settings(self, settings: AppSettings) -> None:
        """Send with ``settings`` from now on: their request defaults for every request
        assembled here or run (``runner.senders.sender_for``), their proxy and TLS files for
        every hop of the client (``http.network``), the proxy passwords read from this
        workbench's store when first needed."""
        from explorer.core.http.network import Network

        self.defaults = settings.requests
        self.client.network = Network(settings, self._proxy_origins(settings), self._proxy_password)

    def _proxy_origins(self, settings: AppSettings) -> dict[str, str]:
        """The origins of each environment that has its own proxy (base URL and token URL)."""
        from explorer.core.http.network import origin_of

        found: dict[str, str] = {}
        for key, _proxy in settings.environment_proxies:
            provider_id, _, name = key.partition("/")
            profile = self.profiles.get(provider_id)
            env = profile.environment(name) if profile is not None else None
            for url in (env.base_url, env.token_url) if env is not None else ():
                if url and "{{" not in url:
                    found[origin_of(url)] = key
        return found

    def _proxy_password(self, environment: str | None) -> str | None:
        from explorer.core.settings import proxy_password_key

        return self.store.get(proxy_password_key(environment))

    @property
    def cookies(self) -> CookieJars:
        """The cookie jars of every send scope (``explorer.core.cookies``), made on first use:
        the window, its runs and a command share them; kept in ``cookies.json`` only while
        persistence is on."""
        from explorer.core.cookies import FILE_NAME, CookieJars

        with self._lock:
            if self._cookies is None:
                root = self.workspace_root
                self._cookies = CookieJars(root / FILE_NAME if root is not None else None)
            return self._cookies

    def jar_scope(self, binding: Binding, placement: Placement) -> JarScope:
        """Whose cookies a send uses: its provider environment's, its provider-less
        collection's chosen environment's, else the jar of requests with no environment."""
        from explorer.core.cookies import NO_CONTEXT, JarScope

        if binding.provider_id is not None:
            return JarScope("provider", binding.provider_id, binding.environment or "")
        if binding.environment and placement.collection is not None:
            return JarScope("collection", placement.collection_key, binding.environment)
        return NO_CONTEXT

    def request_tokens(self) -> RequestTokens:
        """The engine of OAuth2 set on requests without a provider, made on first use."""
        from explorer.core.auth.oauth_request import RequestTokens

        with self._lock:
            if self._request_tokens is None:
                self._request_tokens = RequestTokens(
                    store=self.store,
                    workspace_id=self.workspace_id,
                    client=self.client,
                    registry=self.tokens,
                    interaction=self.interaction,
                )
            return self._request_tokens

    def oauth_params(self, assembled: Assembled) -> dict[str, str]:
        """The effective (inherited) OAuth2 auth of ``assembled`` with its variables filled in
        from the request's layers; one sentence when its auth is not OAuth2."""
        from explorer.core.auth.schema import is_secret
        from explorer.core.redaction import remember
        from explorer.core.templating import expand

        auth = assembled.spec.auth
        session = assembled.session
        inherits = auth is None or auth.type == "inherit"
        if session is not None and session.kind == "oauth2" and inherits:
            credentials = session.credential_values()  # a provider of kind oauth2: its identity
            return session.oauth_params(assembled.scope(credentials), credentials)
        if auth is None or auth.type != "oauth2":
            kind = "no auth" if auth is None else f"{auth.type} auth"
            raise UsageError(f"This request, folder or collection has {kind}, not OAuth2.")
        scope = assembled.scope()
        params = {name: expand(value, scope, f"auth {name}") for name, value in auth.params}
        remember(v for k, v in params.items() if is_secret("oauth2", k))
        return params

    def login(
        self, assembled: Assembled, interaction: Interaction, cancel: CancelToken | None = None
    ) -> Token:
        """Sign in for ``assembled``'s OAuth2 auth now and keep its tokens ("Get token",
        ``api-explorer login``)."""
        tls = self.tls_of(assembled)
        return self.request_tokens().login(self.oauth_params(assembled), interaction, cancel, tls)

    def tls_of(self, assembled: Assembled) -> TlsFiles:
        """The client certificate and CA bundle a send of ``assembled`` presents (its token
        calls too): the command line's, else its layers' (``tls.resolve_tls``)."""
        from explorer.core.tls import resolve_tls

        return resolve_tls(
            assembled.scope(),
            override=self.tls,
            base_dir=assembled.base_dir,
            files=assembled.files,
        )

    def forget_token(self, assembled: Assembled) -> None:
        """Drop the tokens of ``assembled``'s OAuth2 auth ("Forget token")."""
        self.request_tokens().forget(self.oauth_params(assembled))

    def token_status(self, assembled: Assembled) -> TokenStatus:
        """The token of ``assembled``'s OAuth2 auth as the Auth tab shows it (reads the store)."""
        return self.request_tokens().status(self.oauth_params(assembled))

    def profile(self, provider_id: str) -> ProviderProfile:
        profile = self.profiles.get(provider_id)
        if profile is None:
            known = ", ".join(sorted(self.profiles)) or "none"
            raise UsageError(f"No provider '{provider_id}'; known providers: {known}.")
        return profile

    def session(self, provider_id: str, environment: str) -> ApiSession:
        """The environment's session, made once (its credential cache and token manager live
        as long as the workbench)."""
        from explorer.core.pipeline import ApiSession

        profile = self.profile(provider_id)
        env = profile.environment(environment)
        key = (provider_id, env.name if env is not None else environment)
        with self._lock:
            session = self._sessions.get(key)
            if session is not None:
                return session
            session = self._sessions[key] = ApiSession(
                profile,
                environment,
                store=self.store,
                workspace_id=self.workspace_id,
                client=self.client,
                limiters=self.limiters,
                tokens=self.tokens,
                variables=self.variables,
                otp=self.otp,
                # a provider of kind oauth2 shares the request-level engine (tokens, sign-in)
                oauth=self.request_tokens() if profile.auth.kind == "oauth2" else None,
            )
            return session

    def bound(
        self,
        placement: Placement,
        selected: Binding,
        secret_names: frozenset[str] = frozenset(),
        *,
        read_secrets: bool = True,
    ) -> Bound:
        """The binding of a request placed at ``placement``, its session, and the saved
        layers that resolve after the session's own (before the folders')."""
        binding = bind(placement, selected)
        provider_id = binding.provider_id
        if provider_id is None:
            layers = self._collection_layers(placement, binding, read_secrets=read_secrets)
            if not read_secrets:
                return Bound(binding, None, layers)
            own = self._with_collection_secrets(placement, layers, secret_names)
            return Bound(binding, None, own)
        environment = binding.environment or self._default_environment(provider_id)
        binding = Binding(provider_id, environment)
        session = self.session(provider_id, environment)
        saved = self.saved_layers(session, secret_names, read_secrets=read_secrets)
        if not read_secrets:
            return Bound(binding, session, saved)
        return Bound(
            binding, session, self._with_collection_secrets(placement, saved, secret_names)
        )

    def _default_environment(self, provider_id: str) -> str:
        """A collection bound to a provider the selector does not show goes to that provider's
        sandbox environment (never to a live one unasked); without one, the user chooses."""
        profile = self.profile(provider_id)
        sandbox = next((e.name for e in profile.environments if e.sandbox), None)
        if sandbox is None:
            names = ", ".join(e.name for e in profile.environments) or "none"
            raise UsageError(
                f"The collection is bound to {profile.name}; choose one of its environments "
                f"({names})."
            )
        return sandbox

    def assemble(
        self,
        spec: RequestSpec,
        placement: Placement = UNPLACED,
        selected: Binding = UNBOUND,
        variables: Mapping[str, str] | None = None,
        *,
        read_secrets: bool = True,
    ) -> Assembled:
        """Everything about ``spec`` but its credentials. ``read_secrets`` False skips the
        credential store (previews, snippets that must not reveal)."""
        secret_names = frozenset(n for f in placement.folders for n in f.secret_names())
        bound = self.bound(placement, selected, secret_names, read_secrets=read_secrets)
        base_dir = placement.base_dir or self.default_dir
        effective = anchor_files(with_inherited(spec, placement.folders), base_dir)
        effective = with_defaults(effective, self.defaults)
        return Assembled(
            spec=effective,
            placement=placement,
            binding=bound.binding,
            session=bound.session,
            variables=dict(variables or {}),
            layers=(*bound.layers, *folder_layers(placement.folders)),
            base_dir=base_dir,
            secret_names=secret_names,
            process_env=self.process_env,
        )

    def saved_layers(
        self, session: ApiSession, secret_names: frozenset[str], *, read_secrets: bool = True
    ) -> tuple[Layer, ...]:
        """The workspace's saved values of the session's environment, then the secret
        variables (named there or by the collection) from the store."""
        from explorer.core.pipeline import workspace_layers

        if not read_secrets:
            return workspace_layers(session, self.workspace_root, (), read_secrets=False)
        return workspace_layers(session, self.workspace_root, secret_names)

    def _with_collection_secrets(
        self, placement: Placement, layers: tuple[Layer, ...], secret_names: frozenset[str]
    ) -> tuple[Layer, ...]:
        """``layers`` then the collection's own stored secret variables
        (``secret_variables``) that no earlier layer gave a value: a provider-less collection's
        only home for them, a provider environment's fallback."""
        from explorer.core.secret_variables import collection_layer

        found = {name for layer in layers for name in layer.values}
        wanted = secret_names - found - set(self.variables)  # a --var needs no keyring
        if self._no_store:
            return layers
        try:
            layer = collection_layer(
                self.store, self.workspace_id, placement.collection_key, wanted
            )
        except KeyringUnavailable:
            # Nothing can be stored without a keyring: the send names each undefined
            # variable and how to give it, instead of refusing to start.
            self._no_store = True
            return layers
        return layers if layer is None else (*layers, layer)

    def _collection_layers(
        self, placement: Placement, binding: Binding, *, read_secrets: bool
    ) -> tuple[Layer, ...]:
        """A provider-less collection's chosen saved environment (an import's "Server 1"),
        then that environment's secrets from the store."""
        if self.workspace_root is None or not binding.environment or placement.collection is None:
            return ()
        from explorer.core.secret_variables import environment_layer
        from explorer.core.workspace.environments import load_environments

        wanted = binding.environment.lower()
        key = placement.collection_key
        saved = load_environments(self.workspace_root, key)
        match = next((e for e in saved if e.name.lower() == wanted), None)
        if match is None:
            names = ", ".join(e.name for e in saved) or "none saved"
            raise UsageError(
                f"The collection has no environment '{binding.environment}' ({names})."
            )
        layers = [Layer(f"saved {match.name}", dict(match.values))]
        secrets = match.secret_names if read_secrets else ()
        stored = environment_layer(self.store, self.workspace_id, key, match.name, secrets)
        return (*layers, *(() if stored is None else (stored,)))

    def send(
        self,
        assembled: Assembled,
        *,
        cancel: CancelToken | None = None,
        on_progress: ProgressCallback | None = None,
        on_wait: WaitCallback | None = None,
    ) -> SessionResult:
        """Send through the binding's session, or as a literal request with the request's own
        auth; either way the result carries the normalised problem and every secret used.
        ``on_wait`` hears a provider session's waits before a 429 retry. Cookies come from and
        go to the binding's jar (``jar_scope``)."""
        jar = self.cookies.jar(self.jar_scope(assembled.binding, assembled.placement))
        result = self._send(assembled, jar, cancel, on_progress, on_wait)
        problem = self.cookies.flush()
        return result if problem is None else replace(result, notes=(*result.notes, problem))

    def _send(
        self,
        assembled: Assembled,
        jar: CookieJar,
        cancel: CancelToken | None,
        on_progress: ProgressCallback | None,
        on_wait: WaitCallback | None,
    ) -> SessionResult:
        if assembled.session is not None:
            from explorer.core.auth.tokens import InteractionRequired

            try:
                return assembled.session.send(
                    assembled.spec,
                    variables=assembled.variables,
                    fallback=assembled.layers,
                    cancel=cancel,
                    on_progress=on_progress,
                    base_dir=assembled.base_dir,
                    files=assembled.files,
                    tls=self.tls,
                    on_wait=on_wait,
                    jar=jar,
                )
            except InteractionRequired as exc:  # the sentence names what to log in with
                placement = assembled.placement
                collection = placement.collection
                home = placement.path or (collection.path if collection is not None else None)
                raise (exc.naming(str(home)) if home is not None else exc) from None
        return send_literal(
            self.client,
            assembled,
            cancel=cancel,
            on_progress=on_progress,
            tls=self.tls,
            oauth=self.request_tokens,
            jar=jar,
        )


def send_literal(
    client: HttpClient,
    assembled: Assembled,
    *,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
    tls: TlsFiles | None = None,
    oauth: Callable[[], RequestTokens] | None = None,
    jar: CookieJar | None = None,
) -> SessionResult:
    """A request with no provider: its own auth only (basic, bearer, api-key, OAuth2 through
    ``oauth`` ...)."""
    from explorer.core.templating import resolve
    from explorer.core.tls import apply, resolve_tls

    scope, base_dir, files = assembled.scope(), assembled.base_dir, assembled.files
    resolved = resolve(assembled.spec, scope, base_dir=base_dir, files=files)
    presented = resolve_tls(scope, override=tls, base_dir=base_dir, files=files)
    resolved = apply(resolved, presented)
    placement = assembled.placement
    home = placement.path or (placement.collection.path if placement.collection else None)
    return send_resolved(
        client,
        resolved,
        oauth=oauth,
        cancel=cancel,
        on_progress=on_progress,
        where=str(home) if home is not None else None,
        tls=presented,
        jar=jar,
    )


def send_resolved(
    client: HttpClient,
    resolved: ResolvedRequest,
    *,
    oauth: Callable[[], RequestTokens] | None,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
    where: str | None = None,
    tls: TlsFiles | None = None,
    jar: CookieJar | None = None,
) -> SessionResult:
    """Send a resolved request without a provider (a literal send, a provider-less run) with
    its own auth. OAuth2 goes through ``oauth()`` (the workbench's ``RequestTokens``): its token,
    refreshed when due, one replay after a 401; ``where`` (the request file, folder or
    collection) is what an interactive grant's error tells the user to log in with."""
    from explorer.core.pipeline import SessionResult
    from explorer.core.problems import normalise
    from explorer.core.tls import send_presenting
    from explorer.core.transport_policy import unverified_note

    notes: tuple[str, ...] = () if resolved.verify_tls else (unverified_note(resolved.url),)
    events: tuple[TokenEvent, ...] = ()
    secrets, attempts = resolved.secrets, 1
    if resolved.auth is not None and resolved.auth.type == "oauth2":
        from explorer.core.auth.tokens import InteractionRequired

        if oauth is None:
            raise InvalidRequest("OAuth2 auth cannot be sent here: no token engine was given.")
        try:
            sent = oauth().send(
                resolved,
                dict(resolved.auth.params),
                cancel=cancel,
                on_progress=on_progress,
                tls=tls,
                jar=jar,
            )
        except InteractionRequired as exc:
            raise (exc.naming(where) if where else exc) from None
        exchange, events, secrets, attempts = (
            sent.exchange,
            sent.events,
            sent.secrets,
            sent.attempts,
        )
        notes = (*sent.notes, *notes)
    else:
        from explorer.core.auth.registry import explicit_auth

        auth = explicit_auth(resolved.auth) if resolved.auth is not None else None
        exchange = send_presenting(
            client,
            resolved,
            tls or TlsFiles(),
            auth=auth,
            cancel=cancel,
            on_progress=on_progress,
            jar=jar,
        )
    response = exchange.response
    problem = normalise(
        response.status, response.headers, response.body.head(256 * 1024), reason=response.reason
    )
    return SessionResult(
        exchange=exchange,
        problem=problem,
        events=events,
        quota=None,
        attempts=attempts,
        notes=notes,
        secrets=secrets,
    )
