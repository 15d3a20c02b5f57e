"""The body viewer's model, kept free of Qt so every step can run on a worker thread.

A response body of any size becomes a ``Document``: the decoded text plus the start offset of
every display row (logical lines hard-wrapped at a fixed column). The view paints only the rows
on screen, so opening 200 MB costs one decode and one pass over the newlines, never a text layout
of the whole body. Work that would hold the GIL for long (decoding, regex scans) is done in
slices, so the UI thread keeps getting its turn: a C call over 50 MB would stall it for 100 ms+.
"""

from __future__ import annotations

import codecs
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

SLICE = 1024 * 1024
DEFAULT_WRAP = 160
MAX_MATCHES = 100_000


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
class Match:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Every match position (capped at ``MAX_MATCHES``) and the true total."""

    matches: tuple[Match, ...] = ()
    total: int = 0
    error: str = ""


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
    callbacks: list[Callable[[], None]] = field(default_factory=list)


def decode(body: BodySource, stop: Cancelled | None = None) -> str:
    """The body as text, decoded slice by slice (one big ``bytes.decode`` holds the GIL)."""
    data = body.read_bytes()
    charset = body.detect_charset() or "utf-8"
    decoder = codecs.getincrementaldecoder(charset)(errors="replace")
    parts: list[str] = []
    view = memoryview(data)
    for offset in range(0, len(data), SLICE):
        if stop is not None and stop.value:
            return ""
        parts.append(decoder.decode(view[offset : offset + SLICE]))
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts)


def build_rows(text: str, wrap: int = DEFAULT_WRAP) -> array:  # type: ignore[type-arg]
    """Start offsets of every display row: each logical line, cut every ``wrap`` characters."""
    rows = array("q", [0])
    find = text.find
    size = len(text)
    pos = 0
    while True:
        newline = find("\n", pos)
        end = size if newline < 0 else newline
        if end - pos > wrap:
            rows.extend(range(pos + wrap, end, wrap))
        if newline < 0:
            return rows
        pos = newline + 1
        rows.append(pos)


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
    """Every match of ``needle``, scanned in slices cut at line ends so the UI thread stays
    responsive. A regex match never spans a slice boundary (that is, it may not cross ``SLICE``
    characters of a line break)."""
    if not needle:
        return SearchResult()
    flags = 0 if case_sensitive else re.IGNORECASE
    try:
        pattern = re.compile(needle if regex else re.escape(needle), flags | re.MULTILINE)
    except re.error as exc:
        return SearchResult(error=f"Invalid regular expression: {exc}.")
    text = document.text
    matches: list[Match] = []
    total = 0
    for start, end in _slices(text):
        if stop is not None and stop.value:
            return SearchResult()
        for found in pattern.finditer(text, start, end):
            if found.end() == found.start():
                continue
            total += 1
            if len(matches) < MAX_MATCHES:
                matches.append(Match(found.start(), found.end()))
    return SearchResult(tuple(matches), total)


def _slices(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) windows of about ``SLICE`` characters that end just after a newline."""
    size = len(text)
    start = 0
    while start < size:
        end = min(size, start + SLICE)
        if end < size:
            newline = text.find("\n", end)
            end = size if newline < 0 or newline - end > SLICE else newline + 1
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


def _style_for(token_type: object) -> str | None:
    name = str(token_type).removeprefix("Token.")
    for prefix, style in _STYLE_OF:
        if name.startswith(prefix):
            return style
    return None


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
