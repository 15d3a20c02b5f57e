"""Provider and environment choice (``providerCombo``, ``environmentCombo``) and the red band
(``liveBanner``) that says requests now reach a vendor's live system.

While the open request lives in a collection bound to no provider, the core sends it without
one whatever the selector shows (``explorer.core.context.bind``), so the bar says so: the
provider combo is disabled with "No provider (collection …)" and the environment combo lists
that collection's saved environments (an OpenAPI import's "Server 1"). The provider selection
is kept aside and comes back for the next ad-hoc or provider-bound request.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QStyle, QWidget

from explorer.core.providers import Environment, ProviderProfile
from explorer.core.templating import Layer, Scope
from explorer.ui.theme import live_colors

if TYPE_CHECKING:
    from explorer.core.workspace.environments import EnvironmentValues

NO_PROVIDER = "No provider (literal URLs)"
NO_ENVIRONMENT = "No environment"
LIVE_TIP = "Live: requests reach the vendor's real system (changes ask first)"


class ProviderBar(QWidget):
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._providers: list[ProviderProfile] = []
        self._collection: Path | None = None
        self._label = ""  # the provider combo's last item while a collection is shown
        self._collection_envs: list[EnvironmentValues] = []
        self._chosen: dict[Path, str] = {}  # each collection's environment, for this session
        self._kept: tuple[str | None, str | None] = (None, None)
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
        self.variables_button = QPushButton("Variables…", self)
        self.variables_button.setObjectName("variablesButton")
        self.variables_button.setToolTip(
            "Environments and variables: edit values and secrets, see where they are used "
            "(Ctrl+Shift+E)"
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
        layout.addWidget(self.variables_button)
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
        if self._collection is not None:  # still the collection's request
            self.provider_combo.addItem(self._label, None)
            self.provider_combo.setCurrentIndex(self.provider_combo.count() - 1)
        self.provider_combo.blockSignals(False)
        if self._collection is None:
            self._on_provider_combo_changed()

    def select(self, provider_id: str | None, environment: str | None = None) -> None:
        """Choose a provider environment; while a provider-less collection's request is open,
        this is the choice its provider selection comes back with."""
        if self._collection is not None:
            self._kept = (provider_id, environment)
            return
        index = self.provider_combo.findData(provider_id)
        if index >= 0:
            self.provider_combo.setCurrentIndex(index)
        if environment is not None:
            found = self.environment_combo.findText(environment)
            if found >= 0:
                self.environment_combo.setCurrentIndex(found)

    # -- a collection bound to no provider ------------------------------------------------------

    @property
    def collection(self) -> Path | None:
        """The provider-less collection whose request is open (None: the provider list)."""
        return self._collection

    def show_collection(
        self, collection: Path, name: str, environments: Sequence[EnvironmentValues] = ()
    ) -> None:
        """Requests of ``collection`` go out without a provider: list its saved environments
        (plus "No environment"), keeping the one last chosen for it while it is listed."""
        label = f"No provider (collection {name})"
        if (collection, label, list(environments)) == (
            self._collection,
            self._label,
            self._collection_envs,
        ):
            return
        self.provider_combo.blockSignals(True)
        if self._collection is None:
            self._kept = (self.provider_id(), self.environment_name())
            self.provider_combo.addItem(label, None)
        self._collection, self._label = collection, label
        self._collection_envs = list(environments)
        last = self.provider_combo.count() - 1
        self.provider_combo.setItemText(last, label)
        self.provider_combo.setCurrentIndex(last)
        self.provider_combo.setToolTip(
            f"Requests of the collection {name} are bound to no provider: they are sent with "
            "their own auth and variables, and the environment chosen beside."
        )
        self.provider_combo.setEnabled(False)
        self.provider_combo.blockSignals(False)
        self.environment_combo.blockSignals(True)
        self.environment_combo.clear()
        self.environment_combo.addItem(NO_ENVIRONMENT, None)
        for environment in self._collection_envs:
            self.environment_combo.addItem(environment.name, environment.name)
        found = self.environment_combo.findData(self._chosen.get(collection))
        self.environment_combo.setCurrentIndex(max(found, 0))
        self.environment_combo.setEnabled(True)
        self.environment_combo.blockSignals(False)
        self._announce()

    def show_providers(self) -> None:
        """Back to the provider list, with the selection kept while a collection was shown."""
        if self._collection is None:
            return
        self._collection = None
        self._collection_envs = []
        provider_id, environment = self._kept
        self.provider_combo.blockSignals(True)
        self.provider_combo.removeItem(self.provider_combo.count() - 1)
        self.provider_combo.setToolTip("")
        self.provider_combo.setEnabled(True)
        self.provider_combo.setCurrentIndex(max(self.provider_combo.findData(provider_id), 0))
        self.provider_combo.blockSignals(False)
        self._fill_environments(environment)
        self._announce()

    def collection_environment(self) -> EnvironmentValues | None:
        """The chosen saved environment of the shown collection (None: "No environment")."""
        if self._collection is None:
            return None
        wanted = self.environment_combo.currentData()
        return next((e for e in self._collection_envs if e.name == wanted), None)

    # -- what a send goes with ------------------------------------------------------------------

    def provider_id(self) -> str | None:
        """The selected provider's id; None for literal requests and provider-less collections."""
        if self._collection is not None:
            return None
        data = self.provider_combo.currentData()
        return data if isinstance(data, str) else None

    def environment_name(self) -> str | None:
        """The provider environment, or the provider-less collection's saved environment."""
        if self._collection is not None:
            chosen = self.environment_combo.currentData()
            return chosen if isinstance(chosen, str) else None
        return self.environment_combo.currentText() or None

    @property
    def providers(self) -> tuple[ProviderProfile, ...]:
        """The loaded provider catalogue."""
        return tuple(self._providers)

    def provider(self) -> ProviderProfile | None:
        wanted = self.provider_id()
        return next((p for p in self._providers if p.id == wanted), None)

    def environment(self) -> Environment | None:
        provider = self.provider()
        if provider is None:
            return None
        return provider.environment(self.environment_combo.currentText())

    def scope(self) -> Scope:
        """The chosen environment's variables for templating: a provider environment's
        (``base_url`` included) with its credential slots, or the collection's saved one."""
        saved = self.collection_environment()
        if saved is not None:
            return Scope((Layer(f"saved {saved.name}", dict(saved.values)),))
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

    def _fill_environments(self, wanted: str | None = None) -> None:
        """The provider's environments, ``wanted`` chosen if it has one, else its sandbox."""
        provider = self.provider()
        environments = provider.environments if provider else ()
        self.environment_combo.blockSignals(True)
        self.environment_combo.clear()
        live_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for environment in environments:
            if environment.live:  # marked in the list, not only once chosen (the banner)
                self.environment_combo.addItem(live_icon, environment.name)
                self.environment_combo.setItemData(
                    self.environment_combo.count() - 1, LIVE_TIP, Qt.ItemDataRole.ToolTipRole
                )
            else:
                self.environment_combo.addItem(environment.name)
        sandbox = next((i for i, e in enumerate(environments) if e.sandbox), 0)
        found = self.environment_combo.findText(wanted) if wanted else -1
        self.environment_combo.setCurrentIndex(found if found >= 0 else sandbox)
        self.environment_combo.setEnabled(provider is not None)
        self.environment_combo.blockSignals(False)

    def _on_provider_combo_changed(self) -> None:
        if self._collection is not None:
            return
        self._fill_environments()
        self._announce()

    def _on_environment_combo_changed(self) -> None:
        """The user chose an environment (the bar fills the combo with signals blocked)."""
        if self._collection is not None:
            chosen = self.environment_combo.currentData()
            if isinstance(chosen, str):
                self._chosen[self._collection] = chosen
            else:
                self._chosen.pop(self._collection, None)
        self._announce()

    def _announce(self) -> None:
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
