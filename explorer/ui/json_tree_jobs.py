"""The response tree's work on the view worker, as sliced jobs (``body_jobs.Job``): read and
parse a body, run a query, serialize a value to copy, and free a document.

All four keep each slice short, because a worker that holds the GIL stalls the UI thread just
as surely as work on the UI thread does. Parsing allocates a million objects for 20 MB of JSON,
and every full collection of the cycle collector scans them all (100-200 ms, on whichever
thread allocates at that moment); a parsed document has no cycles, so the collector is paused
while it is built and the document is then frozen out of its scans (``gc.freeze``, as
``app.run_gui`` does with what start-up built; reference counts still free it). Freeing a
document of that size is one long chain of deallocations, so ``release_steps`` takes it apart
a few thousand values at a time instead.
"""

from __future__ import annotations

import codecs
import gc
import json
from collections.abc import Generator
from itertools import islice

from explorer.core.json_query import Match, Mode, matches
from explorer.core.json_slices import Json, parse_steps
from explorer.ui.body_document import BodySource
from explorer.ui.body_jobs import Steps

READ_CHUNK = 1024 * 1024
COPY_LIMIT = 16 * 1024 * 1024
"""The most text Copy value puts on the clipboard (the body viewer's limit too)."""
_RELEASE_SLICE = 4096
_MATCHES_PER_SLICE = 64


def load_steps(body: BodySource) -> Steps[None, Json]:
    """The body read and decoded in chunks, then parsed in slices, with the cycle collector
    paused meanwhile; the document is frozen out of later collections."""
    text = yield from _text_steps(body)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        document = yield from parse_steps(text)
        del text
        gc.freeze()
    finally:
        if was_enabled:
            gc.enable()
    return document


def _text_steps(body: BodySource) -> Generator[None, None, str]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")("replace")
    parts: list[str] = []
    if body.path is not None:
        with body.path.open("rb") as handle:
            while chunk := handle.read(READ_CHUNK):
                parts.append(decoder.decode(chunk))
                yield None
    else:
        data = body.read_bytes()
        for start in range(0, len(data), READ_CHUNK):
            parts.append(decoder.decode(data[start : start + READ_CHUNK]))
            yield None
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts)


def query_steps(document: Json, expression: str, mode: Mode) -> Steps[None, list[Match]]:
    """The matches of ``expression``; a newer query cancels this one between matches. The
    expression is compiled at once, so a syntax error surfaces at the first slice."""
    found = matches(document, expression, mode)
    results: list[Match] = []
    for match in found:
        results.append(match)
        if len(results) % _MATCHES_PER_SLICE == 0:
            yield None
    return results


def copy_steps(value: Json) -> Steps[None, str | None]:
    """``value`` as indented JSON text, or None past ``COPY_LIMIT`` characters. The encoder
    with an indent is the pure-Python one, so it yields the GIL as it goes."""
    pieces: list[str] = []
    size = 0
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False)
    for count, piece in enumerate(encoder.iterencode(value), 1):
        pieces.append(piece)
        size += len(piece)
        if size > COPY_LIMIT:
            return None
        if count % 4096 == 0:
            yield None
    return "".join(pieces)


def release_steps(document: Json) -> Steps[None, None]:
    """Empty every container of ``document`` a slice at a time, so no single deallocation
    frees the whole tree. Only for a document nothing else refers to any more."""
    stack: list[Json] = [document]
    del document
    done = 0
    while stack:
        top = stack[-1]
        if isinstance(top, list) and top:
            value = top.pop()
        elif isinstance(top, dict) and top:
            value = top.popitem()[1]
        else:
            stack.pop()
            continue
        if isinstance(value, list | dict) and value:
            stack.append(value)
        done += 1
        if done % _RELEASE_SLICE == 0:
            yield None


def preview(value: Json, limit: int = 200) -> str:
    """One line for the Value column: a scalar as JSON (cut at ``limit``), a container as
    its size."""
    if isinstance(value, dict):
        return f"{{{len(value):,} key{'s' if len(value) != 1 else ''}}}"
    if isinstance(value, list):
        return f"[{len(value):,} item{'s' if len(value) != 1 else ''}]"
    if isinstance(value, str) and len(value) > limit:
        return json.dumps(value[:limit], ensure_ascii=False)[:-1] + "…"
    return json.dumps(value, ensure_ascii=False)


def page_of(value: Json, start: int, count: int) -> list[tuple[str | int, Json]]:
    """``count`` members of a container from ``start``: (name or index, value)."""
    if isinstance(value, list):
        return list(enumerate(value[start : start + count], start))
    if isinstance(value, dict):
        return list(islice(value.items(), start, start + count))
    return []
