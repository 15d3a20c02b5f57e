"""GUI bootstrap: QApplication, the qasync event loop, our executors, the services the window
is given, and an orderly shutdown.

Everything Qt starts here, so headless commands never pay for importing it. The first paint
must not pay for the HTTP core, YAML or the keyring either (``import requests`` alone is 0.2 s
here): the ``Core`` below is built on the network executor as soon as the window exists, and
every service waits for it there, never on the UI thread.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.core.models import RequestSpec
    from explorer.core.providers import ProviderProfile
    from explorer.ui.services import (
        ProblemCard,
        ProgressCallback,
        SendContext,
        SendOutcome,
        Services,
        SlotState,
        SnippetChoice,
        TokenView,
    )

SWITCH_INTERVAL_S = 0.001


def state_dir() -> Path:
    """Where window state and the crash log live (``API_EXPLORER_HOME`` overrides, for tests)."""
    override = os.environ.get("API_EXPLORER_HOME")
    if override:
        return Path(override) / "state"
    from platformdirs import user_state_path

    return user_state_path("api-explorer", appauthor=False)


def tune_interpreter() -> None:
    """Qt re-enters Python for every overridden virtual and connected slot, and each re-entry
    waits for the GIL: with a worker busy lexing, up to the switch interval (5 ms by default)
    each time, dozens of times per frame. 1 ms keeps a frame well under the 50 ms stall budget."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


@dataclass
class Executors:
    """Ours, not qasync's default: a pool for the network (and the keyring), one thread for the
    views' CPU work (decode, format, lex, search: more threads would only fight the UI thread for
    the GIL), and one thread for disk writes so they land in order."""

    network: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(4, thread_name_prefix="explorer-net")
    )
    worker: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="explorer-view")
    )
    disk: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="explorer-disk")
    )

    def shutdown(self) -> None:
        """Cancelled sends stop between chunks; queued view work is dropped; writes finish."""
        self.worker.shutdown(wait=True, cancel_futures=True)
        self.network.shutdown(wait=True, cancel_futures=True)
        self.disk.shutdown(wait=True)


# -- the core behind the window's services (runs on the network executor only) ------------------


@dataclass
class Core:
    """What every service shares: one HTTP client, the limiter and token registries, the
    credential store, the providers, an ``ApiSession`` per environment, and in ``--demo`` the
    embedded sandbox. Built and used on worker threads only."""

    client: Any
    store: Any
    workspace_id: str
    profiles: dict[str, Any]
    problems: list[str]
    sandbox: Any = None
    limiters: Any = None
    tokens: Any = None
    sessions: dict[tuple[str, str], Any] = field(default_factory=dict)
    listeners: list[Callable[[str, str, str], None]] = field(default_factory=list)
    events: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    watched: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    otp: Callable[[Any], str | None] | None = None
    workspace_root: Path | None = None

    def session(self, provider_id: str, environment: str) -> Any:
        from explorer.core.pipeline import ApiSession

        key = (provider_id, environment)
        with self.lock:
            if key not in self.sessions:
                profile = self.profiles[provider_id]
                variables = {"sandbox_url": self.sandbox.base_url} if self.sandbox else {}
                self.sessions[key] = ApiSession(
                    profile,
                    environment,
                    store=self.store,
                    workspace_id=self.workspace_id,
                    client=self.client,
                    limiters=self.limiters,
                    tokens=self.tokens,
                    variables=variables,
                    otp=self.otp,
                )
            return self.sessions[key]

    def fallback(self, session: Any, folders: tuple[Any, ...]) -> tuple[Any, ...]:
        """What a send resolves after the environment and credentials, as ``api-explorer run``
        does: the workspace's saved values and secret variables, then the request's folders."""
        from explorer.core.pipeline import workspace_layers
        from explorer.core.workspace.model import folder_layers

        secret_names = {name for folder in folders for name in folder.secret_names()}
        saved = workspace_layers(session, self.workspace_root, secret_names)
        return (*saved, *folder_layers(folders))

    def manager(self, provider_id: str, environment: str) -> Any:
        """The environment's token manager (None without OAuth2), watched for events."""
        manager = self.session(provider_id, environment).token_manager()
        if manager is not None and id(manager) not in self.watched:
            self.watched.add(id(manager))
            manager.subscribe(lambda event: self._on_event(provider_id, environment, event))
        return manager

    def _on_event(self, provider_id: str, environment: str, event: Any) -> None:
        text = event.describe()
        with self.lock:
            recent = self.events.setdefault((provider_id, environment), [])
            recent.append(f"{time.strftime('%H:%M:%S', time.localtime(event.at))} {text}")
            del recent[:-20]
            listeners = list(self.listeners)
        for listener in listeners:
            listener(provider_id, environment, event.kind)

    def close(self) -> None:
        self.client.close()
        if self.sandbox is not None:
            self.sandbox.stop()


