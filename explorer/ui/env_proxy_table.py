"""The settings dialog's "Per environment" proxies (``settingsEnvProxies``): one row per
provider environment whose requests go through a proxy of their own instead of the default one
(``AppSettings.environment_proxies``, keyed ``provider/environment`` as the credential store
keys environments; the engine matches them by the environment's base and token URLs).

The provider and environment are chosen from the loaded provider catalogue; a saved row whose
provider is not loaded keeps its names. Each row's password goes to the credential store, never
to the file: the field is empty and an empty one keeps the stored password, as the default
proxy's does. A row's ``no_proxy`` list and "use environment" switch are kept as loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.settings import ProxySettings

if TYPE_CHECKING:
    from explorer.core.providers import ProviderProfile

COLUMNS = ("Provider", "Environment", "Proxy URL", "User", "Password")


@dataclass(frozen=True, slots=True)
class ProviderChoice:
    """A provider of the catalogue and its environments' names."""

    id: str
    name: str
    environments: tuple[str, ...]


def provider_choices(profiles: Iterable[ProviderProfile]) -> list[ProviderChoice]:
    """The catalogue's providers with their environments' names."""
    return [ProviderChoice(p.id, p.name, tuple(e.name for e in p.environments)) for p in profiles]


@dataclass
class _Row:
    provider: QComboBox
    environment: QComboBox
    url: QLineEdit
    user: QLineEdit
    password: QLineEdit
    loaded: ProxySettings


class EnvironmentProxies(QWidget):
    """The table and its Add / Remove buttons."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._choices: list[ProviderChoice] = []
        self._rows: list[_Row] = []
        self._touched: _Row | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("settingsEnvProxies")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(110)
        self.add_button = QPushButton("Add", self)
        self.add_button.setObjectName("settingsEnvProxyAdd")
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName("settingsEnvProxyRemove")
        self.add_button.clicked.connect(self._on_add)
        self.remove_button.clicked.connect(self._remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def set_choices(self, choices: Sequence[ProviderChoice]) -> None:
        """The providers and environments rows may name (the window's loaded catalogue)."""
        self._choices = list(choices)

    def fill(self, proxies: Sequence[tuple[str, ProxySettings]]) -> None:
        """One row per saved environment proxy, passwords empty."""
        self.table.setRowCount(0)
        self._rows.clear()
        for key, proxy in proxies:
            provider, _, environment = key.partition("/")
            self.add_row(provider, environment, proxy)

    def add_row(
        self, provider: str = "", environment: str = "", proxy: ProxySettings | None = None
    ) -> int:
        """A row for ``provider``/``environment`` (the first of the catalogue when empty)."""
        loaded = proxy or ProxySettings()
        row = _Row(
            provider=self._provider_combo(provider),
            environment=QComboBox(self.table),
            url=self._line(loaded.url, "http://proxy:3128 or socks5h://host:1080"),
            user=self._line(loaded.username, "no user"),
            password=self._line("", "empty keeps the stored password"),
            loaded=loaded,
        )
        row.password.setEchoMode(QLineEdit.EchoMode.Password)
        row.provider.currentIndexChanged.connect(lambda: self._fill_environments(row, ""))
        self._fill_environments(row, environment)
        index = self.table.rowCount()
        self.table.insertRow(index)
        widgets = (row.provider, row.environment, row.url, row.user, row.password)
        for column, widget in enumerate(widgets):
            self.table.setCellWidget(index, column, widget)
        self._rows.append(row)
        return index

    def _on_add(self) -> None:
        index = self.add_row()
        self._rows[index].url.setFocus()

    def edited(self) -> tuple[tuple[str, ProxySettings], ...]:
        """The rows as ``environment_proxies`` (each row's ``no_proxy`` kept as loaded)."""
        return tuple((self._key(row), self._proxy(row)) for row in self._rows)

    def passwords(self) -> dict[str, str]:
        """The passwords typed, by ``provider/environment``."""
        return {self._key(r): r.password.text() for r in self._rows if r.password.text()}

    def clear_passwords(self) -> None:
        for row in self._rows:
            row.password.clear()

    def _key(self, row: _Row) -> str:
        provider = row.provider.currentData() or row.provider.currentText()
        return f"{provider.strip()}/{row.environment.currentText().strip()}"

    @staticmethod
    def _proxy(row: _Row) -> ProxySettings:
        return replace(row.loaded, url=row.url.text().strip(), username=row.user.text().strip())

    def _provider_combo(self, provider: str) -> QComboBox:
        combo = QComboBox(self.table)
        for choice in self._choices:
            combo.addItem(choice.name, choice.id)
        if provider and combo.findData(provider) < 0:
            combo.addItem(provider, provider)  # a provider not loaded: its row is kept
        if provider:
            combo.setCurrentIndex(combo.findData(provider))
        return combo

    def _fill_environments(self, row: _Row, environment: str) -> None:
        combo = row.environment
        combo.clear()
        chosen = row.provider.currentData()
        known = next((c.environments for c in self._choices if c.id == chosen), ())
        combo.addItems(known)
        if environment and combo.findText(environment) < 0:
            combo.addItem(environment)
        if environment:
            combo.setCurrentIndex(combo.findText(environment))

    def _line(self, text: str, placeholder: str) -> QLineEdit:
        line = QLineEdit(text, self.table)
        line.setPlaceholderText(placeholder)
        return line

    def _on_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        """The row last typed in: Remove's target when no row is selected (a click in a cell's
        field does not select its row)."""
        for row in self._rows:
            if new in (row.provider, row.environment, row.url, row.user, row.password):
                self._touched = row

    def _remove_selected(self) -> None:
        rows = {i.row() for i in self.table.selectionModel().selectedRows()}
        if not rows and self._touched in self._rows:
            rows = {self._rows.index(self._touched)}
        for index in sorted(rows, reverse=True):
            self.table.removeRow(index)
            del self._rows[index]
        self._touched = None
