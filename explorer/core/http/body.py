"""Response bodies that stay in memory while small and spill to a temp file when large.

A 200 MB body must not cost 200 MB of Python ``bytes`` per copy: the writer appends chunks to a
``bytearray`` up to ``spill_threshold`` and moves everything to a temp file past it. Readers get
bytes, a slice, chunks, or the file path, and the text is decoded on demand with the declared
charset, a BOM, UTF-8, or a detected charset, in that order. A body whose bytes went elsewhere as
they arrived (``send`` streaming to stdout) keeps only its head (``keep_head``): its size, charset
and binary checks still work, and ``partial`` says the rest is gone.
"""

from __future__ import annotations

import codecs
import os
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from explorer.core.errors import StorageError
from explorer.core.tempfiles import SpillFiles, spill_files

DEFAULT_SPILL_THRESHOLD = 16 * 1024 * 1024
DETECT_SAMPLE = 64 * 1024
READ_CHUNK = 1024 * 1024

_TEXT_CONTROLS = frozenset(b"\t\n\r\f\b\x1b")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class ResponseBody:
    """Bytes of one response body. Write with ``write``, then ``finish``; read afterwards."""

    def __init__(
        self, *, spill_threshold: int = DEFAULT_SPILL_THRESHOLD, keep_head: int | None = None
    ) -> None:
        """``keep_head``: keep only the first that many bytes in memory and count the rest
        without storing them (never spills)."""
        self._buffer: bytearray | None = bytearray()
        self._file: BinaryIO | None = None
        self._spilled: _Spilled | None = None
        self._size = 0
        self._threshold = spill_threshold
        self._keep = keep_head
        self._finalizer: weakref.finalize[..., ResponseBody] | None = None
        self.declared_charset: str | None = None

    @classmethod
    def from_bytes(cls, data: bytes, *, charset: str | None = None) -> ResponseBody:
        body = cls(spill_threshold=max(len(data) + 1, DEFAULT_SPILL_THRESHOLD))
        body.write(data)
        body.finish()
        body.declared_charset = charset
        return body

    def write(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._keep is not None:
            assert self._buffer is not None
            room = self._keep - len(self._buffer)
            if room > 0:
                self._buffer += chunk[:room]
        elif self._buffer is not None:
            self._buffer += chunk
            if len(self._buffer) > self._threshold:
                self._spill()
        elif self._file is not None and self._spilled is not None:
            self._spilled.charge(len(chunk))
            self._file.write(chunk)

    def _spill(self) -> None:
        """Move the buffer to a temp file of the process's spill manager (which caps the disk
        all spilled bodies take, and removes files left by killed processes)."""
        assert self._buffer is not None
        manager = spill_files()
        self._file, path = manager.create()
        self._spilled = _Spilled(manager, path)
        self._finalizer = weakref.finalize(self, self._spilled.remove)
        self._spilled.charge(len(self._buffer))
        self._file.write(self._buffer)
        self._buffer = None

    def finish(self) -> None:
        """Flush and close the spill file; the body is read-only from now on."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def discard(self) -> None:
        """Drop the content now (a cancelled or superseded exchange) instead of at collection."""
        self.finish()
        self._buffer = bytearray()
        if self._finalizer is not None:
            self._finalizer()
        self._spilled = None
        self._size = 0

    @property
    def size(self) -> int:
        return self._size

    @property
    def path(self) -> Path | None:
        """The spill file, when the body is too large to be held in memory."""
        return self._spilled.path if self._spilled is not None else None

    @property
    def partial(self) -> bool:
        """True when only the head was kept (``keep_head``) and the body was longer."""
        return self._buffer is not None and self._size > len(self._buffer)

    def read_bytes(self) -> bytes:
        """All the bytes. For spilled bodies this reads the file: prefer ``head``, ``chunks``
        or ``path``."""
        self._require_whole()
        if self._buffer is not None:
            return bytes(self._buffer)
        assert self._spilled is not None
        return self._spilled.path.read_bytes()

    def chunks(self, size: int = READ_CHUNK) -> Iterator[bytes]:
        """All the bytes in pieces of at most ``size``: a spilled body is read from its file a
        piece at a time, never whole."""
        self._require_whole()
        if self._buffer is not None:
            view = memoryview(self._buffer)
            for start in range(0, len(view), size):
                yield bytes(view[start : start + size])
            return
        assert self._spilled is not None
        with self._spilled.path.open("rb") as handle:
            while chunk := handle.read(size):
                yield chunk

    def _require_whole(self) -> None:
        if self.partial:
            raise ValueError(
                f"only the first {self._keep:,} of this body's {self._size:,} bytes were kept"
            )

    def head(self, limit: int) -> bytes:
        """The first ``limit`` bytes, cheaply, whatever the storage."""
        if self._buffer is not None:
            return bytes(self._buffer[:limit])
        assert self._spilled is not None
        with self._spilled.path.open("rb") as handle:
            return handle.read(limit)

    def save(self, target: Path) -> None:
        """Write the body to ``target`` atomically: a temp file next to it, renamed over it.
        Whatever stops the copy (Ctrl+C, a full disk, a folder named ``target``) removes the
        temp file, so no partial body is left behind."""
        self._require_whole()
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        try:
            with tmp.open("wb") as dst:
                for chunk in self.chunks():
                    dst.write(chunk)
            os.replace(tmp, target)
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                reason = (exc.strerror or type(exc).__name__).lower()
                message = f"the body cannot be saved here: {reason}"
                raise StorageError(message, path=str(target)) from exc
            raise

    @property
    def is_binary(self) -> bool:
        """True when the start of the body does not look like text in any plausible charset."""
        sample = self.head(DETECT_SAMPLE)
        if not sample:
            return False
        if any(sample.startswith(bom) for bom, _ in _BOMS):
            return False
        if b"\x00" in sample:
            return True
        if _is_utf8_prefix(sample) or self.declared_charset:
            return False
        controls = sum(1 for byte in sample if byte < 32 and byte not in _TEXT_CONTROLS)
        return controls > len(sample) // 20 or self.detect_charset() is None

    def detect_charset(self) -> str | None:
        """The charset to decode with: declared, BOM, UTF-8, then detected; None for binary."""
        sample = self.head(DETECT_SAMPLE)
        for bom, name in _BOMS:
            if sample.startswith(bom):
                return name
        if self.declared_charset:
            try:
                codecs.lookup(self.declared_charset)
            except LookupError:
                pass
            else:
                return self.declared_charset
        if _is_utf8_prefix(sample):
            return "utf-8"
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            return "cp1252"  # the WHATWG default for undeclared legacy text
        from charset_normalizer import from_bytes  # lazy: rare, and slow to import

        best = from_bytes(sample).best()
        return best.encoding if best is not None else None

    def text(self, *, errors: str = "replace") -> str:
        """The body decoded with ``detect_charset`` (UTF-8 with replacement for binary)."""
        charset = self.detect_charset() or "utf-8"
        return self.read_bytes().decode(charset, errors=errors)


def charset_param(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header value, if any."""
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"') or None
    return None


def _is_utf8_prefix(sample: bytes) -> bool:
    """UTF-8 validity, tolerating a multi-byte character cut at the end of the sample."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


class _Spilled:
    """One spill file and the bytes charged for it; ``remove`` gives both back (run by the
    body's finaliser: on ``discard``, at collection, or at interpreter exit)."""

    def __init__(self, manager: SpillFiles, path: Path) -> None:
        self.manager = manager
        self.path = path
        self.charged = 0

    def charge(self, size: int) -> None:
        self.manager.charge(size)
        self.charged += size

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        self.manager.release(self.charged)
        self.charged = 0
