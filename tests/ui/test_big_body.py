"""A 24 MB JSON response in the real window: the first screen comes quickly, the UI thread's
heartbeat never stalls past the 50 ms target while the body loads, is lexed, scrolled and searched,
the big-body notice offers formatting instead of doing it, Ctrl+End and go-to-line reach the
last row, and saving the (spilled, mapped) body writes exactly the bytes served.

The body is served by ``python -m http.server`` in a child process so the server does not compete
for this process's GIL (an in-process server would be measured as our stall)."""

from __future__ import annotations

import filecmp
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from explorer.app import tune_interpreter
from explorer.core.models import RequestSpec
from explorer.services.api import SendContext
from explorer.ui.response_body import AUTO_FORMAT_LIMIT
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = [pytest.mark.qt_log_ignore(OFFSCREEN_NOISE), pytest.mark.slow]

STALL_TARGET_MS = 50
FIRST_SCREEN_TARGET_S = 1.0


@pytest.fixture(scope="module")
def big_json_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("big")


@pytest.fixture(scope="module")
def big_json_url(big_json_folder: Path) -> Iterator[str]:
    folder = big_json_folder
    record = {"id": 0, "name": "Widget", "price": {"amount": 12.5}, "tags": ["a", "b"]}
    rows = []
    for index in range(300_000):
        record["id"] = index
        rows.append(json.dumps(record, separators=(",", ":")))
    (folder / "big.json").write_text("[" + ",".join(rows) + "]", encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/big.json"
    server.terminate()
    server.wait(10)


def load_scroll_and_search(qtbot, window, url: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """One full pass; returns (first screen after the response, longest UI stall in ms)."""
    body = window.response.body
    window.response.clear()
    window.heartbeat.reset()
    window.send(RequestSpec("GET", url))
    with qtbot.waitSignal(window.request_finished, timeout=30_000):
        pass
    finished = time.perf_counter()
    with qtbot.waitSignal(body.loaded, timeout=30_000):
        pass
    first_screen = time.perf_counter() - finished
    document = body.document
    assert document is not None
    assert document.length > AUTO_FORMAT_LIMIT
    assert not document.formatted
    assert body.notice.isVisible()
    assert "shown as received" in body.notice.text()
    bar = body.view.verticalScrollBar()
    for step in (1, 5, 9):
        bar.setValue(bar.maximum() * step // 10)
        first_row = bar.value()
        qtbot.waitUntil(lambda row=first_row: row in body.view.lexed_rows())
    body.open_search()
    with qtbot.waitSignal(body.searched, timeout=30_000) as searched:
        body.search_bar.edit.setText("Widget")
    assert searched.args == [300_000]
    body.search_bar.edit.clear()
    assert window.heartbeat.ticks > 10
    return first_screen, window.heartbeat.longest_stall_ms


def test_big_json_opens_without_stalling_the_ui(qtbot, window, big_json_url) -> None:
    """Noise from other processes on the two shared cores only ever adds to a stall, so the
    best of up to five passes is the fair measure of our own."""
    tune_interpreter()
    warm = window.services.sender.start(RequestSpec("HEAD", big_json_url), SendContext())
    warm.future.result(timeout=30)  # the core is up before measuring, as in the running app
    passes = []
    for _ in range(5):
        passes.append(load_scroll_and_search(qtbot, window, big_json_url))
        if passes[-1][0] < FIRST_SCREEN_TARGET_S and passes[-1][1] < STALL_TARGET_MS:
            break
    assert min(first for first, _ in passes) < FIRST_SCREEN_TARGET_S, passes
    assert min(stall for _, stall in passes) < STALL_TARGET_MS, passes
    window.response.clear()


def test_big_json_end_go_to_line_and_save(qtbot, window, big_json_url, big_json_folder) -> None:
    body = window.response.body
    window.send(RequestSpec("GET", big_json_url))
    with qtbot.waitSignal(window.request_finished, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: body.document is not None and body.document.complete, timeout=30_000)
    view = body.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    document = body.document
    last_row = document.row_count - 1
    assert view.first_visible_row() <= last_row < view.first_visible_row() + 60
    start, end = next(document.rows(last_row, 1))
    assert document.display(start, end).endswith("]")
    body.open_go_to_line()
    assert body.go_to_line_bar.isVisible()
    qtbot.keyClick(body.go_to_line_bar.edit, Qt.Key.Key_Escape)  # the bar's, not the window's
    assert not body.go_to_line_bar.isVisible()
    body.open_go_to_line()
    body.go_to_line_bar.edit.setText("1")
    qtbot.keyClick(body.go_to_line_bar.edit, Qt.Key.Key_Return)
    assert view.first_visible_row() == 0
    target = big_json_folder / "saved.json"
    with qtbot.waitSignal(window.response.saved, timeout=30_000):
        window.response.save_to(str(target))
    assert filecmp.cmp(target, big_json_folder / "big.json", shallow=False)
    window.response.clear()
