"""The Qt-free interfaces the window calls, and the values they exchange; ``compose.py`` builds
the real implementations over the core.

Widgets never do HTTP, token grants, keyring access or file formats themselves: they call these
protocols, whose implementations own their executors and return ``concurrent.futures.Future``s
that the UI awaits. Tests pass the same real implementations, or small fakes for what cannot exist
here (a vendor's live host). The workspace's protocols live in ``workspace_api.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from explorer.core.models import Exchange, RequestSpec
from explorer.core.providers import ProviderProfile
from explorer.core.workspace.model import Folder
from explorer.services.workspace_api import CollectionRuns, HistoryStore, WorkspaceService

if TYPE_CHECKING:
    from explorer.core.auth.tokens import AuthorizePrompt, DevicePrompt, OtpPrompt
    from explorer.services.cookies import CookieService
    from explorer.services.drafts import DraftStore
    from explorer.services.settings import SettingsService
    from explorer.services.variables import VariablesService

ProgressCallback = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class SendContext:
    """Where a request goes, as the core's assembler (``explorer.core.context``) takes it: the
    selected provider and environment (a saved request's collection binding decides over
    them), the folders it inherits headers, auth and variables from, its file (relative body
    files point into its folder) and values for its own ``{{variables}}`` (the first layer)."""

    provider_id: str | None = None
    environment: str | None = None
    folders: tuple[Folder, ...] = ()  # where the request is saved, nearest folder first
    request_path: Path | None = None
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TokenView:
    """What the token status and inspector show; never the token itself.

    ``state`` is ``none``, ``valid``, ``refreshing``, ``failed``, ``static`` (a stored token or
    key the provider issues out of band) or ``unused`` (no provider applies to the request)."""

    state: str = "none"
    detail: str = ""
    issued_at: float | None = None
    expires_at: float | None = None
    has_refresh_token: bool = False
    claims: tuple[tuple[str, str], ...] = ()
    roles: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    events: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """A finished send: the exchange (secrets of the send listed in ``request.secrets``), the
    normalised problem, what the token lifecycle did, and notes (replays, 429 retries)."""

    exchange: Exchange
    problem: ProblemCard | None = None
    events: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    token: TokenView | None = None


class PendingSend(Protocol):
    """One request in flight; ``cancel`` stops it between chunks (the thread is not killed)."""

    @property
    def future(self) -> Future[SendOutcome]: ...

    def cancel(self) -> None: ...


class RequestSender(Protocol):
    def start(
        self,
        spec: RequestSpec,
        context: SendContext,
        on_progress: ProgressCallback | None = None,
        on_wait: Callable[[float, str], None] | None = None,
    ) -> PendingSend:
        """Send off the UI thread; ``on_wait(seconds, reason)`` (on the network thread) hears
        each wait before a rate-limited retry."""
        ...

    def shutdown(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SlotState:
    """One credential slot of a provider environment, and whether a value is stored."""

    name: str
    label: str
    secret: bool
    optional: bool
    stored: bool


TlsTarget = tuple[str, str] | Path
"""What TLS files belong to: a provider environment (provider id, environment) or a collection
bound to no provider (its folder)."""


@dataclass(frozen=True, slots=True)
class TlsView:
    """The TLS files of a ``TlsTarget`` as the TLS dialog shows and edits them ("" is unset):
    whether a PKCS#12 password is stored, the preset's files (``defaults``, by key) the saved
    ones override, and one sentence saying where they are saved."""

    ca_bundle: str = ""
    client_cert: str = ""
    client_key: str = ""
    pkcs12: str = ""
    password_stored: bool = False
    defaults: tuple[tuple[str, str], ...] = ()
    where: str = ""


class CredentialService(Protocol):
    """Credential slots in the keyring (or a session-only store); every call runs off the UI
    thread because keyring calls can block on D-Bus."""

    @property
    def description(self) -> str: ...

    @property
    def unavailable_reason(self) -> str:
        """Why the OS keyring is not used ('' when it is)."""
        ...

    def slots(self, provider_id: str, environment: str) -> Future[list[SlotState]]: ...

    def set(self, provider_id: str, environment: str, slot: str, value: str) -> Future[None]: ...

    def clear(self, provider_id: str, environment: str, slot: str) -> Future[None]: ...

    def reveal(self, provider_id: str, environment: str, slot: str) -> Future[str | None]: ...

    def collection_secrets(self, collection: Path) -> Future[list[SlotState]]:
        """The secret variables the collection in ``collection`` declares, and whether each
        has a value stored under the collection (``explorer.core.secret_variables``)."""
        ...

    def set_collection_secret(self, collection: Path, name: str, value: str | None) -> Future[None]:
        """Store (None: forget) the collection's value of secret variable ``name``."""
        ...

    def reveal_collection_secret(self, collection: Path, name: str) -> Future[str | None]: ...

    def tls(self, target: TlsTarget) -> Future[TlsView]:
        """The TLS files saved for ``target`` (``explorer.services.tls``)."""
        ...

    def set_tls(
        self, target: TlsTarget, view: TlsView, password: str | None = None
    ) -> Future[TlsView]:
        """Save ``view``'s files for ``target``; ``password`` (a PKCS#12 file's) None keeps
        the stored one, "" forgets it."""
        ...


TokenListener = Callable[[str, str, str], None]
"""Called from a worker thread with (provider id, environment, event description)."""