def start_core(
    workspace: Path | None, demo: bool, otp: Callable[[Any], str | None] | None = None
) -> Core:
    """Open the workspace, the credential store and the providers; in ``--demo`` start the
    sandbox and put its demo credentials in a session-only store. ``otp`` asks the user for a
    one-time password when a provider's token grant needs one."""
    from explorer.app_workspace import workspace_root
    from explorer.core.auth import TokenRegistry
    from explorer.core.credentials import SessionStore, open_credential_store
    from explorer.core.http import HttpClient
    from explorer.core.provider_loader import load_providers
    from explorer.core.ratelimit import LimiterRegistry
    from explorer.core.workspace.marker import open_workspace

    marker = open_workspace(workspace_root(workspace, demo))
    profiles, errors = load_providers(marker.root)
    sandbox = None
    if demo:
        from explorer.sandbox import start_sandbox

        sandbox = start_sandbox()
        store: Any = SessionStore(reason="The sandbox's demo credentials are preloaded.")
        profiles = {pid: _on_sandbox(p, sandbox.base_url) for pid, p in profiles.items()}
        _store_demo_credentials(store, marker.id, sandbox.info())
    else:
        store = open_credential_store(allow_session=True)
        profiles = {pid: _without_sandbox(p) for pid, p in profiles.items()}
    core = Core(
        client=HttpClient(),
        store=store,
        workspace_id=marker.id,
        workspace_root=marker.root,
        profiles=profiles,
        problems=[str(error) for error in errors],
        sandbox=sandbox,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
        otp=otp,
    )
    gc.freeze()  # the core's modules and presets live as long as the app: keep GC pauses short
    return core


def _on_sandbox(profile: Any, base_url: str) -> Any:
    """The preset with its ``Sandbox (local)`` environment pointed at the running sandbox."""
    from dataclasses import replace

    def fill(text: str | None) -> str | None:
        return text.replace("{{sandbox_url}}", base_url) if text else text

    environments = tuple(
        replace(
            env,
            base_url=fill(env.base_url),
            token_url=fill(env.token_url),
            variables={k: fill(v) for k, v in env.variables.items()},
        )
        if env.sandbox
        else env
        for env in profile.environments
    )
    return replace(profile, environments=environments)


def _without_sandbox(profile: Any) -> Any:
    """Without ``--demo`` nothing serves ``{{sandbox_url}}``: hide those environments."""
    from dataclasses import replace

    kept = tuple(env for env in profile.environments if not env.sandbox)
    return replace(profile, environments=kept)


def _store_demo_credentials(store: Any, workspace_id: str, info: dict[str, Any]) -> None:
    from explorer.core.credentials import CredentialKey

    for provider_id, provider in info.get("providers", {}).items():
        demo = provider.get("demo") or {}
        environment = demo.get("preset_environment")
        for slot, value in (demo.get("slots") or {}).items():
            if environment and isinstance(value, str):
                store.set(CredentialKey(workspace_id, provider_id, environment, slot), value)


