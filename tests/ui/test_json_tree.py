"""The response's Tree tab against real loopback servers: the tree appears for JSON, expands
lazily, filters with JSONPath (the issue's ``$.items[?@.price > 5].name``) and jq, says what is
wrong with a bad filter, and copies paths and values."""

from __future__ import annotations

import functools
import importlib.util
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QTabBar, QTreeView

from tests.ui.conftest import OFFSCREEN_NOISE
from tests.ui.test_send_flow import child, send

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

ITEMS = {
    "items": [
        {"name": "pen", "price": 2},
        {"name": "lamp", "price": 40},
        {"name": "book", "price": 5},
        {"name": "desk", "price": 120.5},
    ],
    "big": list(range(200_000)),
}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No access log on the test's stderr."""


@pytest.fixture
def json_files(tmp_path: Path) -> Iterator[str]:
    """A static file server (``.json`` is served as application/json, ``.txt`` as text/plain)."""
    (tmp_path / "items.json").write_text(json.dumps(ITEMS))
    (tmp_path / "sniffed.txt").write_text('  {"a": [1, 2]}')
    (tmp_path / "bad.json").write_text('{"a": [1, 2}')
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def open_tree(qtbot, window):  # type: ignore[no-untyped-def]
    modes = child(window, QTabBar, "responseModes")
    tree_tab = [modes.tabText(i) for i in range(modes.count())].index("Tree")
    qtbot.waitUntil(lambda: modes.isTabVisible(tree_tab))
    panel = window.response.tree
    with qtbot.waitSignal(panel.shown, timeout=10_000):
        modes.setCurrentIndex(tree_tab)
    return panel


def rows(view: QTreeView, parent=None) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    model = view.model()
    from PySide6.QtCore import QModelIndex

    parent = parent or QModelIndex()
    return [
        (model.index(r, 0, parent).data(), model.index(r, 1, parent).data())
        for r in range(model.rowCount(parent))
    ]


def test_every_tree_object_name_exists_once_the_window_is_shown(window) -> None:
    child(window, QTreeView, "jsonTreeView")
    child(window, QLineEdit, "jsonFilterEdit")
    child(window, QLabel, "jsonFilterError")
    mode = child(window, QComboBox, "jsonFilterMode")
    assert [mode.itemText(i) for i in range(mode.count())] == ["JSONPath", "jq"]
    jq_item = mode.model().item(1)
    assert jq_item.isEnabled() == (importlib.util.find_spec("jq") is not None)
    assert jq_item.toolTip()
    view = child(window, QTreeView, "jsonTreeView")
    names = {action.objectName() for action in view.actions()}
    assert {"jsonAction_copyPath", "jsonAction_copyValue"} <= names


def test_the_tree_filters_and_copies(qtbot, window, json_files) -> None:
    send(qtbot, window, f"{json_files}/items.json")
    panel = open_tree(qtbot, window)
    view = child(window, QTreeView, "jsonTreeView")
    assert rows(view) == [("$", "{2 keys}")]
    top = view.model().index(0, 0)
    assert view.isExpanded(top)
    assert rows(view, top) == [("items", "[4 items]"), ("big", "[200,000 items]")]

    edit = child(window, QLineEdit, "jsonFilterEdit")
    with qtbot.waitSignal(panel.filtered, timeout=10_000):
        edit.setText("$.items[?@.price > 5].name")
    assert rows(view) == [
        ("$['items'][1]['name']", '"lamp"'),
        ("$['items'][3]['name']", '"desk"'),
    ]

    clipboard = QApplication.clipboard()
    view.setCurrentIndex(view.model().index(1, 0))
    child(window, type(view.actions()[0]), "jsonAction_copyPath").trigger()
    assert clipboard.text() == "$['items'][3]['name']"
    clipboard.setText("before")
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: clipboard.text() == '"desk"')

    error = child(window, QLabel, "jsonFilterError")
    edit.setText("$.items[?@.price >")
    qtbot.waitUntil(error.isVisible)
    assert error.text() == (
        "The JSONPath is not valid: unexpected end of expression (at character 19)."
    )
    with qtbot.waitSignal(panel.shown, timeout=10_000):
        edit.setText("")
    assert not error.isVisible()
    assert rows(view) == [("$", "{2 keys}")]


def test_a_200k_element_array_expands_a_page_at_a_time(qtbot, window, json_files) -> None:
    send(qtbot, window, f"{json_files}/items.json")
    open_tree(qtbot, window)
    view = child(window, QTreeView, "jsonTreeView")
    model = view.model()
    big = model.index(1, 0, model.index(0, 0))
    assert model.rowCount(big) == 0  # nothing built before it is opened
    view.expand(big)
    qtbot.waitUntil(lambda: model.rowCount(big) == 1001)
    assert model.index(999, 1, big).data() == "999"
    more = model.index(1000, 0, big)
    assert more.data() == "… 199,000 more (open for the next 1,000)"
    view.activated.emit(more)
    assert model.rowCount(big) == 2001
    assert model.index(1500, 0, big).data() == "1500"

    clipboard = QApplication.clipboard()
    view.setCurrentIndex(model.index(1500, 0, big))
    child(window, type(view.actions()[0]), "jsonAction_copyPath").trigger()
    assert clipboard.text() == "$['big'][1500]"


def test_jq_filters_when_the_package_is_installed(qtbot, window, json_files) -> None:
    if importlib.util.find_spec("jq") is None:
        pytest.skip("needs 'jq (the Python package)', which this machine lacks")
    send(qtbot, window, f"{json_files}/items.json")
    panel = open_tree(qtbot, window)
    child(window, QComboBox, "jsonFilterMode").setCurrentIndex(1)
    with qtbot.waitSignal(panel.filtered, timeout=10_000):
        child(window, QLineEdit, "jsonFilterEdit").setText(".items[] | select(.price > 5) | .name")
    view = child(window, QTreeView, "jsonTreeView")
    assert rows(view) == [
        ("$['items'][1]['name']", '"lamp"'),
        ("$['items'][3]['name']", '"desk"'),
    ]


def test_a_sniffed_json_body_gets_the_tree_and_a_broken_one_says_why(
    qtbot, window, json_files
) -> None:
    send(qtbot, window, f"{json_files}/sniffed.txt")
    open_tree(qtbot, window)
    assert rows(child(window, QTreeView, "jsonTreeView")) == [("$", "{1 key}")]

    send(qtbot, window, f"{json_files}/bad.json")
    modes = child(window, QTabBar, "responseModes")
    assert modes.tabText(modes.currentIndex()) == "Tree"
    notice = child(window, QLabel, "jsonTreeNotice")
    qtbot.waitUntil(lambda: "not valid JSON" in notice.text())
    assert notice.text() == "The body is not valid JSON: expecting ',' delimiter at character 12."
    assert rows(child(window, QTreeView, "jsonTreeView")) == []


def test_a_body_that_is_not_json_hides_the_tree_tab(qtbot, window, edge) -> None:
    send(qtbot, window, f"{edge.base_url}/json-array?items=3")
    open_tree(qtbot, window)
    send(qtbot, window, f"{edge.base_url}/latin1")
    modes = child(window, QTabBar, "responseModes")
    tree_tab = [modes.tabText(i) for i in range(modes.count())].index("Tree")
    assert not modes.isTabVisible(tree_tab)
    assert modes.tabText(modes.currentIndex()) == "Pretty"
