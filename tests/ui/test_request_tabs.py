"""Open requests as tabs (``openRequestTabs``) over the one editor: several open at once, a new
request is a draft until it is saved, each tab keeps its own response and its own send, closed
tabs reopen, and the open tabs and drafts come back after a restart, their secrets from the OS
keyring (and only masked without one), never from a file."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox, QPushButton, QTreeView, QWidget

from explorer.core.models import AuthSpec, RequestSpec
from explorer.core.workspace.store import WorkspaceStore
from explorer.services.api import Services
from explorer.services.compose import Executors, build_services, state_dir
from explorer.ui.collection_model import Role
from explorer.ui.request_tabs import CHANGED_MARK, DIRTY_MARK, RequestTabBar
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


@pytest.fixture
def keyring_services(  # type: ignore[no-untyped-def]
    secret_service_keyring, store: WorkspaceStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    """The window's services over a working OS keyring (a private Secret Service)."""
    monkeypatch.setenv("API_EXPLORER_HOME", str(tmp_path / "home"))
    monkeypatch.setattr("keyring.core._keyring_backend", secret_service_keyring)
    pools = Executors()
    services = build_services(pools, workspace=store.root)
    yield services
    services.sender.shutdown()
    for stop in services.on_shutdown:
        stop()
    pools.shutdown()


def test_a_drafts_token_comes_back_from_the_keyring_after_a_restart(
    qtbot, keyring_services, tmp_path
) -> None:
    first = start(qtbot, keyring_services)
    token = "s3cr3t-kept-in-the-keyring"
    first.load_request(
        RequestSpec("GET", "http://127.0.0.1:9/x", auth=AuthSpec("bearer", (("token", token),)))
    )
    first.close()
    qtbot.waitUntil(lambda: any(state_dir().glob("tabs-*.json")), timeout=10_000)

    second = start(qtbot, keyring_services)
    assert second.editor.url.text() == "http://127.0.0.1:9/x"
    assert second.editor.to_spec().auth == AuthSpec("bearer", (("token", token),))
    assert "re-enter" not in second.editor.notice.text()
    second.close()
    kept = [p for p in tmp_path.rglob("*") if p.is_file() and token.encode() in p.read_bytes()]
    assert kept == []  # neither the state folder nor the workspace holds it
    assert any(state_dir().glob("tabs-*.json"))


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


def marked(window) -> set[str]:  # type: ignore[no-untyped-def]
    """The names of the requests the collection tree marks as having unsaved edits."""
    model = window.collections.model
    found: set[str] = set()

    def walk(parent) -> None:  # type: ignore[no-untyped-def]
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            if index.data(Role.DIRTY):
                found.add(index.data(Qt.ItemDataRole.DisplayRole))
            walk(index)

    walk(QModelIndex())
    return found


def test_the_tree_marks_every_request_with_unsaved_edits(qtbot, store, services) -> None:
    first = start(qtbot, services)
    open_three(qtbot, first, store)
    bar(first).setCurrentIndex(0)
    first.editor.url.setText("http://127.0.0.1:9/one")
    qtbot.waitUntil(lambda: marked(first) == {"List items"})
    bar(first).setCurrentIndex(2)
    first.editor.url.setText("http://127.0.0.1:9/three")
    qtbot.waitUntil(lambda: marked(first) == {"List items", "Delete item"})
    bar(first).setCurrentIndex(1)  # the tab shown is clean: both marks stay
    assert marked(first) == {"List items", "Delete item"}
    first.close()

    second = start(qtbot, services)  # restored tabs keep their marks
    qtbot.waitUntil(lambda: marked(second) == {"List items", "Delete item"}, timeout=10_000)
    bar(second).setCurrentIndex(2)
    with qtbot.waitSignal(second.workspace.tree_loaded, timeout=10_000):
        trigger(second, "saveAction")
    assert marked(second) == {"List items"}
    assert "/three" in request_file(store, "Delete item").read_text()

    bar(second).setCurrentIndex(0)
    trigger(second, "closeTabAction")
    second.findChildren(QMessageBox, "unsavedDialog")[-1].button(
        QMessageBox.StandardButton.Discard
    ).click()
    assert marked(second) == set()
    trigger(second, "reopenTabAction")  # reopened with its edits: marked again
    assert marked(second) == {"List items"}
    second.close()


def external_dialog(qtbot, window) -> QMessageBox:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: any(
            box.isVisible() for box in window.findChildren(QMessageBox, "externalChangeDialog")
        ),
        timeout=10_000,
    )
    [box] = [b for b in window.findChildren(QMessageBox, "externalChangeDialog") if b.isVisible()]
    return box


def test_a_background_tab_changed_on_disk_reloads_when_clean_and_asks_when_edited(
    qtbot, win, store
) -> None:
    open_three(qtbot, win, store)
    clean, edited = request_file(store, "List items"), request_file(store, "Create item")
    bar(win).setCurrentIndex(1)
    win.editor.url.setText("http://127.0.0.1:9/mine")
    qtbot.waitUntil(lambda: titles(win)[1] == "Create item" + DIRTY_MARK)
    bar(win).setCurrentIndex(2)

    clean.write_text(clean.read_text().replace("/List", "/List?page=2"))
    qtbot.waitUntil(lambda: bar(win).state(0).spec.url.endswith("?page=2"), timeout=10_000)
    assert titles(win)[0] == "List items"  # reloaded silently: nothing was edited there

    edited.write_text(edited.read_text().replace("/Crea", "/Crea?v=2"))
    qtbot.waitUntil(lambda: titles(win)[1].endswith(CHANGED_MARK), timeout=10_000)
    assert titles(win)[1] == "Create item" + DIRTY_MARK + CHANGED_MARK
    assert "Changed on disk" in bar(win).tabToolTip(1)
    assert not any(b.isVisible() for b in win.findChildren(QMessageBox, "externalChangeDialog"))
    assert bar(win).state(1).spec.url == "http://127.0.0.1:9/mine"  # nothing lost meanwhile

    bar(win).setCurrentIndex(1)  # shown: asks
    external_dialog(qtbot, win).findChild(QPushButton, "externalKeep").click()
    assert win.editor.url.text() == "http://127.0.0.1:9/mine"
    assert titles(win)[1] == "Create item" + DIRTY_MARK
    assert "?v=2" in edited.read_text()

    bar(win).setCurrentIndex(0)
    edited.write_text(edited.read_text().replace("?v=2", "?v=3"))
    qtbot.waitUntil(lambda: titles(win)[1].endswith(CHANGED_MARK), timeout=10_000)
    win.workspace.close_tab(1)  # closing shows it: which version first, then nothing to ask
    assert not any(b.isVisible() for b in win.findChildren(QMessageBox, "unsavedDialog"))
    external_dialog(qtbot, win).findChild(QPushButton, "externalReload").click()
    qtbot.waitUntil(lambda: win.editor.url.text() == "http://127.0.0.1:9/Crea?v=3")
    qtbot.waitUntil(lambda: titles(win)[1] == "Create item")
    assert not win.isWindowModified()
    assert marked(win) == set()
