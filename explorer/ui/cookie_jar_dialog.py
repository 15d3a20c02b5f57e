"""Tools → Cookies… (``cookieJarDialog``): the cookies each environment's jar holds
(``cookieJarScope`` picks the environment, ``cookieJarTable`` lists them), with Delete for the
selected rows (``cookieJarDelete``) and Clear for the whole jar (``cookieJarClear``).

The window makes it at start-up, empty; it lists only when opened. Listing, deleting and
clearing run on the cookie service's executor; failures land in the dialog's note."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.services.cookies import CookieService
from explorer.ui.cookie_table import CookieTable
from explorer.ui.operations import Failure, Operations

if TYPE_CHECKING:
    from explorer.core.cookies import CookieRecord, JarScope


class CookieJarDialog(QDialog):
    def __init__(
        self, service: CookieService | None, ops: Operations, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cookieJarDialog")
        self.setWindowTitle("Cookies")
        self.resize(820, 420)
        self._service = service
        self._ops = ops
        self.scope = QComboBox(self)
        self.scope.setObjectName("cookieJarScope")
        self.scope.setAccessibleName("Environment")
        self.table = CookieTable(self)
        self.table.setObjectName("cookieJarTable")
        self.note = QLabel(self)
        self.note.setObjectName("cookieJarNote")
        self.note.setWordWrap(True)
        self.reveal = QPushButton("Reveal values", self)
        self.reveal.setObjectName("cookieJarReveal")
        self.reveal.setCheckable(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.delete_button = buttons.addButton("Delete", QDialogButtonBox.ButtonRole.ActionRole)
        self.delete_button.setObjectName("cookieJarDelete")
        self.clear_button = buttons.addButton("Clear", QDialogButtonBox.ButtonRole.ActionRole)
        self.clear_button.setObjectName("cookieJarClear")
        self.clear_button.setToolTip("Delete every cookie of this environment")
        top = QHBoxLayout()
        top.addWidget(QLabel("Environment", self))
        top.addWidget(self.scope, 1)
        top.addWidget(self.reveal)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        buttons.rejected.connect(self.reject)
        self.scope.currentIndexChanged.connect(self._on_scope_current_index_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.reveal.toggled.connect(self._on_reveal_toggled)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self._update_buttons()

    def open(self) -> None:
        """Show the dialog and list the jars as they are now."""
        self.refresh()
        super().open()

    def refresh(self) -> None:
        if self._service is None:
            self._show_note("Cookies are kept only while the window's services run.")
            return
        self._ops.run(self._service.scopes(), self._on_service_scopes, on_failure=self._failed)

    def _current(self) -> JarScope | None:
        scope: JarScope | None = self.scope.currentData(Qt.ItemDataRole.UserRole)
        return scope

    def _on_service_scopes(self, scopes: list[JarScope]) -> None:
        previous = self._current()
        self.scope.blockSignals(True)
        self.scope.clear()
        for scope in scopes:
            self.scope.addItem(scope.label, scope)
        index = scopes.index(previous) if previous in scopes else 0
        self.scope.setCurrentIndex(index if scopes else -1)
        self.scope.blockSignals(False)
        self._list()

    def _list(self) -> None:
        scope = self._current()
        if scope is None or self._service is None:
            self.table.show_records(())
            self._show_note("No environment holds cookies yet.")
            return
        self._ops.run(
            self._service.list(scope),
            lambda records: self._on_service_listed(scope, records),
            on_failure=self._failed,
        )

    def _on_service_listed(self, scope: JarScope, records: list[CookieRecord]) -> None:
        if scope != self._current():
            return  # another environment was chosen meanwhile
        self.table.show_records(records)
        self.table.set_revealed(self.reveal.isChecked())
        count = len(records)
        self._show_note(f"{count} cookie{'s' if count != 1 else ''} in {scope.label}.")

    def _failed(self, error: Failure) -> None:
        self._show_note(f"The cookies could not be changed or read: {error}")
        self._update_buttons()

    def _show_note(self, text: str) -> None:
        self.note.setText(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_rows = self.table.rowCount() > 0
        self.delete_button.setEnabled(bool(self.table.selectionModel().selectedRows()))
        self.clear_button.setEnabled(has_rows)
        self.reveal.setEnabled(self.table.has_secrets)

    def _on_scope_current_index_changed(self, _index: int) -> None:
        self._list()

    def _on_reveal_toggled(self, checked: bool) -> None:
        self.table.set_revealed(checked)
        self.reveal.setText("Hide values" if checked else "Reveal values")

    def _on_delete_button_clicked(self) -> None:
        scope = self._current()
        if scope is None or self._service is None:
            return
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        for row in rows:
            record = self.table.record(row)
            self._ops.run(
                self._service.delete(scope, record),
                self._on_service_changed,
                on_failure=self._failed,
            )

    def _on_clear_button_clicked(self) -> None:
        scope = self._current()
        if scope is None or self._service is None:
            return
        self._ops.run(self._service.clear(scope), self._on_service_changed, on_failure=self._failed)

    def _on_service_changed(self, _done: None) -> None:
        self.refresh()
