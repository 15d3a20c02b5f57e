"""The ``--demo`` window against the embedded sandbox: choose a provider and its sandbox
environment, see the demo credentials stored, send a sample, watch the token status; refresh on
a revoked token; a 429 with its retry countdown; credentials set and cleared."""

from __future__ import annotations

import json
import urllib.request

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QTreeView, QWidget

from explorer.core.models import RequestSpec
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def choose(qtbot, window, provider_id: str) -> None:  # type: ignore[no-untyped-def]
    combo = window.findChild(QComboBox, "providerCombo")
    combo.setCurrentIndex(combo.findData(provider_id))
    environments = window.findChild(QComboBox, "environmentCombo")
    assert environments.currentText() == "Sandbox (local)"
    panel = window.findChild(QWidget, "credentialsPanel")
    qtbot.waitUntil(lambda: bool(panel.slots), timeout=10_000)


def control(window, path: str, payload: dict | None = None) -> dict:  # type: ignore[type-arg]
    base = window.services.sender.ready.result().sandbox.base_url
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(
        f"{base}/_sandbox/{path}", data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


def open_sample(qtbot, window, index: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Click the chosen provider's ``index``-th sample in its demo collection of the tree."""
    tree = window.findChild(QTreeView, "collectionTree")
    provider = window.provider_bar.provider().name
    model = tree.model()

    def sample():  # type: ignore[no-untyped-def]
        for row in range(model.rowCount()):
            collection = model.index(row, 0)
            if collection.data() == f"{provider} samples" and model.rowCount(collection) > index:
                return model.index(index, 0, collection)
        return None

    qtbot.waitUntil(lambda: sample() is not None, timeout=10_000)
    target = sample()
    tree.scrollTo(target)
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(target).center()
    )
    assert window.editor.to_spec().name == target.data()


def send_sample(qtbot, window, index: int = 0):  # type: ignore[no-untyped-def]
    open_sample(qtbot, window, index)
    with qtbot.waitSignal(window.request_finished, timeout=20_000) as finished:
        qtbot.keyClick(window.editor.url, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    return finished.args[0]


def test_demo_opens_a_provider_with_stored_credentials_and_a_working_sample(
    qtbot, demo_window
) -> None:
    assert demo_window.provider_bar.provider() is not None
    qtbot.waitUntil(lambda: demo_window.editor.url.text().startswith("{{base_url}}"))
    choose(qtbot, demo_window, "priceedge")
    panel = demo_window.findChild(QWidget, "credentialsPanel")
    states = {slot.name: slot.stored for slot in panel.slots}
    assert all(states[name] for name in ("username", "password", "client_id"))
    assert "session-only" in panel.store_label.text()

    outcome = send_sample(qtbot, demo_window)
    assert outcome.exchange.response.status == 200
    assert "200 OK" in demo_window.findChild(QLabel, "responseStatus").text()
    assert any("acquired" in event for event in outcome.events)
    body = demo_window.response.body
    qtbot.waitUntil(lambda: body.document is not None and body.document.formatted)
    assert '"Succeeded": true' in body.document.text
    status = demo_window.findChild(QLabel, "tokenStatus")
    qtbot.waitUntil(lambda: status.text().endswith("left"))
    secrets = outcome.exchange.request.secrets
    assert secrets
    assert not any(secret in status.text() for secret in secrets)


def test_a_revoked_token_is_refreshed_and_the_request_replayed(qtbot, demo_window) -> None:
    choose(qtbot, demo_window, "priceedge")
    assert send_sample(qtbot, demo_window).exchange.response.status == 200
    control(demo_window, "revoke", {"provider": "priceedge", "environment": "sandbox"})
    outcome = send_sample(qtbot, demo_window)
    assert outcome.exchange.response.status == 200
    assert any("replayed" in note for note in outcome.notes)
    assert "replayed" in demo_window.response.status.full_text()
    demo_window.token_status.clicked.emit()
    inspector = demo_window.findChild(QWidget, "tokenInspector")
    qtbot.waitUntil(lambda: "invalidated" in inspector.browser.toPlainText())
    text = inspector.browser.toPlainText()
    assert "Refresh token" in text
    assert "present" in text


def test_clock_advance_makes_the_next_send_refresh_the_token(qtbot, demo_window) -> None:
    choose(qtbot, demo_window, "priceedge")
    send_sample(qtbot, demo_window)
    control(demo_window, "clock", {"advance": 3600 * 6})
    outcome = send_sample(qtbot, demo_window)
    assert outcome.exchange.response.status == 200
    assert any(kind in event for event in outcome.events for kind in ("refreshed", "re-granted")), (
        outcome.events
    )


def test_rate_limited_answer_shows_the_problem_and_a_retry_countdown(qtbot, demo_window) -> None:
    choose(qtbot, demo_window, "pce")
    # An ad-hoc request in the builder, so the demo's first sample never replaces it (and
    # clears its response) while this test sends.
    demo_window.workspace.open_unsaved(RequestSpec("POST", "{{base_url}}/v1/customer/list"))
    control(demo_window, "config", {"provider": "pce", "settings": {"rate_limit_requests": 1}})
    demo_window.send(RequestSpec("POST", "{{base_url}}/v1/customer/list"))
    qtbot.waitUntil(lambda: not demo_window.busy, timeout=20_000)
    with qtbot.waitSignal(demo_window.request_finished, timeout=20_000) as finished:
        demo_window.send(RequestSpec("POST", "{{base_url}}/v1/customer/list"))
    outcome = finished.args[0]
    assert outcome.exchange.response.status == 429
    assert outcome.problem is not None
    assert outcome.problem.retry_after
    problem = demo_window.findChild(QLabel, "responseProblem")
    assert "429" in problem.text()
    qtbot.waitUntil(lambda: "retry in" in demo_window.response.status.full_text(), timeout=3000)


def test_credentials_can_be_cleared_and_set_again(qtbot, demo_window) -> None:
    choose(qtbot, demo_window, "priceedge")
    panel = demo_window.findChild(QWidget, "credentialsPanel")
    clear = panel.findChild(QWidget, "slotClear_password")
    clear.click()
    qtbot.waitUntil(lambda: {s.name: s.stored for s in panel.slots}.get("password") is False)
    open_sample(qtbot, demo_window)
    with qtbot.waitSignal(demo_window.request_failed, timeout=20_000) as failed:
        demo_window.editor.send_button.click()
    assert "Traceback" not in failed.args[0]
    assert failed.args[0].endswith(".")
    panel.set_value("password", "MYPASSWORD123")
    qtbot.waitUntil(lambda: {s.name: s.stored for s in panel.slots}.get("password") is True)
    assert send_sample(qtbot, demo_window).exchange.response.status == 200
