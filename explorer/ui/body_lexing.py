"""Syntax colours for the rows on screen, lexed with pygments one block of rows at a time.

The view asks for the blocks that scroll into view and the worker lexes each one alone: a block
is decoded from the document's bytes (a few tens of KB), never the whole body. Lexing starts at
the block's logical line when that is near, so a wrapped row is lexed in context; JSON strings
cannot contain raw newlines, so a block lexed alone is exact for JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from explorer.ui.body_document import Document

if TYPE_CHECKING:
    from pygments.lexer import Lexer

LEX_BLOCK = 400
"""Rows lexed per request."""
CONTEXT = 4096
"""How far back the start of a wrapped row's line may be and still be lexed from."""

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


@dataclass(frozen=True, slots=True)
class Span:
    """A styled run inside one row, in columns: ``style`` is a token class (``key`` ...)."""

    start: int
    length: int
    style: str


def _style_for(token_type: object) -> str | None:
    """The style class of a pygments token type (cached: ``str(token_type)`` is slow)."""
    if token_type in _STYLE_CACHE:
        return _STYLE_CACHE[token_type]
    name = str(token_type).removeprefix("Token.")
    style = next((style for prefix, style in _STYLE_OF if name.startswith(prefix)), None)
    _STYLE_CACHE[token_type] = style
    return style


def lex_block(document: Document, block: int) -> dict[int, tuple[Span, ...]]:
    """Spans for the rows of block ``block`` (``LEX_BLOCK`` rows), by row number."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    if document.language == "text":
        return {}
    first = block * LEX_BLOCK
    rows = list(document.rows(first, LEX_BLOCK))
    if not rows:
        return {}
    try:
        lexer = get_lexer_by_name(document.language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return {}
    text, starts, mid_line = _block_text(document, rows)
    shift = 0
    if mid_line and document.language == "json":
        shift = len(_json_resync(lexer, text[: starts[0][0]]))
        text = '"' * shift + text
    spans: dict[int, list[Span]] = {}
    index = 0
    for raw_position, token_type, value in lexer.get_tokens_unprocessed(text):
        style = _style_for(token_type)
        if style is None:
            continue
        position = raw_position - shift
        stop = position + len(value)
        while index + 1 < len(starts) and starts[index + 1][0] <= position:
            index += 1
        current = index
        while current < len(starts) and starts[current][0] < stop:
            row_start, row_length = starts[current]
            a, b = max(position, row_start), min(stop, row_start + row_length)
            if b > a:
                spans.setdefault(first + current, []).append(Span(a - row_start, b - a, style))
            current += 1
    return {row: tuple(row_spans) for row, row_spans in spans.items()}


def _json_resync(lexer: Lexer, context: str) -> str:
    """``'"'`` when the text before a block (``context``, cut out of one long line) reads as JSON
    only if it started inside a string, else ``''``. A minified body is one line, so a block
    far into it starts wherever the row index cut it; lexed as if outside a string, a block that
    starts inside one swaps every string for bare words. The reading with fewer lexer errors
    wins (a wrong guess turns nearly every letter into an error)."""
    from pygments.token import Error

    def errors(text: str) -> int:
        tokens = lexer.get_tokens_unprocessed(text)
        return sum(1 for _at, kind, _value in tokens if kind[: len(Error)] == Error)

    return '"' if errors('"' + context) < errors(context) else ""


def _block_text(
    document: Document, rows: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]], bool]:
    """The block's text from its line start (or, inside a line longer than ``CONTEXT``, from
    ``CONTEXT`` bytes before the block), each row's (character offset, length), and whether
    the text starts in the middle of a line."""
    data = document.data
    begin = rows[0][0]
    floor = max(document.begin, begin - CONTEXT)
    newline = data.rfind(b"\n", floor, begin)
    line_start = newline + 1 if newline >= 0 else floor
    mid_line = newline < 0 and floor != document.begin
    pieces = [_decode(data[line_start:begin])]
    length = len(pieces[0])
    starts = []
    for index, (start, end) in enumerate(rows):
        row_text = _decode(data[start:end])
        following = rows[index + 1][0] if index + 1 < len(rows) else end
        gap = _decode(data[end:following])
        starts.append((length, len(row_text)))
        pieces.extend((row_text, gap))
        length += len(row_text) + len(gap)
    return "".join(pieces), starts, mid_line


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")
