"""UI operations and the one message channel: a service call's result reaches its callback on
the UI thread, an intended failure becomes one line in the status bar, a bug reaches the crash
handler; a long line never resizes the window and is readable in full on hover and in details."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QToolButton

from explorer.core.errors import ExplorerError
from explorer.core.models import RequestSpec
from explorer.ui.operations import MessageChannel, Operations
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

LONG = (
    "PriceEdge answered 403 Forbidden: the user 'demo' is not allowed to read price lists of "
    "company 100 in environment sandbox; " * 8
).strip()


def finished_later(value: object = None, error: BaseException | None = None) -> Future[object]:
    """A future completed on another thread, as the executors do."""
    future: Future[object] = Future()

    def finish() -> None:
        if error is None:
            future.set_result(value)
        else:
            future.set_exception(error)

    threading.Thread(target=finish).start()
    return future


def test_success_runs_on_the_ui_thread_and_failures_go_to_the_channel(qtbot) -> None:
    channel = MessageChannel()
    qtbot.addWidget(channel)
    ops = Operations(channel)
    seen: list[tuple[object, bool]] = []
    ops.run(
        finished_later(42),
        lambda value: seen.append((value, threading.current_thread() is threading.main_thread())),
    )
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [(42, True)]

    ops.run(finished_later(error=ExplorerError("The disk is full.")), seen.append, failure="Save")
    qtbot.waitUntil(lambda: channel.text() == "Save: The disk is full.")
    ops.run(finished_later(error=PermissionError("denied")), seen.append)
    qtbot.waitUntil(lambda: channel.text() == "denied")

    mine: list[BaseException] = []
    ops.run(finished_later(error=OSError("gone")), seen.append, on_failure=mine.append)
    qtbot.waitUntil(lambda: bool(mine))
    assert channel.text() == "denied"  # the caller showed it itself
    assert seen == [(42, True)]


def test_a_bug_reaches_the_crash_handler(qtbot) -> None:
    channel = MessageChannel()
    qtbot.addWidget(channel)
    with qtbot.captureExceptions() as raised:
        Operations(channel).run(finished_later(error=KeyError("bug")), print)
        qtbot.waitUntil(lambda: bool(raised))
    assert isinstance(raised[0][1], KeyError)
    assert channel.text() == ""


def test_a_long_message_neither_widens_the_window_nor_squeezes_the_tree(qtbot, window) -> None:
    width = window.width()
    qtbot.waitUntil(lambda: window.main_splitter.sizes()[0] > 0)
    sides = window.main_splitter.sizes()
    window.messages.show_error(LONG)
    window.response.show_message(LONG, error=True)
    window.messages.show_info(f"Exported to /tmp/{'very-long-folder-name/' * 30}shop.json.")
    QApplication.processEvents()
    assert window.width() == width == 1280
    assert window.main_splitter.sizes() == sides
    assert window.response.status.elided
    assert window.response.status.toolTip() == LONG


def test_a_failed_send_with_a_long_error_keeps_the_layout(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.main_splitter.sizes()[0] > 0)
    sides = window.main_splitter.sizes()
    url = "http://localhost/" + "/".join(f"{{{{undefined_{i}}}}}" for i in range(40))
    with qtbot.waitSignal(window.request_failed, timeout=10_000) as failed:
        window.send(RequestSpec("GET", url))
    assert len(failed.args[0]) > 600
    QApplication.processEvents()
    assert window.width() == 1280
    assert window.main_splitter.sizes() == sides
    assert window.response.status.full_text() == failed.args[0]
    assert window.response.status.toolTip() == failed.args[0]


def test_the_details_button_shows_the_whole_message(qtbot, window) -> None:
    window.messages.show_error(LONG)
    details = window.findChild(QToolButton, "statusDetails")
    qtbot.waitUntil(details.isVisible)
    line = window.findChild(QLabel, "statusMessage")
    assert line.text().endswith("…</span>")
    details.click()
    box = window.findChild(QMessageBox, "messageDetails")
    assert box is not None
    assert box.text() == LONG
    box.close()
    window.messages.show_info("Saved.")
    qtbot.waitUntil(lambda: not details.isVisible())
