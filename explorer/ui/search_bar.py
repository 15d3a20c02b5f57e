"""The response search bar (``responseSearch``): needle, case and regex toggles, previous/next,
and the match count (with "…" while the search is still running); and the go-to-line bar
(``responseGoToLine``, Ctrl+G). Both only emit intent; the body panel does the work."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QIntValidator, QKeyEvent
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

    def set_count(self, current: int, total: int, error: str = "", *, done: bool = True) -> None:
        """Show match ``current`` (from 0) of ``total``; ``done`` False while still searching."""
        more = "" if done else "…"
        if error:
            self.count_label.setText("bad regex")
            self.count_label.setToolTip(error)
        elif not self.edit.text():
            self.count_label.setText("")
        elif total == 0:
            self.count_label.setText("no matches" if done else "searching…")
        else:
            self.count_label.setText(f"{current + 1} of {total:,}{more}")
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
        if event.key() == Qt.Key.Key_Escape:
            self._on_close_clicked()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.previous_requested.emit()
        else:
            super().keyPressEvent(event)


class GoToLineBar(QWidget):
    """The "Go to line N of M" bar: Enter emits ``line_chosen``, Esc closes."""

    line_chosen = Signal(int)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responseGoToLine")
        self.edit = QLineEdit(self)
        self.edit.setObjectName("responseGoToLineEdit")
        self.edit.setPlaceholderText("Line")
        self.edit.setValidator(QIntValidator(1, 2**31 - 1, self))
        self.edit.setMaximumWidth(120)
        self.total_label = QLabel("", self)
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip("Close (Esc)")
        close.setAccessibleName("Close (Esc)")
        close.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(4)
        layout.addWidget(QLabel("Go to line", self))
        layout.addWidget(self.edit)
        layout.addWidget(self.total_label, 1)
        layout.addWidget(close)
        self.edit.returnPressed.connect(self._on_edit_return_pressed)
        close.clicked.connect(self._on_close_clicked)

    def open_bar(self, lines: int | None) -> None:
        """Show the bar; ``lines`` is the line count (None while the body is being indexed)."""
        self.total_label.setText("(counting lines…)" if lines is None else f"of {lines:,}")
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def _on_edit_return_pressed(self) -> None:
        if self.edit.text().isdigit():
            self.line_chosen.emit(int(self.edit.text()))
        self._on_close_clicked()

    def _on_close_clicked(self) -> None:
        self.hide()
        self.closed.emit()

    def event(self, event: QEvent) -> bool:
        """Take Esc before the window's shortcut does, so it closes this bar."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._on_close_clicked()
        else:
            super().keyPressEvent(event)
