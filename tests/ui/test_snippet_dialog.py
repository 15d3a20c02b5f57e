"""The snippet dialog in the ``--demo`` window: every target renders highlighted, no secret unless
revealed, kept variables, Copy, full flow only where a target has it, and the core's sentence
when a request cannot become a snippet."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton

from explorer.core.models import KeyValue, RequestSpec
from explorer.core.snippets import LANGUAGES
from explorer.ui.snippet_dialog import REVEAL_WARNING, SnippetDialog
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

CUSTOMER = RequestSpec(
    method="POST",
    url="{{base_url}}/v1/customer",
    headers=(KeyValue("Content-Type", "application/json"),),
)


def open_dialog(  # type: ignore[no-untyped-def]
    qtbot, window, provider_id: str, spec: RequestSpec, *, wait: bool = True
) -> SnippetDialog:
    combo = window.findChild(QComboBox, "providerCombo")
    combo.setCurrentIndex(combo.findData(provider_id))
    assert window.findChild(QComboBox, "environmentCombo").currentText() == "Sandbox (local)"
    window.load_request(spec)
    qtbot.mouseClick(window.findChild(QPushButton, "snippetButton"), Qt.MouseButton.LeftButton)
    dialog = window.findChild(SnippetDialog, "snippetDialog")
    assert dialog is not None
    assert dialog.isVisible()
    if wait:
        qtbot.waitUntil(lambda: bool(dialog.text), timeout=10_000)
    return dialog


def choose(qtbot, dialog: SnippetDialog, combo: QComboBox, data: str) -> str:  # type: ignore[no-untyped-def]
    """Pick ``data`` in ``combo`` and wait for the snippet of the new choice."""
    before = dialog.text
    combo.setCurrentIndex(combo.findData(data))
    qtbot.waitUntil(lambda: bool(dialog.text) and dialog.text != before, timeout=10_000)
    return dialog.text


def stored(window, provider_id: str, slot: str) -> str:  # type: ignore[no-untyped-def]
    value = window.services.credentials.reveal(provider_id, "Sandbox (local)", slot).result(10)
    assert value
    return str(value)


def test_every_language_renders_highlighted(qtbot, demo_window) -> None:
    dialog = open_dialog(qtbot, demo_window, "pce", CUSTOMER)
    assert [dialog.language.itemData(i) for i in range(dialog.language.count())] == [
        lang.id for lang in LANGUAGES
    ]
    for lang in LANGUAGES:
        if dialog.language.currentData() != lang.id:
            choose(qtbot, dialog, dialog.language, lang.id)
        text = dialog.text
        assert "/pce/sandbox/v1/customer" in text, lang.id
        assert dialog.preview.document is not None
        assert dialog.preview.document.text == text
        assert dialog.preview.document.language == lang.lexer
        qtbot.waitUntil(lambda: bool(dialog.preview.lexed_rows()), timeout=10_000)
        assert dialog.copy_button.isEnabled()
    dialog.close()


def test_secrets_stay_out_unless_revealed_with_a_warning(qtbot, demo_window) -> None:
    token = stored(demo_window, "pce", "static_token")
    dialog = open_dialog(qtbot, demo_window, "pce", CUSTOMER)
    assert token not in dialog.text
    assert "$PCE_STATIC_TOKEN" in dialog.text
    assert not dialog.warning.isVisible()

    revealed = choose(qtbot, dialog, dialog.auth_mode, "reveal")
    assert token in revealed
    assert dialog.warning.isVisible()
    assert dialog.warning.text() == REVEAL_WARNING

    again = choose(qtbot, dialog, dialog.auth_mode, "as-sent")
    assert token not in again
    dialog.close()


def test_reveal_writes_a_stored_subscription_key_and_the_current_token(qtbot, demo_window) -> None:
    key = stored(demo_window, "procode", "subscription_key")
    spec = RequestSpec(url="{{base_url}}/api/premises/premises")
    # An unsaved request: a saved one would go where its collection is bound, whatever the bar.
    demo_window.load_request(spec)
    demo_window.provider_bar.select("procode")
    with qtbot.waitSignal(demo_window.request_finished, timeout=20_000) as finished:
        demo_window.send(spec)
    token = finished.args[0].exchange.request.secrets
    dialog = open_dialog(qtbot, demo_window, "procode", spec)
    assert key not in dialog.text
    revealed = choose(qtbot, dialog, dialog.auth_mode, "reveal")
    assert key in revealed
    assert any(secret in revealed for secret in token if secret != key)
    dialog.close()


def test_kept_variables_and_full_flow_only_where_offered(qtbot, demo_window) -> None:
    dialog = open_dialog(qtbot, demo_window, "priceedge", RequestSpec(url="{{base_url}}/api/x"))
    choose(qtbot, dialog, dialog.language, "python")
    before = dialog.text
    dialog.keep_variables.setChecked(True)
    qtbot.waitUntil(lambda: bool(dialog.text) and dialog.text != before, timeout=10_000)
    assert 'base_url = "http://127.0.0.1:' in dialog.text
    assert 'base_url + "/api/x"' in dialog.text

    flow = choose(qtbot, dialog, dialog.auth_mode, "flow")
    assert "grant_type" in flow
    assert stored(demo_window, "priceedge", "password") not in flow
    choose(qtbot, dialog, dialog.language, "httpie")
    assert dialog.auth_mode.currentData() == "as-sent"
    model = dialog.auth_mode.model()
    assert not model.item(dialog.auth_mode.findData("flow")).isEnabled()
    dialog.close()


def test_copy_puts_the_snippet_on_the_clipboard(qtbot, demo_window) -> None:
    dialog = open_dialog(qtbot, demo_window, "pce", CUSTOMER)
    QApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == dialog.text
    dialog.close()


def test_a_request_that_cannot_become_a_snippet_says_why(qtbot, demo_window) -> None:
    spec = RequestSpec(url="{{base_url}}/v1/customer/{{customer_id}}")
    dialog = open_dialog(qtbot, demo_window, "pce", spec, wait=False)
    qtbot.waitUntil(dialog.error.isVisible, timeout=10_000)
    assert "customer_id" in dialog.error.text()
    assert not dialog.copy_button.isEnabled()
    assert dialog.preview.document is None
    assert dialog.text == ""
    dialog.close()
