"""Find in the response: a search that streams over the document's bytes a chunk at a time.

Each chunk is decoded (bad bytes escaped one for one, so positions map back exactly) and
searched with the compiled pattern, so a regex or a case-insensitive needle behaves as on
text. Windows overlap (the needle's longest UTF-8 form, or ``REGEX_OVERLAP`` bytes for a regex)
so a match across a chunk boundary is found once; a regex match longer than the overlap that
crosses a boundary may be cut there. Matches are byte ranges of the document. The job reports
new matches as they are found, so the count grows and next/previous work at once.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field

from explorer.ui.body_document import Document, char_start
from explorer.ui.body_jobs import Steps, Throttle, run_to_end

SEARCH_CHUNK = 256 * 1024
MAX_MATCHES = 100_000
REGEX_OVERLAP = 1024
LOOKBEHIND = 64
"""Bytes before a window kept as context, so ``^`` and ``\\b`` see what precedes it (a
character cut at its start decodes to escapes, which only a lookbehind could see)."""


def _positions() -> array[int]:
    return array("q")


@dataclass(slots=True)
class SearchResult:
    """Match byte ranges (capped at ``MAX_MATCHES``) and the true total. Positions live in two
    arrays, not 100,000 objects the garbage collector would walk on every full collection."""

    starts: array[int] = field(default_factory=_positions)
    ends: array[int] = field(default_factory=_positions)
    total: int = 0
    error: str = ""
    done: bool = True

    def __len__(self) -> int:
        return len(self.starts)

    def extend(self, more: SearchResult) -> None:
        """Add the matches another report found after these."""
        self.starts.extend(more.starts)
        self.ends.extend(more.ends)
        self.total = more.total
        self.done = more.done


def compile_needle(needle: str, *, case_sensitive: bool, regex: bool) -> re.Pattern[str]:
    """The pattern for ``needle``; raises ``re.error`` for a bad regular expression."""
    flags = re.MULTILINE if case_sensitive else re.MULTILINE | re.IGNORECASE
    return re.compile(needle if regex else re.escape(needle), flags)


def search_steps(
    document: Document,
    needle: str,
    *,
    case_sensitive: bool = False,
    regex: bool = False,
    chunk: int = SEARCH_CHUNK,
) -> Steps[SearchResult, SearchResult]:
    """Every match of ``needle`` in ``document``; reports the matches found since the last
    report (``done`` False), returns all of them."""
    if not needle:
        return SearchResult()
    try:
        pattern = compile_needle(needle, case_sensitive=case_sensitive, regex=regex)
    except re.error as exc:
        return SearchResult(error=f"Invalid regular expression: {exc}.")
    overlap = REGEX_OVERLAP if regex else 4 * len(needle) + 4
    chunk = max(4, chunk)
    found = SearchResult(done=False)
    reported = 0
    throttle = Throttle()
    position = document.begin
    while position < document.size:
        lead = max(document.begin, position - LOOKBEHIND)
        window_end = min(document.size, position + chunk + overlap)
        window = document.buffer.read(lead, window_end)
        end = document.size
        if window_end < document.size:
            end = _window_cut(window, (lead, position), chunk)
        position = _scan(pattern, window, (lead, position, end), found)
        if len(found) > reported and throttle.due():
            yield SearchResult(
                found.starts[reported:], found.ends[reported:], found.total, done=False
            )
            reported = len(found)
        else:
            yield None
    found.done = True
    return found


def _window_cut(window: bytes, bases: tuple[int, int], chunk: int) -> int:
    """Where this window's own part ends: after its last newline in the second half of the
    chunk (a line-based regex sees whole lines), else at a character boundary. Read from the
    window, not the map: touching the map would make the scanned file resident."""
    lead, position = bases
    skip = position - lead
    newline = window.rfind(b"\n", skip + chunk // 2, skip + chunk)
    if newline >= 0:
        return lead + newline + 1
    return lead + char_start(window, skip + chunk, skip)


def _scan(
    pattern: re.Pattern[str], window: bytes, bounds: tuple[int, int, int], found: SearchResult
) -> int:
    """Add the matches that start in ``position:end`` (the window's bytes before ``position``
    are context for ``^``, ``\\b`` and lookbehinds); returns where the next window starts."""
    lead, position, end = bounds
    ascii_only = window.isascii()
    text = window.decode("ascii") if ascii_only else _decode(window)
    char = position - lead if ascii_only else len(_decode(window[: position - lead]))
    byte = position
    following = end
    for match in pattern.finditer(text, char):
        if match.end() == match.start():
            continue
        if ascii_only:
            start, stop = lead + match.start(), lead + match.end()
        else:
            byte += _byte_length(text[char : match.start()])
            start = byte
            byte += _byte_length(text[match.start() : match.end()])
            char, stop = match.end(), byte
        if start >= end:
            break
        found.total += 1
        if found.total <= MAX_MATCHES:
            found.starts.append(start)
            found.ends.append(stop)
        following = max(following, stop)
    return following


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _byte_length(text: str) -> int:
    return len(text.encode("utf-8", "surrogateescape"))


def search(
    document: Document, needle: str, *, case_sensitive: bool = False, regex: bool = False
) -> SearchResult:
    """Every match at once (small documents and tests)."""
    return run_to_end(search_steps(document, needle, case_sensitive=case_sensitive, regex=regex))
