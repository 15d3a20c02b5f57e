"""Query a parsed JSON document: JSONPath (RFC 9535, by ``python-jsonpath``) or jq (the ``jq``
package, when it is installed); each match comes with its normalized path.

A normalized path (RFC 9535 section 2.7, ``$['items'][0]['name']``) names one location in one
way, so the response tree's "Copy path" and a filter's results can be pasted into an assertion
or another query. python-jsonpath runs in its strict (RFC 9535) mode: ``$.items[?@.price > 5]``
filters, ``..`` descent, slices and the standard functions, nothing that runs code. jq gives the
path of a result when the expression is a path expression (``.items[] | .name``); a computed
result (``.items | length``) has no location and its path is None.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from explorer.core.errors import ExplorerError
from explorer.core.json_slices import Json

if TYPE_CHECKING:
    from jsonpath import JSONPathEnvironment

__all__ = [
    "Match",
    "Mode",
    "QueryError",
    "jq_available",
    "matches",
    "normalized_path",
    "query",
    "segment",
]

Mode = Literal["jsonpath", "jq"]

_ESCAPES = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class QueryError(ExplorerError):
    """The expression is not valid, or it failed on this document; the message is one
    sentence the filter field shows as it is."""


@dataclass(frozen=True)
class Match:
    """One result: where it is (None for a value jq computed) and the value."""

    path: str | None
    value: Json


def jq_available() -> bool:
    """Whether the optional ``jq`` package is installed (checked without importing it)."""
    return importlib.util.find_spec("jq") is not None


def segment(key: str | int) -> str:
    """One step of a normalized path: ``[3]`` or ``['name']`` (RFC 9535 escaping)."""
    if isinstance(key, int):
        return f"[{key}]"
    escaped = "".join(_escape(char) for char in key)
    return f"['{escaped}']"


def normalized_path(parts: Iterable[str | int]) -> str:
    """``$`` followed by one segment per member name or index."""
    return "$" + "".join(segment(part) for part in parts)


def query(document: Json, expression: str, mode: Mode = "jsonpath") -> list[Match]:
    """Every match of ``expression`` in ``document``, in document order."""
    return list(matches(document, expression, mode))


def matches(document: Json, expression: str, mode: Mode = "jsonpath") -> Iterator[Match]:
    """Like ``query``, one match at a time so a caller can stop early. The expression is
    compiled before this returns, so a syntax error is raised here, not at the first match."""
    text = expression.strip()
    if not text:
        raise QueryError("Type a query, for example $.items[0].name.")
    if mode == "jq":
        return _jq_matches(document, text)
    return _jsonpath_matches(document, text)


def _escape(char: str) -> str:
    if char in ("'", "\\"):
        return "\\" + char
    if char in _ESCAPES:
        return _ESCAPES[char]
    if ord(char) < 0x20:
        return f"\\u{ord(char):04x}"
    return char


@cache
def _environment() -> JSONPathEnvironment:
    from jsonpath import JSONPathEnvironment

    return JSONPathEnvironment(strict=True)


def _jsonpath_matches(document: Json, expression: str) -> Iterator[Match]:
    from jsonpath import JSONPathError

    if not expression.startswith("$"):
        raise QueryError("A JSONPath starts with $, for example $.items[0].name.")
    try:
        compiled = _environment().compile(expression)
    except JSONPathError as error:
        raise QueryError(_jsonpath_sentence(error, expression)) from None

    def found() -> Iterator[Match]:
        try:
            for match in compiled.finditer(document):
                yield Match(match.path, match.obj)  # type: ignore[arg-type]
        except JSONPathError as error:
            raise QueryError(_jsonpath_sentence(error, expression)) from None

    return found()


def _jsonpath_sentence(error: Exception, expression: str) -> str:
    reason = str(error.args[0]) if error.args else str(error)
    reason = reason.splitlines()[0].rstrip(".") if reason else "not understood"
    token = getattr(error, "token", None)
    index = getattr(token, "index", -1)
    where = len(expression) if not isinstance(index, int) or index < 0 else index
    return f"The JSONPath is not valid: {reason} (at character {where + 1})."


def _jq_matches(document: Json, expression: str) -> Iterator[Match]:
    if not jq_available():
        raise QueryError("jq is not installed; install the jq package or use JSONPath.")
    import jq

    try:
        program = jq.compile(expression)
    except ValueError as error:
        raise QueryError(_jq_sentence(error)) from None
    try:
        paths: Sequence[Sequence[str | int]] = (
            jq.compile(f"path({expression})").input_value(document).all()
        )
    except ValueError:  # not a path expression: the results have no location
        try:
            values: list[Json] = program.input_value(document).all()
        except ValueError as error:
            raise QueryError(_jq_sentence(error)) from None
        return iter([Match(None, value) for value in values])
    return (Match(normalized_path(parts), _at(document, parts)) for parts in paths)


def _at(document: Json, parts: Sequence[str | int]) -> Json:
    value = document
    for part in parts:
        if isinstance(value, dict) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and -len(value) <= part < len(value):
            value = value[part]
        else:
            return None  # jq's path() reaches past the document's end as null
    return value


def _jq_sentence(error: ValueError) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    reason = lines[0] if lines else "not understood"
    reason = reason.removeprefix("jq: error: ").removeprefix("jq: error").strip(" :")
    return f"The jq expression is not valid: {reason.rstrip('.')}."
