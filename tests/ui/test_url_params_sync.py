"""The URL's query and the Params table are one thing (#15 item 10): typing either rewrites the
other, disabled rows, order, ``{{variables}}`` and encoding as typed are kept, nothing echoes
back, an opened request is not "edited" by being shown, and the same target is sent either
way."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from explorer.core.models import KeyValue, RequestSpec
from explorer.ui.request_editor import RequestEditor
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def editor(qtbot) -> RequestEditor:  # type: ignore[no-untyped-def]
    widget = RequestEditor()
    qtbot.addWidget(widget)
    return widget


def rows(editor: RequestEditor) -> list[tuple[str, str, bool]]:
    return [(r.name, r.value, r.enabled) for r in editor.params.to_rows()]


def set_cell(editor: RequestEditor, row: int, column: int, text: str) -> None:
    item = editor.params.table.item(row, column)
    item.setText(text)


def test_typing_the_query_fills_the_table_and_keeps_disabled_rows(editor) -> None:  # type: ignore[no-untyped-def]
    editor.load(
        RequestSpec(
            "GET",
            "https://api.test/items",
            params=(KeyValue("off", "1", enabled=False), KeyValue("page", "1")),
        )
    )
    assert editor.url.text() == "https://api.test/items?page=1"
    editor.url.setText("https://api.test/items?page=2&q={{term}}&sort=a%2Cb")
    assert rows(editor) == [
        ("off", "1", False),
        ("page", "2", True),
        ("q", "{{term}}", True),
        ("sort", "a,b", True),
    ]
    assert editor.tabs.tabText(0) == "Params (3)"


def test_editing_the_table_rewrites_the_query_as_typed(editor) -> None:  # type: ignore[no-untyped-def]
    editor.load(RequestSpec("GET", "https://api.test/items?sort=a%2Cb&tag=x y#top"))
    assert rows(editor) == [("sort", "a,b", True), ("tag", "x y", True)]
    set_cell(editor, 1, 1, "new value")
    # the untouched pair keeps its typed encoding; the edited one is encoded as the core would
    assert editor.url.text() == "https://api.test/items?sort=a%2Cb&tag=new+value#top"
    set_cell(editor, 2, 0, "{{key}}")
    assert editor.url.text() == "https://api.test/items?sort=a%2Cb&tag=new+value&{{key}}=#top"
    editor.params.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert editor.url.text() == "https://api.test/items?tag=new+value&{{key}}=#top"
    assert rows(editor)[0] == ("sort", "a,b", False)  # kept in the table, not sent


def test_a_shown_request_is_not_an_edit(editor) -> None:  # type: ignore[no-untyped-def]
    for spec in (
        RequestSpec("GET", "https://api.test/a?x=%20raw", params=(KeyValue("y", "a b"),)),
        RequestSpec("GET", "{{base_url}}/a", params=(KeyValue("q", "{{term}}"),)),
        RequestSpec("GET", "{{base_url}}/a?who={{who}}"),
        RequestSpec("GET", "https://api.test/a", params=(KeyValue("n", "1", enabled=False),)),
    ):
        editor.load(spec)
        assert editor.to_spec() == spec


def test_a_request_that_holds_its_query_as_params_keeps_it_so(editor) -> None:  # type: ignore[no-untyped-def]
    editor.load(RequestSpec("GET", "https://api.test/a", params=(KeyValue("q", "x"),)))
    editor.url.setText("https://api.test/a?q=a+b&n={{n}}")
    assert editor.to_spec().url == "https://api.test/a"
    assert editor.to_spec().params == (KeyValue("q", "a b"), KeyValue("n", "{{n}}"))
    editor.url.setText("https://api.test/a?q=a%20b")  # not our encoding: kept as typed
    assert editor.to_spec().url == "https://api.test/a?q=a%20b"
    assert editor.to_spec().params == ()


def test_the_same_target_is_sent_whether_edited_in_the_url_or_the_table(  # type: ignore[no-untyped-def]
    qtbot, window, edge
) -> None:
    base = f"{edge.base_url}/echo"
    paths = []
    for via_table in (True, False):
        window.load_request(RequestSpec("GET", base))
        if via_table:
            set_cell(window.editor, 0, 0, "q")
            set_cell(window.editor, 0, 1, "a b/c")
            set_cell(window.editor, 1, 0, "page")
            set_cell(window.editor, 1, 1, "2")
        else:
            window.editor.url.setText(f"{base}?q=a+b%2Fc&page=2")
        assert window.editor.url.text() == f"{base}?q=a+b%2Fc&page=2"
        assert window.editor.to_spec().url == f"{base}?q=a+b%2Fc&page=2"  # typed: kept so
        with qtbot.waitSignal(window.request_finished, timeout=10_000) as finished:
            window.editor.send_button.click()
        paths.append(json.loads(finished.args[0].exchange.response.body.read_bytes())["path"])
    assert paths == ["/echo?q=a+b%2Fc&page=2"] * 2
