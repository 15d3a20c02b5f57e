"""A curl command pasted into the URL bar becomes the whole request (method, headers, body,
credentials as pasted), by Ctrl+V and by the context menu; a broken one is refused with the reason
and the field keeps what it had. The built request really sends."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit

from explorer.core.models import BodyMode, RequestSpec
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

COMMAND = (
    "curl -X POST '{base}/echo?q=a%20b' \\\n"
    "  -H 'Authorization: Bearer tok-123' \\\n"
    "  -H 'X-Trace: 7' -H 'Content-Type: application/json' \\\n"
    '  --data-raw \'{{"name": "Jörg"}}\' --compressed --http2'
)


def paste(qtbot, url: QLineEdit, text: str) -> None:  # type: ignore[no-untyped-def]
    QGuiApplication.clipboard().setText(text)
    url.setFocus()
    qtbot.keyClick(url, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_v_of_a_multiline_curl_builds_the_request_and_it_sends(qtbot, window, edge) -> None:
    editor = window.editor
    paste(qtbot, editor.url, COMMAND.format(base=edge.base_url))

    spec = editor.to_spec()
    assert spec.method == "POST"
    assert spec.url.startswith(f"{edge.base_url}/echo")
    assert ("X-Trace", "7") in [(h.name, h.value) for h in spec.headers]
    assert ("Authorization", "Bearer tok-123") in [(h.name, h.value) for h in spec.headers]
    assert spec.body.mode is BodyMode.JSON
    notice = window.findChild(QLabel, "requestNotice")
    assert notice.isVisible()
    assert "curl" in notice.text()
    assert "--http2 is not imported" in notice.text()

    with qtbot.waitSignal(window.request_finished, timeout=20_000) as finished:
        editor.send_button.click()
    assert finished.args[0].exchange.response.status == 200
    echoed = json.loads(window.response.exchange.response.body.read_bytes())
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/echo?q=a%20b"
    assert ["X-Trace", "7"] in echoed["headers"]
    assert ["Authorization", "Bearer tok-123"] in echoed["headers"]
    assert json.loads(echoed["body"].encode("latin-1")) == {"name": "Jörg"}  # echoed as latin-1


def test_a_broken_curl_is_refused_with_the_reason_and_the_url_is_kept(qtbot, window) -> None:
    editor = window.editor
    editor.url.setText("https://example.test/keep")
    paste(qtbot, editor.url, "curl -H 'unterminated https://example.test/x")

    assert editor.url.text() == "https://example.test/keep"
    notice = window.findChild(QLabel, "requestNotice")
    assert notice.isVisible()
    assert "not used" in notice.text()
    assert "quotes" in notice.text()


def test_a_plain_url_pastes_as_text(qtbot, window) -> None:
    editor = window.editor
    editor.url.clear()
    paste(qtbot, editor.url, "https://example.test/a?b=1")
    assert editor.url.text() == "https://example.test/a?b=1"
    assert not window.findChild(QLabel, "requestNotice").isVisible()


def test_context_menu_paste_takes_the_curl_route_too(qtbot, window) -> None:
    editor = window.editor
    QGuiApplication.clipboard().setText("curl -u alice:secret https://example.test/me")
    menu = editor.url.context_menu()
    paste_action = next(a for a in menu.actions() if a.objectName() == "edit-paste")
    paste_action.trigger()
    menu.deleteLater()

    spec = editor.to_spec()
    assert spec.url == "https://example.test/me"
    assert spec.auth is not None
    assert dict(spec.auth.params) == {"username": "alice", "password": "secret"}


def test_typing_curl_by_hand_stays_text(qtbot, window) -> None:
    editor = window.editor
    editor.url.clear()
    qtbot.keyClicks(editor.url, "curl https://example.test")
    assert editor.url.text() == "curl https://example.test"


@pytest.fixture
def shop(tmp_path):  # type: ignore[no-untyped-def]
    """A collection with one request, written before the window's services open the workspace
    (ask for it before ``services``)."""
    from explorer.core.workspace.store import WorkspaceStore

    store = WorkspaceStore(tmp_path / "workspace")
    collection = store.create_collection("Shop")
    return collection, store.create_request(collection, RequestSpec(name="orders", url="x"))


def test_a_curl_pasted_into_a_collection_request_keeps_its_key_in_the_store_not_the_file(
    qtbot, shop, services
) -> None:
    """Issue 16: the pasted ``X-Api-Key`` becomes the collection's secret variable (value in
    the credential store), the request sends the real key, and saving writes no literal."""
    from tests.support.recording import RecordingServer
    from tests.ui.conftest import open_window
    from tests.ui.test_collection_environments import click, tree

    collection, request = shop
    server = RecordingServer()
    window = open_window(qtbot, services)
    try:
        qtbot.waitUntil(lambda: tree(window).index_of(request).isValid(), timeout=10_000)
        click(qtbot, window, request)
        qtbot.waitUntil(lambda: window.editor.to_spec().name == "orders", timeout=10_000)
        key = "sk_live_51HxQ2eLkdIwHu7ixZ9a8bC"
        paste(qtbot, window.editor.url, f"curl {server.base_url}/orders -H 'X-Api-Key: {key}'")

        header = lambda: [h.value for h in window.editor.to_spec().headers]  # noqa: E731
        qtbot.waitUntil(lambda: header() == ["{{x_api_key}}"], timeout=10_000)
        notice = window.findChild(QLabel, "requestNotice")
        assert "{{x_api_key}}" in notice.text()
        assert "x_api_key" in (collection / "collection.yaml").read_text()
        names = lambda: [s.name for s in window.credentials.slots]  # noqa: E731
        qtbot.waitUntil(lambda: names() == ["x_api_key"], timeout=10_000)

        mark = server.mark()
        with qtbot.waitSignal(window.request_finished, timeout=20_000):
            window.editor.send_button.click()
        assert [r.header("X-Api-Key") for r in server.since(mark)] == [key]

        qtbot.keyClick(window.editor.url, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: "x_api_key" in request.read_text(), timeout=10_000)
        files = "".join(p.read_text() for p in collection.rglob("*.yaml"))
        assert key not in files
    finally:
        window.close()
        server.stop()
