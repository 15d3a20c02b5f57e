"""One line of status that never resizes the window.

A ``QLabel`` asks for the width of its whole text, so a 600-character error widened the window
and an "Exported to …" line squeezed the collection tree. ``ElidedLabel`` asks for no width at
all, shows what fits with an ellipsis, keeps the full text in its tooltip, and opens it in a
details popup (``messageDetails``) when clicked.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QMessageBox, QSizePolicy, QWidget

from explorer.ui.message_box import message_box


def show_details(parent: QWidget, text: str) -> QMessageBox:
    """The full text of a line, selectable, in a non-modal popup."""
    box = message_box(parent, "messageDetails", QMessageBox.Icon.Information, "Details", text)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box


class ElidedLabel(QLabel):
    """``set_line(plain, rich)``: the rich text when it fits, else the plain text elided."""

    elided_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._plain = ""
        self._rich = ""
        self._color = ""
        self._tooltip = ""
        self._elided = False
        self.details: QMessageBox | None = None

    def set_line(self, plain: str, rich: str = "", *, color: str = "", tooltip: str = "") -> None:
        """Show ``plain`` (``rich`` is its formatted form; ``color`` colours either)."""
        self._plain = " ".join(plain.split())  # one line: a message's line breaks become spaces
        self._rich = rich
        self._color = color
        self._tooltip = tooltip
        self._render()

    def full_text(self) -> str:
        return self._plain

    @property
    def elided(self) -> bool:
        return self._elided

    def open_details(self) -> QMessageBox:
        self.details = show_details(self, self._plain)
        return self.details

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(0, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._render()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._elided and event.button() == Qt.MouseButton.LeftButton:
            self.open_details()
        super().mousePressEvent(event)

    def _render(self) -> None:
        width = self.contentsRect().width()
        bold = QFont(self.font())
        bold.setBold(True)  # rich lines use bold: measure as if it were all bold
        metrics = QFontMetrics(bold) if self._rich else self.fontMetrics()
        elided = metrics.horizontalAdvance(self._plain) > width
        if elided:
            shown = html.escape(
                self.fontMetrics().elidedText(self._plain, Qt.TextElideMode.ElideRight, width)
            )
        else:
            shown = self._rich or html.escape(self._plain)
        if self._color:
            shown = f'<span style="color:{self._color}">{shown}</span>'
        if shown != self.text():
            super().setText(shown)
        tooltip = self._plain if elided else self._tooltip
        if tooltip != self.toolTip():
            self.setToolTip(tooltip)
        self.setCursor(Qt.CursorShape.PointingHandCursor if elided else Qt.CursorShape.ArrowCursor)
        if elided != self._elided:
            self._elided = elided
            self.elided_changed.emit(elided)
