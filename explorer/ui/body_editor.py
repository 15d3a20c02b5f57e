"""The request body editor (``bodyEditor``): none, JSON with live validation and pretty-print,
form, multipart (a value ``@path`` is a file part, as in curl ``-F``), raw with a content type,
or a binary file."""

from __future__ import annotations

import json

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.json_template import json_problem, with_stand_ins
from explorer.core.models import Body, BodyMode, FormField, KeyValue
from explorer.ui.body_highlight import BodyHighlighter, language_for
from explorer.ui.key_value_table import KeyValueTable

MODES = (
    (BodyMode.NONE, "None"),
    (BodyMode.JSON, "JSON"),
    (BodyMode.FORM, "Form (urlencoded)"),
    (BodyMode.MULTIPART, "Multipart"),
    (BodyMode.RAW, "Raw"),
    (BodyMode.BINARY_FILE, "Binary file"),
)
RAW_TYPES = ("text/plain", "application/xml", "text/html", "application/x-yaml", "text/csv")
VALIDATE_MS = 200


class BodyEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bodyEditor")
        self.mode_combo = QComboBox(self)
        self.mode_combo.setObjectName("bodyModeCombo")
        for mode, label in MODES:
            self.mode_combo.addItem(label, mode)
        self.content_type = QComboBox(self)
        self.content_type.setEditable(True)
        self.content_type.addItems(RAW_TYPES)
        self.content_type.currentTextChanged.connect(self._recolour)
        self.pretty_button = QPushButton("Pretty-print", self)
        self.status = QLabel(self)
        self.status.setObjectName("bodyStatus")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.mode_combo)
        top.addWidget(self.content_type)
        top.addWidget(self.status, 1)
        top.addWidget(self.pretty_button)

        self.text = QPlainTextEdit(self)
        self.text.setObjectName("bodyText")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(font)
        self.highlighter = BodyHighlighter(self.text.document())
        self.fields = KeyValueTable("bodyFields", separator="=", parent=self)
        self.file_edit = QLineEdit(self)
        self.file_edit.setPlaceholderText("Path of the file to send as the body")
        browse = QPushButton("Choose…", self)
        file_page = QWidget(self)
        file_row = QHBoxLayout(file_page)
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)
        self.empty = QLabel("This request has no body.", self)
        self.pages = QStackedWidget(self)
        for page in (self.empty, self.text, self.fields, file_page):
            self.pages.addWidget(page)
        self._file_page = file_page

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.mode_combo.currentIndexChanged.connect(self._on_mode_combo_changed)
        self.text.textChanged.connect(self._on_text_changed)
        self.pretty_button.clicked.connect(self._on_pretty_clicked)
        browse.clicked.connect(self._on_browse_clicked)
        self._on_mode_combo_changed()

    @property
    def mode(self) -> BodyMode:
        return BodyMode(self.mode_combo.currentData())

    def load(self, body: Body) -> None:
        self.mode_combo.setCurrentIndex([mode for mode, _ in MODES].index(body.mode))
        self.text.setPlainText(body.text)
        if body.content_type:
            self.content_type.setCurrentText(body.content_type)
        self.fields.load(
            tuple(
                KeyValue(f.name, f"@{f.value}" if f.is_file else f.value, f.enabled)
                for f in body.fields
            )
        )
        self.file_edit.setText(body.file or "")

    def to_body(self) -> Body:
        mode = self.mode
        if mode == BodyMode.NONE:
            return Body()
        if mode in (BodyMode.JSON, BodyMode.RAW):
            content_type = self.content_type.currentText() if mode == BodyMode.RAW else None
            return Body(mode, self.text.toPlainText(), content_type=content_type)
        if mode == BodyMode.BINARY_FILE:
            return Body(mode, file=self.file_edit.text().strip() or None)
        fields = []
        for row in self.fields.to_rows():
            is_file = mode == BodyMode.MULTIPART and row.value.startswith("@")
            value = row.value[1:] if is_file else row.value
            fields.append(FormField(row.name, value, row.enabled, is_file=is_file))
        return Body(mode, fields=tuple(fields))

    def validation_problem(self) -> str:
        """Where and why the JSON body is not JSON ('' when it is, or is no JSON body); a
        ``{{variable}}`` stands for a value, as it will once the core expands it."""
        if self.mode != BodyMode.JSON:
            return ""
        problem = json_problem(self.text.toPlainText())
        return "" if problem is None else str(problem)

    def _on_mode_combo_changed(self) -> None:
        mode = self.mode
        page = {
            BodyMode.NONE: self.empty,
            BodyMode.JSON: self.text,
            BodyMode.RAW: self.text,
            BodyMode.FORM: self.fields,
            BodyMode.MULTIPART: self.fields,
            BodyMode.BINARY_FILE: self._file_page,
        }[mode]
        self.pages.setCurrentWidget(page)
        self.content_type.setVisible(mode == BodyMode.RAW)
        self.pretty_button.setVisible(mode == BodyMode.JSON)
        self.text.setPlaceholderText('{"name": "value"}' if mode == BodyMode.JSON else "")
        self._on_timer_timeout()
        self._recolour()
        self.changed.emit()

    def _recolour(self) -> None:
        self.highlighter.configure(
            language_for(self.mode == BodyMode.JSON, self.content_type.currentText()),
            self.palette(),
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "highlighter"):
            self._recolour()

    def _on_text_changed(self) -> None:
        self.highlighter.follow_size()
        self._timer.start()
        self.changed.emit()

    def _on_timer_timeout(self) -> None:
        problem = self.validation_problem()
        if self.mode != BodyMode.JSON or not self.text.toPlainText().strip():
            self.status.setText("")
        elif problem:
            self.status.setText(f"Invalid JSON: {problem}")
        else:
            self.status.setText("Valid JSON")
        self.status.setProperty("invalid", bool(problem))
        text = self.text.toPlainText()
        # Pretty-printing re-serialises parsed JSON, which a body with placeholders is not yet.
        self.pretty_button.setEnabled(not problem and with_stand_ins(text) == text)

    def _on_pretty_clicked(self) -> None:
        try:
            value = json.loads(self.text.toPlainText())
        except json.JSONDecodeError:
            return
        self.text.setPlainText(json.dumps(value, indent=2, ensure_ascii=False))

    def _on_browse_clicked(self) -> None:
        dialog = QFileDialog(self, "Choose the body file")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.file_edit.setText)
        dialog.open()