def problem_card(problem: Any) -> ProblemCard | None:
    """The core's normalised ``Problem`` as the Problem tab's card."""
    from explorer.ui.services import ProblemCard

    if problem is None:
        return None
    return ProblemCard(
        status=problem.status,
        title=problem.title,
        code=problem.code,
        detail=problem.detail,
        fields=tuple((f.name, f.message) for f in problem.fields),
        retry_after=problem.retry_after,
        format=problem.format,
    )


@dataclass
class _Pending:
    future: Future[SendOutcome]
    token: Any

    def cancel(self) -> None:
        self.token.cancel()


@dataclass
class CoreSender:
    """Sends on the network executor: through the provider environment's ``ApiSession`` (auth,
    limits, refresh and replay, the normalised problem), or as a literal request without one."""

    executor: ThreadPoolExecutor
    ready: Future[Core]

    def start(
        self,
        spec: RequestSpec,
        context: SendContext,
        on_progress: ProgressCallback | None = None,
    ) -> _Pending:
        from explorer.core.http.client import CancelToken  # imported by start_core already

        token = CancelToken()
        future = self.executor.submit(self._send, spec, context, token, on_progress)
        return _Pending(future, token)

    def _send(
        self,
        spec: RequestSpec,
        context: SendContext,
        cancel: Any,
        on_progress: ProgressCallback | None,
    ) -> SendOutcome:
        from explorer.core.auth.registry import explicit_auth
        from explorer.core.problems import normalise
        from explorer.core.redaction import mask_text
        from explorer.core.templating import resolve
        from explorer.core.workspace.model import folder_layers, with_inherited
        from explorer.ui.services import SendOutcome

        core = self.ready.result()
        spec = with_inherited(spec, context.folders)
        if context.provider_id is None or context.environment is None:
            scope = context.scope
            for layer in folder_layers(context.folders):
                scope = scope.with_layer(layer, first=False)
            resolved = resolve(spec, scope, base_dir=Path.cwd())
            exchange = core.client.send(
                resolved,
                auth=explicit_auth(resolved.auth),
                cancel=cancel,
                on_progress=on_progress,
            )
            response = exchange.response
            problem = normalise(
                response.status,
                response.headers,
                response.body.head(256 * 1024),
                reason=response.reason,
            )
            return SendOutcome(exchange, problem_card(problem))
        session = core.session(context.provider_id, context.environment)
        core.manager(context.provider_id, context.environment)
        fallback = core.fallback(session, context.folders)
        result = session.send(spec, fallback=fallback, cancel=cancel, on_progress=on_progress)
        return SendOutcome(
            result.redacted_exchange(),
            problem_card(result.problem),
            events=tuple(mask_text(e.describe(), result.secrets) for e in result.events),
            notes=result.notes,
            token=token_view(core, context.provider_id, context.environment),
        )

    def shutdown(self) -> None:
        """The client closes with the core (``Services.on_shutdown``)."""


def token_view(core: Core, provider_id: str, environment: str) -> TokenView:
    """The environment's token as the status and inspector show it (never the token)."""
    from explorer.core.auth import decode_jwt
    from explorer.ui.services import TokenView

    with core.lock:
        events = tuple(core.events.get((provider_id, environment), ()))
    manager = core.manager(provider_id, environment)
    if manager is None:
        session = core.session(provider_id, environment)
        static = session.credential_values().get("static_token", "")
        info = decode_jwt(static) if static else None
        detail = f"{session.kind} auth: no token to fetch"
        if info is None:
            return TokenView("static" if static else "none", detail, events=events)
        return TokenView(
            "static",
            "a stored token issued out of band",
            expires_at=info.expires_at,
            claims=_claims(info.claims),
            roles=info.roles,
            scopes=info.scopes,
            events=events,
        )
    token = manager.current
    if token is None:
        return TokenView("none", "no token yet: the next request gets one", events=events)
    info = decode_jwt(token.access_token)
    return TokenView(
        "valid",
        f"{token.token_type} token from the {token.grant or 'token'} grant",
        issued_at=token.issued_at,
        expires_at=token.expires_at,
        has_refresh_token=bool(token.refresh_token),
        claims=_claims(info.claims) if info else (),
        roles=info.roles if info else (),
        scopes=info.scopes if info else tuple((token.scope or "").split()),
        events=events,
    )


