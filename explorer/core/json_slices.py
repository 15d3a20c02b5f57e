"""JSON text parsed in slices, so a worker thread never holds the GIL for one long C call.

``json.loads`` of a 20 MB body is one call into C that keeps the GIL for a quarter of a second,
and the window's UI thread, which needs the GIL to paint, stalls for all of it. ``parse_steps``
gives the same value but hands the GIL back between slices: every value that fits in a window
(``WINDOW`` characters) is parsed by the C decoder in one call, and a container that does not
fit is walked member by member here (punctuation by regex, members again by the C decoder), so
no single call parses more than a window. It is a generator in the shape of the view worker's
jobs (``explorer/ui/body_jobs.py``): it yields ``None`` between slices and returns the value.

Nesting deeper than ``safe_parse.MAX_DEPTH`` is refused as ``NestingError``, like every other
JSON the app reads; a syntax error is one ``JsonSyntaxError`` sentence with its position.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Generator
from itertools import accumulate
from typing import TypeAlias

from explorer.core.safe_parse import MAX_DEPTH, NestingError

__all__ = ["WINDOW", "Json", "JsonSyntaxError", "parse_steps"]

Json: TypeAlias = "dict[str, Json] | list[Json] | str | int | float | bool | None"

WINDOW = 128 * 1024
"""Characters the C decoder is given at once: a few milliseconds of parsing."""

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_MEMBERS_PER_SLICE = 256
_NUMBER_CHARS = frozenset("0123456789.eE+-")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")

Steps: TypeAlias = Generator[None, None, tuple[Json, int]]


class JsonSyntaxError(ValueError):
    """The text is not one JSON value; ``position`` is the character where it went wrong."""

    def __init__(self, reason: str, position: int) -> None:
        reason = reason[:1].lower() + reason[1:]  # the C decoder's "Expecting value", in a sentence
        super().__init__(f"The body is not valid JSON: {reason} at character {position + 1:,}.")
        self.position = position


def parse_steps(text: str, window: int = WINDOW) -> Generator[None, None, Json]:
    """Parse ``text`` (one JSON value, whitespace around it allowed) in slices."""
    cursor = _Cursor(text, window)
    start = _skip(text, 0)
    value, end = yield from _value(cursor, start, 0)
    end = _skip(text, end)
    if end != len(text):
        raise JsonSyntaxError("extra data after the value", end)
    return value


class _Cursor:
    """The text and the window of it the C decoder parses from; moved only when a value
    starts past it or runs over its end, so a run of small members costs one copy."""

    def __init__(self, text: str, size: int) -> None:
        self.text = text
        self._size = size
        self._start = 0
        self._piece = ""

    def decode(self, position: int, depth: int) -> tuple[Json, int] | None:
        """The value at ``position`` and where it ends, or None when it is longer than a
        window (a syntax error inside a window that holds the rest of the text is raised)."""
        if not self._start <= position < self._start + len(self._piece):
            self._move(position, depth)
        truncated = self._start + len(self._piece) < len(self.text)
        try:
            value, end = _DECODER.raw_decode(self._piece, position - self._start)
        except json.JSONDecodeError as error:
            if not truncated:
                raise JsonSyntaxError(error.msg, self._start + error.pos) from None
        else:
            end += self._start
            if not (truncated and self.text[end : end + 1] in _NUMBER_CHARS):
                return value, end  # (a number the window's edge cut short is parsed again)
        if self._start == position:
            return None
        self._move(position, depth)
        return self.decode(position, depth)

    def _move(self, position: int, depth: int) -> None:
        self._start = position
        self._piece = self.text[position : position + self._size]
        if depth + _depth(self._piece, MAX_DEPTH - depth) > MAX_DEPTH:
            raise NestingError()


def _depth(piece: str, room: int) -> int:
    """How deeply brackets nest in ``piece`` (strings skipped, one cut at the end too);
    0 when there are too few brackets to go deeper than ``room``."""
    if piece.count("[") + piece.count("{") <= room:
        return 0
    if "\\" in piece:  # escaped backslashes first, then escaped quotes (as safe_parse does)
        piece = piece.replace("\\\\", "").replace('\\"', "")
    outside = "".join(piece.split('"')[::2]).encode("utf-8", "surrogatepass")
    return max(accumulate(array("b", outside.translate(_STEPS, _NOT_BRACKETS))), default=0)


def _skip(text: str, position: int) -> int:
    match = _WHITESPACE.match(text, position)
    return match.end() if match else position


def _value(cursor: _Cursor, position: int, depth: int) -> Steps:
    text = cursor.text
    if position >= len(text):
        raise JsonSyntaxError("expecting a value", position)
    found = cursor.decode(position, depth)
    if found is not None:
        return found
    yield None
    if text[position] in "[{":
        return (yield from _container(cursor, position, depth + 1))
    return _whole(text, position)  # a string longer than a window: one C call, no nesting


def _whole(text: str, position: int) -> tuple[Json, int]:
    try:
        value, end = _DECODER.raw_decode(text, position)
    except json.JSONDecodeError as error:
        raise JsonSyntaxError(error.msg, error.pos) from None
    return value, end


def _container(cursor: _Cursor, start: int, depth: int) -> Steps:
    if depth > MAX_DEPTH:
        raise NestingError()
    text = cursor.text
    is_object = text[start] == "{"
    close = "}" if is_object else "]"
    members: dict[str, Json] = {}
    items: list[Json] = []
    position = _skip(text, start + 1)
    if text.startswith(close, position):
        return (members if is_object else items), position + 1
    count = 0
    while True:
        key = ""
        if is_object:
            key, position = _key(cursor, position, depth)
        value, position = yield from _value(cursor, position, depth)
        if is_object:
            members[key] = value
        else:
            items.append(value)
        position = _skip(text, position)
        if text.startswith(close, position):
            return (members if is_object else items), position + 1
        if not text.startswith(",", position):
            raise JsonSyntaxError(f"expecting ',' or '{close}'", position)
        position = _skip(text, position + 1)
        count += 1
        if count % _MEMBERS_PER_SLICE == 0:
            yield None


def _key(cursor: _Cursor, position: int, depth: int) -> tuple[str, int]:
    """An object member's name and the position of its value."""
    text = cursor.text
    if not text.startswith('"', position):
        raise JsonSyntaxError("expecting a property name in double quotes", position)
    key, position = cursor.decode(position, depth) or _whole(text, position)
    position = _skip(text, position)
    if not text.startswith(":", position):
        raise JsonSyntaxError("expecting ':'", position)
    return str(key), _skip(text, position + 1)
