"""The credential slots of the chosen provider environment (``credentialsPanel``), in rows that
scroll (``credentialRows``) inside a panel whose size hints never change with what it shows.

Each slot shows stored or missing, with Set/Replace and Clear; values go to the store through the
injected service, off the UI thread. A secret is never displayed unless Reveal is clicked: it is
read then and shown in a dialog of its own for ``REVEAL_SECONDS``. "TLS…" (``tlsButton``) opens
the TLS dialog of the same environment or collection (``explorer/ui/tls_dialog.py``).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from explorer.services.api import CredentialService, SlotState
from explorer.ui.elided_label import ElidedLabel
from explorer.ui.message_box import message_box
from explorer.ui.operations import Failure, Operations
from explorer.ui.theme import side_title

if TYPE_CHECKING:
    from explorer.ui.tls_dialog import TlsDialog


REVEAL_SECONDS = 30
"""How long a revealed value stays on screen."""
PANEL_CHARS = 20
"""The panel's minimum width, in average characters: narrower, its rows scroll sideways."""
MIN_HEIGHT = 96


class RowButton(QPushButton):
    """A row's button as wide as its text: Fusion gives every push button at least 80 px,
    and three of those left a name like "Username" elided in a pane of 380 px."""

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        width = metrics.horizontalAdvance(self.text()) + 2 * metrics.averageCharWidth() + 8
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class CredentialsPanel(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("credentialsPanel")
        self.setAccessibleName("Credentials")
        self._service: CredentialService | None = None
        self._ops: Operations | None = None
        self._target: tuple[str, str] | Path | None = None  # provider env, or collection
        self._generation = 0
        self.slots: list[SlotState] = []
        self.title = side_title("Credentials", self)
        self.store_label = QLabel(self)
        self.store_label.setObjectName("credentialStore")
        self.store_label.setWordWrap(True)
        self.store_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        rows = QWidget(self)
        self.grid = QGridLayout(rows)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(4)
        self.grid.setColumnStretch(0, 1)  # names take what the buttons leave, elided past that
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea(self)
        scroll.setObjectName("credentialRows")
        scroll.setWidget(rows)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 0, 4)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.store_label)
        layout.addWidget(scroll, 1)
        self.tls_button = QPushButton("TLS…", self)
        self.tls_button.setObjectName("tlsButton")
        self.tls_button.setToolTip("CA bundle and client certificate")
        self.tls_button.clicked.connect(self.open_tls)
        layout.addWidget(self.tls_button)
        self.reveal_dialog: QMessageBox | None = None
        self.show_target(None, None)

    def minimumSizeHint(self) -> QSize:
        """The same whatever the panel shows: its rows scroll, so a slot with more buttons or
        a longer note never widens the side pane or pushes the panes above it."""
        return QSize(self.fontMetrics().horizontalAdvance("x") * PANEL_CHARS, MIN_HEIGHT)

    def sizeHint(self) -> QSize:
        return QSize(self.minimumSizeHint().width(), 240)

    def set_service(self, service: CredentialService | None, ops: Operations) -> None:
        """The store to show, and the window's operations (failures go to its channel)."""
        self._service = service
        self._ops = ops

    def show_target(self, provider_id: str | None, environment: str | None) -> None:
        """Show the slots of one provider environment (None: nothing to show)."""
        self._generation += 1
        self._target = (provider_id, environment) if provider_id and environment else None
        self.slots = []
        self.title.setText("Credentials")
        self.tls_button.setEnabled(self._target is not None)
        if self._target is None or self._service is None or self._ops is None:
            self._fill([])
            self.store_label.setText("Choose a provider to manage its credentials.")
            return
        generation = self._generation
        self._ops.run(
            self._service.slots(*self._target),
            lambda slots: self._on_service_slots(generation, slots),
            on_failure=lambda error: self._on_service_slots_failed(generation, error),
        )

    def show_collection(self, collection: Path) -> None:
        """Show the secret variables of a collection bound to no provider: their values live
        under the collection (``explorer.core.secret_variables``), set and cleared here."""
        self._generation += 1
        self._target = collection
        self.slots = []
        self.title.setText("Secret variables")
        self.tls_button.setEnabled(True)
        if self._service is None or self._ops is None:
            return
        generation = self._generation
        self._ops.run(
            self._service.collection_secrets(collection),
            lambda slots: self._on_service_secrets(generation, slots),
            on_failure=lambda error: self._on_service_slots_failed(generation, error),
        )

    def open_tls(self) -> TlsDialog | None:
        """The TLS dialog of the environment or collection shown (None: nothing shown)."""
        if self._service is None or self._ops is None or self._target is None:
            return None
        from explorer.ui.tls_dialog import TlsDialog  # opened on demand, not at start-up

        dialog = TlsDialog(self._service, self._ops, self._target, self)
        dialog.saved.connect(lambda _view, t=self._target: self._on_service_written(t))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _on_service_secrets(self, generation: int, slots: list[SlotState]) -> None:
        if generation != self._generation:
            return
        self._on_service_slots(generation, slots)
        if not slots:
            self.store_label.setText(
                "This collection declares no secret variables and is sent without a "
                "provider's credentials."
            )

    def _on_service_slots_failed(self, generation: int, error: Failure) -> None:
        """The environment's slots cannot be read (no session for it): say why, here."""
        if generation == self._generation:
            self._fill([])
            self.store_label.setText(str(error))

    def _on_service_slots(self, generation: int, slots: list[SlotState]) -> None:
        if generation != self._generation:
            return
        self._fill(slots)
        service = self._service
        if service is not None:
            reason = service.unavailable_reason
            text = f"Stored in: {service.description}."
            if reason:
                text += f" {reason}"
            self.store_label.setText(text)
            self.store_label.setToolTip(reason)

    def _fill(self, slots: list[SlotState]) -> None:
        self.slots = slots
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for row, slot in enumerate(slots):
            label = slot.label + ("" if not slot.optional else " (optional)")
            name = ElidedLabel(self)  # a long name (basic_password) never widens the left pane
            name.setObjectName(f"slotName_{slot.name}")
            name.setMinimumWidth(name.fontMetrics().horizontalAdvance("Client id "))
            name.set_line(label, html.escape(label), tooltip=label)
            state = QLabel("stored" if slot.stored else "missing", self)
            state.setObjectName(f"slotState_{slot.name}")
            state.setEnabled(slot.stored)
            set_button = RowButton("Replace" if slot.stored else "Set", self)
            set_button.setObjectName(f"slotSet_{slot.name}")
            set_button.clicked.connect(lambda _=False, s=slot: self._on_set_clicked(s))
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(state, row, 1)
            self.grid.addWidget(set_button, row, 2)
            if slot.stored:
                clear = RowButton("Clear", self)
                clear.setObjectName(f"slotClear_{slot.name}")
                clear.clicked.connect(lambda _=False, s=slot: self._write(s.name, None))
                self.grid.addWidget(clear, row, 3)
                if slot.secret:
                    self.grid.addWidget(self._reveal_button(slot), row, 4)

    def _reveal_button(self, slot: SlotState) -> QWidget:
        """A click shows the stored value in a dialog of its own (``slotValueDialog``), wide
        enough to read and select, closed after ``REVEAL_SECONDS``: the panel never widens
        and nothing has to be held down."""
        button = RowButton("Reveal", self)
        button.setObjectName(f"slotReveal_{slot.name}")
        button.setToolTip("Show the stored value for a moment")
        button.clicked.connect(lambda _=False, s=slot: self._on_reveal_clicked(s))
        return button

    def _on_reveal_clicked(self, slot: SlotState) -> None:
        if self._service is None or self._target is None or self._ops is None:
            return
        target = self._target
        self._ops.run(
            self._service.reveal_collection_secret(target, slot.name)
            if isinstance(target, Path)
            else self._service.reveal(*target, slot.name),
            lambda value: self._on_service_revealed(slot, value),
            failure="The value could not be read",
        )

    def _on_service_revealed(self, slot: SlotState, value: str | None) -> None:
        if self.reveal_dialog is not None:
            self.reveal_dialog.close()
        box = message_box(
            self,
            "slotValueDialog",
            QMessageBox.Icon.Information,
            slot.label,
            value if value else "Nothing is stored.",
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setInformativeText(f"Closes by itself after {REVEAL_SECONDS} s.")
        QTimer.singleShot(REVEAL_SECONDS * 1000, box, box.close)
        box.finished.connect(lambda _result: self._forget_reveal(box))
        self.reveal_dialog = box
        box.open()

    def _forget_reveal(self, box: QMessageBox) -> None:
        if self.reveal_dialog is box:
            self.reveal_dialog = None

    def _on_set_clicked(self, slot: SlotState) -> None:
        dialog = QInputDialog(self)
        dialog.setObjectName("slotDialog")
        dialog.setWindowTitle(f"Set {slot.label}")
        dialog.setLabelText(f"{slot.label}:")
        if slot.secret:
            dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.textValueSelected.connect(lambda value, s=slot.name: self._write(s, value))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def set_value(self, slot: str, value: str) -> None:
        """Store ``value`` in ``slot`` (what the Set dialog does)."""
        self._write(slot, value)

    def _write(self, slot: str, value: str | None) -> None:
        if self._service is None or self._target is None or self._ops is None:
            return
        target = self._target
        if isinstance(target, Path):
            future = self._service.set_collection_secret(target, slot, value)
        elif value is None:
            future = self._service.clear(*target, slot)
        else:
            future = self._service.set(*target, slot, value)
        self._ops.run(
            future,
            lambda _none: self._on_service_written(target),
            failure="The credential could not be stored",
        )

    def _on_service_written(self, target: tuple[str, str] | Path) -> None:
        self.changed.emit()
        if target != self._target:
            return
        if isinstance(target, Path):
            self.show_collection(target)
        else:
            self.show_target(*target)
