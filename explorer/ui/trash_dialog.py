"""File → Trash… (``trashDialog``): everything deleted from the workspace, newest first, each
restorable to where it was (or beside it, when that name has been taken since).

The dialog only shows and chooses; listing and restoring run on the workspace service's
executor, and the window reloads the tree after a restore.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.services.workspace_api import Trashed, WorkspaceService
from explorer.ui.operations import Failure, Operations

REQUEST_SUFFIX = ".request.yaml"  # the core's collections.REQUEST_SUFFIX, whose module loads YAML


def _label(name: str) -> str:
    """A file name as the tree would call it: ``list-items (request)``, ``orders (folder)``."""
    if name.endswith(REQUEST_SUFFIX):
        return f"{name.removesuffix(REQUEST_SUFFIX)} (request)"
    return f"{name} (folder)"


class TrashDialog(QDialog):
    restored = Signal(object)  # the restored item's path

    def __init__(
        self,
        service: WorkspaceService,
        root: Path,
        ops: Operations,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trashDialog")
        self.setWindowTitle("Trash")
        self.resize(560, 360)
        self._service = service
        self._root = root
        self._ops = ops
        self.entries = QListWidget(self)
        self.entries.setObjectName("trashList")
        self.entries.setAlternatingRowColors(True)
        self.note = QLabel("Loading…", self)
        self.note.setObjectName("trashNote")
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.restore_button = buttons.addButton("Restore", QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.setObjectName("trashRestore")
        self.restore_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.entries, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.entries.currentRowChanged.connect(self._on_entries_current_row_changed)
        self.entries.itemActivated.connect(self._on_restore_button_clicked)
        self.refresh()

    def refresh(self) -> None:
        self._ops.run(self._service.trash(), self._on_service_listed, on_failure=self._unlisted)

    def _unlisted(self, error: Failure) -> None:
        self.entries.clear()
        self.note.setText(f"The trash could not be read: {error}")

    def _on_service_listed(self, entries: list[Trashed]) -> None:
        self.entries.clear()
        for entry in entries:
            item = QListWidgetItem(f"{_label(entry.name)}    from {self._where(entry.origin)}")
            item.setData(Qt.ItemDataRole.UserRole, entry)
            item.setToolTip(f"Deleted {entry.deleted_at}")
            self.entries.addItem(item)
        count = self.entries.count()
        self.note.setText(
            "The trash is empty." if count == 0 else f"{count} deleted item(s), newest first."
        )
        if count:
            self.entries.setCurrentRow(0)

    def _where(self, origin: Path) -> str:
        try:
            return str(origin.parent.relative_to(self._root))
        except ValueError:
            return str(origin.parent)

    def _on_entries_current_row_changed(self, row: int) -> None:
        self.restore_button.setEnabled(row >= 0)

    def _on_restore_button_clicked(self) -> None:
        item = self.entries.currentItem()
        if item is None:
            return
        entry = item.data(Qt.ItemDataRole.UserRole)
        self.restore_button.setEnabled(False)
        self._ops.run(
            self._service.restore(entry), self._on_service_restored, on_failure=self._unrestored
        )

    def _unrestored(self, error: Failure) -> None:
        self.note.setText(f"Not restored: {error}")
        self.restore_button.setEnabled(True)

    def _on_service_restored(self, path: Path) -> None:
        self.restored.emit(path)
        self.refresh()
