"""The chosen provider's sample requests (``samplesList``): what ``--demo`` opens, so a first
request is one click away. Activating one loads it into the builder."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from explorer.core.models import RequestSpec


class SamplesList(QListWidget):
    sample_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("samplesList")
        self.setAccessibleName("Sample requests")
        self.itemClicked.connect(self._on_self_item_activated)
        self.itemActivated.connect(self._on_self_item_activated)

    def load(self, samples: Sequence[RequestSpec]) -> None:
        self.clear()
        for spec in samples:
            item = QListWidgetItem(f"{spec.method}  {spec.name or spec.url}")
            item.setToolTip(spec.url)
            item.setData(Qt.ItemDataRole.UserRole, spec)
            self.addItem(item)

    def _on_self_item_activated(self, item: QListWidgetItem) -> None:
        self.sample_activated.emit(item.data(Qt.ItemDataRole.UserRole))
