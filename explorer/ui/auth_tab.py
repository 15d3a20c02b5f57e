"""The request's auth (``authTab``): inherit the provider's, or set one of ``auth.schema``'s types.

The fields are generated from the schema (one page per editable type, a line edit per parameter,
a combo box where the parameter has choices), so the tab writes the parameters the registry,
importers, exporters and snippets read. Values may be ``{{variables}}``, so a secret can stay in
a secret variable and be referenced by name.

An auth the tab cannot edit (OAuth2 as imported, or a type the app cannot send, such as digest)
is shown read-only with one sentence and saved back exactly as it was loaded.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.auth.schema import SCHEMA, AuthType, is_secret, unsupported
from explorer.core.models import AuthSpec

INHERIT = "inherit"
INHERIT_HINT = "Uses the provider's auth: its token is fetched and refreshed for you."
NO_INHERITED = "No auth: no folder above this request sets one and it goes to no provider."
_MASK = "••••••"

Field = QLineEdit | QComboBox


class AuthTab(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("authTab")
        self.kind = QComboBox(self)
        self.kind.setObjectName("authKindCombo")
        self.hint = QLabel(self)
        self.hint.setObjectName("authHint")
        self.hint.setWordWrap(True)
        self.pages = QStackedWidget(self)
        self._fields: dict[str, dict[str, Field]] = {}
        self._page: dict[str, int] = {INHERIT: self.pages.addWidget(QWidget(self.pages))}
        self.kind.addItem("Inherit", INHERIT)
        self._inherit_hint = INHERIT_HINT
        for kind in SCHEMA.values():
            if kind.editable:
                self.kind.addItem(kind.label, kind.name)
                self._page[kind.name] = self.pages.addWidget(self._form(kind))
        self.kept_view = QLabel(self.pages)
        self.kept_view.setObjectName("authKeptParams")
        self.kept_view.setWordWrap(True)
        self._kept_page = self.pages.addWidget(self.kept_view)
        self._kept: AuthSpec | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.kind)
        layout.addWidget(self.hint)
        layout.addWidget(self.pages)
        layout.addStretch(1)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self._on_kind_changed()

    def _form(self, kind: AuthType) -> QWidget:
        page = QWidget(self.pages)
        form = QFormLayout(page)
        fields: dict[str, Field] = {}
        for param in kind.params:
            name = f"auth_{kind.name}_{param.name}".replace("-", "_")
            field: Field
            if param.choices:
                field = QComboBox(page)
                field.addItems(list(param.choices))
                field.setCurrentText(param.default)
                field.currentIndexChanged.connect(self.changed)
            else:
                field = QLineEdit(param.default, page)
                field.setPlaceholderText("value or {{variable}}")
                if param.secret:
                    field.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
                field.textChanged.connect(self.changed)
            field.setObjectName(name)
            form.addRow(param.label, field)
            fields[param.name] = field
        self._fields[kind.name] = fields
        return page

    def set_inherited(self, hint: str) -> None:
        """What "Inherit" means for the open request: a folder's auth, the provider's, or
        none (a collection bound to no provider)."""
        self._inherit_hint = hint
        if self.kind.currentData() == INHERIT:
            self.hint.setText(hint)

    def field(self, kind: str, param: str) -> Field:
        """The input of ``param`` on ``kind``'s page (tests and accessibility find it here)."""
        return self._fields[kind][param]

    def load(self, auth: AuthSpec | None) -> None:
        self._drop_kept()
        if auth is None or auth.type == INHERIT:
            self.kind.setCurrentIndex(self.kind.findData(INHERIT))
            return
        known = SCHEMA.get(auth.type)
        if known is None or not known.editable:
            self._kept = auth
            label = known.label if known is not None else auth.type
            self.kind.addItem(f"{label} (kept as imported)", auth.type)
            self.kind.setCurrentIndex(self.kind.count() - 1)
            return
        values = dict(auth.params)
        for param in known.params:
            field = self._fields[known.name][param.name]
            value = values.get(param.name, param.default)
            if isinstance(field, QComboBox):
                field.setCurrentText(value)
            else:
                field.setText(value)
        self.kind.setCurrentIndex(self.kind.findData(known.name))

    def to_auth(self) -> AuthSpec | None:
        key = self.kind.currentData()
        if key == INHERIT:
            return None
        if self._kept is not None and self.kind.currentIndex() == self.kind.count() - 1:
            return self._kept
        fields = self._fields[key]
        return AuthSpec(
            key,
            tuple(
                (name, f.currentText() if isinstance(f, QComboBox) else f.text())
                for name, f in fields.items()
            ),
        )

    def _drop_kept(self) -> None:
        """Forget the previous request's kept auth and its combo entry."""
        if self._kept is not None:
            self._kept = None
            self.kind.removeItem(self.kind.count() - 1)

    def _on_kind_changed(self) -> None:
        key = self.kind.currentData()
        kept = self._kept is not None and self.kind.currentIndex() == self.kind.count() - 1
        if kept and self._kept is not None:
            known = SCHEMA.get(self._kept.type)
            self.hint.setText(known.note if known is not None else unsupported(self._kept.type))
            self.kept_view.setText(
                "\n".join(_shown(self._kept, n, v) for n, v in self._kept.params)
            )
            self.pages.setCurrentIndex(self._kept_page)
        else:
            known = SCHEMA.get(key)
            self.hint.setText(known.hint if known is not None else self._inherit_hint)
            self.pages.setCurrentIndex(self._page.get(key, 0))
        self.changed.emit()


def _shown(auth: AuthSpec, name: str, value: str) -> str:
    """One kept parameter as shown: literal secrets masked, ``{{variables}}`` as they are."""
    if value and "{{" not in value and is_secret(auth.type, name):
        value = _MASK
    return f"{name}: {value}"
