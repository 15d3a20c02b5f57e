"""A lazy item model over a parsed JSON document (or over a filter's matches).

A row exists only once its parent is expanded, and a container shows its members ``PAGE`` at
a time: an array of 200,000 items costs 1,001 rows when opened, the last one "… 199,000 more"
(activate it for the next page). Columns: the member's name or index, and its value in one
line (a container as its size). Each row knows its normalized path, for Copy path.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from explorer.core.json_query import Match, segment
from explorer.core.json_slices import Json
from explorer.ui.json_tree_jobs import page_of, preview

PAGE = 1000
HEADERS = ("Name", "Value")
Index = QModelIndex | QPersistentModelIndex


class Node:
    """One row: a member (name or index) with its value, or the "… more" row of its parent."""

    __slots__ = ("children", "is_more", "label", "parent", "path", "row", "shown", "value")

    def __init__(
        self,
        parent: Node | None,
        row: int,
        label: str,
        value: Json,
        path: str | None,
        *,
        is_more: bool = False,
    ) -> None:
        self.is_more = is_more
        self.parent = parent
        self.row = row
        self.label = label
        self.value = value
        self.path = path
        self.children: list[Node] = []
        self.shown = 0
        """Members of ``value`` that have rows; a "more" row follows while some are left."""

    @property
    def total(self) -> int:
        return len(self.value) if isinstance(self.value, list | dict) else 0


class JsonTreeModel(QAbstractItemModel):
    """The rows of one document or one list of matches; replaced whole by ``show_*``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = Node(None, 0, "", None, None)

    # -- content ------------------------------------------------------------------------------

    def show_document(self, document: Json) -> None:
        """One top row, ``$``, holding the whole document."""
        self._reset([Match("$", document)], labels=["$"])

    def show_matches(self, found: list[Match]) -> None:
        """A row per match, named by its path (or "#n" for a value jq computed)."""
        self._reset(found, labels=[m.path or f"#{n}" for n, m in enumerate(found, 1)])

    def clear(self) -> None:
        self._reset([], labels=[])

    def _reset(self, found: list[Match], labels: list[str]) -> None:
        self.beginResetModel()
        self._root = Node(None, 0, "", None, None)
        self._root.children = [
            Node(self._root, row, label, match.value, match.path)
            for row, (label, match) in enumerate(zip(labels, found, strict=True))
        ]
        self._root.shown = len(found)
        self.endResetModel()

    def node(self, index: Index) -> Node | None:
        """The row's node (None for the invisible root)."""
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, Node) else None

    def load_more(self, index: Index) -> None:
        """Activate a "… more" row: the next page of its parent's members."""
        node = self.node(index)
        if node is not None and node.is_more and node.parent is not None:
            self._add_page(node.parent, self.parent(index))

    # -- the model ----------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        owner = self.node(parent) or self._root
        if 0 <= row < len(owner.children) and 0 <= column < len(HEADERS):
            return self.createIndex(row, column, owner.children[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self.node(index)
        owner = node.parent if node is not None else None
        if owner is None or owner is self._root:
            return QModelIndex()
        return self.createIndex(owner.row, 0, owner)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len((self.node(parent) or self._root).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        node = self.node(parent)
        if node is None:
            return bool(self._root.children)
        return parent.column() == 0 and not node.is_more and node.total > 0

    def canFetchMore(self, parent: Index) -> bool:
        node = self.node(parent)
        return node is not None and not node.is_more and node.shown == 0 and node.total > 0

    def fetchMore(self, parent: Index) -> None:
        node = self.node(parent)
        if node is not None and self.canFetchMore(parent):
            self._add_page(node, parent)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        node = self.node(index)
        if node is None:
            return None
        if role == Qt.ItemDataRole.FontRole and node.is_more:
            font = QFont()
            font.setItalic(True)
            return font
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if node.is_more:
            owner = node.parent
            left = owner.total - owner.shown if owner is not None else 0
            if index.column():
                return None
            return f"… {left:,} more (open for the next {min(left, PAGE):,})"
        if index.column() == 0:
            return node.label
        return preview(node.value)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    # -- paging -------------------------------------------------------------------------------

    def _add_page(self, node: Node, index: Index) -> None:
        """Rows for the next ``PAGE`` members of ``node``, before its "more" row (which goes
        once the last page is in)."""
        page = page_of(node.value, node.shown, PAGE)
        has_more_row = bool(node.children) and node.children[-1].is_more
        first = node.shown
        if page:
            self.beginInsertRows(index, first, first + len(page) - 1)
            rows = [
                Node(node, first + offset, str(key), value, _child_path(node.path, key))
                for offset, (key, value) in enumerate(page)
            ]
            node.children[first:first] = rows
            node.shown += len(page)
            if has_more_row:
                node.children[-1].row = node.shown
            self.endInsertRows()
        left = node.total - node.shown
        if left > 0 and not has_more_row:
            self.beginInsertRows(index, node.shown, node.shown)
            node.children.append(Node(node, node.shown, "", None, None, is_more=True))
            self.endInsertRows()
        elif left <= 0 and has_more_row:
            self.beginRemoveRows(index, node.shown, node.shown)
            node.children.pop()
            self.endRemoveRows()


def _child_path(path: str | None, key: str | int) -> str | None:
    return None if path is None else path + segment(key)
