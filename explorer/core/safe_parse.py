"""Bounded parsers for data we did not write: one JSON depth policy here, one YAML loader in
``safe_yaml`` (kept apart so checking a JSON body never imports PyYAML before the first paint).

Server answers, imported files, shared workspaces and data files are untrusted
(docs/security.md). Two shapes of input break naive parsers long before any size cap does:

* **Deep nesting.** ``json.loads`` of a 195 KB ``[[[[…]]]]`` raises ``RecursionError``, and a
  900-deep value it does accept crashes the next recursive walker (pretty-printing, equality,
  templating). ``loads`` refuses anything nested deeper than ``MAX_DEPTH`` before parsing, with a
  bracket count outside strings done at C speed, so every value the app walks is shallow enough.
* **Alias bombs** ("billion laughs"). PyYAML builds ``*alias`` references by reference, so a
  few hundred bytes load instantly and explode when the value is walked or serialised.
  ``load_yaml`` measures the composed node graph (aliases expanded, by memo, in time linear in
  the distinct nodes) and refuses a document whose aliases add more than ``MAX_ALIAS_VALUES``
  values, that nests deeper than ``MAX_DEPTH`` or refers to itself, before anything is
  constructed.

``MAX_DEPTH`` is serde_json's default: far deeper than any real API answer or collection, and
shallow enough that a recursive walk stays far from Python's recursion limit even inside the
window's event loop.
"""

from __future__ import annotations

import json
from array import array
from itertools import accumulate
from typing import Any

__all__ = ["MAX_ALIAS_VALUES", "MAX_DEPTH", "NestingError", "dumps", "json_depth", "loads"]

MAX_DEPTH = 128
MAX_ALIAS_VALUES = 100_000
"""Values ``*alias`` references may add to a YAML document once expanded. Real files reuse a
schema or a header block a few times; a billion-laughs document is refused at the first level
that crosses it, and a large file without aliases is never refused for its size."""


class NestingError(ValueError):
    """JSON nested deeper than ``MAX_DEPTH``. A ``ValueError``, so code that already treats
    "not JSON" as a soft outcome (pretty-printing, error normalising) treats this one alike."""

    def __init__(self, limit: int = MAX_DEPTH) -> None:
        super().__init__(f"nested deeper than {limit} levels")


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def json_depth(data: str | bytes) -> int:
    """How deeply the brackets of JSON text nest, strings skipped; exact for valid JSON."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return 0  # too few brackets to matter: skip the scan for ordinary small bodies
    brackets = _outside_strings(raw).translate(_STEPS, _NOT_BRACKETS)
    return max(accumulate(array("b", brackets)), default=0)


def _outside_strings(raw: bytes) -> bytes:
    """The text with every string literal removed, by C-speed replaces and a split: escaped
    backslashes go first (pairing left to right as a JSON string does), then escaped quotes,
    and what is left between quotes is string content. Outside strings a backslash is invalid
    JSON anyway, which the parser reports."""
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    return b"".join(raw.split(b'"')[::2])


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` that refuses input nested deeper than ``max_depth`` (``NestingError``).

    Raises ``ValueError`` (``json.JSONDecodeError``, ``NestingError``) or
    ``UnicodeDecodeError`` like ``json.loads``; never ``RecursionError``."""
    if json_depth(data) > max_depth:
        raise NestingError(max_depth)
    try:
        return json.loads(data)
    except RecursionError as exc:  # an encoding the scan does not read (UTF-16 bytes)
        raise NestingError(max_depth) from exc


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps`` that reports a value too deep to write as ``NestingError``."""
    try:
        return json.dumps(value, **options)
    except RecursionError as exc:
        raise NestingError() from exc
