"""Header names complete in the Headers table (#15 item 10), and so do media types in the
value of a ``Content-Type`` or ``Accept`` row; other cells do not offer completions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCompleter, QLineEdit

from explorer.core.models import KeyValue, RequestSpec
from explorer.ui.request_editor import RequestEditor
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(
    OFFSCREEN_NOISE, "does not support (raise|grabbing)"
)  # popups


def open_editor(qtbot, editor: RequestEditor, row: int, column: int) -> QLineEdit:  # type: ignore[no-untyped-def]
    grid = editor.headers.table
    editor.tabs.setCurrentWidget(editor.headers)
    grid.setCurrentCell(row, column)
    grid.editItem(grid.item(row, column))
    qtbot.waitUntil(lambda: isinstance(grid.focusWidget(), QLineEdit))
    cell = grid.focusWidget()
    assert isinstance(cell, QLineEdit)
    qtbot.waitUntil(cell.hasFocus)
    return cell


def test_a_header_name_completes(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = RequestEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.activateWindow()
    qtbot.waitActive(editor)
    names = editor.findChild(QCompleter, "headerNameCompleter")
    assert names is not None
    cell = open_editor(qtbot, editor, 0, 0)
    assert cell.completer() is names
    qtbot.keyClicks(cell, "if-n")
    assert names.currentCompletion() == "If-None-Match"
    popup = names.popup()
    qtbot.waitUntil(popup.isVisible)
    first = popup.model().index(0, 0)
    qtbot.mouseClick(
        popup.viewport(), Qt.MouseButton.LeftButton, pos=popup.visualRect(first).center()
    )
    assert cell.text() == "If-None-Match"
    qtbot.waitUntil(lambda: not popup.isVisible())
    qtbot.keyClick(cell, Qt.Key.Key_Tab)  # the table's editor commits on leaving the cell
    assert editor.to_spec().headers == (KeyValue("If-None-Match", ""),)


def test_media_types_complete_only_for_content_type_and_accept(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = RequestEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.activateWindow()
    qtbot.waitActive(editor)
    editor.load(
        RequestSpec(
            "GET", "https://api.test", headers=(KeyValue("content-type"), KeyValue("X-Trace"))
        )
    )
    values = editor.findChild(QCompleter, "headerValueCompleter")
    cell = open_editor(qtbot, editor, 0, 1)
    assert cell.completer() is values
    qtbot.keyClicks(cell, "application/js")
    assert values.currentCompletion() == "application/json"
    qtbot.keyClick(cell, Qt.Key.Key_Escape)
    assert open_editor(qtbot, editor, 1, 1).completer() is None
