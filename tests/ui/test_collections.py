"""The collections pane against a real workspace on disk: every tree operation is checked in the
files, Ctrl+S reopens byte for byte, external edits never overwrite unsaved work, a broken file
shows as broken while the rest opens, search, import with preview, export, history reopen and
"save as"."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, QPointF, Qt
from PySide6.QtGui import QAction, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTreeView,
    QWidget,
)

from explorer.core.models import RequestSpec
from explorer.core.workspace.store import WorkspaceStore
from explorer.services.api import Services
from explorer.ui.collection_model import Kind, Role
from tests.ui.conftest import OFFSCREEN_NOISE, open_window

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def store(tmp_path: Path) -> WorkspaceStore:
    """The window's workspace, seeded before the window opens (and before ``services``, whose
    core would otherwise create the marker at the same time): one collection, a folder and
    three requests."""
    store = WorkspaceStore(tmp_path / "workspace")
    shop = store.create_collection("Shop")
    store.create_folder(shop, "Items")
    for name, method, url in (
        ("List items", "GET", "{{base_url}}/items"),
        ("Create item", "POST", "{{base_url}}/items"),
        ("Delete item", "DELETE", "{{base_url}}/items/{{id}}"),
    ):
        store.create_request(shop, RequestSpec(method, url, name=name))
    return store


@pytest.fixture
def win(qtbot, store: WorkspaceStore, services: Services):  # type: ignore[no-untyped-def]
    window = open_window(qtbot, services)
    qtbot.waitUntil(lambda: tree_of(window).model().rowCount() == 1, timeout=10_000)
    yield window
    window.close()


def tree_of(window) -> QTreeView:  # type: ignore[no-untyped-def]
    found = window.findChild(QTreeView, "collectionTree")
    assert found is not None
    return found


def shop(store: WorkspaceStore) -> Path:
    return store.collections_dir / "shop"


def click(qtbot, window, path: Path) -> None:  # type: ignore[no-untyped-def]
    tree = tree_of(window)
    index = tree.index_of(path)
    assert index.isValid(), path
    tree.scrollTo(index)
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(index).center()
    )


def names(window, parent: QModelIndex | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    model = tree_of(window).model()
    parent = parent or model.index(0, 0)
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def wait_reload(qtbot, window):  # type: ignore[no-untyped-def]
    return qtbot.waitSignal(window.workspace.tree_loaded, timeout=10_000)


def action(window, name: str) -> QAction:  # type: ignore[no-untyped-def]
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


def menu_action(qtbot, window, path: Path | None, name: str) -> None:  # type: ignore[no-untyped-def]
    tree = tree_of(window)
    menu = tree.menu_for(tree.index_of(path) if path else QModelIndex())
    item = menu.findChild(QAction, f"collectionAction_{name}")
    assert item is not None, name
    item.trigger()
    menu.close()


def rename_inline(qtbot, window, text: str) -> None:  # type: ignore[no-untyped-def]
    tree = tree_of(window)
    qtbot.waitUntil(
        lambda: tree.findChild(QLineEdit) is not None and tree.findChild(QLineEdit).isVisible()
    )
    editor = tree.findChild(QLineEdit)
    editor.setText(text)
    with wait_reload(qtbot, window):
        qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_tree_shows_collections_with_method_badges_in_seq_order(qtbot, win, store) -> None:
    assert names(win) == ["Items", "List items", "Create item", "Delete item"]
    model = tree_of(win).model()
    request = model.index(1, 0, model.index(0, 0))
    assert request.data(Role.METHOD) == "GET"
    assert not request.data(Qt.ItemDataRole.DecorationRole).isNull()


def test_create_rename_duplicate_delete_and_undo_reach_the_disk(qtbot, win, store) -> None:
    root = shop(store)
    with wait_reload(qtbot, win):
        menu_action(qtbot, win, root, "new-folder")
    rename_inline(qtbot, win, "Orders")
    assert (root / "orders" / "folder.yaml").read_text().startswith("name: Orders\n")

    with wait_reload(qtbot, win):
        menu_action(qtbot, win, root / "orders", "new-request")
    rename_inline(qtbot, win, "Place order")
    placed = root / "orders" / "place-order.request.yaml"
    qtbot.waitUntil(placed.exists)
    assert "name: Place order\n" in placed.read_text()

    with wait_reload(qtbot, win):
        menu_action(qtbot, win, placed, "duplicate")
    copy = root / "orders" / "place-order-copy.request.yaml"
    assert "name: Place order copy\n" in copy.read_text()

    with wait_reload(qtbot, win):
        menu_action(qtbot, win, copy, "delete")
    assert not copy.exists()
    assert list((store.root / ".trash").glob("*/place-order-copy.request.yaml"))
    undo = win.findChild(QPushButton, "undoDeleteButton")
    assert undo.isVisible()
    with wait_reload(qtbot, win):
        qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)
    assert copy.exists()
    assert tree_of(win).index_of(copy).isValid()

    with wait_reload(qtbot, win):
        menu_action(qtbot, win, None, "new-collection")
    rename_inline(qtbot, win, "Billing")
    assert (store.collections_dir / "billing" / "collection.yaml").exists()


def drop(qtbot, window, source: Path, target: Path, where: str) -> None:  # type: ignore[no-untyped-def]
    """Drop ``source`` on the ``where`` (top, middle, bottom) of ``target``'s row."""
    tree = tree_of(window)
    tree.setCurrentIndex(tree.index_of(source))
    rect = tree.visualRect(tree.index_of(target))
    y = {"top": rect.top() + 1, "middle": rect.center().y(), "bottom": rect.bottom() - 1}[where]
    event = QDropEvent(
        QPointF(rect.center().x(), y),
        Qt.DropAction.MoveAction,
        QMimeData(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with wait_reload(qtbot, window):
        tree.dropEvent(event)


def test_drag_and_drop_moves_into_folders_and_reorders(qtbot, win, store) -> None:
    root = shop(store)
    drop(qtbot, win, root / "delete-item.request.yaml", root / "list-items.request.yaml", "top")
    assert names(win) == ["Items", "Delete item", "List items", "Create item"]
    seqs = {p.name: p.read_text().split("seq: ")[1].split("\n")[0] for p in root.glob("*.yaml")}
    assert seqs["delete-item.request.yaml"] < seqs["list-items.request.yaml"]

    drop(qtbot, win, root / "create-item.request.yaml", root / "items", "middle")
    moved = root / "items" / "create-item.request.yaml"
    assert moved.exists()
    assert not (root / "create-item.request.yaml").exists()
    qtbot.waitUntil(lambda: tree_of(win).index_of(moved).isValid())


def test_ctrl_s_saves_the_open_request_and_an_unchanged_save_is_byte_identical(
    qtbot, win, store
) -> None:
    path = shop(store) / "create-item.request.yaml"
    original = path.read_bytes()
    click(qtbot, win, path)
    assert win.editor.url.text() == "{{base_url}}/items"
    assert win.windowTitle().startswith("Create item")

    win.editor.url.setText("{{base_url}}/items?draft=1")
    item = win.collections.model.item_for(path)
    qtbot.waitUntil(lambda: bool(item.data(Role.DIRTY)))
    assert win.isWindowModified()
    with qtbot.waitSignal(win.workspace.saved, timeout=10_000):
        qtbot.keyClick(win.editor.url, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "url: '{{base_url}}/items?draft=1'\n" in path.read_text()
    qtbot.waitUntil(lambda: not win.isWindowModified())

    win.editor.url.setText("{{base_url}}/items")
    qtbot.waitUntil(win.isWindowModified)
    with qtbot.waitSignal(win.workspace.saved, timeout=10_000):
        action(win, "saveAction").trigger()
    assert path.read_bytes() == original
    with qtbot.waitSignal(win.workspace.saved, timeout=10_000):
        action(win, "saveAction").trigger()
    assert path.read_bytes() == original


def test_external_edits_reload_a_clean_request_and_never_overwrite_unsaved_edits(
    qtbot, win, store
) -> None:
    path = shop(store) / "list-items.request.yaml"
    click(qtbot, win, path)
    path.write_text(path.read_text().replace("/items", "/items?page=2"))
    qtbot.waitUntil(lambda: win.editor.url.text() == "{{base_url}}/items?page=2", timeout=10_000)
    assert not win.isWindowModified()

    win.editor.url.setText("{{base_url}}/mine")
    qtbot.waitUntil(win.isWindowModified)
    path.write_text(path.read_text().replace("page=2", "page=3"))
    qtbot.waitUntil(
        lambda: win.findChild(QMessageBox, "externalChangeDialog") is not None, timeout=10_000
    )
    box = win.findChild(QMessageBox, "externalChangeDialog")
    assert win.editor.url.text() == "{{base_url}}/mine"
    box.findChild(QPushButton, "externalKeep").click()
    assert win.editor.url.text() == "{{base_url}}/mine"
    assert "page=3" in path.read_text()

    path.write_text(path.read_text().replace("page=3", "page=4"))
    qtbot.waitUntil(
        lambda: win.findChild(QMessageBox, "externalChangeDialog") is not None, timeout=10_000
    )
    win.findChild(QMessageBox, "externalChangeDialog").findChild(
        QPushButton, "externalReload"
    ).click()
    qtbot.waitUntil(lambda: win.editor.url.text() == "{{base_url}}/items?page=4")
    qtbot.waitUntil(lambda: not win.isWindowModified())


def test_a_corrupted_file_shows_as_broken_and_the_rest_opens(qtbot, store, services) -> None:
    broken = shop(store) / "create-item.request.yaml"
    broken.write_text("name: Create item\nmethod: [unclosed\n")
    window = open_window(qtbot, services)
    tree = tree_of(window)
    qtbot.waitUntil(lambda: tree.index_of(broken).isValid(), timeout=10_000)
    index = tree.index_of(broken)
    assert index.data(Role.KIND) == Kind.BROKEN
    error = index.data(Role.ERROR)
    assert re.match(rf"{re.escape(str(broken))}:\d+: ", error), error
    click(qtbot, window, broken)
    assert window.messages.text() == error
    click(qtbot, window, shop(store) / "list-items.request.yaml")
    assert window.editor.url.text() == "{{base_url}}/items"
    assert broken.read_text() == "name: Create item\nmethod: [unclosed\n"
    window.close()


def test_search_filters_the_whole_workspace_by_name_method_and_url(qtbot, win, store) -> None:
    search = win.findChild(QLineEdit, "collectionSearch")
    tree = tree_of(win)
    qtbot.keyClicks(search, "delete")
    assert names(win) == ["Delete item"]
    search.setText("{{id}}")
    assert names(win) == ["Delete item"]
    search.setText("post")
    assert names(win) == ["Create item"]
    search.setText("nothing like it")
    assert tree.model().rowCount() == 0
    search.clear()
    assert names(win) == ["Items", "List items", "Create item", "Delete item"]


POSTMAN = {
    "info": {
        "name": "Pets",
        "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    "item": [
        {
            "name": "List pets",
            "request": {"method": "GET", "url": "https://pets.example/pets"},
            "event": [{"listen": "test", "script": {"exec": ["pm.test('ok')"]}}],
        },
        {
            "name": "Admin",
            "item": [
                {
                    "name": "Add pet",
                    "request": {"method": "POST", "url": "https://pets.example/pets"},
                }
            ],
        },
    ],
}


def test_import_previews_then_applies_and_export_writes_postman(
    qtbot, win, store, tmp_path
) -> None:
    source = tmp_path / "pets.postman_collection.json"
    source.write_text(json.dumps(POSTMAN))
    action(win, "importAction").trigger()
    dialog = win.findChild(QWidget, "importDialog")
    dialog.choose(source)
    preview = dialog.findChild(QPlainTextEdit, "importPreview")
    qtbot.waitUntil(lambda: "List pets" in preview.toPlainText(), timeout=10_000)
    assert preview.toPlainText().splitlines() == [
        "Pets/",
        "  GET     List pets",
        "  Admin/",
        "    POST    Add pet",
    ]
    assert "script" in dialog.findChild(QPlainTextEdit, "importReport").toPlainText()
    assert not (store.collections_dir / "pets").exists()
    with wait_reload(qtbot, win):
        dialog.findChild(QPushButton, "importApply").click()
    assert (store.collections_dir / "pets" / "list-pets.request.yaml").exists()
    assert (store.collections_dir / "pets" / "admin" / "add-pet.request.yaml").exists()
    assert tree_of(win).index_of(store.collections_dir / "pets").isValid()

    target = tmp_path / "out" / "pets.postman_collection.json"
    target.parent.mkdir()
    win.workspace.open_export(store.collections_dir / "pets")
    export = win.findChild(QWidget, "exportDialog")
    field = export.findChild(QLineEdit, "exportFile")
    assert Path(field.text()).parent == store.root  # the workspace's folder, not HOME
    field.setText(str(target))
    export.findChild(QPushButton, "exportApply").click()
    qtbot.waitUntil(target.exists, timeout=10_000)
    win.workspace.open_export(store.collections_dir / "pets")  # the next one starts there
    again = win.findChildren(QWidget, "exportDialog")[-1]
    assert Path(again.findChild(QLineEdit, "exportFile").text()).parent == target.parent
    again.reject()
    exported = json.loads(target.read_text())
    assert exported["info"]["schema"].endswith("v2.1.0/collection.json")
    assert [i["name"] for i in exported["item"]] == ["List pets", "Admin"]


def test_history_reopens_a_sent_request_and_saves_it_into_a_collection(
    qtbot, win, store, edge
) -> None:
    win.editor.url.setText(f"{edge.base_url}/echo")
    with qtbot.waitSignal(win.request_finished, timeout=10_000):
        win.editor.send_button.click()
    history = win.history
    qtbot.waitUntil(lambda: history.count() == 1)
    assert list((store.root / "history").glob("*.jsonl"))

    win.editor.url.setText("http://elsewhere.invalid/")
    row = history.rows()[0]
    history.tree.itemClicked.emit(row, 0)
    assert win.editor.url.text() == f"{edge.base_url}/echo"

    menu = history.menu_at(history.tree.visualItemRect(row).center())
    menu.findChild(QAction, "historyAction_save").trigger()
    menu.close()
    dialog = win.findChild(QWidget, "saveAsDialog")
    dialog.findChild(QLineEdit, "saveAsName").setText("Echo")
    folder = dialog.findChild(QComboBox, "saveAsFolder")
    folder.setCurrentIndex(folder.findData(str(shop(store) / "items")))
    with wait_reload(qtbot, win):
        dialog.findChild(QPushButton, "saveAsSave").click()
    saved = shop(store) / "items" / "echo.request.yaml"
    assert f"url: {edge.base_url}/echo\n" in saved.read_text()
    assert win.windowTitle().startswith("Echo")


def test_history_survives_a_new_window(qtbot, store, services, edge) -> None:
    first = open_window(qtbot, services)
    first.editor.url.setText(f"{edge.base_url}/echo")
    with qtbot.waitSignal(first.request_finished, timeout=10_000):
        first.editor.send_button.click()
    qtbot.waitUntil(lambda: first.history.count() == 1)
    first.close()
    second = open_window(qtbot, services)
    qtbot.waitUntil(lambda: second.history.count() == 1, timeout=10_000)
    assert second.history.rows()[0].text(0).startswith("200  GET")
    second.close()


def test_a_window_closed_before_the_core_starts_leaves_the_executors_free(
    qtbot, executors, tmp_path, monkeypatch
) -> None:
    """``--quit-after-show`` quits before the core starts: nothing of the workspace may be
    queued on the disk executor waiting for it, or shutting the executors down would hang."""
    from explorer.services.compose import build_services

    monkeypatch.setenv("API_EXPLORER_HOME", str(tmp_path / "home"))
    services = build_services(executors, workspace=tmp_path / "workspace", defer=True)
    window = open_window(qtbot, services)
    window.close()
    for stop in services.on_shutdown:
        stop()
    assert executors.disk.submit(lambda: "free").result(timeout=5) == "free"
    assert executors.worker.submit(lambda: "free").result(timeout=5) == "free"
