"""The body viewer's model, kept free of Qt so every step can run on a worker thread.

A response body of any size becomes a ``Document``: the decoded text plus the start offset of
every display row (logical lines hard-wrapped at a fixed column). The view paints only the rows
on screen, so opening 200 MB costs one decode and one pass over the newlines, never a text layout
of the whole body. Work that would hold the GIL for long (decoding, regex scans) is done in
slices, so the UI thread keeps getting its turn: a C call over 50 MB would stall it for 100 ms+.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Protocol

SLICE = 1024 * 1024
DEFAULT_WRAP = 160
MAX_MATCHES = 100_000
REGEX_OVERLAP = 1024
RANGE_STEP = 65536


class BodySource(Protocol):
    """What a document needs from a response body (``ResponseBody`` satisfies it)."""

    @property
    def size(self) -> int: ...

    def head(self, limit: int) -> bytes: ...

    @property
    def is_binary(self) -> bool: ...

    def detect_charset(self) -> str | None: ...

    def read_bytes(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Document:
    """Text split into display rows: row ``i`` is ``text[rows[i]:rows[i + 1]]`` minus its
    newline."""

    text: str
    rows: array  # type: ignore[type-arg]
    wrap: int = DEFAULT_WRAP
    language: str = "text"
    formatted: bool = False

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def row_text(self, row: int) -> str:
        start = self.rows[row]
        end = self.rows[row + 1] if row + 1 < len(self.rows) else len(self.text)
        return self.text[start:end].rstrip("\n")

    def row_of(self, offset: int) -> int:
        return max(0, bisect_right(self.rows, offset) - 1)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Match positions (capped at ``MAX_MATCHES``) and the true total. Positions live in two
    arrays, not 100,000 objects the garbage collector would walk on every full collection."""

    starts: array = field(default_factory=lambda: array("q"))  # type: ignore[type-arg]
    ends: array = field(default_factory=lambda: array("q"))  # type: ignore[type-arg]
    total: int = 0
    error: str = ""

    def __len__(self) -> int:
        return len(self.starts)


@dataclass(frozen=True, slots=True)
class Span:
    """A styled run inside one row: ``style`` is a short token class (``key``, ``string`` ...)."""

    start: int
    length: int
    style: str


@dataclass
class Cancelled:
    """A flag a newer load sets so an older worker stops between slices."""

    value: bool = False


def decode(body: BodySource) -> str:
    """The body as text. One ``bytes.decode`` holds the GIL for about 25 ms per 50 MB; decoding
    in slices and joining them costs twice that, because the join faults in a fresh copy."""
    charset = body.detect_charset() or "utf-8"
    return body.read_bytes().decode(charset, errors="replace")


def build_rows(text: str, wrap: int = DEFAULT_WRAP) -> array:  # type: ignore[type-arg]
    """Start offsets of every display row: each line, cut every ``wrap`` characters.

    Works a slice at a time; a slice of short lines (pretty JSON, logs) is indexed by
    ``splitlines`` and ``accumulate`` in C, which is 5x faster than a Python loop over lines.
    """
    rows = array("q")
    for start, end in _slices(text):
        if end - start > 2 * SLICE + 1:  # holds a line longer than SLICE: index it in place
            line_start = start
            while line_start < end:
                newline = text.find("\n", line_start, end)
                line_end = end if newline < 0 else newline + 1
                _add_long_line(rows, text, (line_start, line_end), wrap)
                line_start = line_end
            continue
        lines = text[start:end].splitlines(keepends=True)
        if max(map(len, lines), default=0) <= wrap:
            rows.extend(accumulate(map(len, lines[:-1]), initial=start))
            continue
        offset = start
        for line in lines:
            _add_long_line(rows, text, (offset, offset + len(line)), wrap)
            offset += len(line)
    if not text or text.endswith("\n"):
        rows.append(len(text))
    return rows


def _add_long_line(rows: array, text: str, line: tuple[int, int], wrap: int) -> None:  # type: ignore[type-arg]
    """Rows of one line (with its newline) at ``text[start:end]``, without copying it."""
    start, end = line
    rows.append(start)
    content = end - 1 if end > start and text[end - 1] == "\n" else end
    if content > start and text[content - 1] == "\r":
        content -= 1
    step = wrap * RANGE_STEP
    for piece in range(start + wrap, content, step):  # 64k rows per C call, not millions
        rows.extend(range(piece, min(content, piece + step), wrap))


def make_document(
    text: str, language: str, *, wrap: int = DEFAULT_WRAP, formatted: bool = False
) -> Document:
    return Document(text, build_rows(text, wrap), wrap, language, formatted)


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.DOTALL)


