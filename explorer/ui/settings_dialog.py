"""The settings dialog (``settingsDialog``): the defaults every send starts from, the proxy
(the default one and each environment's own, ``env_proxy_table``), the theme and how long
history is kept (``explorer.core.settings``).

The dialog object is made with the window; its fields are built on first open, so start-up pays
nothing for them. Reading and writing go through ``SettingsService`` on the disk thread; the
proxy passwords go to the credential store and are never shown (empty keeps the stored one).
The environments a proxy may be set for come from the window's provider catalogue
(``choices``, asked each time the dialog opens).
"Keep cookies" is the cookie jars' persistence switch (``Services.cookies``, per workspace). A
value that cannot be used is said in ``settingsError`` and nothing is written. ``applied``
carries the saved settings (the window switches the theme with it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core.settings import AppSettings, ProxySettings, RequestDefaults, Theme
from explorer.services.cookies import CookieService
from explorer.services.settings import SettingsService
from explorer.ui.env_proxy_table import EnvironmentProxies, ProviderChoice
from explorer.ui.operations import Failure, Operations
from explorer.ui.options_tab import seconds_box

if TYPE_CHECKING:
    from explorer.core.cookies import CookiePolicy

THEMES = (("System", Theme.SYSTEM), ("Light", Theme.LIGHT), ("Dark", Theme.DARK))


class SettingsDialog(QDialog):
    applied = Signal(object)  # AppSettings, once saved

    def __init__(
        self,
        service: SettingsService | None,
        ops: Operations,
        parent: QWidget,
        cookies: CookieService | None = None,
        choices: Callable[[], Sequence[ProviderChoice]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self._service, self._ops, self._cookies = service, ops, cookies
        self._choices = choices
        self._persisting = False
        self._loaded = AppSettings()
        self._built = False

    def open_settings(self) -> None:
        """Build the fields on first use, fill them from the saved settings and show."""
        if not self._built:
            self._build()
        self.error.hide()
        self.password.clear()
        self.env_proxies.set_choices(self._choices() if self._choices is not None else ())
        if self._service is not None:
            self.save_button.setEnabled(False)
            self._ops.run(self._service.load(), self._fill, on_failure=self._on_failed)
        if self._cookies is not None:
            self._ops.run(self._cookies.policy(), self._fill_cookies, on_failure=self._on_failed)
        self.show()

    def _build(self) -> None:
        self._built = True
        self.error = QLabel(self)
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("settingsSave")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        self.env_proxies = EnvironmentProxies(self)
        per_environment = QVBoxLayout()
        per_environment.addWidget(self.env_proxies)
        pages = QWidget(self)
        groups = QVBoxLayout(pages)
        forms = (
            ("Requests", self._requests_form()),
            ("Proxy", self._proxy_form()),
            ("Proxy per environment", per_environment),
            ("Window", self._window_form()),
        )
        for title, form in forms:
            group = QGroupBox(title, pages)
            group.setLayout(form)
            groups.addWidget(group)
        scroll = QScrollArea(self)  # every field reachable on a small screen
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(pages)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._fit(pages, scroll)

    def _fit(self, pages: QWidget, scroll: QScrollArea) -> None:
        """As wide as the fields want, as tall as they are while that fits the screen (the
        rest scrolls): not a small box with two scroll bars."""
        wanted = pages.sizeHint()
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        tallest = int(screen.height() * 0.85) if screen is not None else 700
        bar = scroll.verticalScrollBar().sizeHint().width()
        pages.setMinimumWidth(wanted.width())
        self.resize(wanted.width() + bar + 40, min(wanted.height() + 90, tallest))

    def _requests_form(self) -> QFormLayout:
        self.connect_timeout = seconds_box("settingsConnectTimeout", self, 3600)
        self.read_timeout = seconds_box("settingsReadTimeout", self, 86400)
        self.follow_redirects = QCheckBox("Follow redirects", self)
        self.follow_redirects.setObjectName("settingsFollowRedirects")
        self.max_redirects = QSpinBox(self)
        self.max_redirects.setObjectName("settingsMaxRedirects")
        self.max_redirects.setRange(0, 100)
        self.verify_tls = QCheckBox("Verify TLS certificates", self)
        self.verify_tls.setObjectName("settingsVerifyTls")
        requests = QFormLayout()
        requests.addRow("Connect timeout", self.connect_timeout)
        requests.addRow("Read timeout", self.read_timeout)
        requests.addRow("", self.follow_redirects)
        requests.addRow("Most redirects", self.max_redirects)
        requests.addRow("", self.verify_tls)
        self.ca_bundle = self._path_row(requests, "CA bundle", "settingsCaBundle")
        self.client_cert = self._path_row(requests, "Client certificate", "settingsClientCert")
        self.client_key = self._path_row(requests, "Client key", "settingsClientKey")
        self.follow_redirects.toggled.connect(self.max_redirects.setEnabled)
        return requests

    def _proxy_form(self) -> QFormLayout:
        self.proxy_url = self._line("settingsProxyUrl", "http://proxy:3128 or socks5h://host:1080")
        self.proxy_user = self._line("settingsProxyUser", "no user")
        self.password = self._line("settingsProxyPassword", "empty keeps the stored password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.no_proxy = self._line("settingsNoProxy", "localhost, .internal.example.com")
        self.from_env = QCheckBox("Without a proxy URL, use HTTP(S)_PROXY and NO_PROXY", self)
        self.from_env.setObjectName("settingsProxyFromEnv")
        proxy = QFormLayout()
        proxy.addRow("Proxy URL", self.proxy_url)
        proxy.addRow("User", self.proxy_user)
        proxy.addRow("Password", self.password)
        proxy.addRow("No proxy for", self.no_proxy)
        proxy.addRow("", self.from_env)
        return proxy

    def _window_form(self) -> QFormLayout:
        self.theme = QComboBox(self)
        self.theme.setObjectName("settingsTheme")
        for label, value in THEMES:
            self.theme.addItem(label, value.value)
        self.history_days = QSpinBox(self)
        self.history_days.setObjectName("settingsHistoryDays")
        self.history_days.setRange(1, 3650)
        self.history_days.setSuffix(" days")
        window = QFormLayout()
        window.addRow("Theme", self.theme)
        window.addRow("Keep history for", self.history_days)
        self.keep_cookies = QCheckBox("Keep cookies between runs (never credentials)", self)
        self.keep_cookies.setObjectName("settingsKeepCookies")
        self.keep_cookies.setEnabled(self._cookies is not None)
        window.addRow("", self.keep_cookies)
        return window

    def _fill_cookies(self, policy: CookiePolicy) -> None:
        self._persisting = policy.persist
        self.keep_cookies.setChecked(policy.persist)

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        line = QLineEdit(self)
        line.setObjectName(name)
        line.setPlaceholderText(placeholder)
        return line

    def _path_row(self, form: QFormLayout, label: str, name: str) -> QLineEdit:
        line = self._line(name, "none")
        browse = QPushButton("Browse…", self)
        browse.setObjectName(f"{name}Browse")
        browse.clicked.connect(lambda: self._browse(line, label))
        row = QHBoxLayout()
        row.addWidget(line, 1)
        row.addWidget(browse)
        form.addRow(label, row)
        return line

    def _browse(self, line: QLineEdit, label: str) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, label, line.text())
        if chosen:
            line.setText(chosen)

    def _fill(self, settings: AppSettings) -> None:
        self._loaded = settings
        req = settings.requests
        self.connect_timeout.setValue(req.connect_timeout)
        self.read_timeout.setValue(req.read_timeout)
        self.follow_redirects.setChecked(req.follow_redirects)
        self.max_redirects.setValue(req.max_redirects)
        self.max_redirects.setEnabled(req.follow_redirects)
        self.verify_tls.setChecked(req.verify_tls)
        self.ca_bundle.setText(settings.ca_bundle)
        self.client_cert.setText(settings.client_cert)
        self.client_key.setText(settings.client_key)
        self.proxy_url.setText(settings.proxy.url)
        self.proxy_user.setText(settings.proxy.username)
        self.no_proxy.setText(", ".join(settings.proxy.no_proxy))
        self.from_env.setChecked(settings.proxy.use_environment)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme.value)))
        self.history_days.setValue(settings.history_days)
        self.env_proxies.fill(settings.environment_proxies)
        self.save_button.setEnabled(True)

    def edited(self) -> AppSettings:
        """The settings as the fields show them."""
        hosts = tuple(h.strip() for h in self.no_proxy.text().replace(";", ",").split(","))
        return replace(
            self._loaded,
            requests=RequestDefaults(
                connect_timeout=self.connect_timeout.value(),
                read_timeout=self.read_timeout.value(),
                follow_redirects=self.follow_redirects.isChecked(),
                max_redirects=self.max_redirects.value(),
                verify_tls=self.verify_tls.isChecked(),
            ),
            ca_bundle=self.ca_bundle.text().strip(),
            client_cert=self.client_cert.text().strip(),
            client_key=self.client_key.text().strip(),
            proxy=ProxySettings(
                url=self.proxy_url.text().strip(),
                username=self.proxy_user.text().strip(),
                no_proxy=tuple(h for h in hosts if h),
                use_environment=self.from_env.isChecked(),
            ),
            environment_proxies=self.env_proxies.edited(),
            theme=Theme(self.theme.currentData()),
            history_days=self.history_days.value(),
        )

    def _on_save_clicked(self) -> None:
        if self._service is None:
            return
        settings = self.edited()
        problem = settings.proxy.problem()
        if problem is not None:
            self._show_error(f"The proxy cannot be used: {problem}.")
            return
        self.save_button.setEnabled(False)
        future = self._service.save(
            settings, self.password.text() or None, self.env_proxies.passwords()
        )
        self._ops.run(future, self._on_saved, on_failure=self._on_failed)

    def _on_saved(self, settings: AppSettings) -> None:
        self._loaded = settings
        wanted = self.keep_cookies.isChecked()
        if self._cookies is not None and wanted != self._persisting:
            from explorer.core.cookies import CookiePolicy

            self._persisting = wanted
            self._ops.run(
                self._cookies.set_policy(CookiePolicy(persist=wanted)),
                self._fill_cookies,
                failure="Keeping cookies could not be changed",
            )
        self.password.clear()
        self.env_proxies.clear_passwords()
        self.save_button.setEnabled(True)
        self.applied.emit(settings)
        self.accept()

    def _on_failed(self, error: Failure) -> None:
        self.save_button.setEnabled(True)
        self._show_error(str(error))

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
