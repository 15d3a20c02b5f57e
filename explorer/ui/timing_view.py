"""The Timing tab (``timingView``): a waterfall of the measured phases of the final hop.

One row per phase of ``Timings.phases()`` (prepare, redirects, DNS, connect, TLS, send, first
byte, download): its name, a bar that starts where the previous phase ended, and its
milliseconds; then the same one-line summary ``send -v`` prints, whether the connection was
reused (or why phases were not measured), and the sizes on the wire.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from explorer.core.models import Exchange

NOTHING_TIMED = "Send a request to see where its time went."


class PhaseBar(QWidget):
    """A bar from ``start`` to ``end``, fractions of the row's width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start = 0.0
        self.end = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(200, 14)

    def set_span(self, start: float, end: float) -> None:
        self.start, self.end = start, end
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        width = self.width()
        left = self.start * width
        span = max((self.end - self.start) * width, 1.0 if self.end > self.start else 0.0)
        painter.fillRect(
            QRectF(left, 2, span, self.height() - 4),
            self.palette().color(QPalette.ColorRole.Highlight),
        )
        painter.end()


class TimingView(QWidget):
    """``show_exchange`` fills the waterfall, ``clear`` empties it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timingView")
        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        self.grid.setHorizontalSpacing(12)
        self.rows: dict[str, tuple[QLabel, PhaseBar, QLabel]] = {}
        self.summary = QLabel(NOTHING_TIMED, self)
        self.summary.setObjectName("timingSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.connection = QLabel(self)
        self.connection.setObjectName("timingConnection")
        self.connection.setWordWrap(True)
        self.sizes = QLabel(self)
        self.sizes.setObjectName("timingSizes")
        self.sizes.setWordWrap(True)
        self.sizes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self.grid)
        layout.addWidget(self.connection)
        layout.addWidget(self.sizes)
        layout.addWidget(self.summary)
        layout.addStretch(1)

    def show_exchange(self, exchange: Exchange) -> None:
        timings = exchange.timings
        phases = timings.phases()
        whole = max(sum(ms for _, ms in phases), timings.total_ms, 1e-9)
        self._drop_rows()
        at = 0.0
        for row, (label, ms) in enumerate(phases):
            name = QLabel(label, self)
            bar = PhaseBar(self)
            bar.set_span(at / whole, (at + ms) / whole)
            value = QLabel(f"{ms:,.1f} ms", self)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for column, widget in enumerate((name, bar, value)):
                self.grid.addWidget(widget, row, column)
            self.rows[label] = (name, bar, value)
            at += ms
        if timings.reused:
            self.connection.setText("Reused connection: no DNS lookup, connect or TLS handshake.")
        elif timings.note:
            self.connection.setText(timings.note[:1].upper() + timings.note[1:] + ".")
        else:
            self.connection.setText("New connection.")
        response = exchange.response
        self.sizes.setText(
            f"Sent: {timings.sent_header_bytes:,} bytes of headers, "
            f"{timings.sent_body_bytes:,} bytes of body.  Received: "
            f"{response.header_bytes:,} bytes of headers, {response.wire_bytes:,} bytes of "
            f"body on the wire, {response.body.size:,} decoded."
        )
        self.summary.setText(timings.summary())

    def clear(self) -> None:
        self._drop_rows()
        self.connection.clear()
        self.sizes.clear()
        self.summary.setText(NOTHING_TIMED)

    def _drop_rows(self) -> None:
        for widgets in self.rows.values():
            for widget in widgets:
                self.grid.removeWidget(widget)
                widget.deleteLater()
        self.rows.clear()
