"""The left pane's collections section: a search field over the whole workspace, a "new
collection" button and the ``collectionTree``.

``load(tree)`` shows a ``WorkspaceTree``; the pane keeps the expanded folders and the selection
across reloads (every operation reloads), and expands everything while a search is active.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QToolButton, QVBoxLayout, QWidget

from explorer.services.workspace_api import WorkspaceTree
from explorer.ui.collection_model import CollectionFilter, CollectionModel, Kind, Role
from explorer.ui.collection_tree import CollectionTree


class CollectionPane(QWidget):
    new_collection_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("collectionPane")
        self.search = QLineEdit(self)
        self.search.setObjectName("collectionSearch")
        self.search.setPlaceholderText("Search names, methods, URLs")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search collections")
        self.new_button = QToolButton(self)
        self.new_button.setObjectName("newCollectionButton")
        self.new_button.setText("+")
        self.new_button.setToolTip("New collection")
        self.model = CollectionModel(self)
        self.proxy = CollectionFilter(self)
        self.proxy.setSourceModel(self.model)
        self.tree = CollectionTree(self)
        self.tree.setModel(self.proxy)
        self.tree_loaded = False

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.search, 1)
        row.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.tree, 1)

        self.search.textChanged.connect(self._on_search_text_changed)
        self.new_button.clicked.connect(self.new_collection_requested)

    def load(self, tree: WorkspaceTree) -> None:
        expanded = self._expanded_paths()
        current = self.tree.path_at(self.tree.currentIndex())
        first = not self.tree_loaded
        self.model.load(tree)
        self.tree_loaded = True
        for path in expanded:
            index = self.tree.index_of(path)
            if index.isValid():
                self.tree.expand(index)
        if first:
            for row in range(self.proxy.rowCount()):
                self.tree.expand(self.proxy.index(row, 0))
        if self.search.text():
            self.tree.expandAll()
        if current is not None:
            self.tree.select_path(current)

    def set_dirty(self, paths: AbstractSet[Path]) -> None:
        self.model.set_dirty(paths)

    def reveal(self, path: Path) -> QModelIndex:
        """Select ``path``, expanding the folders above it."""
        index = self.tree.index_of(path)
        parent = index.parent()
        while parent.isValid():
            self.tree.expand(parent)
            parent = parent.parent()
        return self.tree.select_path(path)

    def folders(self) -> list[tuple[str, Path]]:
        """Every collection and folder as ("Collection / Folder", path), for "save as"."""
        found: list[tuple[str, Path]] = []

        def walk(parent: QModelIndex, trail: tuple[str, ...]) -> None:
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                if index.data(Role.KIND) not in (Kind.COLLECTION, Kind.FOLDER):
                    continue
                names = (*trail, str(index.data(Qt.ItemDataRole.DisplayRole)))
                path = index.data(Role.PATH)
                if isinstance(path, Path):
                    found.append((" / ".join(names), path))
                walk(index, names)

        walk(QModelIndex(), ())
        return found

    def collection_of(self, path: Path) -> tuple[Path, str] | None:
        """The collection folder holding ``path`` and the provider it belongs to."""
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            root = index.data(Role.PATH)
            if isinstance(root, Path) and (path == root or root in path.parents):
                return root, str(index.data(Role.PROVIDER) or "")
        return None

    def _expanded_paths(self) -> list[Path]:
        found: list[Path] = []
        pending = [QModelIndex()]
        while pending:
            parent = pending.pop()
            for row in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(row, 0, parent)
                if self.tree.isExpanded(index):
                    path = self.tree.path_at(index)
                    if path is not None:
                        found.append(path)
                    pending.append(index)
        return found

    def _on_search_text_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if text.strip():
            self.tree.expandAll()
