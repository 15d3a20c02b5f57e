"""JSONPath (RFC 9535) and jq queries with normalized paths, and JSON parsed in slices."""

from __future__ import annotations

import importlib.util
import json
import random

import pytest

from explorer.core.json_query import Match, QueryError, normalized_path, query, segment
from explorer.core.json_slices import JsonSyntaxError, parse_steps
from explorer.core.safe_parse import MAX_DEPTH, NestingError

# RFC 9535 section 1.5's example document (the bookstore).
STORE = {
    "store": {
        "book": [
            {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
            {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
            {
                "category": "fiction",
                "author": "Herman Melville",
                "title": "Moby Dick",
                "isbn": "0-553-21311-3",
                "price": 8.99,
            },
            {
                "category": "fiction",
                "author": "J. R. R. Tolkien",
                "title": "The Lord of the Rings",
                "isbn": "0-395-19395-8",
                "price": 22.99,
            },
        ],
        "bicycle": {"color": "red", "price": 399},
    }
}
ITEMS = {
    "items": [
        {"name": "pen", "price": 2},
        {"name": "lamp", "price": 40},
        {"name": "book", "price": 5},
        {"name": "desk", "price": 120.5},
    ]
}


def parse(text: str, window: int = 64) -> object:
    steps = parse_steps(text, window)
    while True:
        try:
            next(steps)
        except StopIteration as end:
            return end.value


def test_the_issue_filter_gives_the_names_of_items_over_five() -> None:
    assert query(ITEMS, "$.items[?@.price > 5].name") == [
        Match("$['items'][1]['name']", "lamp"),
        Match("$['items'][3]['name']", "desk"),
    ]


@pytest.mark.parametrize(
    ("expression", "values"),
    [
        (
            "$.store.book[*].author",
            ["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"],
        ),
        ("$..author", ["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]),
        ("$.store..price", [8.95, 12.99, 8.99, 22.99, 399]),
        ("$..book[2].author", ["Herman Melville"]),
        ("$..book[-1].title", ["The Lord of the Rings"]),
        ("$..book[:2].title", ["Sayings", "Sword"]),
        ("$..book[?@.isbn].title", ["Moby Dick", "The Lord of the Rings"]),
        ("$..book[?@.price < 10].title", ["Sayings", "Moby Dick"]),
        ("$..book[?length(@.title) > 10].title", ["The Lord of the Rings"]),
        ("$.store.bicycle['color']", ["red"]),
        ("$.nothing.here", []),
    ],
)
def test_rfc_9535_examples(expression: str, values: list[object]) -> None:
    assert [match.value for match in query(STORE, expression)] == values


def test_paths_are_normalized_and_escaped() -> None:
    document = {"it's": [{"a\\b": 1}], "line\nbreak": {"\x01": 2}}
    assert [m.path for m in query(document, "$..*")] == [
        "$['it\\'s']",
        "$['line\\nbreak']",
        "$['it\\'s'][0]",
        "$['it\\'s'][0]['a\\\\b']",
        "$['line\\nbreak']['\\u0001']",
    ]
    assert normalized_path(["items", 0, "name"]) == "$['items'][0]['name']"
    assert segment(-1) == "[-1]"


@pytest.mark.parametrize(
    ("expression", "sentence"),
    [
        (
            "$.items[?@.price >",
            "The JSONPath is not valid: unexpected end of expression (at character 19).",
        ),
        ("items[0]", "A JSONPath starts with $, for example $.items[0].name."),
        ("$.items[?nope(@)]", "The JSONPath is not valid: function 'nope' is not defined"),
        ("   ", "Type a query, for example $.items[0].name."),
    ],
)
def test_an_invalid_expression_is_one_sentence(expression: str, sentence: str) -> None:
    with pytest.raises(QueryError) as caught:
        query(ITEMS, expression)
    message = str(caught.value)
    assert message.startswith(sentence)
    assert message.endswith(".")
    assert "\n" not in message


def test_a_filter_outside_the_rfc_is_refused_rather_than_guessed() -> None:
    with pytest.raises(QueryError):
        query(ITEMS, "$.items[?(@.price > 5 && @.name =~ /l.*/)]")


def _require_jq() -> None:
    if importlib.util.find_spec("jq") is None:
        pytest.skip("needs 'jq (the Python package)', which this machine lacks")


def test_jq_gives_paths_for_path_expressions_and_none_for_computed_values() -> None:
    _require_jq()
    assert query(ITEMS, ".items[] | select(.price > 5) | .name", "jq") == [
        Match("$['items'][1]['name']", "lamp"),
        Match("$['items'][3]['name']", "desk"),
    ]
    assert query(ITEMS, ".items | length", "jq") == [Match(None, 4)]


def test_an_invalid_jq_expression_is_one_sentence() -> None:
    _require_jq()
    with pytest.raises(QueryError) as caught:
        query(ITEMS, ".items[", "jq")
    assert str(caught.value).startswith("The jq expression is not valid: syntax error")
    assert "\n" not in str(caught.value)


# -- parsing in slices ---------------------------------------------------------------------------


def _random_value(rng: random.Random, depth: int = 0) -> object:
    roll = rng.random()
    if depth > 5 or roll < 0.3:
        return rng.choice(
            [0, -12, 2.5e-8, 123456789012, 'é"\\x', "s" * rng.randint(0, 40), None, True]
        )
    if roll < 0.65:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 8))]
    return {f'k{i}"': _random_value(rng, depth + 1) for i in range(rng.randint(0, 8))}


@pytest.mark.parametrize("window", [1, 3, 7, 50, 4096])
def test_parsing_in_windows_gives_what_json_loads_gives(window: int) -> None:
    rng = random.Random(window)
    for _ in range(200):
        text = json.dumps(_random_value(rng), indent=rng.choice([None, 1]))
        assert parse(text, window) == json.loads(text)


def test_a_large_array_is_parsed_in_many_short_slices() -> None:
    document = [{"id": n, "tags": ["a", "b"], "price": n / 4} for n in range(20_000)]
    steps = parse_steps(json.dumps(document), window=4096)
    slices = 0
    value = None
    while value is None:
        try:
            next(steps)
        except StopIteration as end:
            value = end.value
        slices += 1
    assert value == document
    assert slices > 20


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("[1, 2", "The body is not valid JSON: expecting ',' or ']' at character 6."),
        ('{"a" 1}', "The body is not valid JSON: expecting ':' at character 6."),
        ("[1] x", "The body is not valid JSON: extra data after the value at character 5."),
        ("", "The body is not valid JSON: expecting a value at character 1."),
    ],
)
def test_invalid_json_is_one_sentence_with_its_position(text: str, sentence: str) -> None:
    with pytest.raises(JsonSyntaxError) as caught:
        parse(text, window=2)
    assert str(caught.value) == sentence


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    depth = MAX_DEPTH + 1
    with pytest.raises(NestingError):
        parse("[" * depth + "]" * depth, window=8)
    with pytest.raises(NestingError):
        parse("[" * depth + "]" * depth, window=100_000)