class TokenService(Protocol):
    def state(self, provider_id: str, environment: str) -> Future[TokenView]: ...

    def refresh(self, provider_id: str, environment: str) -> Future[TokenView]: ...

    def forget(self, provider_id: str, environment: str) -> Future[TokenView]: ...

    def subscribe(self, listener: TokenListener) -> None: ...


@dataclass(frozen=True, slots=True)
class OAuthTokenView:
    """The token of the open request's OAuth2 auth (its own or its folder's) as the Auth tab
    shows it, never the token: ``state`` is ``none``, ``valid`` or ``expired`` (the next send
    refreshes it); ``identity`` tells one OAuth2 identity (grant, client, endpoints, hashes of
    its secrets) from another, so an event can be matched to the request on screen."""

    state: str = "none"
    expires_at: float | None = None
    has_refresh_token: bool = False
    grant: str = ""
    identity: str = ""
    inspected: TokenView | None = None  # what the token inspector shows (claims, events)


@dataclass(frozen=True, slots=True)
class OAuthEvent:
    """One event of a request-level OAuth2 token manager (``TokenEvent.kind``: ``acquired``,
    ``refreshed``, ``failed``, ``authorization-required`` ...) for ``identity``; no secret."""

    identity: str
    kind: str
    grant: str = ""


OAuthListener = Callable[[OAuthEvent], None]
"""Called from a worker thread with each event of a watched request-level token manager."""


class PendingSignIn(Protocol):
    """A "Get token" under way; ``cancel`` ends the wait for the browser or the device code."""

    @property
    def future(self) -> Future[OAuthTokenView]: ...

    def cancel(self) -> None: ...


class OAuthService(Protocol):
    """OAuth2 set on a request, folder or collection (no provider): the request is assembled as
    a send from the window assembles it, every call runs off the UI thread."""

    def status(self, spec: RequestSpec, context: SendContext) -> Future[OAuthTokenView]: ...

    def sign_in(
        self,
        spec: RequestSpec,
        context: SendContext,
        on_authorize: Callable[[AuthorizePrompt], None],
        on_device: Callable[[DevicePrompt], None],
    ) -> PendingSignIn:
        """Get a token now ("Get token"): the callbacks are called on the worker thread with
        what the user must do (the URL the browser opens, the device code)."""
        ...

    def forget(self, spec: RequestSpec, context: SendContext) -> Future[OAuthTokenView]: ...

    def open_browser(self, url: str) -> Future[bool]: ...

    def subscribe(self, listener: OAuthListener) -> None: ...


class ProviderCatalog(Protocol):
    """Built-in and user providers (user wins on an id clash), loaded off the UI thread; the
    second item lists the preset files that failed to load, one sentence each."""

    def load(self) -> Future[tuple[list[ProviderProfile], list[str]]]: ...


@dataclass(frozen=True, slots=True)
class SnippetChoice:
    """What the snippet dialog asks for: a target (``LANGUAGES`` id), an auth mode (``as-sent``,
    ``reveal`` or ``flow``) and whether ``{{variables}}`` stay variables."""

    lang: str
    auth_mode: str = "as-sent"
    keep_variables: bool = False


class SnippetService(Protocol):
    """Code snippets of the builder's request in the chosen provider environment, generated off
    the UI thread; stored secrets (and the current token) are read there, and only for reveal,
    so the dialog never holds a secret it does not show."""

    def generate(
        self, spec: RequestSpec, context: SendContext, choice: SnippetChoice
    ) -> Future[str]: ...


@dataclass(frozen=True, slots=True)
class ProblemCard:
    """A failed call in the one shape the Problem tab renders (the core's normaliser fills it)."""

    status: int
    title: str
    code: str | None = None
    detail: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    retry_after: float | None = None
    format: str = "generic"


class OtpBridge:
    """Lets the core, on a network thread, ask the window for a one-time password (Procode's
    ``SendOTP`` step). Until a window connects an asker, the answer is "no code", which the
    token manager reports as such instead of waiting."""

    def __init__(self) -> None:
        self._ask: Callable[[OtpPrompt], str | None] | None = None

    def connect(self, ask: Callable[[OtpPrompt], str | None] | None) -> None:
        self._ask = ask

    def __call__(self, prompt: OtpPrompt) -> str | None:
        ask = self._ask
        return ask(prompt) if ask is not None else None


@dataclass
class Services:
    """Everything the window needs from outside Qt, built once by ``compose.build_services``;
    ``start`` begins loading the core (the app calls it after the first paint).

    ``worker`` runs CPU work for the views (decoding, formatting, lexing, search); ``disk`` is a
    one-thread executor for writes, so they happen in order.
    """

    sender: RequestSender
    worker: Executor
    disk: Executor
    settings_path: Path
    providers: ProviderCatalog | None = None
    credentials: CredentialService | None = None
    tokens: TokenService | None = None
    snippets: SnippetService | None = None
    history: HistoryStore | None = None
    workspace: WorkspaceService | None = None
    runs: CollectionRuns | None = None
    oauth: OAuthService | None = None
    drafts: DraftStore | None = None  # the open tabs and drafts kept across restarts
    app_settings: SettingsService | None = None  # the settings dialog's (explorer/core/settings.py)
    variables: VariablesService | None = None  # the environments and variables editor's
    cookies: CookieService | None = None  # the cookie jars' viewer and persistence switch
    otp: OtpBridge = field(default_factory=OtpBridge)
    start: Callable[[], None] = lambda: None
    on_shutdown: list[Callable[[], None]] = field(default_factory=list)
