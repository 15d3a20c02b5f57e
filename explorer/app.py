"""GUI bootstrap: QApplication, the qasync event loop, our executors, the services the window
is given, and an orderly shutdown.

Everything Qt starts here, so headless commands never pay for importing it. The first paint
must not pay for ``requests`` either (0.2 s here): the HTTP core is imported on the network
executor right after the window is shown, and by whichever send comes first at the latest.
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
    from explorer.core.http import CancelToken, HttpClient
    from explorer.core.models import Exchange, RequestSpec
    from explorer.ui.services import ProgressCallback, SendContext, Services


def state_dir() -> Path:
    """Where window state and the crash log live (``API_EXPLORER_HOME`` overrides, for tests)."""
    override = os.environ.get("API_EXPLORER_HOME")
    if override:
        return Path(override) / "state"
    from platformdirs import user_state_path

    return user_state_path("api-explorer", appauthor=False)


@dataclass
class _Pending:
    future: Future[Exchange]
    token: CancelToken

    def cancel(self) -> None:
        self.token.cancel()


@dataclass
class CoreSender:
    """Resolves and sends on the network executor through the core's ``HttpClient``."""

    executor: ThreadPoolExecutor
    _client: HttpClient | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def warm_up(self) -> None:
        """Import the HTTP core on a worker while the user looks at the window."""
        self.executor.submit(self.client)

    def client(self) -> HttpClient:
        with self._lock:
            if self._client is None:
                from explorer.core.http import HttpClient

                self._client = HttpClient()
            return self._client

    def start(
        self,
        spec: RequestSpec,
        context: SendContext,
        on_progress: ProgressCallback | None = None,
    ) -> _Pending:
        from explorer.core.http import CancelToken

        token = CancelToken()
        future = self.executor.submit(self._send, spec, context, token, on_progress)
        return _Pending(future, token)

    def _send(
        self,
        spec: RequestSpec,
        context: SendContext,
        token: CancelToken,
        on_progress: ProgressCallback | None,
    ) -> Exchange:
        from explorer.core.templating import resolve

        resolved = resolve(spec, context.scope, base_dir=Path.cwd())
        return self.client().send(resolved, cancel=token, on_progress=on_progress)

    def shutdown(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()


@dataclass
class Executors:
    """Ours, not qasync's default: a pool for the network, one for the views' CPU work (decode,
    format, lex, search), and one thread for disk writes so they land in order."""

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


SWITCH_INTERVAL_S = 0.001


def tune_interpreter() -> None:
    """Qt re-enters Python for every overridden virtual and connected slot, and each re-entry
    waits for the GIL: with a worker busy lexing, up to the switch interval (5 ms by default)
    each time, dozens of times per frame. 1 ms keeps a frame well under the 50 ms stall budget."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def build_services(executors: Executors, args: argparse.Namespace) -> Services:
    from explorer.ui.services import Services

    return Services(
        sender=CoreSender(executors.network),
        worker=executors.worker,
        disk=executors.disk,
        settings_path=state_dir() / "window.ini",
    )


def _on_first_paint(window: Any, then: Callable[[], None]) -> None:
    """Call ``then`` once, right after the window's first paint event."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, then)
            return False

    watcher = FirstPaint(window)
    window.installEventFilter(watcher)


def run_gui(args: argparse.Namespace) -> int:
    started = time.perf_counter()
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
    services = build_services(executors, args)
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
        if isinstance(services.sender, CoreSender):
            services.sender.warm_up()

    _on_first_paint(window, after_paint)
    try:
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            runner.run(_until_quit(app))
    finally:
        window.cancel()
        services.sender.shutdown()
        executors.shutdown()
    return 0


async def _until_quit(app: Any) -> None:
    """Keeps the qasync loop (and so the Qt loop) running until the application quits."""
    quitting: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_about_to_quit() -> None:
        if not quitting.done():
            quitting.set_result(None)

    app.aboutToQuit.connect(on_about_to_quit)
    await quitting
