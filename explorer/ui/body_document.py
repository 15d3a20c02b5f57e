"""The body viewer's model: a UTF-8 document over a mapped file, its rows indexed on a worker.

A response body of any size becomes a ``Document`` without ever being held whole as text. The
bytes stay where they are: a spilled body's temp file is mapped (``mmap``), a small body is the
``bytes`` in memory. Rows (logical lines hard-wrapped every ``wrap`` bytes, never inside a UTF-8
character) are byte ranges decoded only when painted, lexed, searched or copied.

The row index is sparse: the start of every ``STRIDE``-th row and its line number, so a 1 GB
body of short lines costs megabytes, not a copy of itself; any row is found by walking at most
``STRIDE`` rows from its checkpoint, which is what the row walker below does (a ``find`` over
at most ``wrap + 2`` bytes per row). ``index_steps`` builds the index a chunk at a time, as a job
for ``body_jobs.Job``: the view shows the first screen after the first chunk, and the scroll range
grows while the rest is indexed. Each chunk is read with ``os.pread``, which releases the GIL and
leaves no mapped pages behind (a scan through the map would make the whole file resident).

Bodies in other charsets (UTF-16/32 with a BOM, a declared latin-1, detected cp1252 ...) are
transcoded first, in chunks with an incremental decoder, into a UTF-8 spill file
(``ResponseBody`` spills and accounts it like any large body); invalid bytes show as U+FFFD.
"""

from __future__ import annotations

import codecs
import mmap
import os
import weakref
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from explorer.ui.body_jobs import Steps, Throttle, run_to_end

if TYPE_CHECKING:  # the HTTP stack (requests) loads after the first paint, not before
    from explorer.core.http.body import ResponseBody

STRIDE = 64
"""Rows per checkpoint of the sparse row index."""
CHUNK = 1024 * 1024
"""Bytes read per slice of work (a parameter everywhere so tests can cut at every byte)."""
DEFAULT_WRAP = 160

_UTF8 = frozenset({"utf-8", "ascii"})
_NEWLINE = 10
_CR = 13
_SHOWN = {code: " " for code in range(32)} | {0x7F: " "}
_SHOWN.update({code: "\ufffd" for code in range(0xDC80, 0xDD00)})
"""What a row shows instead of control characters (one column each) and escaped bad bytes."""


class BodySource(Protocol):
    """What a document needs from a response body (``ResponseBody`` satisfies it)."""

    @property
    def size(self) -> int: ...

    @property
    def path(self) -> Path | None: ...

    def head(self, limit: int) -> bytes: ...

    @property
    def is_binary(self) -> bool: ...

    def detect_charset(self) -> str | None: ...

    def read_bytes(self) -> bytes: ...


class Buffer:
    """The bytes of a document: a read-only map of a file, or ``bytes`` in memory. ``data``
    serves the small random reads of painting and lexing; ``read`` the chunked scans."""

    def __init__(self, data: bytes | mmap.mmap, *, fd: int = -1, owner: object = None) -> None:
        self.data = data
        self._fd = fd
        self._owner = owner  # keeps the file behind the map (and its spill charge) alive

    @classmethod
    def of_file(cls, path: Path, owner: object) -> Buffer:
        """Map ``path`` read-only; the descriptor closes when the buffer is collected."""
        fd = os.open(path, os.O_RDONLY)
        try:
            data = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        except BaseException:
            os.close(fd)
            raise
        buffer = cls(data, fd=fd, owner=owner)
        weakref.finalize(buffer, os.close, fd)
        return buffer

    @property
    def size(self) -> int:
        return len(self.data)

    def read(self, start: int, end: int) -> bytes:
        """Bytes ``start:end`` for a scan: ``pread`` on a file, so the map stays cold."""
        end = min(end, self.size)
        if self._fd < 0 or not hasattr(os, "pread"):
            return bytes(self.data[start:end])
        pieces = []
        while start < end:
            piece = os.pread(self._fd, end - start, start)
            if not piece:
                break
            pieces.append(piece)
            start += len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)


