"""The OData query subset ServiceChannel's ``/v3/odata/*`` endpoints need: ``$filter`` with
``eq ne gt ge lt le``, ``contains(Field,'x')`` and ``and``; ``$select``, ``$orderby``, ``$top``,
``$skip`` and ``$count``. Field paths use ``/`` (``Status/Primary``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_CLAUSE = re.compile(r"^\s*([\w/]+)\s+(eq|ne|gt|ge|lt|le)\s+(.+?)\s*$", re.IGNORECASE)
_CONTAINS = re.compile(r"^\s*contains\(\s*([\w/]+)\s*,\s*'((?:[^']|'')*)'\s*\)\s*$", re.I)
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and a > b,
    "ge": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b,
    "le": lambda a, b: a is not None and a <= b,
}


class ODataError(ValueError):
    """The query is outside the supported subset; the message says which part."""


def field(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("/"):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _literal(text: str) -> Any:
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return text[1:-1].replace("''", "'")
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        raise ODataError(f"'{text}' is not a literal; quote strings with '.") from None


def compile_filter(expression: str) -> Callable[[Mapping[str, Any]], bool]:
    tests: list[Callable[[Mapping[str, Any]], bool]] = []
    for clause in re.split(r"\s+and\s+", expression.strip(), flags=re.IGNORECASE):
        contains = _CONTAINS.match(clause)
        if contains:
            path, needle = contains.group(1), contains.group(2).replace("''", "'")

            def has(r: Mapping[str, Any], p: str = path, n: str = needle) -> bool:
                return n.lower() in str(field(r, p) or "").lower()

            tests.append(has)
            continue
        match = _CLAUSE.match(clause)
        if match is None:
            raise ODataError(f"The $filter clause '{clause}' is not supported.")
        path, op, literal = match.group(1), match.group(2).lower(), _literal(match.group(3))

        def test(r: Mapping[str, Any], p: str = path, o: str = op, v: Any = literal) -> bool:
            try:
                return _OPS[o](field(r, p), v)
            except TypeError:
                return False

        tests.append(test)
    return lambda record: all(t(record) for t in tests)


def apply(rows: list[dict[str, Any]], query: Mapping[str, str]) -> tuple[list[Any], int]:
    """Rows after ``$filter``/``$orderby``/``$skip``/``$top``/``$select``; the filtered count."""
    if "$filter" in query:
        keep = compile_filter(query["$filter"])
        rows = [r for r in rows if keep(r)]
    total = len(rows)
    if "$orderby" in query:
        for part in reversed(query["$orderby"].split(",")):
            name, _, direction = part.strip().partition(" ")

            def key(r: Mapping[str, Any], n: str = name) -> tuple[bool, Any]:
                return field(r, n) is None, field(r, n)

            rows = sorted(
                rows,
                key=key,
                reverse=direction.strip().lower() == "desc",
            )
    try:
        skip = int(query.get("$skip", "0"))
        top = int(query["$top"]) if "$top" in query else None
    except ValueError:
        raise ODataError("$top and $skip must be integers.") from None
    if skip < 0 or (top is not None and top < 0):
        raise ODataError("$top and $skip must not be negative.")
    rows = rows[skip:] if top is None else rows[skip : skip + top]
    if "$select" in query:
        names = [n.strip() for n in query["$select"].split(",") if n.strip()]
        rows = [{n: r.get(n) for n in names} for r in rows]
    return rows, total
