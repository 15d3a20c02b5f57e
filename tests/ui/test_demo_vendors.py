"""The demo window on each of the five simulated vendors: the first sample of every provider
succeeds with nothing but clicks; a Procode user with 2FA is asked for the one-time password in a
dialog while the token grant waits on its network thread, and giving up is one clear sentence."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog, QLabel

from tests.ui.conftest import OFFSCREEN_NOISE
from tests.ui.test_vendor_flows import choose, control, open_sample, send_sample

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

VENDORS = ("pce", "procode", "priceedge", "servicechannel", "flexiti")


@pytest.mark.parametrize("provider_id", VENDORS)
def test_first_sample_of_every_vendor_succeeds_in_the_demo(qtbot, demo_window, provider_id) -> None:
    choose(qtbot, demo_window, provider_id)
    outcome = send_sample(qtbot, demo_window)
    assert 200 <= outcome.exchange.response.status < 300, outcome.exchange.response.status
    status = demo_window.findChild(QLabel, "responseStatus").text()
    assert f">{outcome.exchange.response.status} " in status


def _use_the_2fa_user(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    choose(qtbot, window, "procode")
    credentials = control(window, "info")["providers"]["procode"]["environments"]["dev1"]
    demo = credentials["credentials"]
    service = window.services.credentials
    service.set("procode", "Sandbox (local)", "username", demo["username_2fa"]).result(10)
    service.set("procode", "Sandbox (local)", "password", demo["password_2fa"]).result(10)


def _otp_dialog(qtbot, window) -> QInputDialog:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: window.otp.dialog is not None, timeout=20_000)
    dialog = window.otp.dialog
    assert dialog.objectName() == "otpDialog"
    assert "one-time password" in dialog.labelText()
    return dialog


def test_a_2fa_user_is_asked_for_the_otp_and_the_request_succeeds(qtbot, demo_window) -> None:
    _use_the_2fa_user(qtbot, demo_window)
    open_sample(qtbot, demo_window)
    with qtbot.waitSignal(demo_window.request_finished, timeout=30_000) as finished:
        demo_window.editor.send_button.click()
        dialog = _otp_dialog(qtbot, demo_window)
        ticks = demo_window.heartbeat.ticks  # the UI thread keeps running while the grant waits
        qtbot.waitUntil(lambda: demo_window.heartbeat.ticks > ticks + 3)
        pending = control(demo_window, "info")["providers"]["procode"]["environments"]["dev1"]
        code = str(pending["pending_otps"][0]["otp"])
        assert f"(sandbox code: {code})" in dialog.labelText()  # the demo says where it is
        dialog.setTextValue(code)
        dialog.accept()
    outcome = finished.args[0]
    assert outcome.exchange.response.status == 200
    assert any("otp" in event for event in outcome.events)


def test_giving_up_on_the_otp_is_one_sentence(qtbot, demo_window) -> None:
    _use_the_2fa_user(qtbot, demo_window)
    open_sample(qtbot, demo_window)
    demo_window.editor.send_button.click()
    _otp_dialog(qtbot, demo_window).reject()
    qtbot.waitUntil(lambda: not demo_window.busy, timeout=20_000)
    status = demo_window.findChild(QLabel, "responseStatus")
    assert status.toolTip() == "The one-time password was not entered; no token was requested."
