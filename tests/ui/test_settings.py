"""The settings dialog and the request's Options tab in the real window: edits are saved to the
settings file (the proxy passwords to the credential store only) and the next send uses them,
an environment's own proxy for that environment only;
the theme switches live; the Options tab round-trips a request's ``options:``."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTabWidget,
)

from explorer.core.models import RequestSpec
from explorer.ui import theme
from tests.support.proxy import recording_proxy
from tests.ui.conftest import OFFSCREEN_NOISE
from tests.ui.test_send_flow import child, send

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

FIELDS = (
    (QDoubleSpinBox, "settingsConnectTimeout"),
    (QDoubleSpinBox, "settingsReadTimeout"),
    (QCheckBox, "settingsFollowRedirects"),
    (QSpinBox, "settingsMaxRedirects"),
    (QCheckBox, "settingsVerifyTls"),
    (QLineEdit, "settingsCaBundle"),
    (QLineEdit, "settingsClientCert"),
    (QLineEdit, "settingsClientKey"),
    (QLineEdit, "settingsProxyUrl"),
    (QLineEdit, "settingsProxyUser"),
    (QLineEdit, "settingsProxyPassword"),
    (QLineEdit, "settingsNoProxy"),
    (QCheckBox, "settingsProxyFromEnv"),
    (QComboBox, "settingsTheme"),
    (QSpinBox, "settingsHistoryDays"),
    (QPushButton, "settingsSave"),
    (QLabel, "settingsError"),
    (QTableWidget, "settingsEnvProxies"),
    (QPushButton, "settingsEnvProxyAdd"),
    (QPushButton, "settingsEnvProxyRemove"),
)


def settings_file() -> Path:
    return Path(os.environ["API_EXPLORER_HOME"]) / "config" / "settings.json"


def open_settings(qtbot, window) -> QDialog:  # type: ignore[no-untyped-def]
    child(window, QAction, "settingsAction").trigger()
    dialog = child(window, QDialog, "settingsDialog")
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.save_button.isEnabled())
    return dialog


def save(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(child(dialog, QPushButton, "settingsSave"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)


def test_every_settings_field_exists_once_opened(qtbot, window) -> None:
    dialog = open_settings(qtbot, window)
    for kind, name in FIELDS:
        child(dialog, kind, name)
    assert child(dialog, QDoubleSpinBox, "settingsReadTimeout").value() == 60.0


def test_the_proxy_setting_routes_through_a_local_proxy(
    qtbot, window, edge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with recording_proxy("me:hunter22") as proxy:
        dialog = open_settings(qtbot, window)
        child(dialog, QLineEdit, "settingsProxyUrl").setText(proxy.url)
        child(dialog, QLineEdit, "settingsProxyUser").setText("me")
        child(dialog, QLineEdit, "settingsProxyPassword").setText("hunter22")
        save(qtbot, dialog)
        saved = settings_file().read_text()
        assert json.loads(saved)["proxy"]["url"] == proxy.url
        assert "hunter22" not in saved
        send(qtbot, window, f"{edge.base_url}/echo?via=proxy")
        assert "200" in child(window, QLabel, "responseStatus").text()
    assert proxy.targets() == [f"{edge.base_url}/echo?via=proxy"]
    assert proxy.seen[0].authorization is not None


def test_a_saved_read_timeout_applies_to_the_next_send(qtbot, window, httpbin_url) -> None:
    dialog = open_settings(qtbot, window)
    child(dialog, QDoubleSpinBox, "settingsReadTimeout").setValue(0.5)
    save(qtbot, dialog)
    child(window, QLineEdit, "urlEdit").setText(f"{httpbin_url}/delay/3")
    with qtbot.waitSignal(window.request_failed, timeout=10_000) as failed:
        qtbot.mouseClick(child(window, QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    assert "sent nothing for 0.5 s" in failed.args[0]


def test_a_bad_proxy_is_one_sentence_and_nothing_is_written(qtbot, window) -> None:
    dialog = open_settings(qtbot, window)
    child(dialog, QLineEdit, "settingsProxyUrl").setText("ftp://proxy")
    qtbot.mouseClick(child(dialog, QPushButton, "settingsSave"), Qt.MouseButton.LeftButton)
    error = child(dialog, QLabel, "settingsError")
    qtbot.waitUntil(error.isVisible)
    assert "The proxy cannot be used" in error.text()
    assert dialog.isVisible()
    assert not settings_file().exists()


def test_the_theme_switches_live_and_is_kept(qtbot, window) -> None:
    app = QApplication.instance()
    try:
        child(window, QAction, "themeAction_dark").trigger()
        assert theme.is_dark(app.palette())
        qtbot.waitUntil(lambda: settings_file().exists() and "dark" in settings_file().read_text())
        child(window, QAction, "themeAction_light").trigger()
        assert not theme.is_dark(app.palette())
        assert app.palette().color(QPalette.ColorRole.Base).lightness() > 200
        qtbot.waitUntil(lambda: '"light"' in settings_file().read_text())
    finally:
        theme.apply(app, "")


def test_the_options_tab_round_trips_a_requests_options(qtbot, window) -> None:
    tabs = child(window, QTabWidget, "requestTabs")
    options = child(window, type(window.editor.options), "requestOptionsTab")
    assert tabs.indexOf(options) >= 0
    window.editor.load(RequestSpec(url="http://x", read_timeout=5, verify_tls=False))
    assert child(options, QDoubleSpinBox, "optionReadTimeout").value() == 5
    assert not child(options, QCheckBox, "optionVerifyTls").isChecked()
    child(options, QDoubleSpinBox, "optionConnectTimeout").setValue(2.5)
    child(options, QCheckBox, "optionFollowRedirects").setChecked(False)
    assert not child(options, QSpinBox, "optionMaxRedirects").isEnabled()
    spec = window.editor.to_spec()
    assert (spec.connect_timeout, spec.read_timeout) == (2.5, 5)
    assert (spec.follow_redirects, spec.verify_tls) == (False, False)


def test_keep_cookies_is_the_jars_persistence_switch(qtbot, window) -> None:
    dialog = open_settings(qtbot, window)
    keep = child(dialog, QCheckBox, "settingsKeepCookies")
    assert not keep.isChecked()
    keep.setChecked(True)
    save(qtbot, dialog)
    workspace = Path(os.environ["API_EXPLORER_HOME"]).parent / "workspace"
    qtbot.waitUntil((workspace / "cookies.json").is_file)
    dialog = open_settings(qtbot, window)
    qtbot.waitUntil(lambda: child(dialog, QCheckBox, "settingsKeepCookies").isChecked())


ACME = """\
id: acme
name: Acme
environments:
  - name: Staging
    base_url: {staging}
  - name: Prod
    base_url: {prod}