@dataclass(frozen=True, slots=True)
class Progress:
    """What a loading or formatting job reports: its phase, how far it is, and the document
    once there is one to show (the same object as its index grows)."""

    phase: str
    fraction: float
    document: Document | None = None


class Document:
    """UTF-8 bytes ``begin:size`` of a buffer split into display rows.

    Written by one indexing job on the worker and read by the UI thread: the job extends the
    checkpoint arrays before it publishes ``rows_known``, and readers only look below it.
    """

    def __init__(
        self,
        buffer: Buffer,
        *,
        begin: int = 0,
        wrap: int = DEFAULT_WRAP,
        language: str = "text",
        formatted: bool = False,
    ) -> None:
        self.buffer = buffer
        self.data = buffer.data
        self.begin = begin
        self.size = buffer.size
        self.wrap = max(4, wrap)
        self.language = language
        self.formatted = formatted
        self.offsets = array("q")  # start of row k * STRIDE
        self.lines = array("q")  # line number (from 0) of row k * STRIDE
        self.rows_known = 0
        self.lines_known = 0
        self.indexed_to = begin
        self.complete = False

    # -- size and progress --------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows indexed so far: all of them once ``complete``."""
        return self.rows_known

    @property
    def length(self) -> int:
        """Bytes of text (without a BOM)."""
        return self.size - self.begin

    @property
    def fraction(self) -> float:
        return 1.0 if self.complete else (self.indexed_to - self.begin) / max(1, self.length)

    # -- text -----------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The whole text: for small documents (the snippet preview, tests) only."""
        return self.text_between(self.begin, self.size)

    def text_between(self, start: int, end: int) -> str:
        return self.buffer.read(start, end).decode("utf-8", "replace")

    def display(self, start: int, end: int) -> str:
        """Bytes ``start:end`` of one row as painted: one character per column, bad bytes and
        control characters shown as U+FFFD and spaces."""
        return _decode(self.data[start:end]).translate(_SHOWN)

    def column(self, start: int, offset: int) -> int:
        """The column of byte ``offset`` in the row starting at ``start``."""
        piece = self.data[start:offset]
        return len(piece) if piece.isascii() else len(_decode(piece))

    def offset_at(self, start: int, end: int, column: int) -> int:
        """The byte offset of ``column`` in the row ``start:end`` (clamped to the row)."""
        piece = self.data[start:end]
        if piece.isascii():
            return start + min(column, len(piece))
        return start + len(_decode(piece)[:column].encode("utf-8", "surrogateescape"))

    # -- rows -----------------------------------------------------------------------------------

    def row_bounds(self, start: int) -> tuple[int, int]:
        """(end of the text, start of the next row) of the row starting at ``start``."""
        data, size, wrap = self.data, self.size, self.wrap
        window = min(size, start + wrap + 2)
        newline = data.find(b"\n", start, window)
        if newline >= 0:
            content = newline - 1 if newline > start and data[newline - 1] == _CR else newline
            if content - start <= wrap:
                return content, newline + 1
        elif window == size:
            content = size - 1 if size > start and data[size - 1] == _CR else size
            if content - start <= wrap:
                return content, size
        cut = _cut(data, start + wrap, start)
        return cut, cut

    def rows(self, first: int, count: int) -> Iterator[tuple[int, int]]:
        """(start, end of text) of up to ``count`` known rows from row ``first``."""
        last = min(self.rows_known, first + count)
        if first >= last:
            return
        row, start = self._checkpoint(first)
        while row < last:
            end, following = self.row_bounds(start)
            if row >= first:
                yield start, end
            row, start = row + 1, following

    def row_start(self, row: int) -> int:
        return next(self.rows(row, 1), (self.size, self.size))[0]

    def row_of(self, offset: int) -> int | None:
        """The row holding byte ``offset``; None while that part is not indexed yet."""
        if offset >= self.indexed_to and not self.complete:
            return None
        known = -(-self.rows_known // STRIDE)
        index = max(0, bisect_right(self.offsets, offset, 0, known) - 1)
        row, start = index * STRIDE, self.offsets[index] if known else self.begin
        while row + 1 < self.rows_known:
            _, following = self.row_bounds(start)
            if following > offset:
                break
            row, start = row + 1, following
        return row

    def row_of_line(self, line: int) -> int | None:
        """The first row of line ``line`` (from 0; past the end: the last line's); None while
        that line is not indexed yet."""
        if line >= self.lines_known:
            if not self.complete:
                return None
            line = self.lines_known - 1
        known = -(-self.rows_known // STRIDE)
        index = max(0, bisect_left(self.lines, line, 0, known) - 1)
        row, start, current = index * STRIDE, self.offsets[index], self.lines[index]
        while current < line:
            end, following = self.row_bounds(start)
            row, start = row + 1, following
            current += following > end
        return row

    def _checkpoint(self, row: int) -> tuple[int, int]:
        index = row // STRIDE
        return index * STRIDE, self.offsets[index]


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def char_start(data: bytes | mmap.mmap, offset: int, floor: int) -> int:
    """``offset`` moved back to the lead byte of the UTF-8 character it falls in (at most
    three bytes, never to ``floor``): where a chunked scan may cut ``data``."""
    return _cut(data, offset, floor)


def _cut(data: bytes | mmap.mmap, cut: int, floor: int) -> int:
    """``cut`` moved back to the lead byte of a UTF-8 character it would split (at most three
    bytes, never to ``floor``); a stray continuation byte is cut where it is."""
    if data[cut] & 0xC0 != 0x80:
        return cut
    for back in range(cut - 1, max(floor, cut - 4), -1):
        byte = data[back]
        if byte & 0xC0 != 0x80:
            return back if byte >= 0xC0 else cut
    return cut


# -- the row index ------------------------------------------------------------------------------


class _RowBuilder:
    """Emits rows in order into a document's sparse index."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.wrap = document.wrap
        self.rows = 0
        self.line = 0
        self.last_line = -1

    def publish(self, position: int) -> None:
        document = self.document  # counts before the offset: a reader trusts rows below them
        document.rows_known = self.rows
        document.lines_known = self.last_line + 1
        document.indexed_to = position

    def emit(self, offset: int) -> None:
        if self.rows % STRIDE == 0:
            self.document.offsets.append(offset)
            self.document.lines.append(self.line)
        self.rows += 1
        self.last_line = self.line

    def emit_every(self, start: int, end: int) -> None:
        """Rows at ``start``, ``start + wrap`` ... below ``end``, all of the current line."""
        count = -(-(end - start) // self.wrap)
        skip = -self.rows % STRIDE
        if skip < count:
            self.document.offsets.extend(range(start + skip * self.wrap, end, STRIDE * self.wrap))
            self.document.lines.extend(repeat(self.line, len(range(skip, count, STRIDE))))
        self.rows += count
        self.last_line = self.line

    def feed(self, block: bytes, base: int, *, final: bool) -> int:
        """Index ``block`` (the bytes from row start ``base``); returns where the next block
        starts: after the last complete line, or at the first row not known to be full yet."""
        parts = block.split(b"\n")
        tail = parts.pop()
        if parts:
            self.lines(parts, base)
        start = base + len(block) - len(tail)
        if final:
            self.line_rows(tail, start)
            return base + len(block)
        return self.partial_rows(tail, start)

    def lines(self, parts: list[bytes], base: int) -> None:
        """Rows of complete lines (``parts`` without their newlines) starting at ``base``."""
        if max(map(len, parts)) <= self.wrap:  # one row each: offsets summed in C
            count = len(parts)
            skip = -self.rows % STRIDE
            if skip < count:
                sums = list(accumulate(map(len, parts), initial=0))
                picked = range(skip, count, STRIDE)
                self.document.offsets.extend([base + sums[i] + i for i in picked])
                self.document.lines.extend(range(self.line + skip, self.line + count, STRIDE))
            self.rows += count
            self.line += count
            self.last_line = self.line - 1
            return
        for part in parts:
            if len(part) <= self.wrap:
                self.emit(base)
            else:
                self.line_rows(part, base)
            base += len(part) + 1
            self.line += 1

    def line_rows(self, part: bytes, base: int) -> None:
        """Rows of one whole line (or the last one, without a newline) at ``base``."""
        content = len(part) - 1 if part.endswith(b"\r") else len(part)
        if content <= self.wrap:
            self.emit(base)
        elif part.isascii():
            self.emit_every(base, base + content)
        else:
            row = 0
            while True:
                self.emit(base + row)
                if content - row <= self.wrap:
                    break
                row = _cut(part, row + self.wrap, row)

    def partial_rows(self, tail: bytes, base: int) -> int:
        """The rows of an unfinished line that are surely full (more than ``wrap + 1`` bytes
        follow their start); returns the start of the first row left for the next block."""
        wrap = self.wrap
        if len(tail) <= wrap + 1:
            return base
        if tail.isascii():
            count = -(-(len(tail) - wrap - 1) // wrap)
            self.emit_every(base, base + count * wrap)
            return base + count * wrap
        row = 0
        while row + wrap + 1 < len(tail):
            self.emit(base + row)
            row = _cut(tail, row + wrap, row)
        return base + row


def index_steps(document: Document, chunk: int = CHUNK) -> Steps[Progress, Document]:
    """Build ``document``'s row index a chunk at a time; reports it (throttled, the first time
    at once) so the view can show what is indexed so far."""
    builder = _RowBuilder(document)
    throttle = Throttle()
    position = document.begin
    need = chunk
    while True:
        end = min(document.size, position + need)
        final = end == document.size
        block = document.buffer.read(position, end)
        following = builder.feed(block, position, final=final)
        need = chunk if following > position else need + chunk  # a row longer than a chunk
        position = following
        builder.publish(position)
        if final:
            break
        yield Progress("indexing", document.fraction, document) if throttle.due() else None
    document.complete = True
    return document


# -- opening bodies -----------------------------------------------------------------------------


def load_steps(
    body: BodySource, language: str, wrap: int, chunk: int = CHUNK
) -> Steps[Progress, Document]:
    """A body as a document: mapped (transcoded to UTF-8 first when it is in another
    charset), then indexed. Reports the document as soon as its first chunk is indexed."""
    charset = codecs.lookup(body.detect_charset() or "utf-8").name
    begin = 0
    if charset in _UTF8 or charset == "utf-8-sig":
        source: BodySource = body
        begin = 3 if body.head(3) == codecs.BOM_UTF8 else 0
    else:
        source = yield from transcode_steps(body, charset, chunk)
    document = Document(_buffer_of(source), begin=begin, wrap=wrap, language=language)
    return (yield from index_steps(document, chunk))


def _buffer_of(body: BodySource) -> Buffer:
    path = body.path
    if path is not None and body.size:
        return Buffer.of_file(path, body)
    return Buffer(body.read_bytes(), owner=body)


def transcode_steps(
    body: BodySource, charset: str, chunk: int = CHUNK
) -> Steps[Progress, ResponseBody]:
    """``body`` re-encoded as UTF-8 into a new body (a spill file when large), decoded a
    chunk at a time; undecodable bytes become U+FFFD."""
    from explorer.core.http.body import ResponseBody

    decoder = codecs.getincrementaldecoder(charset)(errors="replace")
    target = ResponseBody()
    throttle = Throttle()
    done = 0
    for piece in _chunks(body, chunk):
        target.write(decoder.decode(piece).encode("utf-8", "replace"))
        done += len(piece)
        yield Progress("converting", done / max(1, body.size)) if throttle.due() else None
    target.write(decoder.decode(b"", final=True).encode("utf-8", "replace"))
    target.finish()
    return target


def _chunks(body: BodySource, chunk: int) -> Iterator[bytes]:
    path = body.path
    if path is None:
        data = body.read_bytes()
        for start in range(0, len(data), chunk):
            yield data[start : start + chunk]
        return
    with path.open("rb") as handle:
        while piece := handle.read(chunk):
            yield piece


def make_document(
    text: str, language: str, *, wrap: int = DEFAULT_WRAP, formatted: bool = False
) -> Document:
    """A small text as a fully indexed document (messages, the snippet preview, tests)."""
    buffer = Buffer(text.encode("utf-8", "surrogatepass"))
    document = Document(buffer, wrap=wrap, language=language, formatted=formatted)
    return run_to_end(index_steps(document))
