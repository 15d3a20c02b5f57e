"""Provider and environment choice (``providerCombo``, ``environmentCombo``) and the red band
(``liveBanner``) that says requests now reach a vendor's live system."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from explorer.core.providers import Environment, ProviderProfile
from explorer.core.templating import Layer, Scope
from explorer.ui.theme import live_colors

NO_PROVIDER = "No provider (literal URLs)"


class ProviderBar(QWidget):
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._providers: list[ProviderProfile] = []
        self.provider_combo = QComboBox(self)
        self.provider_combo.setObjectName("providerCombo")
        self.provider_combo.setAccessibleName("Provider")
        self.provider_combo.setMinimumContentsLength(22)
        self.provider_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.environment_combo = QComboBox(self)
        self.environment_combo.setObjectName("environmentCombo")
        self.environment_combo.setAccessibleName("Environment")
        self.environment_combo.setMinimumContentsLength(16)
        self.environment_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.live_banner = QLabel(self)
        self.live_banner.setObjectName("liveBanner")
        self.live_banner.setMargin(4)
        self.live_banner.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.provider_combo)
        layout.addWidget(self.environment_combo)
        layout.addWidget(self.live_banner)
        layout.addStretch(1)
        self.provider_combo.currentIndexChanged.connect(self._on_provider_combo_changed)
        self.environment_combo.currentIndexChanged.connect(self._on_environment_combo_changed)
        self.load(())

    def load(self, providers: Sequence[ProviderProfile]) -> None:
        self._providers = list(providers)
        self.provider_combo.blockSignals(True)
        self.provider_combo.clear()
        self.provider_combo.addItem(NO_PROVIDER, None)
        for provider in self._providers:
            self.provider_combo.addItem(provider.name, provider.id)
        self.provider_combo.blockSignals(False)
        self._on_provider_combo_changed()

    def select(self, provider_id: str | None, environment: str | None = None) -> None:
        index = self.provider_combo.findData(provider_id)
        if index >= 0:
            self.provider_combo.setCurrentIndex(index)
        if environment is not None:
            found = self.environment_combo.findText(environment)
            if found >= 0:
                self.environment_combo.setCurrentIndex(found)

    def provider(self) -> ProviderProfile | None:
        wanted = self.provider_combo.currentData()
        return next((p for p in self._providers if p.id == wanted), None)

    def environment(self) -> Environment | None:
        provider = self.provider()
        if provider is None:
            return None
        return provider.environment(self.environment_combo.currentText())

    def scope(self) -> Scope:
        """The chosen environment's variables, ``base_url`` included, for templating."""
        environment = self.environment()
        if environment is None:
            return Scope()
        values = {"base_url": environment.base_url, **environment.variables}
        layer = Layer(environment.name, values, frozenset(environment.secret_variables))
        provider = self.provider()
        slots = provider.auth.credentials if provider else ()
        stored = Layer(
            "credentials",
            {slot.name: "(from the credential store)" for slot in slots},
            frozenset(slot.name for slot in slots if slot.secret),
        )
        return Scope((layer, stored))

    def _on_provider_combo_changed(self) -> None:
        provider = self.provider()
        self.environment_combo.blockSignals(True)
        self.environment_combo.clear()
        for environment in provider.environments if provider else ():
            label = environment.name
            self.environment_combo.addItem(label)
        sandbox = next(
            (i for i, e in enumerate(provider.environments if provider else ()) if e.sandbox), 0
        )
        self.environment_combo.setCurrentIndex(sandbox)
        self.environment_combo.setEnabled(provider is not None)
        self.environment_combo.blockSignals(False)
        self._on_environment_combo_changed()

    def _on_environment_combo_changed(self) -> None:
        environment = self.environment()
        live = environment is not None and environment.live
        if environment is not None and live:
            background, foreground = live_colors(self.palette())
            self.live_banner.setStyleSheet(
                f"background:{background}; color:{foreground}; border-radius:3px;"
                "font-weight:600; padding:2px 8px;"
            )
            self.live_banner.setText(
                f"LIVE · {environment.name}: requests reach real data; non-GET requests ask first"
            )
        self.live_banner.setVisible(live)
        self.selection_changed.emit()