"""


@pytest.fixture
def acme(tmp_path: Path, edge, httpbin_url: str) -> None:  # type: ignore[no-untyped-def]
    """A workspace provider whose two environments are two local servers (two origins);
    requested before ``window`` so the window's core loads it."""
    folder = tmp_path / "workspace" / "providers"
    folder.mkdir(parents=True)
    text = ACME.format(staging=edge.base_url, prod=httpbin_url)
    (folder / "acme.yaml").write_text(text, encoding="utf-8")


def _fill_env_row(dialog, row: int, values: tuple[str, str, str, str, str]) -> None:  # type: ignore[no-untyped-def]
    table = child(dialog, QTableWidget, "settingsEnvProxies")
    provider, environment, url, user, password = values
    combo = table.cellWidget(row, 0)
    combo.setCurrentIndex(combo.findData(provider))
    table.cellWidget(row, 1).setCurrentText(environment)
    for column, text in ((2, url), (3, user), (4, password)):
        table.cellWidget(row, column).setText(text)


def test_an_environments_own_proxy_is_saved_and_used_for_that_environment_only(
    qtbot, acme, window, edge, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    bar = window.provider_bar
    qtbot.waitUntil(lambda: bar.provider_combo.findData("acme") >= 0, timeout=20_000)
    with recording_proxy("ci:s3cret") as proxy:
        dialog = open_settings(qtbot, window)
        qtbot.mouseClick(
            child(dialog, QPushButton, "settingsEnvProxyAdd"), Qt.MouseButton.LeftButton
        )
        _fill_env_row(dialog, 0, ("acme", "Staging", proxy.url, "ci", "s3cret"))
        save(qtbot, dialog)
        text = settings_file().read_text()
        assert "s3cret" not in text
        assert json.loads(text)["environment_proxies"] == {
            "acme/Staging": {
                "url": proxy.url,
                "username": "ci",
                "no_proxy": [],
                "use_environment": True,
            }
        }
        bar.select("acme", "Staging")
        send(qtbot, window, "/echo?env=staging")
        assert "200" in child(window, QLabel, "responseStatus").text()
        bar.select("acme", "Prod")
        send(qtbot, window, "/get?env=prod")
        assert "200" in child(window, QLabel, "responseStatus").text()
    assert proxy.targets() == [f"{edge.base_url}/echo?env=staging"]
    assert proxy.seen[0].authorization == "Basic " + base64.b64encode(b"ci:s3cret").decode()
    dialog = open_settings(qtbot, window)
    table = child(dialog, QTableWidget, "settingsEnvProxies")
    assert table.rowCount() == 1
    assert table.cellWidget(0, 1).currentText() == "Staging"
    assert table.cellWidget(0, 4).text() == ""  # the password stays in the credential store
    table.selectRow(0)
    qtbot.mouseClick(
        child(dialog, QPushButton, "settingsEnvProxyRemove"), Qt.MouseButton.LeftButton
    )
    assert table.rowCount() == 0
    save(qtbot, dialog)
    assert json.loads(settings_file().read_text())["environment_proxies"] == {}


def test_an_environment_named_twice_is_one_sentence_and_nothing_is_written(
    qtbot, acme, window
) -> None:
    bar = window.provider_bar
    qtbot.waitUntil(lambda: bar.provider_combo.findData("acme") >= 0, timeout=20_000)
    dialog = open_settings(qtbot, window)
    add = child(dialog, QPushButton, "settingsEnvProxyAdd")
    for row in (0, 1):
        qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
        _fill_env_row(dialog, row, ("acme", "Prod", f"http://p{row}.test:3128", "", ""))
    qtbot.mouseClick(child(dialog, QPushButton, "settingsSave"), Qt.MouseButton.LeftButton)
    error = child(dialog, QLabel, "settingsError")
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "The environment acme/Prod has two proxies; keep one."
    assert dialog.isVisible()
    assert not settings_file().exists()
