"""The body panel driven slice by slice: its jobs run on an executor the test steps by hand, so
"while the index builds" and "before the search is done" are states the test holds, not races.
Chunks are tiny, so a few KB of body take hundreds of slices."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from explorer.core.http.body import ResponseBody
from explorer.ui import response_body, text_view
from explorer.ui.response_body import ResponseBodyPanel
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

LINES = 1000
TEXT = "".join(f"line {index}\n" for index in range(LINES))


class ManualExecutor:
    """Runs submitted work only when the test says so, on the test's (the UI) thread."""

    def __init__(self) -> None:
        self.queue: list[Callable[[], object]] = []

    def submit(self, fn: Callable[..., object], *args: object, **kwargs: object) -> Future[object]:
        future: Future[object] = Future()

        def run() -> None:
            future.set_result(fn(*args, **kwargs))

        self.queue.append(run)
        return future

    def run_one(self) -> None:
        self.queue.pop(0)()

    def run_all(self) -> None:
        while self.queue:
            self.run_one()


@pytest.fixture
def executor(monkeypatch: pytest.MonkeyPatch) -> ManualExecutor:
    monkeypatch.setattr("explorer.ui.body_jobs.BUDGET_S", 0.0)  # one slice per run
    monkeypatch.setattr("explorer.ui.body_jobs.Throttle.due", lambda self: True)
    return ManualExecutor()


@pytest.fixture
def panel(qtbot, executor: ManualExecutor) -> ResponseBodyPanel:  # type: ignore[no-untyped-def]
    widget = ResponseBodyPanel(executor)  # type: ignore[arg-type]
    widget.chunk = 64
    qtbot.addWidget(widget)
    widget.resize(800, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def show(panel: ResponseBodyPanel, executor: ManualExecutor, text: str, kind: str) -> None:
    body = ResponseBody(spill_threshold=0)  # spilled: the mapped-file path
    body.write(text.encode())
    body.finish()
    panel.show_body(body, kind)
    executor.run_one()


def test_first_screen_comes_before_the_index_is_complete(qtbot, panel, executor) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=1000):
        show(panel, executor, TEXT, "text/plain")
    document = panel.document
    assert document is not None
    assert not document.complete
    assert "Indexing…" in panel.progress.text()
    rows = document.row_count
    range_before = panel.view.verticalScrollBar().maximum()
    for _ in range(20):
        executor.run_one()
    assert document.row_count > rows
    assert panel.view.verticalScrollBar().maximum() > range_before
    executor.run_all()
    assert document.complete
    assert document.row_count == LINES + 1
    assert panel.progress.text() == ""


def test_ctrl_end_while_indexing_reaches_the_end_once_indexed(qtbot, panel, executor) -> None:
    show(panel, executor, TEXT, "text/plain")
    view = panel.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert view.pending_target() == ("end", 0)
    executor.run_all()
    assert view.pending_target() is None
    bar = view.verticalScrollBar()
    assert bar.value() == bar.maximum() > 0
    document = panel.document
    last_rows = [document.display(*row) for row in document.rows(bar.value(), 100)]
    assert last_rows[-2:] == [f"line {LINES - 1}", ""]


def test_go_to_line_while_indexing_and_at_the_last_line(qtbot, panel, executor) -> None:
    show(panel, executor, TEXT, "text/plain")
    view = panel.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    bar = panel.go_to_line_bar
    assert bar.isVisible()
    assert bar.total_label.text() == "(counting lines…)"
    qtbot.keyClicks(bar.edit, str(LINES))
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert not bar.isVisible()
    assert view.pending_target() == ("line", LINES)
    executor.run_all()
    assert view.pending_target() is None
    document = panel.document
    caret = view.selection()[0]
    assert document.display(*next(document.rows(document.row_of(caret), 1))) == f"line {LINES - 1}"
    assert view.first_visible_row() == view.verticalScrollBar().maximum()
    panel.open_go_to_line()
    assert bar.total_label.text() == f"of {LINES + 1:,}"
    bar.edit.setText("99999")
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert view.first_visible_row() == view.verticalScrollBar().maximum()
    assert view.selection()[0] == document.size  # the last line: the empty one after "\n"


def test_search_results_grow_and_next_works_before_it_is_done(qtbot, panel, executor) -> None:
    show(panel, executor, TEXT, "text/plain")
    executor.run_all()
    panel.open_search()
    panel.search_bar.edit.setText("line 9")
    qtbot.waitUntil(lambda: bool(executor.queue))  # the debounced query was queued
    while panel.search_result().total < 3:
        executor.run_one()
    count = panel.search_bar.count_label.text()
    assert count.startswith("1 of ")
    assert count.endswith("…")
    assert panel.search_result().total < 111
    panel.search_bar.next_button.click()
    assert panel.search_bar.count_label.text().startswith("2 of ")
    with qtbot.waitSignal(panel.searched, timeout=1000) as searched:
        executor.run_all()
    assert searched.args == [111]  # "line 9", "line 9x", "line 9xx"
    assert panel.search_bar.count_label.text() == "2 of 111"


def test_a_new_query_cancels_the_old_one(qtbot, panel, executor) -> None:
    show(panel, executor, TEXT, "text/plain")
    executor.run_all()
    panel.open_search()
    panel.search_bar.edit.setText("line")
    qtbot.waitUntil(lambda: bool(executor.queue))
    executor.run_one()
    panel.search_bar.edit.setText("line 12")
    qtbot.waitUntil(lambda: len(executor.queue) == 2)
    searched: list[int] = []
    panel.searched.connect(searched.append)
    executor.run_all()
    assert searched == [11]  # only the new query finished: "line 12", "line 120".."line 129"
    assert panel.search_result().total == 11


def test_format_cancel_and_format_again(qtbot, panel, executor, monkeypatch) -> None:
    monkeypatch.setattr(response_body, "AUTO_FORMAT_LIMIT", 100)
    value = [{"id": index, "name": "Widget"} for index in range(100)]
    show(panel, executor, json.dumps(value, separators=(",", ":")), "application/json")
    executor.run_all()
    assert panel.notice.isVisible()
    assert "shown as received" in panel.notice.text()
    button = panel.format_button
    button.click()
    assert button.text() == "Cancel formatting"
    executor.run_one()
    assert panel.progress.text().startswith("Formatting…")
    button.click()
    assert button.text() == "Format"
    executor.run_all()
    assert not panel.document.formatted
    with qtbot.waitSignal(panel.formatted, timeout=1000):
        button.click()
        executor.run_all()
    assert panel.document.formatted
    assert panel.document.text == json.dumps(value, indent=2)
    assert not panel.notice.isVisible()


def test_copy_is_capped_with_a_message(qtbot, panel, executor, monkeypatch) -> None:
    show(panel, executor, "héllo wörld\n" * 3, "text/plain")
    executor.run_all()
    clipboard = QApplication.clipboard()
    clipboard.setText("before")
    panel.view.select_all()
    panel.view.copy()
    assert clipboard.text() == "héllo wörld\n" * 3
    monkeypatch.setattr(text_view, "COPY_LIMIT", 10)
    clipboard.setText("before")
    panel.view.copy_selection_or_all()
    assert clipboard.text() == "before"
    assert panel.notice.isVisible()
    assert panel.notice.text().startswith("Not copied: 42 B is more than the clipboard")
    assert "Save…" in panel.notice.text()


def test_a_binary_body_says_so(qtbot, panel, executor) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=1000):
        panel.show_body(ResponseBody.from_bytes(b"\x00\x01\x02" * 100), "application/octet-stream")
        executor.run_all()
    assert panel.document.text.startswith("Binary body, 300 B.")
