"""The credentials panel in collection mode (issue 16): a collection bound to no provider shows
its declared secret variables; a value set there is stored under the collection and the next
send uses it; Clear forgets it and the send names the undefined variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from explorer.core.models import AuthSpec, RequestSpec
from explorer.core.workspace.store import WorkspaceStore
from tests.support.recording import RecordingServer
from tests.ui.conftest import OFFSCREEN_NOISE, open_window
from tests.ui.test_collection_environments import click, tree

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    recording = RecordingServer()
    yield recording
    recording.stop()


@pytest.fixture
def shop(tmp_path: Path, server: RecordingServer) -> tuple[Path, Path]:
    """A collection declaring one secret variable, and a request using it, written before the
    window's services open the workspace (ask for it before ``services``)."""
    store = WorkspaceStore(tmp_path / "workspace")
    collection = store.create_collection("Shop")
    store.declare_secrets(collection, ["shop_token"])
    assert "shop_token" in (collection / "collection.yaml").read_text()
    spec = RequestSpec(
        name="me",
        url=f"{server.base_url}/me",
        auth=AuthSpec("bearer", (("token", "{{shop_token}}"),)),
    )
    return collection, store.create_request(collection, spec)


def test_a_collection_secret_set_in_the_panel_is_sent(qtbot, shop, services, server):  # type: ignore[no-untyped-def]
    collection, request = shop
    window = open_window(qtbot, services)
    try:
        qtbot.waitUntil(lambda: tree(window).index_of(request).isValid(), timeout=10_000)
        click(qtbot, window, request)
        panel = window.credentials
        qtbot.waitUntil(lambda: [s.name for s in panel.slots] == ["shop_token"], timeout=10_000)
        assert panel.title.text() == "Secret variables"
        assert panel.findChild(QLabel, "slotState_shop_token").text() == "missing"

        panel.set_value("shop_token", "tok-from-panel")
        qtbot.waitUntil(lambda: bool(panel.slots) and panel.slots[0].stored, timeout=10_000)
        qtbot.waitUntil(lambda: panel.findChild(QPushButton, "slotReveal_shop_token") is not None)
        reveal = panel.findChild(QPushButton, "slotReveal_shop_token")
        reveal.click()  # one click, nothing held down
        qtbot.waitUntil(lambda: panel.reveal_dialog is not None, timeout=10_000)
        assert panel.reveal_dialog.objectName() == "slotValueDialog"
        assert panel.reveal_dialog.text() == "tok-from-panel"
        panel.reveal_dialog.close()
        mark = server.mark()
        with qtbot.waitSignal(window.request_finished, timeout=20_000):
            window.editor.send_button.click()
        assert [r.header("Authorization") for r in server.since(mark)] == ["Bearer tok-from-panel"]
        assert "tok-from-panel" not in "".join(p.read_text() for p in collection.rglob("*.yaml"))

        panel._write("shop_token", None)
        qtbot.waitUntil(lambda: bool(panel.slots) and not panel.slots[0].stored, timeout=10_000)
        mark = server.mark()
        with qtbot.waitSignal(window.request_failed, timeout=20_000) as failed:
            window.editor.send_button.click()
        assert "{{shop_token}}" in str(failed.args[0])
        assert server.since(mark) == []
    finally:
        window.close()


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    store = WorkspaceStore(tmp_path / "workspace")
    collection = store.create_collection("Plain")
    return store.create_request(collection, RequestSpec(name="r", url="https://x.test"))


def test_collection_with_no_secrets_says_so(qtbot, plain, services) -> None:  # type: ignore[no-untyped-def]
    request = plain
    window = open_window(qtbot, services)
    try:
        qtbot.waitUntil(lambda: tree(window).index_of(request).isValid(), timeout=10_000)
        click(qtbot, window, request)
        label = window.credentials.store_label
        qtbot.waitUntil(lambda: "declares no secret variables" in label.text(), timeout=10_000)
    finally:
        window.close()


@pytest.fixture
def long_named(tmp_path: Path) -> Path:
    store = WorkspaceStore(tmp_path / "workspace")
    collection = store.create_collection("Long")
    store.declare_secrets(collection, ["a_very_long_secret_variable_name_from_an_import"])
    return store.create_request(collection, RequestSpec(name="r", url="https://x.test"))


def test_a_long_secret_name_does_not_widen_the_left_pane(qtbot, long_named, services) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, services)
    try:
        qtbot.waitUntil(lambda: tree(window).index_of(long_named).isValid(), timeout=10_000)
        before = window.main_splitter.sizes()[0]
        click(qtbot, window, long_named)
        name = "a_very_long_secret_variable_name_from_an_import"
        qtbot.waitUntil(
            lambda: [s.name for s in window.credentials.slots] == [name], timeout=10_000
        )
        QApplication.processEvents()  # the new rows' layout pass
        assert window.main_splitter.sizes()[0] == before
        label = window.findChild(QLabel, f"slotName_{name}")
        assert label is not None
        assert label.toolTip() == name  # the whole name, where it is elided
    finally:
        window.close()
