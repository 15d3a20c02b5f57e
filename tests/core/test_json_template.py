"""JSON bodies with ``{{variables}}``: placeholders stand for values outside strings and are
text inside them; a real error keeps the line and column the user sees."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.core.json_template import JsonProblem, json_problem, with_stand_ins
from explorer.core.templating import Layer, Scope, expand


@pytest.mark.parametrize(
    "text",
    [
        '{"qty": {{qty}}}',
        '{"qty": {{ qty }}, "items": [{{first}}, {{second}}]}',
        "{{whole_body}}",
        '{"note": "{{greeting}}, {{name}}"}',
        '{"nested": {"a": {{a}}}, "b": "}}{{"}',
        '{"escaped": "a \\" {{x}}", "n": {{n}}}',
        "",
        "   ",
    ],
)
def test_placeholders_where_values_go_are_valid(text: str) -> None:
    assert json_problem(text) is None


def test_the_body_the_core_sends_after_expansion_is_what_was_accepted() -> None:
    text = '{"qty": {{qty}}, "name": "{{name}}"}'
    scope = Scope((Layer("request", {"qty": "3", "name": "Ann"}),))
    assert json_problem(text) is None
    assert json.loads(expand(text, scope)) == {"qty": 3, "name": "Ann"}


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('{"qty": {{qty}} "x": 1}', 1, 17),
        ('{\n  "qty": {{qty}},\n  "b": ,\n}', 3, 8),
        ('{"a": {{a}}{{b}}}', 1, 12),
        ('{"a": 1{{b}}}', 1, 8),
        ('{"a": {{}}}', 1, 8),
    ],
)
def test_a_real_error_has_the_line_and_column_of_the_text(
    text: str, line: int, column: int
) -> None:
    problem = json_problem(text)
    assert problem is not None
    assert (problem.line, problem.column) == (line, column)


def test_a_placeholder_across_lines_keeps_later_line_numbers() -> None:
    text = '{"a": {{\n a \n}},\n "b": oops}'
    assert json_problem(text) == JsonProblem(4, 7, "Expecting value")


def test_the_problem_reads_as_one_sentence() -> None:
    assert str(JsonProblem(2, 5, "Expecting value")) == "Line 2, column 5: Expecting value."


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(), st.lists))
def test_json_without_placeholders_is_checked_unchanged(value: object) -> None:
    text = json.dumps(value)
    assert with_stand_ins(text) == text
    assert json_problem(text) is None
