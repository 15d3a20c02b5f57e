"""The request's auth (``authTab``): inherit the provider's, or override with none, basic,
bearer or an API key. Parameter names are the auth registry's (``username``/``password``,
``token``, ``header``/``format``/``api_key``); values may be ``{{variables}}``, so a secret can
stay in the keyring and be referenced by name."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from explorer.core.models import AuthSpec

CHOICES = (
    ("inherit", "Inherit from provider"),
    ("none", "No auth"),
    ("basic", "Basic"),
    ("bearer", "Bearer token"),
    ("api-key", "API key"),
)
FIELDS = {
    "basic": (("username", "Username", False), ("password", "Password", True)),
    "bearer": (("token", "Token", True),),
    "api-key": (
        ("header", "Header", False),
        ("format", "Format", False),
        ("api_key", "Key", True),
    ),
}
DEFAULTS = {"header": "Authorization", "format": "{api_key}"}


class AuthTab(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("authTab")
        self.kind = QComboBox(self)
        self.kind.setObjectName("authKindCombo")
        for key, label in CHOICES:
            self.kind.addItem(label, key)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.form = QFormLayout()
        self._edits: dict[str, QLineEdit] = {}
        for fields in FIELDS.values():
            for name, label, secret in fields:
                if name in self._edits:
                    continue
                edit = QLineEdit(self)
                edit.setObjectName(f"auth_{name}")
                edit.setPlaceholderText("value or {{variable}}")
                edit.setText(DEFAULTS.get(name, ""))
                if secret:
                    edit.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
                edit.textChanged.connect(self.changed)
                self.form.addRow(label, edit)
                self._edits[name] = edit
        layout = QVBoxLayout(self)
        layout.addWidget(self.kind)
        layout.addWidget(self.hint)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self._on_kind_changed()

    def load(self, auth: AuthSpec | None) -> None:
        key = "inherit" if auth is None else auth.type
        index = self.kind.findData(key)
        self.kind.setCurrentIndex(max(0, index))
        if auth is not None:
            for name, value in auth.params:
                if name in self._edits:
                    self._edits[name].setText(value)

    def to_auth(self) -> AuthSpec | None:
        key = self.kind.currentData()
        if key == "inherit":
            return None
        names = [name for name, _, _ in FIELDS.get(key, ())]
        return AuthSpec(key, tuple((name, self._edits[name].text()) for name in names))

    def _on_kind_changed(self) -> None:
        key = self.kind.currentData()
        shown = {name for name, _, _ in FIELDS.get(key, ())}
        for name, edit in self._edits.items():
            self.form.setRowVisible(edit, name in shown)
        self.hint.setText(
            {
                "inherit": "Uses the provider's auth: its token is fetched and refreshed for you.",
                "none": "Sent without credentials.",
            }.get(key, "Values may be {{variables}}; secrets belong in the credentials panel.")
        )
        self.changed.emit()
