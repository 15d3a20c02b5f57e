"""The window driven by object names against real loopback servers: send, see status and a
highlighted body, cancel, latest wins, JSON validation, search, history, live confirmation."""

from __future__ import annotations

import json
import re
from concurrent.futures import Future

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QWidget,
)

from explorer.core.models import Body, BodyMode, KeyValue, RequestSpec
from explorer.core.providers import Environment, ProviderProfile
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def child(window: QWidget, kind: type, name: str):  # type: ignore[no-untyped-def]
    found = window.findChild(kind, name)
    assert found is not None, f"no {kind.__name__} named {name}"
    return found


def send(qtbot, window, url: str, method: str = "GET") -> None:  # type: ignore[no-untyped-def]
    child(window, QComboBox, "methodCombo").setCurrentText(method)
    child(window, QLineEdit, "urlEdit").setText(url)
    with qtbot.waitSignal(window.request_finished, timeout=10_000):
        qtbot.mouseClick(child(window, QPushButton, "sendButton"), Qt.MouseButton.LeftButton)


def test_send_shows_status_and_highlighted_pretty_body(qtbot, window, edge) -> None:
    send(qtbot, window, f"{edge.base_url}/json-array?items=20")
    status = child(window, QLabel, "responseStatus")
    assert "200 OK" in status.text()
    body = window.response.body
    qtbot.waitUntil(lambda: body.document is not None and body.document.formatted)
    assert body.document.text.startswith('[\n  {\n    "id": 0,')
    qtbot.waitUntil(lambda: bool(body.view.lexed_rows()))
    styles = {span.style for spans in body.view.lexed_rows().values() for span in spans}
    assert {"key", "number", "string"} <= styles


