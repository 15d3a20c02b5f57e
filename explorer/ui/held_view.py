"""A tree view whose events are entered through Python overrides.

A Python item model answers one paint of 30 rows with some 700 calls (``data`` for seven roles
a cell, ``index``, ``parent``, ``rowCount``). While the view worker ran a JSONPath filter over a
200,000-item array, the Tree tab's relayout and paint then stalled the window ~100 ms
(``bench/ui_json_tree.py``); with the view's and header's ``event`` and ``viewportEvent``
entered through Python, so that Qt's handler runs inside one Python call, it stalls ~10 ms.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QHeaderView, QTreeView, QWidget


class HeldHeaderView(QHeaderView):
    """A header whose events (paint, resize, layout timers) run with the GIL held."""

    def event(self, event: QEvent) -> bool:
        return super().event(event)

    def viewportEvent(self, event: QEvent) -> bool:
        return super().viewportEvent(event)


class HeldTreeView(QTreeView):
    """A tree view whose events (paint, resize, delayed layout) run with the GIL held, with a
    header that does the same (set up as ``QTreeView`` sets up its own)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        header = HeldHeaderView(Qt.Orientation.Horizontal, self)
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setHeader(header)

    def event(self, event: QEvent) -> bool:
        return super().event(event)

    def viewportEvent(self, event: QEvent) -> bool:
        return super().viewportEvent(event)
