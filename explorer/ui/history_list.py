"""Sent requests, newest first (``historyList``); activating one reopens it in the builder, and
its context menu saves it as a request of a collection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu, QWidget

from explorer.services.workspace_api import HistoryEntry

LIMIT = 500


class HistoryList(QListWidget):
    entry_activated = Signal(object)
    save_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyList")
        self.setAccessibleName("History")
        self.setUniformItemSizes(True)
        self.itemActivated.connect(self._on_self_item_activated)
        self.itemClicked.connect(self._on_self_item_activated)

    def load(self, entries: Sequence[HistoryEntry]) -> None:
        self.clear()
        for entry in entries:
            self.addItem(self._item(entry))

    def add(self, entry: HistoryEntry) -> None:
        self.insertItem(0, self._item(entry))
        while self.count() > LIMIT:
            self.takeItem(self.count() - 1)

    @staticmethod
    def _item(entry: HistoryEntry) -> QListWidgetItem:
        """``200  GET  Items, first page    10:42``: status, method, the request's name (its URL
        when it has none) and when, local time; the URL and timing in the tooltip."""
        spec = entry.spec
        label = spec.name or spec.url
        item = QListWidgetItem(f"{entry.status}  {spec.method}  {label}    {_when(entry.sent_at)}")
        item.setToolTip(f"{spec.url}\n{entry.sent_at} · {entry.elapsed_ms:,.0f} ms")
        item.setData(Qt.ItemDataRole.UserRole, entry)
        return item

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.menu_at(event.pos())
        if menu is not None:
            menu.popup(event.globalPos())

    def menu_at(self, point: QPoint) -> QMenu | None:
        """The context menu of the entry at ``point`` (None on the empty area)."""
        item = self.itemAt(point)
        if item is None:
            return None
        entry = item.data(Qt.ItemDataRole.UserRole)
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

    def _on_self_item_activated(self, item: QListWidgetItem) -> None:
        self.entry_activated.emit(item.data(Qt.ItemDataRole.UserRole))


def _when(sent_at: str) -> str:
    """An ISO timestamp as local ``HH:MM`` today, else ``D Mon HH:MM`` (as given if unreadable)."""
    try:
        moment = datetime.fromisoformat(sent_at).astimezone()
    except ValueError:
        return sent_at
    if moment.date() == datetime.now().astimezone().date():
        return moment.strftime("%H:%M")
    return f"{moment.day} {moment.strftime('%b %H:%M')}"
