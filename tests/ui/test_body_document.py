"""The viewer's Qt-free model: row index, JSON re-indenting, search and lexing, checked against
simple reference implementations on generated text."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.ui import body_document as bd
from explorer.ui.body_document import build_rows, lex_block, make_document, reindent_json, search


def reference_rows(text: str, wrap: int) -> list[int]:
    rows, pos = [0], 0
    while True:
        newline = text.find("\n", pos)
        end = len(text) if newline < 0 else newline
        content = end - 1 if end > pos and text[end - 1] == "\r" else end
        rows.extend(range(pos + wrap, content, wrap))
        if newline < 0:
            return rows
        pos = newline + 1
        rows.append(pos)


pieces = st.lists(
    st.sampled_from(["ab", "cd\n", "\n", "\r\n", "needle", "x" * 70, "y" * 333, "é€"]),
    max_size=40,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=pieces, wrap=st.integers(5, 200), slice_size=st.sampled_from([7, 64, 1 << 20]))
def test_rows_and_literal_search_match_the_reference(text: str, wrap: int, slice_size: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bd, "SLICE", slice_size)
        assert list(build_rows(text, wrap)) == reference_rows(text, wrap)
        document = make_document(text, "text", wrap=wrap)
        found = search(document, "needle")
        assert list(found.starts) == [m.start() for m in re.finditer("needle", text)]
        assert found.total == text.count("needle")


def test_rows_join_back_into_the_text() -> None:
    text = "first line\n" + "z" * 1000 + "\nlast"
    document = make_document(text, "text", wrap=100)
    assert "".join(document.row_text(i) for i in range(document.row_count)) == text.replace(
        "\n", ""
    )
    assert document.row_of(text.index("last")) == document.row_count - 1


@settings(max_examples=100, deadline=None)
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=20,
    )
)
def test_reindent_keeps_the_value_and_matches_json_dumps(value: object) -> None:
    compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    pretty = reindent_json(compact)
    assert pretty is not None
    assert json.loads(pretty) == value
    assert pretty == json.dumps(value, indent=2, ensure_ascii=False)


def test_reindent_keeps_number_spelling_and_rejects_non_json() -> None:
    assert reindent_json('{"a":1.50,"b":1e400}') == '{\n  "a": 1.50,\n  "b": 1e400\n}'
    assert reindent_json("[1, 2") is None
    assert reindent_json("]") is None
    assert reindent_json("") is None


def test_search_options_and_bad_regex() -> None:
    document = make_document("Alpha alpha ALPHA\nbeta", "text")
    assert search(document, "alpha").total == 3
    assert search(document, "alpha", case_sensitive=True).total == 1
    assert search(document, r"^\w+$", regex=True).total == 1
    broken = search(document, "(", regex=True)
    assert broken.total == 0
    assert broken.error.startswith("Invalid regular expression")


def test_lexing_a_block_styles_json_keys_strings_and_numbers() -> None:
    document = make_document('{\n  "id": 7,\n  "name": "x"\n}', "json")
    spans = lex_block(document, 0)
    styles = {
        (document.row_text(row)[s.start : s.start + s.length], s.style)
        for row, row_spans in spans.items()
        for s in row_spans
    }
    assert ('"id"', "key") in styles
    assert ("7", "number") in styles
    assert ('"x"', "string") in styles
    assert lex_block(make_document("plain", "text"), 0) == {}
