"""File → Import… (``importDialog``): choose a file and its kind, see what will be created and
what could not be mapped, then import.

Parsing runs on the workspace service's executor (``preview_import``); a newer preview
supersedes an older one (latest wins). Nothing is written until "Import" (``apply_import``).
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
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from explorer.services.workspace_api import ImportDone, ImportPreview, WorkspaceService
from explorer.ui.operations import Failure, Operations

KINDS = (
    ("auto", "Detect from the content"),
    ("postman", "Postman collection or environment (.json)"),
    ("openapi", "OpenAPI 3 / Swagger 2 (.json, .yaml)"),
    ("http", ".http / .rest file"),
    ("curl", "curl command(s)"),
    ("har", "HAR recording (.har)"),
    ("insomnia", "Insomnia v4 export (.json, .yaml)"),
    ("bruno", "Bruno collection (bruno.json, folder or .bru)"),
)


class ImportDialog(QDialog):
    imported = Signal(object)

    def __init__(
        self, service: WorkspaceService, ops: Operations, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import")
        self.resize(640, 480)
        self._service = service
        self._ops = ops
        self._generation = 0
        self.preview: ImportPreview | None = None
        self.kind = QComboBox(self)
        self.kind.setObjectName("importKind")
        for kind, label in KINDS:
            self.kind.addItem(label, kind)
        self.file = QLineEdit(self)
        self.file.setObjectName("importFile")
        self.file.setPlaceholderText("File to import")
        browse = QPushButton("Browse…", self)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        self.summary = QLabel("Choose a file to see what will be created.", self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.tree_text = QPlainTextEdit(self)
        self.tree_text.setObjectName("importPreview")
        self.tree_text.setReadOnly(True)
        self.report = QPlainTextEdit(self)
        self.report.setObjectName("importReport")
        self.report.setReadOnly(True)
        self.report.setPlaceholderText("Everything in the file can be mapped.")
        self.report.setMaximumHeight(120)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("importApply")
        self.import_button.setEnabled(False)
        form = QFormLayout(self)
        form.addRow("Format", self.kind)
        form.addRow("File", row)
        form.addRow(self.summary)
        form.addRow("Will create", self.tree_text)
        form.addRow("Not mapped", self.report)
        form.addRow(buttons)
        browse.clicked.connect(self._on_browse_clicked)
        self.file.editingFinished.connect(self._on_file_editing_finished)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        buttons.rejected.connect(self.reject)

    def choose(self, path: Path) -> None:
        """Preview ``path`` (in the chosen format; "Detect" reads it from the content)."""
        self.file.setText(str(path))
        self._preview()

    def _preview(self) -> None:
        text = self.file.text().strip()
        self.preview = None
        self.import_button.setEnabled(False)
        if not text:
            return
        self._generation += 1
        generation = self._generation
        self.summary.setText("Reading…")
        self._ops.run(
            self._service.preview_import(self.kind.currentData(), Path(text).expanduser()),
            lambda preview: self._on_service_previewed(generation, preview),
            on_failure=lambda error: self._on_service_preview_failed(generation, error),
        )

    def _on_service_preview_failed(self, generation: int, error: Failure) -> None:
        if generation == self._generation:
            self.summary.setText(str(error))
            self.tree_text.clear()
            self.report.clear()

    def _on_service_previewed(self, generation: int, preview: ImportPreview) -> None:
        if generation != self._generation:
            return
        self.preview = preview
        summary = f"{preview.request_count} request(s) into a new collection “{preview.name}”."
        if self.kind.currentData() == "auto":
            from explorer.core.formats.detect import KIND_NAMES

            summary = f"Detected {KIND_NAMES.get(preview.kind, preview.kind)}. {summary}"
        if preview.secret_names:
            summary += (
                f" Secret values found ({', '.join(preview.secret_names)}) are not written to "
                "files; they are kept in the credential store."
            )
        summary += (
            " Fill in its variables, secrets and servers afterwards in File → Environments and "
            "variables… (Ctrl+Shift+E)."
        )
        self.summary.setText(summary)
        self.tree_text.setPlainText("\n".join(preview.lines))
        self.report.setPlainText("\n".join(preview.warnings))
        self.import_button.setEnabled(True)

    def _on_import_button_clicked(self) -> None:
        if self.preview is None:
            return
        self.import_button.setEnabled(False)
        self.summary.setText("Importing…")
        self._ops.run(
            self._service.apply_import(self.preview),
            self._on_service_applied,
            on_failure=self._on_service_apply_failed,
        )

    def _on_service_apply_failed(self, error: Failure) -> None:
        self.summary.setText(str(error))
        self.import_button.setEnabled(True)

    def _on_service_applied(self, done: ImportDone) -> None:
        self.imported.emit(done)
        self.accept()

    def _on_browse_clicked(self) -> None:
        dialog = QFileDialog(self, "Import a file")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda name: self.choose(Path(name)))
        dialog.open()

    def _on_file_editing_finished(self) -> None:
        self._preview()

    def _on_kind_changed(self) -> None:
        self._preview()
