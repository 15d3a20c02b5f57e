"""Sent requests, newest first, grouped by day ("Today", "Yesterday", dates): each row says the
status (or "failed: <reason>" for a send that got no answer), method, URL as sent (masked), the
provider and environment, and the time. ``historySearch`` filters the rows, ``historyClear``
deletes the history (after asking; the files go on the disk thread). Activating a row reopens
it (``entry_activated``); its context menu saves it as a request of a collection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.services.workspace_api import HistoryEntry, HistoryStore
from explorer.ui.message_box import message_box
from explorer.ui.operations import Operations

LIMIT = 500
ENTRY = Qt.ItemDataRole.UserRole


class HistoryList(QWidget):
    entry_activated = Signal(object)
    save_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText("Search history")
        self.search.setClearButtonEnabled(True)
        self.clear_button = QToolButton(self)
        self.clear_button.setObjectName("historyClear")
        self.clear_button.setText("Clear")
        self.clear_button.setToolTip("Delete the whole history")
        self.clear_button.setEnabled(False)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("historyList")
        self.tree.setAccessibleName("History")
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(8)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        self._store: HistoryStore | None = None
        self._ops: Operations | None = None
        self.tree.customContextMenuRequested.connect(self._on_tree_menu_requested)
        self.tree.itemActivated.connect(self._on_tree_item_activated)
        self.tree.itemClicked.connect(self._on_tree_item_activated)
        self.search.textChanged.connect(self._apply_filter)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)

    def attach(self, store: HistoryStore, ops: Operations) -> None:
        """Where Clear deletes the files, and the channel its failure is said on."""
        self._store, self._ops = store, ops
        self.clear_button.setEnabled(True)

    # -- rows ---------------------------------------------------------------------------------

    def load(self, entries: Sequence[HistoryEntry]) -> None:
        self.tree.clear()
        for entry in reversed(entries[:LIMIT]):
            self._insert(entry)
        self._apply_filter()

    def add(self, entry: HistoryEntry) -> None:
        self._insert(entry)
        while self.count() > LIMIT:
            oldest = self.days()[-1]
            oldest.removeChild(_children(oldest)[-1])
            if oldest.childCount() == 0:
                self.tree.takeTopLevelItem(self.tree.topLevelItemCount() - 1)
        self._apply_filter()

    def days(self) -> list[QTreeWidgetItem]:
        """The day headings, newest first."""
        found = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [day for day in found if day is not None]

    def count(self) -> int:
        """How many entries are listed (day headings not counted)."""
        return sum(day.childCount() for day in self.days())

    def rows(self) -> list[QTreeWidgetItem]:
        """The entry rows, newest first, shown or filtered out."""
        return [row for day in self.days() for row in _children(day)]

    def visible_rows(self) -> list[QTreeWidgetItem]:
        return [row for row in self.rows() if not row.isHidden()]

    def _insert(self, entry: HistoryEntry) -> None:
        """As the newest row of its day (the day heading made first when new)."""
        moment = _moment(entry.sent_at)
        day = moment.date() if moment is not None else None
        heading = self._day_heading(day)
        heading.insertChild(0, _row(entry, moment))

    def _day_heading(self, day: date | None) -> QTreeWidgetItem:
        title = _day_title(day)
        first = self.tree.topLevelItem(0)
        if first is not None and first.text(0) == title:
            return first
        heading = QTreeWidgetItem([title])
        heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = heading.font(0)
        font.setBold(True)
        heading.setFont(0, font)
        self.tree.insertTopLevelItem(0, heading)
        heading.setExpanded(True)
        return heading

    def _apply_filter(self) -> None:
        """Rows whose status, method, URL, name, provider or environment contain the search
        text (any case); a day with no such row is hidden too."""
        words = self.search.text().casefold().split()
        for day in self.days():
            shown = 0
            for row in _children(day):
                haystack = _searchable(row.data(0, ENTRY))
                hidden = not all(word in haystack for word in words)
                row.setHidden(hidden)
                shown += not hidden
            day.setHidden(shown == 0)

    # -- actions ------------------------------------------------------------------------------

    def menu_at(self, point: QPoint) -> QMenu | None:
        """The context menu of the entry at ``point`` of the tree's viewport (None elsewhere)."""
        item = self.tree.itemAt(point)
        entry = item.data(0, ENTRY) if item is not None else None
        if not isinstance(entry, HistoryEntry):
            return None
        menu = QMenu(self)
        menu.setObjectName("historyMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        reopen = menu.addAction("Open")
        reopen.setObjectName("historyAction_open")
        reopen.triggered.connect(lambda: self.entry_activated.emit(entry))
        save = menu.addAction("Save as request…")
        save.setObjectName("historyAction_save")
        save.triggered.connect(lambda: self.save_requested.emit(entry))
        return menu

    def _on_tree_menu_requested(self, point: QPoint) -> None:
        menu = self.menu_at(point)
        if menu is not None:
            menu.popup(self.tree.viewport().mapToGlobal(point))

    def _on_tree_item_activated(self, item: QTreeWidgetItem) -> None:
        entry = item.data(0, ENTRY)
        if isinstance(entry, HistoryEntry):
            self.entry_activated.emit(entry)

    def _on_clear_button_clicked(self) -> None:
        box = message_box(
            self,
            "historyClearConfirm",
            QMessageBox.Icon.Question,
            "Clear history?",
            "Delete every request in the history? This cannot be undone.",
        )
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        delete = box.addButton("Delete history", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: self._clear() if button is delete else None)
        box.open()

    def _clear(self) -> None:
        if self._store is None or self._ops is None:
            return
        self._ops.run(
            self._store.clear(),
            lambda _removed: self.tree.clear(),
            failure="History could not be cleared",
        )


def _children(day: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    found = (day.child(i) for i in range(day.childCount()))
    return [row for row in found if row is not None]


def _row(entry: HistoryEntry, moment: datetime | None) -> QTreeWidgetItem:
    """``200  GET  https://host/items  · pce / Sandbox    10:42`` (``failed`` for a send that got
    no answer); the whole, and a failure's reason, in the tooltip."""
    spec = entry.spec
    url = entry.url or spec.url
    status = str(entry.status) if entry.status is not None else "failed"  # why: the tooltip
    where = " / ".join(p for p in (entry.provider_id, entry.environment) if p)
    time = moment.strftime("%H:%M") if moment is not None else entry.sent_at
    text = f"{status}  {spec.method}  {url}" + (f"  · {where}" if where else "") + f"    {time}"
    item = QTreeWidgetItem([text])
    lines = [url, *([spec.name] if spec.name and spec.name != url else [])]
    lines.append(f"{entry.sent_at} · {entry.elapsed_ms:,.0f} ms" + (f" · {where}" if where else ""))
    if entry.error:
        lines.append(entry.error)
    item.setToolTip(0, "\n".join(lines))
    item.setData(0, ENTRY, entry)
    return item


def _searchable(entry: HistoryEntry) -> str:
    spec = entry.spec
    status = str(entry.status) if entry.status is not None else "failed"
    parts = (status, spec.method, entry.url, spec.url, spec.name, entry.error)
    where = (entry.provider_id or "", entry.environment or "")
    return " ".join((*parts, *where)).casefold()


def _moment(sent_at: str) -> datetime | None:
    """An ISO timestamp in local time (None when unreadable)."""
    try:
        return datetime.fromisoformat(sent_at).astimezone()
    except ValueError:
        return None


def _day_title(day: date | None) -> str:
    if day is None:
        return "Unknown day"
    today = datetime.now().astimezone().date()
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    return f"{day.day} {day.strftime('%B %Y')}"
