""" "Save as…" (``saveAsDialog``): a name and the collection or folder to put the request in.

Opened with ``open()`` (never ``exec()``); ``chosen`` carries (folder or None, name). None means
the workspace has no collection yet and a first one named ``FIRST_COLLECTION`` is created. Items
carry their folder as text: a ``QComboBox`` cannot find Python objects by value.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

FIRST_COLLECTION = "My requests"


class SaveAsDialog(QDialog):
    chosen = Signal(object, str)

    def __init__(
        self,
        name: str,
        folders: list[tuple[str, Path]],
        preferred: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("saveAsDialog")
        self.setWindowTitle("Save request as")
        self.name = QLineEdit(name, self)
        self.name.setObjectName("saveAsName")
        self.folder = QComboBox(self)
        self.folder.setObjectName("saveAsFolder")
        self.folder.setMinimumContentsLength(32)
        for label, path in folders:
            self.folder.addItem(label, str(path))
        if not folders:
            self.folder.addItem(f"{FIRST_COLLECTION} (new collection)", None)
        if preferred is not None and self.folder.findData(str(preferred)) >= 0:
            self.folder.setCurrentIndex(self.folder.findData(str(preferred)))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveAsSave")
        form = QFormLayout(self)
        form.addRow("Name", self.name)
        form.addRow("Save in", self.folder)
        form.addRow(buttons)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(self._on_name_text_changed)
        self._on_name_text_changed(name)

    def _on_name_text_changed(self, text: str) -> None:
        self.save_button.setEnabled(bool(text.strip()))

    def _on_buttons_accepted(self) -> None:
        folder = self.folder.currentData()
        self.chosen.emit(Path(folder) if folder else None, self.name.text().strip())
        self.accept()