def test_ctrl_enter_sends_and_history_reopens_the_request(qtbot, window, edge) -> None:
    child(window, QLineEdit, "urlEdit").setText(f"{edge.base_url}/echo")
    with qtbot.waitSignal(window.request_finished, timeout=10_000):
        qtbot.keyClick(window.editor.url, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    history = window.history
    qtbot.waitUntil(lambda: history.count() == 1)
    row = history.rows()[0]
    assert re.fullmatch(r"200  GET  .+/echo    \d\d:\d\d", row.text(0))
    assert row.toolTip(0).startswith(f"{edge.base_url}/echo\n")
    window.editor.url.setText("http://elsewhere.invalid/")
    history.tree.itemClicked.emit(row, 0)
    assert window.editor.url.text() == f"{edge.base_url}/echo"


def test_escape_cancels_a_request_in_flight(qtbot, window, edge) -> None:
    window.editor.url.setText(f"{edge.base_url}/slow?delay=5")
    qtbot.mouseClick(window.editor.send_button, Qt.MouseButton.LeftButton)
    assert window.busy
    assert window.editor.send_button.text() == "Cancel"
    qtbot.keyClick(window.editor.url, Qt.Key.Key_Escape)
    assert not window.busy
    assert "Cancelled" in window.response.status.text()
    assert window.editor.send_button.text() == "Send"


def test_latest_send_wins_and_the_stale_result_is_dropped(qtbot, window, edge) -> None:
    finished: list[object] = []
    window.request_finished.connect(finished.append)
    window.send(RequestSpec("GET", f"{edge.base_url}/slow?delay=0.5"))
    window.send(RequestSpec("GET", f"{edge.base_url}/echo"))
    qtbot.waitUntil(lambda: len(finished) == 1, timeout=5000)
    qtbot.wait(800)  # the slow answer would have arrived by now
    assert len(finished) == 1
    assert window.response.exchange.response.url.endswith("/echo")


def test_invalid_json_body_is_flagged_and_not_sent(qtbot, window, edge) -> None:
    editor = child(window, QWidget, "bodyEditor")
    editor.load(Body(BodyMode.JSON, '{"a": 1,}'))
    status = child(window, QLabel, "bodyStatus")
    qtbot.waitUntil(lambda: status.text().startswith("Invalid JSON: Line 1"))
    window.editor.url.setText(f"{edge.base_url}/echo")
    window.editor.send_button.click()
    assert not window.busy
    assert "not valid" in window.response.status.text()

    editor.load(Body(BodyMode.JSON, '{"a": 1}'))
    qtbot.waitUntil(lambda: status.text() == "Valid JSON")
    send(qtbot, window, f"{edge.base_url}/echo", method="POST")
    echoed = json.loads(window.response.exchange.response.body.read_bytes())
    assert echoed["method"] == "POST"
    assert json.loads(echoed["body"]) == {"a": 1}
    assert ["Content-Type", "application/json"] in echoed["headers"]


def test_disabled_header_rows_are_kept_but_not_sent(qtbot, window, edge) -> None:
    window.editor.load(
        RequestSpec(
            "GET",
            f"{edge.base_url}/echo",
            headers=(KeyValue("X-On", "1"), KeyValue("X-Off", "2", enabled=False)),
            params=(KeyValue("q", "x y"),),
        )
    )
    spec = window.editor.to_spec()
    assert spec.headers == (KeyValue("X-On", "1"), KeyValue("X-Off", "2", enabled=False))
    assert child(window, QTabWidget, "requestTabs").tabText(1) == "Headers (1)"
    send(qtbot, window, window.editor.url.text())
    echoed = json.loads(window.response.exchange.response.body.read_bytes())
    names = [name for name, _ in echoed["headers"]]
    assert "X-On" in names
    assert "X-Off" not in names
    assert echoed["path"] == "/echo?q=x+y"


def test_search_counts_and_steps_through_matches(qtbot, window, edge) -> None:
    send(qtbot, window, f"{edge.base_url}/json-array?items=1000")
    body = window.response.body
    qtbot.waitUntil(lambda: body.document is not None and body.document.formatted)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search = child(window, QWidget, "responseSearch")
    assert search.isVisible()
    with qtbot.waitSignal(body.searched, timeout=5000) as searched:
        search.edit.setText('"ITEM"')
    assert searched.args == [1000]
    count = child(window, QLabel, "responseSearchCount")
    assert count.text() == "1 of 1,000"
    search.next_button.click()
    assert count.text() == "2 of 1,000"
    search.previous_button.click()
    search.previous_button.click()
    assert count.text() == "1000 of 1,000"
    with qtbot.waitSignal(body.searched, timeout=5000) as searched:
        search.case_button.setChecked(True)
    assert searched.args == [0]
    assert count.text() == "no matches"


def test_error_status_and_transport_errors_are_one_sentence(qtbot, window, edge) -> None:
    send(qtbot, window, f"{edge.base_url}/nope")
    assert "404" in window.response.status.text()
    window.editor.url.setText("http://127.0.0.1:9/unreachable")
    with qtbot.waitSignal(window.request_failed, timeout=10_000) as failed:
        window.editor.send_button.click()
    assert "127.0.0.1:9" in failed.args[0]
    assert "Traceback" not in window.response.status.toolTip()


class Catalog:
    """A vendor with a live environment: no real vendor host may be reached from a test."""

    def __init__(self, providers: list[ProviderProfile]) -> None:
        self._providers = providers

    def load(self) -> Future[tuple[list[ProviderProfile], list[str]]]:
        done: Future[tuple[list[ProviderProfile], list[str]]] = Future()
        done.set_result((self._providers, []))
        return done


@pytest.fixture
def vendor_window(qtbot, services, edge):  # type: ignore[no-untyped-def]
    from explorer.ui.main_window import MainWindow

    vendor = ProviderProfile(
        id="acme",
        name="Acme",
        environments=(
            Environment("Production", edge.base_url, live=True, variables={"tenant": "t1"}),
            Environment("Sandbox (local)", edge.base_url, sandbox=True),
        ),
    )
    services.providers = Catalog([vendor])
    services.sender.ready.result(timeout=20).profiles["acme"] = vendor  # sends go to the edge
    win = MainWindow(services)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.provider_bar.provider_combo.count() == 2)
    yield win
    win.close()


