"""``collectionTree``: the workspace's collections in a tree view with method badges, an
unsaved-changes dot, inline rename, drag and drop, and a context menu.

It emits intents only (open, rename, drop, the menu's actions); the window performs them through
the workspace service and reloads the model, so what the tree shows is always what is on disk.
A drop is interpreted here, from the pointer position, so the same rule serves the mouse and
tests: on a folder's middle it moves into the folder; above or below an item it places the
dragged item at that position in the item's folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QContextMenuEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from explorer.ui.collection_model import Kind, Role
from explorer.ui.method_badge import BADGE_SIZE

DIRTY_MARK = " ●"

#: Context-menu actions by item kind (None: the empty area below the items).
MENU = {
    Kind.COLLECTION: (
        ("new-request", "New request"),
        ("new-folder", "New folder"),
        ("rename", "Rename"),
        ("duplicate", "Duplicate"),
        ("run", "Run…"),
        ("export", "Export…"),
        ("delete", "Delete"),
    ),
    Kind.FOLDER: (
        ("new-request", "New request"),
        ("new-folder", "New folder"),
        ("rename", "Rename"),
        ("duplicate", "Duplicate"),
        ("delete", "Delete"),
    ),
    Kind.REQUEST: (
        ("open", "Open"),
        ("rename", "Rename"),
        ("duplicate", "Duplicate"),
        ("delete", "Delete"),
    ),
    Kind.BROKEN: (("delete", "Delete"),),
    None: (("new-collection", "New collection"),),
}


class _ItemDelegate(QStyledItemDelegate):
    """Shows a dot after a request with unsaved edits and turns a finished inline edit into a
    rename intent instead of a model write."""

    renamed = Signal(object, str)

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if index.data(Role.DIRTY):
            option.text += DIRTY_MARK

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if isinstance(editor, QLineEdit):
            text = editor.text().strip()
            path = index.data(Role.PATH)
            if text and text != index.data(Qt.ItemDataRole.DisplayRole) and path is not None:
                self.renamed.emit(path, text)


class CollectionTree(QTreeView):
    request_opened = Signal(object)
    broken_opened = Signal(str)
    action_requested = Signal(str, object)
    item_renamed = Signal(object, str)
    item_dropped = Signal(object, object, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("collectionTree")
        self.setAccessibleName("Collections")
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setAnimated(False)
        self.setIndentation(14)
        self.setIconSize(BADGE_SIZE)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._delegate = _ItemDelegate(self)
        self._delegate.renamed.connect(self.item_renamed)
        self.setItemDelegate(self._delegate)
        self.clicked.connect(self._on_self_activated)
        self.activated.connect(self._on_self_activated)

    def path_at(self, index: QModelIndex | QPersistentModelIndex) -> Path | None:
        value = index.data(Role.PATH)
        return value if isinstance(value, Path) else None

    def index_of(self, path: Path) -> QModelIndex:
        """The view index of the item at ``path`` (invalid when filtered out or unknown)."""
        model = self.model()
        pending = [QModelIndex()]
        while pending:
            parent = pending.pop()
            for row in range(model.rowCount(parent)):
                index = model.index(row, 0, parent)
                if index.data(Role.PATH) == path:
                    return index
                pending.append(index)
        return QModelIndex()

    def select_path(self, path: Path) -> QModelIndex:
        index = self.index_of(path)
        if index.isValid():
            self.setCurrentIndex(index)
            self.scrollTo(index)
        return index

    def rename_current(self) -> None:
        index = self.currentIndex()
        if index.isValid() and index.data(Role.KIND) != Kind.BROKEN:
            self.edit(index)

    def _on_self_activated(self, index: QModelIndex) -> None:
        kind = index.data(Role.KIND)
        if kind == Kind.REQUEST:
            self.request_opened.emit(self.path_at(index))
        elif kind == Kind.BROKEN or index.data(Role.ERROR):
            self.broken_opened.emit(str(index.data(Role.ERROR)))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and self.currentIndex().isValid():
            self.action_requested.emit("delete", self.path_at(self.currentIndex()))
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos())
        if index.isValid():
            self.setCurrentIndex(index)
        menu = self.menu_for(index)
        menu.popup(event.globalPos())

    def menu_for(self, index: QModelIndex) -> QMenu:
        """The context menu of ``index`` (the empty area when invalid)."""
        menu = QMenu(self)
        menu.setObjectName("collectionMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        kind = index.data(Role.KIND) if index.isValid() else None
        path = self.path_at(index) if index.isValid() else None
        for action, label in MENU.get(kind, MENU[None]):
            item = menu.addAction(label)
            item.setObjectName(f"collectionAction_{action}")
            if action == "rename":
                item.triggered.connect(self.rename_current)
            else:
                item.triggered.connect(
                    lambda _checked=False, a=action, p=path: self.action_requested.emit(a, p)
                )
        return menu

    # -- drag and drop ----------------------------------------------------------------------
    def drop_target(self, point: QPoint) -> tuple[Path, int] | None:
        """(folder, row) a drop at ``point`` goes to: into a folder (last) on its middle, else
        before or after the item under the pointer, in that item's folder."""
        index = self.indexAt(point)
        if not index.isValid():
            return None
        rect = self.visualRect(index)
        kind = index.data(Role.KIND)
        offset = point.y() - rect.top()
        is_folder = kind in (Kind.COLLECTION, Kind.FOLDER)
        if is_folder and (
            kind == Kind.COLLECTION or rect.height() / 4 < offset < rect.height() * 3 / 4
        ):
            folder = self.path_at(index)
            return (folder, -1) if folder is not None else None
        parent = index.parent()
        folder = self.path_at(parent) if parent.isValid() else None
        if folder is None:
            return None
        row = index.row() + (1 if offset >= rect.height() / 2 else 0)
        return folder, row

    def dropEvent(self, event: QDropEvent) -> None:
        """Emit the drop as an intent; the model is not changed here (a reload follows)."""
        source = self.currentIndex()
        target = self.drop_target(event.position().toPoint())
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        path = self.path_at(source) if source.isValid() else None
        if path is None or target is None or source.data(Role.KIND) == Kind.BROKEN:
            return
        self.item_dropped.emit(path, target[0], target[1])
