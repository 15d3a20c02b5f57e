"""File → Export… (``exportDialog``): a collection as Postman Collection v2.1 (with its
provider's environments as Postman environment files beside it) or as a ``.http`` file.

The dialog only collects the choice; the window runs the export on the disk executor.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

FORMATS = (
    ("postman", "Postman Collection v2.1 (.json)", ".postman_collection.json"),
    ("http", ".http file (httpyac, REST Client)", ".http"),
)


class ExportDialog(QDialog):
    chosen = Signal(str, object)

    def __init__(
        self, collection_name: str, start_dir: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle(f"Export {collection_name}")
        self._stem = start_dir / collection_name.replace("/", "-")
        self.kind = QComboBox(self)
        self.kind.setObjectName("exportKind")
        for kind, label, _suffix in FORMATS:
            self.kind.addItem(label, kind)
        self.file = QLineEdit(self)
        self.file.setObjectName("exportFile")
        self.file.setMinimumWidth(self.file.fontMetrics().horizontalAdvance("x" * 60))
        browse = QPushButton("Browse…", self)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.export_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.export_button.setText("Export")
        self.export_button.setObjectName("exportApply")
        form = QFormLayout(self)
        form.addRow("Format", self.kind)
        form.addRow("File", row)
        form.addRow(buttons)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        browse.clicked.connect(self._on_browse_clicked)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        self._on_kind_changed()

    def _on_kind_changed(self) -> None:
        suffix = FORMATS[self.kind.currentIndex()][2]
        self.file.setText(str(self._stem) + suffix)

    def _on_browse_clicked(self) -> None:
        dialog = QFileDialog(self, "Export to", self.file.text())
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(self.file.setText)
        dialog.open()

    def _on_buttons_accepted(self) -> None:
        if self.file.text().strip():
            self.chosen.emit(self.kind.currentData(), Path(self.file.text().strip()).expanduser())
            self.accept()