def reindent_json(text: str, indent: int = 2, stop: Cancelled | None = None) -> str | None:
    """Pretty JSON by re-indenting its tokens: keeps number spelling, key order and duplicates
    exactly as sent, and never holds the GIL for one long C call (``json.loads`` on 50 MB does).
    Returns None when the text is not a single JSON value."""
    out: list[str] = []
    depth = 0
    pending_open = ""
    count = 0
    for match in _JSON_TOKEN.finditer(text):
        piece = match.group()
        count += 1
        if count & 0xFFFF == 0 and stop is not None and stop.value:
            return None
        if pending_open:
            if piece in "}]" and len(piece) == 1:
                out.append(pending_open + piece)
                pending_open = ""
                continue
            depth += 1
            out.append(pending_open + "\n" + " " * (indent * depth))
            pending_open = ""
        if piece in ("{", "["):
            pending_open = piece
        elif piece in ("}", "]"):
            depth -= 1
            if depth < 0:
                return None
            out.append("\n" + " " * (indent * depth) + piece)
        elif piece == ",":
            out.append(",\n" + " " * (indent * depth))
        elif piece == ":":
            out.append(": ")
        else:
            out.append(piece)
    if pending_open:
        out.append(pending_open)
    if depth != 0 or not out:
        return None
    return "".join(out)


def search(
    document: Document,
    needle: str,
    *,
    case_sensitive: bool = False,
    regex: bool = False,
    stop: Cancelled | None = None,
) -> SearchResult:
    """Every match of ``needle``, scanned in slices so the UI thread keeps getting the GIL.
    Slices overlap by the needle's length, so literal matches are exact; a regex match longer
    than ``REGEX_OVERLAP`` characters inside a line longer than ``SLICE`` may be missed."""
    if not needle:
        return SearchResult()
    flags = 0 if case_sensitive else re.IGNORECASE
    try:
        pattern = re.compile(needle if regex else re.escape(needle), flags | re.MULTILINE)
    except re.error as exc:
        return SearchResult(error=f"Invalid regular expression: {exc}.")
    text = document.text
    starts, ends = array("q"), array("q")
    total = 0
    overlap = len(needle) - 1 if not regex else REGEX_OVERLAP
    for start, end in _slices(text, cut_long_lines=True):
        if stop is not None and stop.value:
            return SearchResult()
        for found in pattern.finditer(text, start, min(len(text), end + overlap)):
            if found.end() == found.start() or found.start() >= end:
                continue
            total += 1
            if total <= MAX_MATCHES:
                starts.append(found.start())
                ends.append(found.end())
    return SearchResult(starts, ends, total)


def _slices(text: str, *, cut_long_lines: bool = False) -> Iterator[tuple[int, int]]:
    """(start, end) windows of about ``SLICE`` characters that end just after a newline; a line
    longer than ``SLICE`` is one window of its own, or cut every ``SLICE`` characters when
    ``cut_long_lines`` (a regex scan of 50 MB without a match would hold the GIL for 100 ms)."""
    size = len(text)
    start = 0
    while start < size:
        end = min(size, start + SLICE)
        if end < size:
            newline = text.find("\n", end)
            if newline < 0 or newline - end > SLICE:
                end = end if cut_long_lines else (size if newline < 0 else newline + 1)
            else:
                end = newline + 1
        yield start, end
        start = end


_STYLE_OF = (
    ("Name.Tag", "key"),
    ("Name.Attribute", "key"),
    ("Literal.String", "string"),
    ("Literal.Number", "number"),
    ("Keyword", "keyword"),
    ("Name.Builtin", "keyword"),
    ("Comment", "comment"),
    ("Punctuation", "punctuation"),
    ("Operator", "punctuation"),
    ("Name.Function", "key"),
)


_STYLE_CACHE: dict[object, str | None] = {}


def _style_for(token_type: object) -> str | None:
    """The style class of a pygments token type (cached: ``str(token_type)`` is slow)."""
    if token_type in _STYLE_CACHE:
        return _STYLE_CACHE[token_type]
    name = str(token_type).removeprefix("Token.")
    style = next((style for prefix, style in _STYLE_OF if name.startswith(prefix)), None)
    _STYLE_CACHE[token_type] = style
    return style


LEX_BLOCK = 400


def lex_block(document: Document, block: int) -> dict[int, tuple[Span, ...]]:
    """Spans for the rows of block ``block`` (``LEX_BLOCK`` rows), lexed with pygments.

    Lexing starts at the row's logical line when that is near, so a wrapped row is lexed in
    context; JSON strings cannot contain raw newlines, so a block lexed alone is exact for JSON.
    """
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    first = block * LEX_BLOCK
    last = min(document.row_count, first + LEX_BLOCK)
    if first >= last or document.language == "text":
        return {}
    try:
        lexer = get_lexer_by_name(document.language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return {}
    text = document.text
    begin = document.rows[first]
    line_start = text.rfind("\n", max(0, begin - 4096), begin) + 1
    if begin - line_start >= 4096:
        line_start = begin
    end = document.rows[last] if last < document.row_count else len(text)
    spans: dict[int, list[Span]] = {}
    row = first
    rows = document.rows
    for index, token_type, value in lexer.get_tokens_unprocessed(text[line_start:end]):
        style = _style_for(token_type)
        if style is None:
            continue
        absolute = line_start + index
        stop = absolute + len(value)
        while row + 1 < last and rows[row + 1] <= absolute:
            row += 1
        position, current = absolute, row
        while position < stop and current < last:
            row_end = rows[current + 1] if current + 1 < document.row_count else len(text)
            piece_end = min(stop, row_end)
            if position >= rows[current] and piece_end > position:
                spans.setdefault(current, []).append(
                    Span(position - rows[current], piece_end - position, style)
                )
            position = piece_end
            current += 1
    return {key: tuple(value) for key, value in spans.items()}
