"""The request's Options tab: its timeouts, redirect following and TLS verification, saved as
the request file's ``options:``. A value left at the built-in default follows the settings'
default (``context.with_defaults``); any other value is the request's own and wins."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from explorer.core.models import RequestSpec


def seconds_box(name: str, parent: QWidget, most: float) -> QDoubleSpinBox:
    """A timeout field in seconds (shared with the settings dialog)."""
    box = QDoubleSpinBox(parent)
    box.setObjectName(name)
    box.setRange(0.1, most)
    box.setDecimals(3)
    box.setSuffix(" s")
    return box


class OptionsTab(QWidget):
    """``requestOptionsTab``: edits ``RequestSpec``'s option fields."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestOptionsTab")
        self.connect_timeout = seconds_box("optionConnectTimeout", self, 3600)
        self.read_timeout = seconds_box("optionReadTimeout", self, 86400)
        self.follow_redirects = QCheckBox("Follow redirects", self)
        self.follow_redirects.setObjectName("optionFollowRedirects")
        self.max_redirects = QSpinBox(self)
        self.max_redirects.setObjectName("optionMaxRedirects")
        self.max_redirects.setRange(0, 100)
        self.verify_tls = QCheckBox("Verify TLS certificates", self)
        self.verify_tls.setObjectName("optionVerifyTls")
        note = QLabel(
            "Values left at the built-in defaults (10 s, 60 s, follow up to 10, verify) use "
            "the defaults from Settings.",
            self,
        )
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Connect timeout", self.connect_timeout)
        form.addRow("Read timeout", self.read_timeout)
        form.addRow("", self.follow_redirects)
        form.addRow("Most redirects", self.max_redirects)
        form.addRow("", self.verify_tls)
        form.addRow(note)
        self.load(RequestSpec())
        for box in (self.connect_timeout, self.read_timeout):
            box.valueChanged.connect(self.changed)
        self.max_redirects.valueChanged.connect(self.changed)
        self.follow_redirects.toggled.connect(self._on_follow_redirects_toggled)
        self.verify_tls.toggled.connect(self.changed)

    def load(self, spec: RequestSpec) -> None:
        self.connect_timeout.setValue(spec.connect_timeout)
        self.read_timeout.setValue(spec.read_timeout)
        self.follow_redirects.setChecked(spec.follow_redirects)
        self.max_redirects.setValue(spec.max_redirects)
        self.max_redirects.setEnabled(spec.follow_redirects)
        self.verify_tls.setChecked(spec.verify_tls)

    def values(self) -> dict[str, Any]:
        """The option fields of ``RequestSpec`` as edited."""
        return {
            "connect_timeout": self.connect_timeout.value(),
            "read_timeout": self.read_timeout.value(),
            "follow_redirects": self.follow_redirects.isChecked(),
            "max_redirects": self.max_redirects.value(),
            "verify_tls": self.verify_tls.isChecked(),
        }

    def _on_follow_redirects_toggled(self, on: bool) -> None:
        self.max_redirects.setEnabled(on)
        self.changed.emit()
