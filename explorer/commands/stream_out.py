"""Where ``send`` writes a response body: stdout, as the bytes arrive, in bounded memory.

``send`` passes a ``StdoutSink`` as its progress callback (``explorer.core.http.client.BodySink``),
so the client hands it each decoded chunk and keeps only the body's head:

- Not a terminal (a pipe, a file), or ``-o -``: the bytes as they arrive, untouched, flushed per
  chunk, so ``| jq`` and ``| head`` see them at once and the output is byte for byte.
- A terminal: up to ``HOLD`` bytes (the in-memory threshold, 16 MB) are held, so a body that fits
  is pretty-printed and highlighted once complete. A longer one is printed plain as it arrives:
  decoded with an incremental decoder (a character split across chunks is joined) and sanitised
  chunk by chunk (``explorer.core.terminal``; a CR ending a chunk waits for the next to see
  whether LF follows). A binary body is refused as soon as its first 64 KB show it, and the
  download stops.
- 401 and 429 answers are not taken as they arrive: the session may replay the request
  (``ApiSession._exchange``), and an answer it replaces must not reach stdout. They stay in the
  response body (spilled past 16 MB) and are written once the send is over.

A reader that stops early (``| head``) stops the download and ends ``send`` quietly with 141, the
status a shell gives a command killed by SIGPIPE.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol, TextIO

from explorer.core.errors import ExplorerError, StorageError
from explorer.core.http.body import (
    DEFAULT_SPILL_THRESHOLD,
    DETECT_SAMPLE,
    READ_CHUNK,
    ResponseBody,
    charset_param,
)
from explorer.core.http.client import BodySink
from explorer.core.terminal import sanitise

if TYPE_CHECKING:
    from codecs import IncrementalDecoder

    from explorer.core.models import Headers, Response

__all__ = ["OUTPUT_CLOSED", "BinaryOnTerminal", "OutputClosed", "StdoutSink", "stdout_sink"]

HOLD = DEFAULT_SPILL_THRESHOLD
"""Bytes a terminal holds to pretty-print a body whole; past it the body streams plain."""
HELD_STATUSES = frozenset({401, 429})
"""Answers the session may replace by replaying the request."""
OUTPUT_CLOSED = 141


class BinaryOnTerminal(ExplorerError):
    """A binary body was not written to a terminal."""


class OutputClosed(ExplorerError):
    """stdout's reader went away before the whole body was written."""


class _Output(Protocol):
    def begin(self, headers: Headers) -> None: ...

    def write(self, chunk: bytes) -> None: ...

    def finish(self) -> None: ...


class StdoutSink(BodySink):
    """Takes the body of the final answer as it arrives and writes it through an output."""

    def __init__(self, output: _Output) -> None:
        self._output = output
        self._live = False

    def __call__(self, received: int, total: int | None) -> None:
        """No progress line: the body itself shows the progress."""

    def open(self, status: int, headers: Headers) -> bool:
        self._live = status not in HELD_STATUSES
        if self._live:
            self._output.begin(headers)
        return self._live

    def write(self, chunk: bytes) -> None:
        self._output.write(chunk)

    def complete(self, response: Response) -> None:
        """After the send: write a body that was held back, then end the output."""
        if not self._live:
            self._output.begin(response.headers)
            for chunk in response.body.chunks():
                self._output.write(chunk)
        self._output.finish()


def stdout_sink(*, forced: bool) -> StdoutSink:
    """The sink for ``sys.stdout``: raw bytes unless it is a terminal and ``forced`` is off."""
    out = sys.stdout
    if forced or not _isatty(out):
        return StdoutSink(RawOutput(out))
    return StdoutSink(TerminalOutput(out, color=_use_color(out)))


