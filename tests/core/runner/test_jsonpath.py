"""The JSONPath subset assertions and captures use."""

from __future__ import annotations

import pytest

from explorer.core.errors import FormatError
from explorer.core.runner.jsonpath import find

DOC = {"data": [{"id": 1, "tags": ["a", "b"]}, {"id": 2, "tags": []}], "a b": {"c-d": True}}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", [DOC]),
        ("$.data[0].id", [1]),
        ("$.data[-1].id", [2]),
        ("$.data[*].id", [1, 2]),
        ("$.data.*.id", [1, 2]),
        ("$['a b']['c-d']", [True]),
        ('$["a b"].c-d', [True]),
        ("$.data[0].tags[*]", ["a", "b"]),
        ("$.data[5].id", []),
        ("$.missing.deeper", []),
        ("$.data.id", []),
    ],
)
def test_paths_select(path: str, expected: list[object]) -> None:
    assert find(DOC, path) == expected


@pytest.mark.parametrize("path", ["data.id", "$.data[?(@.id)]", "$..id", "$.data[0"])
def test_unsupported_paths_say_so(path: str) -> None:
    with pytest.raises(FormatError, match="JSONPath"):
        find(DOC, path)
