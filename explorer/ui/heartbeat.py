"""A timer on the UI thread that measures how long the thread was away: the longest gap between
ticks, minus the interval, is the longest stall a user could feel. Tests and ``bench/`` read it."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer

INTERVAL_MS = 16


class Heartbeat(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._interval = interval_ms / 1000
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._last = 0.0
        self.longest_stall_ms = 0.0
        self.ticks = 0

    def start(self) -> None:
        self.reset()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def reset(self) -> None:
        self._last = time.perf_counter()
        self.longest_stall_ms = 0.0
        self.ticks = 0

    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        stall = (now - self._last - self._interval) * 1000
        self.longest_stall_ms = max(self.longest_stall_ms, stall)
        self._last = now
        self.ticks += 1