def _claims(claims: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((key, str(value)) for key, value in sorted(claims.items()))


@dataclass
class CoreCatalog:
    ready: Future[Core]

    def load(self) -> Future[tuple[list[ProviderProfile], list[str]]]:
        result: Future[tuple[list[ProviderProfile], list[str]]] = Future()

        def done(core: Future[Core]) -> None:
            error = core.exception()
            if error is not None:
                result.set_exception(error)
                return
            loaded = core.result()
            profiles = sorted(loaded.profiles.values(), key=lambda p: p.name.lower())
            result.set_result((profiles, loaded.problems))

        self.ready.add_done_callback(done)
        return result


@dataclass
class CoreCredentials:
    """Slots in the core's store (OS keyring, or session-only), always off the UI thread."""

    executor: ThreadPoolExecutor
    ready: Future[Core]

    @property
    def description(self) -> str:
        if not self.ready.done() or self.ready.exception() is not None:
            return "credential store"
        return str(self.ready.result().store.description)

    @property
    def unavailable_reason(self) -> str:
        if not self.ready.done() or self.ready.exception() is not None:
            return ""
        return str(getattr(self.ready.result().store, "reason", ""))

    def slots(self, provider_id: str, environment: str) -> Future[list[SlotState]]:
        return self.executor.submit(self._slots, provider_id, environment)

    def _slots(self, provider_id: str, environment: str) -> list[SlotState]:
        from explorer.ui.services import SlotState

        core = self.ready.result()
        session = core.session(provider_id, environment)
        stored = core.store.values(session.key(""), [s.name for s in session.slots])
        return [
            SlotState(s.name, s.label or s.name, s.secret, s.optional, s.name in stored)
            for s in session.slots
        ]

    def set(self, provider_id: str, environment: str, slot: str, value: str) -> Future[None]:
        return self.executor.submit(self._write, provider_id, environment, slot, value)

    def clear(self, provider_id: str, environment: str, slot: str) -> Future[None]:
        return self.executor.submit(self._write, provider_id, environment, slot, None)

    def _write(self, provider_id: str, environment: str, slot: str, value: str | None) -> None:
        core = self.ready.result()
        key = core.session(provider_id, environment).key(slot)
        if value is None:
            core.store.delete(key)
        else:
            core.store.set(key, value)
        manager = core.manager(provider_id, environment)
        if manager is not None:
            manager.forget()  # new credentials: the old token is not theirs

    def reveal(self, provider_id: str, environment: str, slot: str) -> Future[str | None]:
        def read() -> str | None:
            core = self.ready.result()
            return core.store.get(core.session(provider_id, environment).key(slot))  # type: ignore[no-any-return]

        return self.executor.submit(read)


@dataclass
class CoreTokens:
    executor: ThreadPoolExecutor
    ready: Future[Core]

    def state(self, provider_id: str, environment: str) -> Future[TokenView]:
        return self.executor.submit(
            lambda: token_view(self.ready.result(), provider_id, environment)
        )

    def refresh(self, provider_id: str, environment: str) -> Future[TokenView]:
        def run() -> TokenView:
            core = self.ready.result()
            manager = core.manager(provider_id, environment)
            if manager is not None:
                current = manager.current
                if current is not None:
                    manager.invalidate(current, "refresh requested in the window")
                manager.token()
            return token_view(core, provider_id, environment)

        return self.executor.submit(run)

    def forget(self, provider_id: str, environment: str) -> Future[TokenView]:
        def run() -> TokenView:
            core = self.ready.result()
            manager = core.manager(provider_id, environment)
            if manager is not None:
                manager.forget()
            return token_view(core, provider_id, environment)

        return self.executor.submit(run)

    def subscribe(self, listener: Callable[[str, str, str], None]) -> None:
        def attach(core: Future[Core]) -> None:
            if core.exception() is None:
                core.result().listeners.append(listener)

        self.ready.add_done_callback(attach)


@dataclass
class CoreSnippets:
    """Snippets on the network executor, from what a send would use: the request's folders, the
    environment's profile and variables and the workspace's saved values for it, as
    ``api-explorer snippet`` builds them. Stored values and the current token are read only to
    reveal them."""

    executor: ThreadPoolExecutor
    ready: Future[Core]

    def generate(
        self, spec: RequestSpec, context: SendContext, choice: SnippetChoice
    ) -> Future[str]:
        return self.executor.submit(self._generate, spec, context, choice)

    def _generate(self, spec: RequestSpec, context: SendContext, choice: SnippetChoice) -> str:
        from dataclasses import replace

        from explorer.core.snippets import SnippetOptions, generate
        from explorer.core.snippets.environment import for_environment
        from explorer.core.templating import Layer, Scope
        from explorer.core.workspace.environments import load_environments
        from explorer.core.workspace.model import folder_layers, with_inherited

        spec = with_inherited(spec, context.folders)
        folders = folder_layers(context.folders)
        options = SnippetOptions(
            scope=Scope((*context.scope.layers, *folders)),
            secret_names=frozenset(n for layer in folders for n in layer.secret),
            auth_mode=choice.auth_mode,
            keep_variables=choice.keep_variables,
            base_dir=Path.cwd(),
        )
        if context.provider_id is None or context.environment is None:
            return generate(spec, choice.lang, options)
        core = self.ready.result()
        session = core.session(context.provider_id, context.environment)
        options = replace(options, scope=Scope((Layer("request", session.variables), *folders)))
        if choice.auth_mode == "reveal":
            manager = core.manager(context.provider_id, context.environment)
            current = manager.current if manager is not None else None
            options = replace(options, access_token=current.access_token if current else None)
        options = for_environment(
            options,
            session.profile,
            session.env.name,
            saved=load_environments(core.workspace_root, session.profile.id)
            if core.workspace_root is not None
            else (),
            read_stored=lambda names: core.store.values(session.key(""), names),
        )
        return generate(spec, choice.lang, options)


@dataclass
class CoreRuns:
    """Collection runs over the core's client and sessions (the window's shared token managers
    and limiters). The runner is imported at the first run, not before the first paint, and the
    core is awaited on the runs' worker, never on the GUI thread."""

    ready: Future[Core]
    runs: Any = None

    def start(self, directory: Path, provider_id: Any, environment: Any, on_progress: Any) -> Any:
        if self.runs is None:
            from explorer.core.runner.service import LocalRuns

            self.runs = LocalRuns(lambda: (self.ready.result().client, self.ready.result().session))
        return self.runs.start(directory, provider_id, environment, on_progress)

    def shutdown(self) -> None:
        if self.runs is not None:
            self.runs.shutdown()


def build_services(
    executors: Executors,
    *,
    workspace: Path | None = None,
    demo: bool = False,
    defer: bool = False,
) -> Services:
    """The window's services over one core, built on the network executor. With ``defer`` the
    core starts only when ``Services.start`` is called (after the first paint: importing it
    competes with the paint for the GIL)."""
    from explorer.ui.services import OtpBridge, Services

    ready: Future[Core] = Future()
    otp = OtpBridge()

    def start() -> None:
        if ready.set_running_or_notify_cancel():
            executors.network.submit(start_core, workspace, demo, otp).add_done_callback(
                lambda built: _settle(ready, built)
            )

    services = Services(
        sender=CoreSender(executors.network, ready),
        worker=executors.worker,
        disk=executors.disk,
        settings_path=state_dir() / "window.ini",
        providers=CoreCatalog(ready),
        credentials=CoreCredentials(executors.network, ready),
        tokens=CoreTokens(executors.network, ready),
        snippets=CoreSnippets(executors.network, ready),
        otp=otp,
        start=start,
    )
    _add_workspace_services(services, executors, ready, workspace, demo)
    runs = CoreRuns(ready)
    services.runs = runs
    services.on_shutdown.append(runs.shutdown)
    services.on_shutdown.append(lambda: _stop_core(ready))
    if not defer:
        start()
    return services


def _add_workspace_services(
    services: Services,
    executors: Executors,
    ready: Future[Core],
    workspace: Path | None,
    demo: bool,
) -> None:
    """Collections, history, import and export over the workspace the core opens."""
    from explorer.app_workspace import CoreWorkspace, WorkspaceHistory

    collections = CoreWorkspace(executors.disk, executors.worker, ready, workspace, demo)
    services.workspace = collections
    services.history = WorkspaceHistory(executors.disk, ready, workspace, demo)
    services.on_shutdown.append(collections.stop)


def _settle(target: Future[Core], source: Future[Core]) -> None:
    error = source.exception()
    if error is not None:
        target.set_exception(error)
    else:
        target.set_result(source.result())


def _stop_core(ready: Future[Any]) -> None:
    if ready.done() and ready.exception() is None:
        ready.result().close()


def _on_first_paint(window: Any, then: Callable[[], None]) -> None:
    """Call ``then`` once, right after the window's first paint event."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, then)
            return False

    window.installEventFilter(FirstPaint(window))


def run_gui(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        sys.stderr.write(
            "api-explorer: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are "
            "unset); run it in a desktop session, or set QT_QPA_PLATFORM=offscreen.\n"
        )
        return 1
    import qasync
    from PySide6.QtWidgets import QApplication

    from explorer.ui import theme
    from explorer.ui.crash import CrashHandler
    from explorer.ui.main_window import MainWindow

    tune_interpreter()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("API Explorer")
    app.setOrganizationName("api-explorer")
    theme.apply(app)
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: theme.apply(app))
    CrashHandler(state_dir() / "api-explorer.log").install()

    executors = Executors()
    services = build_services(
        executors,
        workspace=Path(args.workspace).expanduser() if args.workspace else None,
        demo=bool(args.demo),
        defer=True,
    )
    window = MainWindow(services)
    window.show()
    gc.freeze()  # start-up objects never die: keep full collections (UI stalls) short

    def after_paint() -> None:
        if args.quit_after_show:
            elapsed = (time.perf_counter() - started) * 1000
            sys.stdout.write(f"shown in {elapsed:.0f} ms\n")
            sys.stdout.flush()
            window.close()
            app.quit()
            return
        services.start()

    _on_first_paint(window, after_paint)
    _quit_on_signals(app, window)
    try:
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            runner.run(_until_quit(app))
    finally:
        window.cancel()
        services.sender.shutdown()
        for stop in services.on_shutdown:
            stop()
        executors.shutdown()
    return 0


def _quit_on_signals(app: Any, window: Any) -> None:
    """SIGINT and SIGTERM close the window and quit through the orderly shutdown. Python runs
    signal handlers only between bytecodes, so a slow timer gives it the chance while Qt idles."""
    import signal

    from PySide6.QtCore import QTimer

    def on_signal(_number: int, _frame: object) -> None:
        window.close()
        app.quit()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    ticker = QTimer(window)
    ticker.setInterval(250)
    ticker.timeout.connect(lambda: None)
    ticker.start()


async def _until_quit(app: Any) -> None:
    """Keeps the qasync loop (and so the Qt loop) running until the application quits."""
    quitting: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_about_to_quit() -> None:
        if not quitting.done():
            quitting.set_result(None)

    app.aboutToQuit.connect(on_about_to_quit)
    await quitting
