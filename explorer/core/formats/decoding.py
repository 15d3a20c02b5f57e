"""The text of an import file: UTF-8 (with or without a BOM) or UTF-16 (with a BOM, or without one
as some Windows editors save it), never text with NUL characters in it, which would reach the
importers and the terminal as garbage."""

from __future__ import annotations

import codecs

from explorer.core.errors import FormatError

SAMPLE = 4096


def decode_input(data: bytes, source: str) -> str:
    """``data`` decoded, or one ``FormatError`` naming ``source`` if it is not text."""
    try:
        text = data.decode(_encoding(data))
    except UnicodeDecodeError as exc:
        raise FormatError("is not UTF-8 or UTF-16 text", path=source) from exc
    if "\0" in text:
        raise FormatError("holds NUL bytes, so it is binary, not text", path=source)
    return text


def _encoding(data: bytes) -> str:
    """The BOM's encoding; else UTF-16 when NUL fills one byte of most pairs and never the other
    (ASCII in UTF-16, the NUL telling the byte order); else UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:SAMPLE]
    if len(sample) < 2 or len(data) % 2:
        return "utf-8-sig"
    even, odd = sample[0::2], sample[1::2]
    if 0 not in even and odd.count(0) * 2 > len(odd):
        return "utf-16-le"
    if 0 not in odd and even.count(0) * 2 > len(even):
        return "utf-16-be"
    return "utf-8-sig"
