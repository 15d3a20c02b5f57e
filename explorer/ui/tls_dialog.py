"""The TLS dialog (``tlsDialog``): the CA bundle and client certificate of the provider
environment or the collection the credentials panel shows.

A provider environment's files are saved with the workspace's values of that environment, a
collection's in its ``collection.yaml`` (``explorer.services.tls`` says which, and the dialog
shows that sentence). The PKCS#12 password goes to the credential store and is never shown:
the field is empty and says whether one is stored. Reads and writes run on the credential
service's executor; a failure is shown in the dialog, in one sentence.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.services.api import CredentialService, TlsTarget, TlsView
from explorer.ui.operations import Failure, Operations

#: (key of TlsView and of a preset's ``tls:``, object name, label)
FIELDS = (
    ("ca_bundle", "tlsCaBundle", "CA bundle"),
    ("client_cert", "tlsClientCert", "Client certificate"),
    ("client_key", "tlsClientKey", "Client key"),
    ("pkcs12", "tlsPkcs12", "PKCS#12 file"),
)


class TlsDialog(QDialog):
    """Edits the TLS files of ``target``; ``saved`` carries what is saved once written."""

    saved = Signal(object)

    def __init__(
        self,
        service: CredentialService,
        ops: Operations,
        target: TlsTarget,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("tlsDialog")
        self.setWindowTitle("TLS")
        self._service, self._ops, self._target = service, ops, target
        self.where = QLabel(self)
        self.where.setObjectName("tlsWhere")
        self.where.setWordWrap(True)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for key, name, label in FIELDS:
            form.addRow(label, self._path_row(key, name))
        self.password = QLineEdit(self)
        self.password.setObjectName("tlsPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("PKCS#12 password", self.password)
        self.forget = QCheckBox("Forget the stored password", self)
        self.forget.setObjectName("tlsForgetPassword")
        form.addRow("", self.forget)
        self.error = QLabel(self)
        self.error.setObjectName("tlsError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("tlsSave")
        self.save_button.setEnabled(False)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        ops.run(service.tls(target), self._on_service_loaded, on_failure=self._show_failure)

    def _path_row(self, key: str, name: str) -> QWidget:
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        field = QLineEdit(row)
        field.setObjectName(name)
        browse = QPushButton("Browse…", row)
        browse.setObjectName(f"{name}Browse")
        browse.clicked.connect(lambda _=False, f=field: self._browse(f))
        line.addWidget(field, 1)
        line.addWidget(browse)
        self.fields[key] = field
        return row

    def _browse(self, field: QLineEdit) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a file", field.text())
        if path:
            field.setText(path)

    def _on_service_loaded(self, view: TlsView) -> None:
        self.where.setText(view.where)
        defaults = dict(view.defaults)
        for key, field in self.fields.items():
            field.setText(getattr(view, key))
            preset = defaults.get(key)
            field.setPlaceholderText(f"preset: {preset}" if preset else "not set")
        stored = "stored: leave empty to keep it" if view.password_stored else "none stored"
        self.password.setPlaceholderText(stored)
        self.password.clear()
        self.forget.setChecked(False)
        self.forget.setEnabled(view.password_stored)
        self.save_button.setEnabled(True)

    def _on_save_clicked(self) -> None:
        text = {key: field.text() for key, field in self.fields.items()}
        view = TlsView(text["ca_bundle"], text["client_cert"], text["client_key"], text["pkcs12"])
        password = "" if self.forget.isChecked() else (self.password.text() or None)
        self.error.hide()
        self.save_button.setEnabled(False)
        self._ops.run(
            self._service.set_tls(self._target, view, password),
            self._on_service_saved,
            on_failure=self._show_failure,
        )

    def _on_service_saved(self, view: TlsView) -> None:
        self.saved.emit(view)
        self.accept()

    def _show_failure(self, error: Failure) -> None:
        self.error.setText(str(error))
        self.error.show()
        self.save_button.setEnabled(True)
