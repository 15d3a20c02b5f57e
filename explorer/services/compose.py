"""The composition root: our executors and the window's ``Services`` over one ``Core``.

Importing this module must not import the HTTP core, YAML or the keyring (the first paint
imports it): the core starts on the network executor when ``Services.start`` is called.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from explorer.services.adapters import (
    CoreCatalog,
    CoreCredentials,
    CoreRuns,
    CoreSnippets,
    CoreTokens,
)
from explorer.services.api import OtpBridge, Services
from explorer.services.cookies import CoreCookies
from explorer.services.core import Core, start_core
from explorer.services.oauth import CoreOAuth
from explorer.services.sending import CoreSender
from explorer.services.settings import CoreSettings


def state_dir() -> Path:
    """Where window state and the crash log live (``API_EXPLORER_HOME`` overrides, for tests)."""
    override = os.environ.get("API_EXPLORER_HOME")
    if override:
        return Path(override) / "state"
    from platformdirs import user_state_path

    return user_state_path("api-explorer", appauthor=False)


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
    oauth = CoreOAuth(executors.network, ready)
    services.oauth = oauth
    services.on_shutdown.append(oauth.shutdown)
    runs = CoreRuns(ready)
    services.runs = runs
    services.on_shutdown.append(runs.shutdown)
    services.on_shutdown.append(lambda: _stop_core(ready))
    services.cookies = CoreCookies(executors.disk, ready)
    services.app_settings = CoreSettings(executors.disk, ready)
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
    from explorer.services.drafts import FileDrafts, core_store, session_file
    from explorer.services.workspace import CoreWorkspace, WorkspaceHistory

    collections = CoreWorkspace(executors.disk, executors.worker, ready, workspace, demo)
    services.workspace = collections
    services.history = WorkspaceHistory(executors.disk, ready, workspace, demo)
    kept_tabs = session_file(state_dir(), workspace, demo)
    services.drafts = FileDrafts(executors.disk, kept_tabs, core_store(ready))
    services.on_shutdown.append(collections.stop)
    from explorer.services.variables import CoreVariables

    services.variables = CoreVariables(executors.network, executors.worker, ready, collections)


def _settle(target: Future[Core], source: Future[Core]) -> None:
    error = source.exception()
    if error is not None:
        target.set_exception(error)
    else:
        target.set_result(source.result())


def _stop_core(ready: Future[Core]) -> None:
    if ready.done() and ready.exception() is None:
        ready.result().close()
