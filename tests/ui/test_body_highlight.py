"""The request body editor is highlighted (#15 item 10): JSON keys, strings, numbers and
``{{variables}}`` in the theme's colours for either palette, XML by the raw content type, and
a body above the limit is left plain (and coloured again once it is small)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from explorer.core.models import Body, BodyMode
from explorer.ui.body_editor import BodyEditor
from explorer.ui.body_highlight import MAX_CHARS
from explorer.ui.theme import build_palette, syntax_colors


def colour_at(editor: BodyEditor, line: int, column: int) -> QColor | None:
    block = editor.text.document().findBlockByNumber(line)
    for span in block.layout().formats():
        if span.start <= column < span.start + span.length:
            return span.format.foreground().color()
    return None


@pytest.mark.parametrize("dark", [False, True])
def test_json_is_coloured_from_the_palette(qtbot, dark: bool) -> None:  # type: ignore[no-untyped-def]
    editor = BodyEditor()
    qtbot.addWidget(editor)
    editor.setPalette(build_palette(dark))
    editor.load(Body(BodyMode.JSON, '{"name": "Ada",\n "qty": 12, "who": {{user}}, "ok": true}'))
    colours = syntax_colors(build_palette(dark))
    assert colour_at(editor, 0, 2) == colours["key"]
    assert colour_at(editor, 0, 11) == colours["string"]
    assert colour_at(editor, 1, 9) == colours["number"]
    assert colour_at(editor, 1, 21) == colours["keyword"]  # the variable
    assert colour_at(editor, 1, 35) == colours["keyword"]  # true


def test_xml_follows_the_raw_content_type(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = BodyEditor()
    qtbot.addWidget(editor)
    editor.load(Body(BodyMode.RAW, '<item id="7">x</item>', content_type="text/plain"))
    assert editor.highlighter.language == "text"
    assert colour_at(editor, 0, 1) is None
    editor.content_type.setCurrentText("application/xml")
    colours = syntax_colors(editor.palette())
    assert colour_at(editor, 0, 1) == colours["key"]
    assert colour_at(editor, 0, 9) == colours["string"]


def test_a_huge_body_is_left_plain(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = BodyEditor()
    qtbot.addWidget(editor)
    line = '{"key": "value", "n": 1},\n'
    editor.load(Body(BodyMode.JSON, "[\n" + line * (MAX_CHARS // len(line) + 10) + "{}]"))
    assert not editor.highlighter.active
    assert colour_at(editor, 1, 2) is None
    editor.text.setPlainText("[\n" + line + "{}]")
    assert editor.highlighter.active
    key = syntax_colors(editor.palette())["key"]
    qtbot.waitUntil(lambda: colour_at(editor, 1, 2) == key)  # coloured again on the next turn
