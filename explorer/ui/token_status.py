"""The token state of the chosen provider environment (``tokenStatus``): none, valid with a live
countdown, refreshing, or failed with the reason."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget


class TokenStatus(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenStatus")
        self.setAccessibleName("Token status")
        self._expires_at: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.show_none()

    def show_none(self, reason: str = "no token yet") -> None:
        self._timer.stop()
        self.setText(f"token: {reason}")

    def show_valid(self, expires_in: float) -> None:
        self._expires_at = time.monotonic() + expires_in
        self._timer.start()
        self._on_timer_timeout()

    def show_refreshing(self) -> None:
        self._timer.stop()
        self.setText("token: refreshing…")

    def show_failed(self, reason: str) -> None:
        self._timer.stop()
        self.setText("token: failed")
        self.setToolTip(reason)

    def _on_timer_timeout(self) -> None:
        if self._expires_at is None:
            return
        left = max(0, int(self._expires_at - time.monotonic()))
        self.setText(f"token: {left // 60}:{left % 60:02d} left")
        if left == 0:
            self._timer.stop()
            self.setText("token: expired (refreshed on next send)")
