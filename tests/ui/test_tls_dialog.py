"""The TLS dialog (issue 14 item 7): opened with "TLS…" beside the credentials of a provider
environment whose server requires a client certificate, it shows where the files are saved and
the preset's CA bundle, saves the certificate and key typed in, and the next send from the
window presents them to the token call and the API call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QPushButton

from tests.core.test_tls_env import CLIENT, workspace
from tests.support.mtls import MtlsRecordingServer, Pki, make_pki
from tests.ui.conftest import OFFSCREEN_NOISE, open_window

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return make_pki(tmp_path / "pki")


@pytest.fixture
def server(pki: Pki) -> Iterator[MtlsRecordingServer]:
    recording = MtlsRecordingServer(pki)
    yield recording
    recording.stop()


@pytest.fixture
def acme(tmp_path: Path, pki: Pki, server: MtlsRecordingServer) -> Path:
    """The workspace the window opens (ask for it before ``services``)."""
    return workspace(tmp_path / "workspace", server, {"ca_bundle": str(pki.ca_bundle)})


def test_files_saved_in_the_tls_dialog_are_presented_by_the_next_send(  # type: ignore[no-untyped-def]
    qtbot, acme, services, pki, server
) -> None:
    window = open_window(qtbot, services)
    try:
        providers = window.findChild(QComboBox, "providerCombo")
        qtbot.waitUntil(lambda: providers.findData("acme") >= 0, timeout=20_000)
        providers.setCurrentIndex(providers.findData("acme"))
        panel = window.credentials
        qtbot.waitUntil(lambda: len(panel.slots) == 2, timeout=10_000)
        for slot, value in CLIENT.items():
            panel.set_value(slot, value)
        qtbot.waitUntil(lambda: all(s.stored for s in panel.slots), timeout=10_000)

        panel.findChild(QPushButton, "tlsButton").click()
        dialog = panel.findChild(QDialog, "tlsDialog")
        assert dialog.isVisible()
        save = dialog.findChild(QPushButton, "tlsSave")
        qtbot.waitUntil(save.isEnabled, timeout=10_000)
        where = dialog.findChild(QLabel, "tlsWhere").text()
        assert where.startswith("Saved for Acme (Staging) in environments/acme.yaml")
        bundle = dialog.findChild(QLineEdit, "tlsCaBundle")
        assert bundle.text() == ""
        assert bundle.placeholderText() == f"preset: {pki.ca_bundle}"
        dialog.findChild(QLineEdit, "tlsClientCert").setText(str(pki.cert))
        dialog.findChild(QLineEdit, "tlsClientKey").setText(str(pki.key))
        with qtbot.waitSignal(dialog.saved, timeout=10_000):
            save.click()
        assert "tls_client_cert" in (acme / "environments" / "acme.yaml").read_text()

        window.editor.url.setText("{{base_url}}/orders")
        mark = server.mark()
        with qtbot.waitSignal(window.request_finished, timeout=20_000):
            window.editor.send_button.click()
        assert "200" in window.response.status.text()
        assert [r.path for r in server.since(mark)] == ["/token", "/orders"]
    finally:
        window.close()
