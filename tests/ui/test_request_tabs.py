"""Open requests as tabs (``openRequestTabs``) over the one editor: several open at once, a new
request is a draft until it is saved, each tab keeps its own response and its own send, closed
tabs reopen, and the open tabs and drafts come back after a restart, without their secrets."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox, QPushButton, QTreeView, QWidget

from explorer.core.models import AuthSpec, RequestSpec
from explorer.core.workspace.store import WorkspaceStore
from explorer.services.api import Services
from explorer.services.compose import state_dir
from explorer.ui.request_tabs import DIRTY_MARK, RequestTabBar
from explorer.ui.response_view import EMPTY
from tests.ui.conftest import OFFSCREEN_NOISE, open_window

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

NAMES = ("List items", "Create item", "Delete item")


@pytest.fixture
def store(tmp_path: Path) -> WorkspaceStore:
    store = WorkspaceStore(tmp_path / "workspace")
    shop = store.create_collection("Shop")
    for name in NAMES:
        store.create_request(shop, RequestSpec("GET", f"http://127.0.0.1:9/{name[:4]}", name))
    return store


def request_file(store: WorkspaceStore, name: str) -> Path:
    return store.collections_dir / "shop" / f"{name.lower().replace(' ', '-')}.request.yaml"


def start(qtbot, services: Services):  # type: ignore[no-untyped-def]
    window = open_window(qtbot, services)
    tree = window.findChild(QTreeView, "collectionTree")
    qtbot.waitUntil(lambda: tree.model().rowCount() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: not window.workspace.restoring, timeout=10_000)
    return window


@pytest.fixture
def win(qtbot, store: WorkspaceStore, services: Services):  # type: ignore[no-untyped-def]
    window = start(qtbot, services)
    yield window
    window.close()


def bar(window) -> RequestTabBar:  # type: ignore[no-untyped-def]
    found = window.findChild(RequestTabBar, "openRequestTabs")
    assert found is not None
    return found


def titles(window) -> list[str]:  # type: ignore[no-untyped-def]
    tabs = bar(window)
    return [tabs.tabText(i) for i in range(tabs.count())]


def trigger(window, name: str) -> None:  # type: ignore[no-untyped-def]
    action = window.findChild(QAction, name)
    assert action is not None, name
    action.trigger()


def open_three(qtbot, window, store: WorkspaceStore) -> None:  # type: ignore[no-untyped-def]
    for name in NAMES:
        window.workspace.open(request_file(store, name))
    assert titles(window) == list(NAMES)  # the first replaced the untouched new draft


def test_three_tabs_one_edited_and_a_draft_come_back_after_a_restart(
    qtbot, store, services
) -> None:
    first = start(qtbot, services)
    open_three(qtbot, first, store)
    bar(first).setCurrentIndex(1)
    first.editor.url.setText("http://127.0.0.1:9/edited")
    qtbot.waitUntil(lambda: titles(first)[1] == "Create item" + DIRTY_MARK)
    trigger(first, "newTabAction")
    first.editor.url.setText("http://127.0.0.1:9/draft")
    bar(first).setCurrentIndex(1)
    draft = "http://127.0.0.1:9/draft"  # a draft without a name is titled by its URL
    expected = ["List items", "Create item" + DIRTY_MARK, draft + DIRTY_MARK, "Delete item"]
    assert titles(first) == expected  # a new tab opens next to the current one
    first.close()

    second = start(qtbot, services)
    assert titles(second) == expected
    assert bar(second).currentIndex() == 1
    assert second.editor.url.text() == "http://127.0.0.1:9/edited"
    assert second.isWindowModified()
    bar(second).setCurrentIndex(2)
    assert second.editor.url.text() == "http://127.0.0.1:9/draft"
    bar(second).setCurrentIndex(0)
    assert second.editor.url.text() == "http://127.0.0.1:9/List"
    assert "edited" not in request_file(store, "Create item").read_text()
    second.close()


def test_a_draft_keeps_no_secret_in_its_file(qtbot, store, services) -> None:
    first = start(qtbot, services)
    token = "s3cr3t-draft-token"
    first.load_request(
        RequestSpec("GET", "http://127.0.0.1:9/x", auth=AuthSpec("bearer", (("token", token),)))
    )
    first.close()
    qtbot.waitUntil(lambda: any(state_dir().glob("tabs-*.json")), timeout=10_000)
    [kept] = state_dir().glob("tabs-*.json")
    assert token not in kept.read_text()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert json.loads(kept.read_text())["tabs"][0]["path"] is None

    second = start(qtbot, services)
    assert second.editor.url.text() == "http://127.0.0.1:9/x"
    assert second.editor.to_spec().auth == AuthSpec("bearer", (("token", ""),))
    assert "re-enter auth token" in second.editor.notice.text()
    second.close()


def test_ctrl_n_writes_no_file_and_save_turns_the_draft_into_one(qtbot, win, store) -> None:
    before = sorted(store.collections_dir.rglob("*.yaml"))
    qtbot.keyClick(win.editor.url, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert sorted(store.collections_dir.rglob("*.yaml")) == before
    assert titles(win)[-1] == "New request"
    win.editor.url.setText("http://127.0.0.1:9/fresh")
    assert win.workspace.path is None

    trigger(win, "saveAction")
    dialog = win.findChild(QWidget, "saveAsDialog")
    dialog.findChild(QLineEdit, "saveAsName").setText("Fresh")
    folder = dialog.findChild(QComboBox, "saveAsFolder")
    folder.setCurrentIndex(folder.findData(str(store.collections_dir / "shop")))
    with qtbot.waitSignal(win.workspace.tree_loaded, timeout=10_000):
        dialog.findChild(QPushButton, "saveAsSave").click()
    saved = store.collections_dir / "shop" / "fresh.request.yaml"
    assert "url: http://127.0.0.1:9/fresh\n" in saved.read_text()
    assert titles(win)[-1] == "Fresh"
    assert win.workspace.path == saved
    assert bar(win).tabToolTip(bar(win).count() - 1) == str(saved)


def test_each_tab_keeps_its_own_response_and_a_send_lands_in_its_tab(
    qtbot, win, store, edge
) -> None:
    open_three(qtbot, win, store)
    status = win.response.status
    bar(win).setCurrentIndex(0)
    win.editor.url.setText(f"{edge.base_url}/echo")
    with qtbot.waitSignal(win.request_finished, timeout=10_000):
        win.editor.send_button.click()
    assert "200 OK" in status.full_text()

    bar(win).setCurrentIndex(1)
    assert EMPTY in status.full_text()
    assert win.response.exchange is None
    win.editor.url.setText(f"{edge.base_url}/slow?delay=1")
    win.editor.send_button.click()
    assert "Sending…" in status.full_text()

    bar(win).setCurrentIndex(2)  # the slow send goes on in tab 1 meanwhile
    assert EMPTY in status.full_text()
    assert not win.busy
    with qtbot.waitSignal(win.request_finished, timeout=10_000):
        pass
    assert EMPTY in status.full_text()  # it landed in its own tab, not in the one on screen

    bar(win).setCurrentIndex(1)
    assert "200 OK" in status.full_text()
    assert win.response.exchange.response.body.read_bytes() == b"late"
    bar(win).setCurrentIndex(0)
    assert "200 OK" in status.full_text()
    assert b'"path": "/echo"' in win.response.exchange.response.body.read_bytes()


def test_closing_a_dirty_tab_asks_and_ctrl_shift_t_reopens_it(qtbot, win, store) -> None:
    open_three(qtbot, win, store)
    bar(win).setCurrentIndex(2)
    win.editor.url.setText("http://127.0.0.1:9/changed")
    trigger(win, "closeTabAction")
    box = win.findChild(QMessageBox, "unsavedDialog")
    assert box is not None
    assert box.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert titles(win) == ["List items", "Create item", "Delete item" + DIRTY_MARK]

    trigger(win, "closeTabAction")
    box = win.findChildren(QMessageBox, "unsavedDialog")[-1]
    box.button(QMessageBox.StandardButton.Discard).click()
    assert titles(win) == ["List items", "Create item"]
    assert "changed" not in request_file(store, "Delete item").read_text()

    bar(win).setCurrentIndex(0)
    trigger(win, "closeTabAction")  # clean: closes without asking
    assert titles(win) == ["Create item"]
    trigger(win, "reopenTabAction")
    trigger(win, "reopenTabAction")
    assert titles(win) == ["Create item", "List items", "Delete item" + DIRTY_MARK]
    assert win.editor.url.text() == "http://127.0.0.1:9/changed"
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(win.editor.url, Qt.Key.Key_Tab, ctrl)
    assert bar(win).currentIndex() == 0
    qtbot.keyClick(win.editor.url, Qt.Key.Key_Backtab, ctrl | Qt.KeyboardModifier.ShiftModifier)
    assert bar(win).currentIndex() == 2
    qtbot.keyClick(win.editor.url, Qt.Key.Key_W, ctrl)
    assert win.findChildren(QMessageBox, "unsavedDialog")[-1].isVisible()


def test_opening_an_open_request_shows_its_tab(qtbot, win, store) -> None:
    open_three(qtbot, win, store)
    win.workspace.open(request_file(store, "List items"))
    assert titles(win) == list(NAMES)
    assert bar(win).currentIndex() == 0


def test_a_deleted_file_leaves_its_tab_as_a_draft_and_a_rename_retitles_it(
    qtbot, win, store
) -> None:
    open_three(qtbot, win, store)
    tree = win.findChild(QTreeView, "collectionTree")
    doomed, renamed = request_file(store, "Delete item"), request_file(store, "List items")
    menu = tree.menu_for(tree.index_of(doomed))
    with qtbot.waitSignal(win.workspace.tree_loaded, timeout=10_000):
        menu.findChild(QAction, "collectionAction_delete").trigger()
    menu.close()
    assert not doomed.exists()
    assert bar(win).tabToolTip(2).startswith("Draft")
    assert bar(win).state(2).path is None

    with qtbot.waitSignal(win.workspace.tree_loaded, timeout=10_000):
        tree.item_renamed.emit(renamed, "All items")
    qtbot.waitUntil(lambda: titles(win)[0] == "All items", timeout=10_000)
    assert bar(win).state(0).path == store.collections_dir / "shop" / "all-items.request.yaml"
