"""File → Trash…: every deleted item is listed newest first and any of them, not only the last,
comes back to where it was, on disk and in the tree."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QPushButton, QTreeView

from explorer.core.models import RequestSpec
from explorer.core.workspace.store import WorkspaceStore
from explorer.services.api import Services
from tests.ui.conftest import OFFSCREEN_NOISE, open_window

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def store(tmp_path: Path) -> WorkspaceStore:
    store = WorkspaceStore(tmp_path / "workspace")
    shop = store.create_collection("Shop")
    for name in ("First", "Second", "Third"):
        store.create_request(shop, RequestSpec("GET", "https://example.test/x", name=name))
    return store


def test_any_deleted_item_is_restored_from_the_trash_dialog(
    qtbot, store: WorkspaceStore, services: Services
) -> None:
    window = open_window(qtbot, services)
    tree = window.findChild(QTreeView, "collectionTree")
    shop = store.collections_dir / "shop"
    first, second = shop / "first.request.yaml", shop / "second.request.yaml"
    qtbot.waitUntil(lambda: tree.index_of(first).isValid(), timeout=10_000)
    original = first.read_bytes()
    service = window.workspace.service
    service.delete(first).result(10)
    service.delete(second).result(10)
    assert not first.exists()

    window.findChild(QAction, "trashAction").trigger()
    dialog = window.findChild(QDialog, "trashDialog")
    entries = dialog.findChild(QListWidget, "trashList")
    qtbot.waitUntil(lambda: entries.count() == 2, timeout=10_000)
    assert entries.item(0).text().startswith("second (request)")  # newest first
    assert "2 deleted item(s)" in dialog.findChild(QLabel, "trashNote").text()

    entries.setCurrentRow(1)
    dialog.findChild(QPushButton, "trashRestore").click()
    qtbot.waitUntil(lambda: first.exists() and entries.count() == 1, timeout=10_000)
    assert first.read_bytes() == original
    qtbot.waitUntil(lambda: tree.index_of(first).isValid(), timeout=10_000)
    assert not tree.index_of(second).isValid()
    dialog.close()
    window.close()
