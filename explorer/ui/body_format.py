"""Pretty JSON of any size: a streaming re-indenter from a document's bytes to a new body.

It re-indents tokens rather than parsing values, so number spelling, key order and duplicate
keys stay exactly as sent, memory stays flat whatever the size, and no call holds the GIL for
long (``json.loads`` of 50 MB does for a second). It reads a chunk at a time, writes each
chunk's output to a ``ResponseBody`` (which spills to an accounted temp file past 16 MB, like a
received body) and checks the grammar as it goes: anything that is not one JSON value, or is
nested deeper than ``safe_parse.MAX_DEPTH``, is left unformatted. A string longer than a chunk
is copied through in pieces. Output matches ``json.dumps(value, indent=2, ensure_ascii=False)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO

from explorer.core.safe_parse import MAX_DEPTH
from explorer.ui.body_document import Buffer, Document, Progress, index_steps
from explorer.ui.body_jobs import Steps, Throttle, run_to_end

_STR = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
_SCALAR = rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null"
_TOKEN = re.compile(
    rb"(" + _STR + rb")[ \t\n\r]*:"  # 1 a key and its colon
    rb"|(" + _STR + rb"|" + _SCALAR + rb")(?:[ \t\n\r]*(,))?"  # 2 a value, 3 and a comma
    rb"|([{\[])"  # 4 an opening bracket
    rb"|([}\]])(?:[ \t\n\r]*(,))?"  # 5 a closing bracket, 6 and a comma
    rb"|(,)"  # 7 a comma after a string copied in pieces
    rb"|(:)"  # 8 a colon after a key copied in pieces
    rb'|("[^"\\]*(?:\\.[^"\\]*)*\\?\Z)'  # 9 a string running past the end of the window
    rb"|([^ \t\n\r])",  # 10 anything else: not JSON
    re.DOTALL,
)
_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*')
_KEY, _VALUE_END, _VALUE_COMMA, _OPEN, _CLOSE, _CLOSE_COMMA, _COMMA, _COLON, _LONG = range(1, 10)
"""Token kinds: the regex group that matched last (``Match.lastindex``)."""
_EXPECT_VALUE, _EXPECT_KEY, _AFTER_KEY, _AFTER_VALUE, _DONE = range(5)
FORMAT_CHUNK = 64 * 1024
"""Bytes re-indented per slice: a few milliseconds of Python, so lexing gets its turn."""
_EDGE = 64
"""A token this close to the end of a window may continue in the next one."""
_CLOSER = {ord("}"): ord("{"), ord("]"): ord("[")}
_BRACE = ord("{")
_QUOTE = ord('"')


class NotJson(Exception):
    """The bytes are not a single JSON value (or nest too deep to indent)."""


class _Indenter:
    """The re-indenting state machine: feed windows of bytes, get pretty bytes back.

    Keys and values (most tokens) are handled inline in one loop, which runs once per token
    of a body of any size: a method call per token would double the time."""

    def __init__(self, indent: int) -> None:
        self.stack = bytearray()  # the open brackets
        self.state = _EXPECT_VALUE
        self.pending = b""  # an opening bracket not written yet: "[]" stays on one line
        self.in_string = False
        self.breaks = [b"\n" + b" " * (indent * depth) for depth in range(MAX_DEPTH + 1)]

    def feed(self, window: bytes, final: bool) -> tuple[bytes, int]:
        """Pretty bytes for ``window`` and how many of its bytes were used (the rest, a token
        that may continue, starts the next window)."""
        out: list[bytes] = []
        position = 0
        if self.in_string:
            position = self._string_rest(window, out, final)
            if self.in_string:
                return b"".join(out), position
        used = self._tokens(window, position, out, final)
        return b"".join(out), used

    def _string_rest(self, window: bytes, out: list[bytes], final: bool) -> int:
        match = _STRING_REST.match(window)
        assert match is not None  # the pattern matches the empty string
        end = match.end()
        if end < len(window) and window[end] == ord('"'):
            out.append(window[: end + 1])
            self.in_string = False
            return end + 1
        if final:
            raise NotJson
        out.append(window[:end])
        return end

    def _tokens(self, window: bytes, position: int, out: list[bytes], final: bool) -> int:
        """Keys and values (most tokens) are handled inline; brackets and the rest by
        ``_structure``."""
        limit = len(window) if final else len(window) - _EDGE
        append, stack, breaks = out.append, self.stack, self.breaks
        used = len(window)
        for match in _TOKEN.finditer(window, position):
            kind = match.lastindex
            if match.end() > limit:  # the token may go on in the next window
                if kind == _LONG and match.start() == position:
                    return self._long_string(match.group(), position, out)
                used = match.start()
                break
            if self.pending and kind not in (_CLOSE, _CLOSE_COMMA):
                append(self.pending + breaks[len(stack)])
                self.pending = b""
            if kind == _KEY and self.state == _EXPECT_KEY:
                append(match.group(1) + b": ")
                self.state = _EXPECT_VALUE
            elif kind == _VALUE_END and self.state == _EXPECT_VALUE:
                append(match.group(2))
                self.state = _AFTER_VALUE if stack else _DONE
            elif kind == _VALUE_COMMA and self.state == _EXPECT_VALUE and stack:
                append(match.group(2) + b"," + breaks[len(stack)])
                self.state = _EXPECT_KEY if stack[-1] == _BRACE else _EXPECT_VALUE
            else:
                self._structure(kind, match, out)
        if final and self.state != _DONE:
            raise NotJson
        return used

    def _structure(self, kind: int | None, match: re.Match[bytes], out: list[bytes]) -> None:
        """Brackets, and the pieces of a key whose colon comes later (after much whitespace,
        or after the key was copied in pieces)."""
        first = match.group()[0]
        if kind == _VALUE_END and self.state == _EXPECT_KEY and first == _QUOTE:
            out.append(match.group(2))
            self.state = _AFTER_KEY
        elif kind == _OPEN and self.state == _EXPECT_VALUE and len(self.stack) < MAX_DEPTH:
            self.stack.append(first)
            self.pending = bytes((first,))
            self.state = _EXPECT_KEY if first == _BRACE else _EXPECT_VALUE
        elif kind in (_CLOSE, _CLOSE_COMMA) and self.stack and self.stack[-1] == _CLOSER[first]:
            if self.pending:
                out.append(self.pending + bytes((first,)))
                self.pending = b""
            elif self.state == _AFTER_VALUE:
                out.append(self.breaks[len(self.stack) - 1] + bytes((first,)))
            else:
                raise NotJson
            self.stack.pop()
            self.state = _AFTER_VALUE if self.stack else _DONE
            if kind == _CLOSE_COMMA:
                self._comma(out)
        elif kind == _COMMA:
            self._comma(out)
        elif kind == _COLON and self.state == _AFTER_KEY:
            out.append(b": ")
            self.state = _EXPECT_VALUE
        else:
            raise NotJson

    def _comma(self, out: list[bytes]) -> None:
        if self.state != _AFTER_VALUE:
            raise NotJson
        out.append(b"," + self.breaks[len(self.stack)])
        self.state = _EXPECT_KEY if self.stack[-1] == _BRACE else _EXPECT_VALUE

    def _long_string(self, piece: bytes, position: int, out: list[bytes]) -> int:
        """Copy the start of a string longer than the window (up to a lone backslash, whose
        escaped character is in the next window): a key where a key is expected."""
        if self.state == _EXPECT_KEY:
            self.state = _AFTER_KEY
        elif self.state == _EXPECT_VALUE:
            self.state = _AFTER_VALUE if self.stack else _DONE
        else:
            raise NotJson
        if self.pending:
            out.append(self.pending + self.breaks[len(self.stack)])
            self.pending = b""
        lone = (len(piece) - len(piece.rstrip(b"\\"))) % 2
        self.in_string = True
        out.append(piece[: len(piece) - lone])
        return position + len(piece) - lone


def reindent_steps(
    source: Document,
    write: Callable[[bytes], object],
    *,
    indent: int = 2,
    chunk: int = FORMAT_CHUNK,
) -> Steps[Progress, bool]:
    """Write ``source`` re-indented through ``write`` a chunk at a time; returns False (what
    was written is then meaningless) when it is not one JSON value."""
    indenter = _Indenter(indent)
    throttle = Throttle()
    position = source.begin
    need = chunk
    while True:
        end = min(source.size, position + need)
        final = end == source.size
        try:
            pretty, used = indenter.feed(source.buffer.read(position, end), final)
        except NotJson:
            return False
        write(pretty)
        if final:
            return True
        need = chunk if used else need * 2  # a scalar longer than the window: widen it
        position += used
        done = (position - source.begin) / max(1, source.length)
        yield Progress("formatting", done) if throttle.due() else None


def format_steps(
    raw: Document, wrap: int, chunk: int = FORMAT_CHUNK
) -> Steps[Progress, Document | None]:
    """``raw`` pretty-printed into a new body and indexed as a document (None when it is not
    JSON)."""
    from explorer.core.http.body import ResponseBody  # the HTTP stack loads after first paint

    target = ResponseBody()
    ok = yield from reindent_steps(raw, target.write, chunk=chunk)
    target.finish()
    if not ok:
        target.discard()
        return None
    path = target.path
    buffer = Buffer.of_file(path, target) if path is not None else Buffer(target.read_bytes())
    pretty = Document(buffer, wrap=wrap, language=raw.language, formatted=True)
    return (yield from index_steps(pretty))


def reindent_json(text: str, indent: int = 2, chunk: int = FORMAT_CHUNK) -> str | None:
    """Pretty JSON for a small text (None when it is not one JSON value)."""
    source = Document(Buffer(text.encode("utf-8", "surrogatepass")))
    out = BytesIO()
    if not run_to_end(reindent_steps(source, out.write, indent=indent, chunk=chunk)):
        return None
    return out.getvalue().decode("utf-8", "surrogatepass")
