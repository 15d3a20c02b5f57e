"""The menu bar: File, Edit, View, Run, Help in that order with every action named in
docs/architecture.md; Quit closes the window; Edit acts on the focused field; View hides panes;
Help lists every shortcut and opens the documentation."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMenu, QTableWidget

from explorer.ui import menus
from tests.ui.conftest import OFFSCREEN_NOISE, open_window
from tests.ui.test_send_flow import child

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

ACTIONS = (
    "quitAction",
    "settingsAction",
    "themeAction_system",
    "themeAction_light",
    "themeAction_dark",
    "viewAction_sidePane",
    "viewAction_responsePane",
    "shortcutsAction",
    "aboutAction",
    "docsAction",
    "runCollectionAction",
    *(f"editAction_{slot}" for slot, _text, _keys in menus.EDIT_ACTIONS),
)


def test_menus_in_order_with_every_action(window) -> None:
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    ours = ["File", "Edit", "View", "Run", "Help"]
    assert [t for t in titles if t in ours] == ours
    assert titles[-1] == "Help"
    for name in ("fileMenu", "editMenu", "viewMenu", "helpMenu"):
        child(window, QMenu, name)
    for name in ACTIONS:
        child(window, QAction, name)
    assert child(window, QAction, "quitAction").shortcut().toString() == "Ctrl+Q"
    assert child(window, QAction, "settingsAction").shortcut().toString() == "Ctrl+,"


def test_quit_closes_the_window(qtbot, services) -> None:
    win = open_window(qtbot, services)
    child(win, QAction, "quitAction").trigger()
    qtbot.waitUntil(lambda: not win.isVisible())


def test_edit_actions_act_on_the_focused_field(qtbot, window) -> None:
    url = child(window, QLineEdit, "urlEdit")
    url.setText("https://example.test/a")
    url.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is url)
    child(window, QAction, "editAction_selectAll").trigger()
    child(window, QAction, "editAction_cut").trigger()
    assert url.text() == ""
    child(window, QAction, "editAction_paste").trigger()
    assert url.text() == "https://example.test/a"
    child(window, QAction, "editAction_undo").trigger()
    assert url.text() == ""


def test_view_toggles_hide_and_show_panes(window) -> None:
    side = window.main_splitter.widget(0)
    child(window, QAction, "viewAction_sidePane").trigger()
    assert not side.isVisible()
    child(window, QAction, "viewAction_responsePane").trigger()
    assert not window.response.isVisible()
    child(window, QAction, "viewAction_sidePane").trigger()
    assert side.isVisible()


def test_the_shortcuts_dialog_lists_every_shortcut(qtbot, window) -> None:
    child(window, QAction, "shortcutsAction").trigger()
    dialog = child(window, QDialog, "shortcutsDialog")
    qtbot.waitUntil(dialog.isVisible)
    table = child(dialog, QTableWidget, "shortcutsTable")
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["Ctrl+Return"] == "Send the request"
    assert rows["Ctrl+Enter"] == "Send the request"
    assert rows["Ctrl+Q"] == "Quit"
    assert rows["Ctrl+,"] == "Settings"
    assert "Ctrl+L" in rows


def test_docs_and_about(qtbot, window, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(menus.QDesktopServices, "openUrl", opened.append)
    child(window, QAction, "docsAction").trigger()
    assert len(opened) == 1
    assert opened[0].isLocalFile()
    child(window, QAction, "aboutAction").trigger()
    about = child(window, QDialog, "aboutDialog")
    qtbot.waitUntil(about.isVisible)
    assert "API Explorer" in about.text()
    about.close()
