"""The History pane: rows grouped by day with the URL as sent, status, provider and environment;
the search field filters them; Clear (after asking) empties the list and deletes the files; a
send that gets no answer is recorded with its reason; activating a row asks to reopen it."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QToolButton, QTreeWidget

from explorer.core.models import RequestSpec
from explorer.services.workspace_api import HistoryEntry
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def entry(url: str, days_ago: int = 0, **fields: object) -> HistoryEntry:
    sent = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    values: dict[str, object] = {"status": 200, "elapsed_ms": 12.0, "size": 2, "url": url}
    values.update(fields)
    return HistoryEntry(spec=RequestSpec("GET", url), sent_at=sent, **values)  # type: ignore[arg-type]


def refused_url() -> str:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/nothing"


def test_rows_are_grouped_by_day_with_url_provider_and_status(qtbot, window) -> None:
    history = window.history
    old = entry("https://old.example/a", days_ago=9)
    history.load(
        [
            entry("https://api.example/items?page=2", provider_id="pce", environment="Sandbox"),
            entry("https://api.example/yesterday", days_ago=1, status=None, error="Refused."),
            old,
        ]
    )
    tree = window.findChild(QTreeWidget, "historyList")
    titles = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    moment = datetime.fromisoformat(old.sent_at).astimezone()
    assert titles == ["Today", "Yesterday", f"{moment.day} {moment.strftime('%B %Y')}"]
    today = tree.topLevelItem(0).child(0).text(0)
    assert today.startswith("200  GET  https://api.example/items?page=2  · pce / Sandbox    ")
    failed = tree.topLevelItem(1).child(0)
    assert failed.text(0).startswith("failed  GET  https://api.example/yesterday")
    assert "Refused." in failed.toolTip(0)


def test_search_filters_rows_by_url_method_status_and_provider(qtbot, window) -> None:
    history = window.history
    history.load(
        [
            entry("https://api.example/orders", provider_id="pce", environment="Sandbox"),
            entry("https://api.example/items", days_ago=1, status=404),
        ]
    )
    search = window.findChild(QLineEdit, "historySearch")
    search.setText("ORDERS")
    assert [r.text(0).split("  ")[2] for r in history.visible_rows()] == [
        "https://api.example/orders"
    ]
    assert history.days()[1].isHidden()  # yesterday has no match
    search.setText("404")
    assert [r.text(0)[:3] for r in history.visible_rows()] == ["404"]
    search.setText("pce sandbox")
    assert len(history.visible_rows()) == 1
    search.clear()
    assert len(history.visible_rows()) == 2


def test_a_refused_connection_is_recorded_as_a_failure(qtbot, window, tmp_path: Path) -> None:
    url = refused_url()
    window.editor.url.setText(url)
    with qtbot.waitSignal(window.request_failed, timeout=10_000):
        window.editor.send_button.click()
    qtbot.waitUntil(lambda: window.history.count() == 1, timeout=10_000)
    row = window.history.rows()[0]
    kept = row.data(0, Qt.ItemDataRole.UserRole)
    assert kept.status is None
    assert kept.error
    assert row.text(0).startswith(f"failed  GET  {url}")
    assert kept.error in row.toolTip(0)
    files = list((tmp_path / "workspace" / "history").glob("*.jsonl"))
    assert len(files) == 1
    assert '"status": null' in files[0].read_text(encoding="utf-8")


def test_a_request_that_could_not_be_built_is_not_history(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.editor.url.setText("http://127.0.0.1:9/{{nowhere}}")
    with qtbot.waitSignal(window.request_failed, timeout=10_000) as failed:
        window.editor.send_button.click()
    assert "{{nowhere}}" in failed.args[0]
    window.editor.url.setText(refused_url())  # then one that is attempted, and recorded
    with qtbot.waitSignal(window.request_failed, timeout=10_000):
        window.editor.send_button.click()
    qtbot.waitUntil(lambda: window.history.count() == 1, timeout=10_000)
    assert "nowhere" not in window.history.rows()[0].text(0)


def test_clear_asks_then_empties_the_list_and_the_files(qtbot, window, edge, tmp_path) -> None:
    with qtbot.waitSignal(window.request_finished, timeout=10_000):
        window.send(RequestSpec("GET", f"{edge.base_url}/echo"))
    qtbot.waitUntil(lambda: window.history.count() == 1, timeout=10_000)
    folder = tmp_path / "workspace" / "history"
    assert list(folder.glob("*.jsonl"))
    window.findChild(QToolButton, "historyClear").click()
    box = window.findChild(QMessageBox, "historyClearConfirm")
    assert box is not None
    assert box.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert window.history.count() == 1
    window.findChild(QToolButton, "historyClear").click()
    box = window.findChild(QMessageBox, "historyClearConfirm")
    delete = next(b for b in box.buttons() if b.text() == "Delete history")
    delete.click()
    qtbot.waitUntil(lambda: window.history.count() == 0, timeout=10_000)
    assert not list(folder.glob("*.jsonl"))


def test_activating_a_row_or_its_open_action_asks_to_reopen_it(qtbot, window) -> None:
    history = window.history
    history.load([entry("https://api.example/items")])
    row = history.rows()[0]
    with qtbot.waitSignal(history.entry_activated) as emitted:
        history.tree.itemActivated.emit(row, 0)
    assert emitted.args[0].url == "https://api.example/items"
    menu = history.menu_at(history.tree.visualItemRect(row).center())
    assert menu is not None
    assert menu.objectName() == "historyMenu"
    with qtbot.waitSignal(history.entry_activated):
        menu.findChild(type(menu.actions()[0]), "historyAction_open").trigger()
    menu.close()
    heading = history.days()[0]
    assert history.menu_at(history.tree.visualItemRect(heading).center()) is None