class RawOutput:
    """The bytes as they arrive, each chunk flushed."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def begin(self, headers: Headers) -> None:
        with _writing():
            self._stream.flush()

    def write(self, chunk: bytes) -> None:
        with _writing():
            self._stream.buffer.write(chunk)
            self._stream.buffer.flush()

    def finish(self) -> None:
        with _writing():
            self._stream.buffer.flush()


class TerminalOutput:
    """Text for a person: pretty when the body fits in ``hold``, else plain as it arrives;
    every control character made visible; binary refused."""

    def __init__(self, stream: TextIO, *, color: bool, hold: int = HOLD) -> None:
        self._stream = stream
        self._color = color
        self._hold = hold
        self._content_type = ""
        self._held = bytearray()
        self._judged = False
        self._decoder: IncrementalDecoder | None = None
        self._pending = ""
        self._last = "\n"

    def begin(self, headers: Headers) -> None:
        self._content_type = headers.get("Content-Type") or ""
        self._held = bytearray()
        self._judged = False
        self._decoder = None
        self._pending = ""
        self._last = "\n"

    def write(self, chunk: bytes) -> None:
        if self._decoder is not None:
            self._emit(chunk)
            return
        self._held += chunk
        past_hold = len(self._held) > self._hold
        if past_hold or len(self._held) >= DETECT_SAMPLE:
            self._judge()
        if past_hold:
            self._stream_from_here()

    def _stream_from_here(self) -> None:
        """Too long to pretty-print whole: print what is held, and the rest as it arrives."""
        charset = self._as_body(DETECT_SAMPLE).detect_charset() or "utf-8"
        self._decoder = codecs.getincrementaldecoder(charset)(errors="replace")
        held, self._held = memoryview(self._held), bytearray()
        for start in range(0, len(held), READ_CHUNK):  # a slice at a time: no 16 MB str copies
            self._emit(bytes(held[start : start + READ_CHUNK]))

    def finish(self) -> None:
        if self._decoder is not None:
            self._emit(b"", final=True)
            if self._last != "\n":
                self._put("\n")
            return
        if not self._held:
            return
        self._judge()
        self._put_whole(self._as_body().text())

    def _as_body(self, limit: int | None = None) -> ResponseBody:
        """What is held (or its first ``limit`` bytes), to decode and judge as any body."""
        data = bytes(self._held if limit is None else memoryview(self._held)[:limit])
        return ResponseBody.from_bytes(data, charset=charset_param(self._content_type))

    def _judge(self) -> None:
        """Refuse a binary body, once, from its first 64 KB (or all of it, if shorter)."""
        if self._judged:
            return
        self._judged = True
        if self._as_body(DETECT_SAMPLE).is_binary:
            raise BinaryOnTerminal(
                "The response body is binary and was not printed, as it would garble the "
                "terminal; save it with -o FILE (or print it anyway with -o -)."
            )

    def _emit(self, data: bytes, *, final: bool = False) -> None:
        assert self._decoder is not None
        text = self._pending + self._decoder.decode(data, final)
        self._pending = ""
        if text.endswith("\r") and not final:
            self._pending, text = "\r", text[:-1]
        if text:
            self._put(sanitise(text))

    def _put_whole(self, text: str) -> None:
        from explorer.core.formatting import language_for, pretty

        media = self._content_type.split(";", 1)[0].strip().lower()
        language = language_for(media, text[:64])
        shown = sanitise(pretty(text, language))
        if self._color:
            shown = _highlight(shown, language)
        self._put(shown if shown.endswith("\n") else shown + "\n")

    def _put(self, text: str) -> None:
        with _writing():
            self._stream.write(text)
            self._stream.flush()
        self._last = text[-1]


@contextlib.contextmanager
def _writing() -> Iterator[None]:
    """A write to stdout: a closed pipe is ``OutputClosed`` (and stdout is pointed at the null
    device so the interpreter's last flush stays quiet), any other failure one sentence."""
    try:
        yield
    except BrokenPipeError:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
        raise OutputClosed("stdout was closed before the whole body was written.") from None
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise StorageError(f"the body cannot be written: {reason}", path="stdout") from exc


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _use_color(stream: TextIO) -> bool:
    return _isatty(stream) and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _highlight(text: str, language: str) -> str:
    from pygments import highlight
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        return text
    return highlight(text, lexer, TerminalFormatter())
