"""What the window shows matches what happened: a JSON body with ``{{variables}}`` is accepted,
the token status follows the last real token event, the URL bar knows the open request's
folder variables, a reopened history entry never sends masked values, and a response never
stays on screen under another request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QTreeView, QWidget

from explorer.core.models import Body, BodyMode, KeyValue, RequestSpec
from explorer.core.redaction import MASK
from explorer.core.workspace.collections import save_collection
from explorer.core.workspace.model import Folder, SavedRequest, Variable
from explorer.core.workspace.store import WorkspaceStore
from explorer.services.api import Services
from explorer.ui.masked import NOT_KEPT
from explorer.ui.response_view import EMPTY
from tests.ui.conftest import OFFSCREEN_NOISE, open_window
from tests.ui.test_vendor_flows import choose, control, send_sample

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def open_in_tree(qtbot, window, path: Path) -> None:  # type: ignore[no-untyped-def]
    tree = window.findChild(QTreeView, "collectionTree")
    qtbot.waitUntil(lambda: tree.index_of(path).isValid(), timeout=10_000)
    index = tree.index_of(path)
    tree.scrollTo(index)
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(index).center()
    )


@pytest.fixture
def requests_on_disk(tmp_path: Path, edge) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """``Team/Admin/Who am I`` uses the collection's ``{{root}}`` and the folder's ``{{who}}``;
    ``Other/Plain`` lives in a collection without variables."""
    store = WorkspaceStore(tmp_path / "workspace")
    team = Folder(
        "Team",
        variables=(Variable("root", edge.base_url),),
        items=(
            Folder(
                "Admin",
                variables=(Variable("who", "folder"),),
                items=(SavedRequest(RequestSpec("GET", "{{root}}/echo?who={{who}}", "Who")),),
            ),
        ),
    )
    other = Folder("Other", items=(SavedRequest(RequestSpec("GET", "{{root}}/x", "Plain")),))
    who = save_collection(team, store.collections_dir / "team").requests()[0][1].path
    plain = save_collection(other, store.collections_dir / "other").requests()[0][1].path
    return who, plain  # type: ignore[return-value]


@pytest.fixture
def win(qtbot, requests_on_disk, services: Services):  # type: ignore[no-untyped-def]
    window = open_window(qtbot, services)
    yield window
    window.close()


def test_a_json_body_with_a_placeholder_value_is_valid_and_reaches_the_core(qtbot, window) -> None:
    body = window.editor.body
    window.load_request(
        RequestSpec("POST", "http://localhost/x", body=Body(BodyMode.JSON, '{"qty": {{qty}}}'))
    )
    qtbot.waitUntil(lambda: body.status.text() == "Valid JSON")
    with qtbot.waitSignal(window.request_failed, timeout=10_000) as failed:
        window.editor.send_button.click()
    assert "{{qty}} in body" in failed.args[0]  # the core expanded it, not the window refusing
    body.text.setPlainText('{"qty": {{qty}} "x": 1}')
    qtbot.waitUntil(lambda: body.status.text().startswith("Invalid JSON: Line 1, column 17"))


def test_the_url_bar_knows_the_open_requests_folder_variables(qtbot, win, requests_on_disk):  # type: ignore[no-untyped-def]
    who, plain = requests_on_disk
    open_in_tree(qtbot, win, who)
    qtbot.waitUntil(lambda: win.editor.url.variables() == [("root", True), ("who", True)])
    open_in_tree(qtbot, win, plain)
    qtbot.waitUntil(lambda: win.editor.url.variables() == [("root", False)])


def test_the_response_is_cleared_when_it_is_not_the_open_requests(  # type: ignore[no-untyped-def]
    qtbot, win, requests_on_disk, edge
):
    who, plain = requests_on_disk
    open_in_tree(qtbot, win, who)
    with qtbot.waitSignal(win.request_finished, timeout=10_000):
        win.editor.send_button.click()
    assert win.response.exchange is not None
    open_in_tree(qtbot, win, plain)
    assert win.response.exchange is None
    assert win.response.status.full_text() == EMPTY

    for url, stop in ((f"{edge.base_url}/slow?delay=5", True), ("http://127.0.0.1:1/", False)):
        with qtbot.waitSignal(win.request_finished, timeout=10_000):
            win.send(RequestSpec("GET", f"{edge.base_url}/echo"))
        assert win.response.body.document is not None or win.response.exchange is not None
        if stop:
            win.send(RequestSpec("GET", url))
            win.cancel()
        else:
            with qtbot.waitSignal(win.request_failed, timeout=10_000):
                win.send(RequestSpec("GET", url))
        assert win.response.exchange is None
        assert win.response.headers.rowCount() == 0
        assert not win.response.copy_button.isEnabled()


def test_history_reopen_never_sends_masked_values(qtbot, window, edge) -> None:
    spec = RequestSpec(
        "GET", f"{edge.base_url}/echo", headers=(KeyValue("Authorization", "Bearer abc123"),)
    )
    with qtbot.waitSignal(window.request_finished, timeout=10_000):
        window.send(spec)
    history = window.history
    qtbot.waitUntil(lambda: history.count() == 1)
    row = history.rows()[0]
    assert MASK in row.data(0, Qt.ItemDataRole.UserRole).spec.headers[0].value
    history.tree.itemClicked.emit(row, 0)
    cell = window.editor.headers.table.item(0, 1)
    assert cell.text() == ""
    assert cell.toolTip() == NOT_KEPT
    notice = window.findChild(QWidget, "requestNotice")
    assert notice.isVisible()
    assert "header Authorization" in notice.text()
    with qtbot.waitSignal(window.request_finished, timeout=10_000) as finished:
        window.editor.send_button.click()
    echoed = json.loads(finished.args[0].exchange.response.body.read_bytes())
    assert MASK not in json.dumps(echoed)
    cell = window.editor.headers.table.item(0, 1)
    cell.setText("Bearer again")
    assert cell.toolTip() == ""


# -- the token status -------------------------------------------------------------------------


def test_an_environment_that_cannot_be_used_yet_is_not_a_failed_grant(qtbot, demo_window) -> None:
    combo = demo_window.findChild(QComboBox, "providerCombo")
    combo.setCurrentIndex(combo.findData("priceedge"))
    environments = demo_window.findChild(QComboBox, "environmentCombo")
    others = [environments.itemText(i) for i in range(environments.count())]
    production = next(name for name in others if name != "Sandbox (local)")
    with qtbot.waitSignal(demo_window.token_changed, timeout=10_000):
        environments.setCurrentText(production)
    status = demo_window.token_status
    assert status.text() == "token: not tried yet"
    assert status.view.state == "none"
    assert "client_id" in status.toolTip()  # the reason: no credentials stored for it


def test_a_failed_re_login_shows_failed_until_a_later_success(qtbot, demo_window) -> None:
    choose(qtbot, demo_window, "priceedge")
    status = demo_window.token_status
    assert send_sample(qtbot, demo_window).exchange.response.status == 200
    qtbot.waitUntil(lambda: status.text().endswith("left"), timeout=10_000)

    control(demo_window, "faults", {"provider": "priceedge", "error_next": 10})
    demo_window._on_inspector_refresh()  # "Refresh now": the token endpoint fails
    qtbot.waitUntil(lambda: status.text() == "token: failed", timeout=20_000)
    with qtbot.waitSignal(demo_window.token_changed, timeout=10_000):
        demo_window._refresh_token_status()  # read the state again: still what happened last
    assert status.text() == "token: failed"
    assert status.view.detail in status.toolTip()

    control(demo_window, "faults", {"provider": "priceedge", "clear": True})
    demo_window._on_inspector_refresh()
    qtbot.waitUntil(lambda: status.text().endswith("left"), timeout=20_000)


def test_the_url_bar_knows_the_providers_saved_environment_values(
    qtbot, tmp_path: Path, demo_services: Services
) -> None:
    """A value saved for the provider environment (``environments/<provider>.yaml``) resolves
    in a send, so the URL bar colours it as defined (``context.preview_scope``)."""
    saved = tmp_path / "workspace" / "environments" / "priceedge.yaml"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(
        "environments:\n  - name: Sandbox (local)\n    variables:\n      region: eu\n",
        encoding="utf-8",
    )
    window = open_window(qtbot, demo_services)
    qtbot.waitUntil(lambda: window.provider_bar.provider_combo.count() > 1, timeout=20_000)
    window.load_request(RequestSpec("GET", "{{base_url}}/{{region}}/{{nowhere}}"))
    choose(qtbot, window, "priceedge")
    expected = [("base_url", True), ("region", True), ("nowhere", False)]
    qtbot.waitUntil(lambda: window.editor.url.variables() == expected, timeout=10_000)
    window.close()
