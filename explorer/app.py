"""GUI bootstrap: QApplication, the qasync event loop, the window over the services
``explorer.services.compose`` builds, and an orderly shutdown.

Everything Qt starts here, so headless commands never pay for importing it. The first paint
must not pay for the HTTP core, YAML or the keyring either (``import requests`` alone is 0.2 s
here): the services' core is built on the network executor as soon as the window exists, and
every service waits for it there, never on the UI thread.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.services.compose import Executors, build_services, state_dir

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

SWITCH_INTERVAL_S = 0.001
FIRST_PAINT_WAIT_MS = 2000


def tune_interpreter() -> None:
    """Qt re-enters Python for every overridden virtual and connected slot, and each re-entry
    waits for the GIL: with a worker busy lexing, up to the switch interval (5 ms by default)
    each time, dozens of times per frame. 1 ms keeps a frame well under the 50 ms stall budget."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def stored_theme() -> str | None:
    """The theme saved in the settings, unless ``API_EXPLORER_THEME`` overrides it; a file
    that cannot be read leaves the system's (the core reports the file once it starts)."""
    if os.environ.get("API_EXPLORER_THEME"):
        return None
    from explorer.core.settings import SettingsError, load_settings

    try:
        return load_settings().theme.value
    except SettingsError:
        return None


def _on_first_paint(window: QWidget, then: Callable[[], None]) -> None:
    """Call ``then`` once, right after the window's first paint event."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, then)
            return False

    window.installEventFilter(FirstPaint(window))


def _until_first_paint(window: QWidget) -> None:
    """Run Qt's own event loop until the window's first paint: the paint does not wait for
    qasync and asyncio to be imported (60 ms here), which the rest of the session needs. A window
    that is never exposed (another workspace) stops waiting after ``FIRST_PAINT_WAIT_MS``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    _on_first_paint(window, loop.quit)
    QTimer.singleShot(FIRST_PAINT_WAIT_MS, loop.quit)
    loop.exec()


def run_gui(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    # Start-up allocates thousands of objects that live as long as the app: collecting them
    # before the first paint is wasted work (~10 ms here); after it they are frozen out of
    # every later collection (UI stalls stay short).
    gc.disable()
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
    from PySide6.QtWidgets import QApplication

    from explorer.ui import theme
    from explorer.ui.crash import CrashHandler
    from explorer.ui.main_window import MainWindow

    tune_interpreter()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("API Explorer")
    app.setOrganizationName("api-explorer")
    theme.apply(app, stored_theme())
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: theme.apply(app))
    CrashHandler(state_dir() / "api-explorer.log").install()

    executors = Executors()
    services = build_services(
        executors,
        workspace=Path(args.workspace).expanduser() if args.workspace else None,
        demo=bool(args.demo),
        defer=True,
    )
    window = MainWindow(services, complete_later=True)
    window.show()
    try:
        _until_first_paint(window)
        gc.freeze()
        gc.enable()
        if args.quit_after_show:
            elapsed = (time.perf_counter() - started) * 1000
            sys.stdout.write(f"shown in {elapsed:.0f} ms\n")
            sys.stdout.flush()
            window.close()
            return 0
        window.complete()
        services.start()
        _quit_on_signals(app, window)
        _run_until_quit(app)
    finally:
        window.cancel()
        services.sender.shutdown()
        for stop in services.on_shutdown:
            stop()
        executors.shutdown()
    return 0


def _quit_on_signals(app: QApplication, window: QWidget) -> None:
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


def _run_until_quit(app: QApplication) -> None:
    """The session's loop: qasync's, so services may await on the Qt loop."""
    import asyncio

    import qasync

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(_until_quit(app))


async def _until_quit(app: QApplication) -> None:
    """Keeps the qasync loop (and so the Qt loop) running until the application quits."""
    import asyncio

    quitting: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_about_to_quit() -> None:
        if not quitting.done():
            quitting.set_result(None)

    app.aboutToQuit.connect(on_about_to_quit)
    await quitting