def test_environment_feeds_variables_and_the_url_marks_undefined_ones(qtbot, vendor_window) -> None:
    combo = child(vendor_window, QComboBox, "providerCombo")
    combo.setCurrentIndex(combo.findData("acme"))
    environments = child(vendor_window, QComboBox, "environmentCombo")
    assert environments.currentText() == "Sandbox (local)"
    live = environments.findText("Production")
    assert not environments.itemIcon(live).isNull()  # live environments are marked in the list
    assert "Live" in environments.itemData(live, Qt.ItemDataRole.ToolTipRole)
    assert environments.itemIcon(environments.findText("Sandbox (local)")).isNull()
    environments.setCurrentText("Production")
    url = child(vendor_window, QLineEdit, "urlEdit")
    url.setText("{{base_url}}/echo?t={{tenant}}&x={{missing}}")
    assert url.variables() == [("base_url", True), ("tenant", True), ("missing", False)]


def test_live_environment_asks_before_a_post(qtbot, vendor_window, edge) -> None:
    combo = child(vendor_window, QComboBox, "providerCombo")
    combo.setCurrentIndex(combo.findData("acme"))
    child(vendor_window, QComboBox, "environmentCombo").setCurrentText("Production")
    banner = child(vendor_window, QLabel, "liveBanner")
    assert banner.isVisible()
    assert "LIVE" in banner.text()
    vendor_window.editor.method.setCurrentText("POST")
    vendor_window.editor.url.setText("{{base_url}}/echo")
    vendor_window.editor.send_button.click()
    box = vendor_window.findChild(QMessageBox, "liveConfirmation")
    assert box is not None
    assert box.isVisible()
    assert f"POST {edge.base_url}/echo goes to Production" in box.text()  # the host, not {{…}}
    assert not vendor_window.busy
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert not vendor_window.busy
    vendor_window.editor.send_button.click()
    box = vendor_window.findChild(QMessageBox, "liveConfirmation")
    send_button = next(b for b in box.buttons() if b.text() == "Send")
    with qtbot.waitSignal(vendor_window.request_finished, timeout=10_000):
        send_button.click()
    assert "200" in vendor_window.response.status.text()


def test_a_double_click_on_send_sends_instead_of_cancelling(qtbot, window, edge) -> None:
    """#15: the second click of a double-click landed on "Cancel"; it is ignored now, while a
    deliberate Cancel later still cancels."""
    window.editor.url.setText(f"{edge.base_url}/echo")
    cancelled: list[bool] = []
    window.editor.cancel_requested.connect(lambda: cancelled.append(True))
    with qtbot.waitSignal(window.request_finished, timeout=10_000):
        qtbot.mouseClick(window.editor.send_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(window.editor.send_button, Qt.MouseButton.LeftButton)  # at once
    assert "200" in window.response.status.text()
    assert cancelled == []


@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "does not support (raise|grabbing)")  # popups
def test_a_click_in_the_method_field_opens_its_list(qtbot, window) -> None:
    method = window.editor.method
    line = method.lineEdit()
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: method.view().isVisible(), timeout=5_000)
    method.hidePopup()


def test_a_rate_limited_send_says_why_it_waits_and_counts_down(qtbot, vendor_window) -> None:
    """#15: a 429 wait showed only "Sending…"; the status line now gives the reason and a
    countdown until the retry, then the response."""
    combo = child(vendor_window, QComboBox, "providerCombo")
    combo.setCurrentIndex(combo.findData("acme"))
    vendor_window.editor.url.setText("{{base_url}}/busy?key=countdown&after=2")
    status = vendor_window.response.status
    with qtbot.waitSignal(vendor_window.request_finished, timeout=15_000):
        vendor_window.editor.send_button.click()
        waiting = "Rate limited (429), retry 1 in "
        qtbot.waitUntil(lambda: status.full_text().startswith(waiting), timeout=10_000)
    assert "200" in status.text()
