"""The response search bar (``responseSearch``): needle, case and regex toggles, previous/next,
and the match count. It only emits intent; the body panel searches on a worker."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

DEBOUNCE_MS = 150


class SearchBar(QWidget):
    search_changed = Signal(str, bool, bool)
    next_requested = Signal()
    previous_requested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responseSearch")
        self.edit = QLineEdit(self)
        self.edit.setObjectName("responseSearchEdit")
        self.edit.setPlaceholderText("Find in response")
        self.edit.setClearButtonEnabled(True)
        self.case_button = self._toggle("Aa", "Match case")
        self.regex_button = self._toggle(".*", "Regular expression")
        self.previous_button = self._button("↑", "Previous match (Shift+Enter)")
        self.next_button = self._button("↓", "Next match (Enter)")
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("responseSearchCount")
        self.count_label.setMinimumWidth(90)
        close = self._button("✕", "Close (Esc)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(4)
        layout.addWidget(self.edit, 1)
        for widget in (
            self.case_button,
            self.regex_button,
            self.previous_button,
            self.next_button,
            self.count_label,
            close,
        ):
            layout.addWidget(widget)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.edit.textChanged.connect(self._on_edit_changed)
        self.edit.returnPressed.connect(self.next_requested)
        self.case_button.toggled.connect(self._on_edit_changed)
        self.regex_button.toggled.connect(self._on_edit_changed)
        self.previous_button.clicked.connect(self.previous_requested)
        self.next_button.clicked.connect(self.next_requested)
        close.clicked.connect(self._on_close_clicked)

    def _toggle(self, text: str, tip: str) -> QToolButton:
        button = self._button(text, tip)
        button.setCheckable(True)
        return button

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setAutoRaise(True)
        return button

    def open_bar(self) -> None:
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def set_count(self, current: int, total: int, error: str = "") -> None:
        if error:
            self.count_label.setText("bad regex")
            self.count_label.setToolTip(error)
        elif not self.edit.text():
            self.count_label.setText("")
        elif total == 0:
            self.count_label.setText("no matches")
        else:
            self.count_label.setText(f"{current + 1} of {total:,}")
            self.count_label.setToolTip("")

    def _on_edit_changed(self) -> None:
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        self.search_changed.emit(
            self.edit.text(), self.case_button.isChecked(), self.regex_button.isChecked()
        )

    def _on_close_clicked(self) -> None:
        self.hide()
        self.closed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        from PySide6.QtCore import Qt

        if event.key() == Qt.Key.Key_Escape:
            self._on_close_clicked()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.previous_requested.emit()
        else:
            super().keyPressEvent(event)
