"""The workspace's collections as a Qt item model: collections, folders, requests and the files
that could not be read, each item carrying its path and kind.

The model is rebuilt from a ``WorkspaceTree`` (loaded off the UI thread) after every operation;
it never edits files itself. A broken file sits under its folder with the parse error (path,
line, reason) as its tooltip; a folder whose own ``folder.yaml`` is broken keeps its requests and
shows the error. The filter proxy matches names, methods and URLs across the whole workspace.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QStyle

from explorer.core.errors import FormatError
from explorer.core.workspace.model import Folder, SavedRequest
from explorer.services.workspace_api import WorkspaceTree
from explorer.ui.method_badge import badge_icon

META_FILES = ("collection.yaml", "folder.yaml")


class Role(IntEnum):
    PATH = Qt.ItemDataRole.UserRole + 1
    KIND = Qt.ItemDataRole.UserRole + 2
    SPEC = Qt.ItemDataRole.UserRole + 3
    METHOD = Qt.ItemDataRole.UserRole + 4
    SEARCH = Qt.ItemDataRole.UserRole + 5
    ERROR = Qt.ItemDataRole.UserRole + 6
    DIRTY = Qt.ItemDataRole.UserRole + 7
    PROVIDER = Qt.ItemDataRole.UserRole + 8


class Kind:
    COLLECTION = "collection"
    FOLDER = "folder"
    REQUEST = "request"
    BROKEN = "broken"


class CollectionModel(QStandardItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._by_path: dict[Path, QStandardItem] = {}

    def load(self, tree: WorkspaceTree) -> None:
        self.clear()
        self._by_path = {}
        for collection in tree.collections:
            self.appendRow(self._folder_item(collection, Kind.COLLECTION, collection.provider))
        for error in tree.errors:
            self._add_error(error)

    def item_for(self, path: Path) -> QStandardItem | None:
        return self._by_path.get(path)

    def set_dirty(self, paths: AbstractSet[Path]) -> None:
        """Mark the items of every request with unsaved edits in a tab (``paths``), and only
        them: the tree agrees with the tab bar, not just with the tab on screen."""
        for known, item in self._by_path.items():
            wanted = known in paths
            if bool(item.data(Role.DIRTY)) != wanted:
                item.setData(wanted, Role.DIRTY)

    def _folder_item(self, folder: Folder, kind: str, provider: str) -> QStandardItem:
        item = QStandardItem(folder.name)
        style = QApplication.style()
        item.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DirIcon))
        item.setData(kind, Role.KIND)
        item.setData(folder.path, Role.PATH)
        item.setData(folder.name, Role.SEARCH)
        item.setData(provider, Role.PROVIDER)
        item.setToolTip(folder.description or folder.name)
        flags = Qt.ItemFlag.ItemIsDropEnabled | Qt.ItemFlag.ItemIsEditable
        if kind == Kind.FOLDER:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | flags)
        if kind == Kind.COLLECTION:
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        if folder.path is not None:
            self._by_path[folder.path] = item
        for child in folder.items:
            if isinstance(child, SavedRequest):
                item.appendRow(self._request_item(child, provider))
            else:
                item.appendRow(self._folder_item(child, Kind.FOLDER, provider))
        return item

    def _request_item(self, saved: SavedRequest, provider: str) -> QStandardItem:
        spec = saved.spec
        item = QStandardItem(spec.name or spec.url or "Untitled")
        item.setIcon(badge_icon(spec.method))
        item.setData(Kind.REQUEST, Role.KIND)
        item.setData(saved.path, Role.PATH)
        item.setData(spec, Role.SPEC)
        item.setData(spec.method, Role.METHOD)
        item.setData(provider, Role.PROVIDER)
        item.setData(f"{spec.name}\n{spec.method}\n{spec.url}", Role.SEARCH)
        item.setToolTip(f"{spec.method} {spec.url}")
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemIsEditable
        )
        if saved.path is not None:
            self._by_path[saved.path] = item
        return item

    def _add_error(self, error: FormatError) -> None:
        """A broken request file under its folder; a broken folder file on the folder itself."""
        if error.path is None:
            return
        path = Path(error.path)
        if path.name in META_FILES:
            folder = self._by_path.get(path.parent)
            if folder is not None:
                folder.setData(str(error), Role.ERROR)
                folder.setToolTip(str(error))
                warning = QStyle.StandardPixmap.SP_MessageBoxWarning
                folder.setIcon(QApplication.style().standardIcon(warning))
            return
        item = QStandardItem(path.name)
        item.setIcon(QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
        item.setData(Kind.BROKEN, Role.KIND)
        item.setData(path, Role.PATH)
        item.setData(str(error), Role.ERROR)
        item.setData(path.name, Role.SEARCH)
        item.setToolTip(str(error))
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        parent = self._by_path.get(path.parent)
        if parent is not None:
            parent.appendRow(item)
        else:
            self.appendRow(item)
        self._by_path[path] = item


class CollectionFilter(QSortFilterProxyModel):
    """Search across the workspace: a folder stays when anything below it matches, and
    everything below a matching folder stays."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self.setFilterRole(Role.SEARCH)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def path(self, index: QModelIndex | QPersistentModelIndex) -> Path | None:
        value = index.data(Role.PATH)
        return value if isinstance(value, Path) else None
