"""The viewer's Qt-free model: the sparse row index, transcoding, streaming search and JSON
re-indenting, checked against simple reference implementations, with chunks small enough
(1 and 7 bytes) that every character, CRLF and match gets cut by a chunk boundary somewhere."""

from __future__ import annotations

import codecs
import json
import mmap
import re
from bisect import bisect_right
from collections.abc import Callable
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core.http.body import ResponseBody
from explorer.ui import body_search
from explorer.ui.body_document import (
    Buffer,
    Document,
    Progress,
    index_steps,
    load_steps,
    make_document,
)
from explorer.ui.body_format import format_steps, reindent_json
from explorer.ui.body_jobs import Job, Steps, Throttle, run_to_end
from explorer.ui.body_lexing import lex_block
from explorer.ui.body_search import search, search_steps

CHUNKS = [1, 7, 64, 1 << 20]


def reference_rows(data: bytes, wrap: int) -> list[int]:
    """Row starts the slow way: every line (``\\n``; a ``\\r`` before it is not shown), cut
    every ``wrap`` bytes, moved back to the start of a UTF-8 character a cut would split."""
    rows, pos = [0], 0
    while True:
        newline = data.find(b"\n", pos)
        end = len(data) if newline < 0 else newline
        content = end - 1 if end > pos and data[end - 1] == 13 else end
        row = pos
        while content - row > wrap:
            cut = row + wrap
            back = cut
            while back > cut - 3 and data[back] & 0xC0 == 0x80:
                back -= 1
            row = back if data[back] & 0xC0 == 0xC0 and back < cut else cut
            rows.append(row)
        if newline < 0:
            return rows
        pos = newline + 1
        rows.append(pos)


def indexed(data: bytes, wrap: int, chunk: int = 1 << 20) -> Document:
    document = Document(Buffer(data), wrap=wrap)
    return run_to_end(index_steps(document, chunk))


def row_starts(document: Document) -> list[int]:
    return [start for start, _ in document.rows(0, document.row_count)]


pieces = st.lists(
    st.sampled_from(
        ["ab", "cd\n", "\n", "\r\n", "\r", "needle", "x" * 70, "y" * 333, "é€", "😀" * 9]
    ),
    max_size=30,
).map("".join)
raw_bytes = st.one_of(
    pieces.map(str.encode),
    st.binary(max_size=300),
    st.lists(st.sampled_from([b"\x80", b"\xe2\x82", b"\xff", b"\n", b"ab", b"\xf0\x9f\x98"])).map(
        b"".join
    ),
)


@settings(max_examples=300, deadline=None)
@given(data=raw_bytes, wrap=st.integers(5, 200), chunk=st.sampled_from(CHUNKS))
def test_rows_match_the_reference_whatever_the_chunk_size(
    data: bytes, wrap: int, chunk: int
) -> None:
    document = indexed(data, wrap, chunk)
    reference = reference_rows(data, wrap)
    assert row_starts(document) == reference
    assert document.complete
    for offset in range(0, len(data) + 1, 5):
        assert document.row_of(offset) == bisect_right(reference, offset) - 1
    line_starts = [0, *(match.end() for match in re.finditer(b"\n", data))]
    assert document.lines_known == len(line_starts)
    for line, start in enumerate(line_starts):
        assert document.row_start(document.row_of_line(line) or 0) == start


@settings(max_examples=200, deadline=None)
@given(text=pieces, wrap=st.integers(5, 200), chunk=st.sampled_from(CHUNKS))
def test_rows_show_the_text_and_never_split_a_character(text: str, wrap: int, chunk: int) -> None:
    document = indexed(text.encode(), wrap, chunk)
    shown = [document.display(start, end) for start, end in document.rows(0, document.row_count)]
    assert "\ufffd" not in "".join(shown)
    lines = re.split("\r?\n", text)
    lines[-1] = lines[-1].removesuffix("\r")  # a CR at the very end is not shown either
    assert "".join(shown) == "".join(lines).replace("\r", " ")
    for start, end in document.rows(0, document.row_count):
        assert end - start <= wrap


def test_crlf_split_across_chunks_is_one_break() -> None:
    data = b"abcdef\r\nghi\r\n"
    for chunk in range(1, len(data) + 1):
        document = indexed(data, 40, chunk)
        assert row_starts(document) == [0, 8, 13]
        assert [document.display(s, e) for s, e in document.rows(0, 3)] == ["abcdef", "ghi", ""]


def test_a_wrapped_line_ending_in_crlf_across_a_chunk_boundary() -> None:
    data = b"0123456789\r\nxy"  # exactly two rows of 5, then "xy"
    for chunk in range(1, len(data) + 1):
        assert row_starts(indexed(data, 5, chunk)) == [0, 5, 12]


def test_invalid_bytes_show_as_replacement_characters() -> None:
    document = indexed(b"ok \xff\xfe\x80 end\n\xe2\x82", 40, 3)
    assert document.display(*next(document.rows(0, 1))) == "ok \ufffd\ufffd\ufffd end"
    assert document.display(*next(document.rows(1, 1))) == "\ufffd\ufffd"
    assert document.text == "ok \ufffd\ufffd\ufffd end\n\ufffd"
    assert document.column(0, 7) == 7
    assert document.offset_at(0, 10, 4) == 4


def test_columns_and_offsets_of_multibyte_rows() -> None:
    document = make_document("é€x😀y", "text")
    start, end = next(document.rows(0, 1))
    assert document.display(start, end) == "é€x😀y"
    assert [document.column(start, offset) for offset in (0, 2, 5, 6, 10, 11)] == [0, 1, 2, 3, 4, 5]
    assert [document.offset_at(start, end, column) for column in range(7)] == [
        0,
        2,
        5,
        6,
        10,
        11,
        11,
    ]


def test_empty_document_has_one_empty_row() -> None:
    document = make_document("", "text")
    assert document.row_count == 1
    assert list(document.rows(0, 5)) == [(0, 0)]
    assert document.row_of_line(3) == 0


def spilled(data: bytes, charset: str | None = None) -> ResponseBody:
    body = ResponseBody(spill_threshold=0)
    body.write(data)
    body.finish()
    body.declared_charset = charset
    assert body.path is not None
    return body


def load(body: ResponseBody, chunk: int = 1 << 20, wrap: int = 160) -> Document:
    return run_to_end(load_steps(body, "text", wrap, chunk))


TEXT = "line one: naïve café\n😀 emoji 𝄞 clef\r\nlast, no newline"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
def test_bodies_in_other_encodings_are_transcoded_in_chunks(codec: str, chunk: int) -> None:
    bom = {"utf-16-be": codecs.BOM_UTF16_BE}.get(codec, b"")
    data = bom + TEXT.encode(codec)
    for body in (ResponseBody.from_bytes(data), spilled(data)):
        document = load(body, chunk)
        assert document.text == TEXT
        assert [document.display(s, e) for s, e in document.rows(0, 3)] == [
            "line one: naïve café",
            "😀 emoji 𝄞 clef",
            "last, no newline",
        ]


def test_a_declared_latin1_body_and_invalid_utf16_never_crash() -> None:
    latin = load(spilled("café\n".encode("latin-1"), charset="latin-1"), chunk=2)
    assert latin.text == "café\n"
    odd = load(ResponseBody.from_bytes(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8b\x00c"), chunk=3)
    assert odd.text.startswith("a\ufffd")


def test_a_spilled_utf8_body_is_mapped_not_copied() -> None:
    body = spilled(b"mapped\nbody\n")
    document = load(body)
    assert isinstance(document.buffer.data, mmap.mmap)
    assert document.text == "mapped\nbody\n"
    assert document.row_count == 3


def test_a_single_100_mb_line() -> None:
    """One line of 100 MB with multi-byte characters at the chunk boundaries: indexed by
    the default chunked job, every row at most ``wrap`` bytes and no character split; the
    last line and a needle at the very end are found."""
    body = ResponseBody(spill_threshold=0)
    mb = 1024 * 1024
    body.write(b"a" * (mb - 1) + b"\xe2")  # "€" straddles every 1 MB boundary
    for _ in range(99):
        body.write(b"\x82\xac" + b"a" * (mb - 3) + b"\xe2")
    body.write(b"\x82\xac the end")
    body.finish()
    document = load(body, wrap=160)
    last = document.row_count - 1
    assert document.lines_known == 1
    assert document.row_of_line(0) == 0
    assert document.row_of(document.size - 1) == last
    start, end = next(document.rows(last, 1))
    assert document.display(start, end).endswith("€ the end")
    for row in (0, 6553, 6554, last // 2, last - 1):
        row_start, row_end = next(document.rows(row, 1))
        assert row_end - row_start <= 160
        assert "\ufffd" not in document.display(row_start, row_end)
    found = search(document, "THE END")
    assert found.total == 1
    assert found.starts[0] == document.size - 7


def reference_matches(
    text: str, needle: str, *, case_sensitive: bool, regex: bool
) -> list[tuple[int, int]]:
    flags = re.MULTILINE | (0 if case_sensitive else re.IGNORECASE)
    pattern = re.compile(needle if regex else re.escape(needle), flags)
    return [
        (len(text[: m.start()].encode()), len(text[: m.end()].encode()))
        for m in pattern.finditer(text)
        if m.end() > m.start()
    ]


@settings(max_examples=200, deadline=None)
@given(
    text=pieces,
    query=st.sampled_from(
        [
            ("needle", False, False),
            ("NEEDLE", True, False),
            ("é€", False, False),
            ("e+d", False, True),
            (r"^x{1,5}", True, True),
            ("\\bab", False, True),
        ]
    ),
    chunk=st.sampled_from([1, 7, 64, 1 << 18]),
)
def test_search_finds_what_re_finds_across_chunk_boundaries(
    text: str, query: tuple[str, bool, bool], chunk: int
) -> None:
    needle, case_sensitive, regex = query
    document = indexed(text.encode(), 40)
    steps = search_steps(document, needle, case_sensitive=case_sensitive, regex=regex, chunk=chunk)
    found = run_to_end(steps)
    expected = reference_matches(text, needle, case_sensitive=case_sensitive, regex=regex)
    assert list(zip(found.starts, found.ends, strict=True)) == expected
    assert found.total == len(expected)
    assert found.done


def test_a_match_spanning_a_chunk_boundary_is_found_once() -> None:
    document = make_document("xxxxxneedlexxxx", "text")
    for chunk in range(1, 16):
        found = run_to_end(search_steps(document, "needle", chunk=chunk))
        assert (list(found.starts), list(found.ends)) == ([5], [11])


def test_search_reports_matches_as_they_are_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Throttle, "due", lambda self: True)
    document = make_document("hit\n" * 50, "text")
    reports: list[body_search.SearchResult] = []
    found = run_to_end(search_steps(document, "hit", chunk=16), reports.append)
    assert len(reports) > 5
    assert all(not report.done for report in reports)
    assert [report.total for report in reports] == sorted({r.total for r in reports})
    assert sum(len(report) for report in reports) == found.total == 50


def test_search_options_cap_and_bad_regex(monkeypatch: pytest.MonkeyPatch) -> None:
    document = make_document("Alpha alpha ALPHA\nbeta", "text")
    assert search(document, "alpha").total == 3
    assert search(document, "alpha", case_sensitive=True).total == 1
    assert search(document, r"^\w+$", regex=True).total == 1
    broken = search(document, "(", regex=True)
    assert broken.total == 0
    assert broken.error.startswith("Invalid regular expression")
    monkeypatch.setattr(body_search, "MAX_MATCHES", 2)
    capped = search(document, "a")
    assert (len(capped), capped.total) == (2, 7)


class ManualExecutor:
    """Runs submitted work only when told: a test steps a job slice by slice."""

    def __init__(self) -> None:
        self.queue: list[Callable[[], object]] = []

    def submit(self, fn: Callable[[], object]) -> None:
        self.queue.append(fn)

    def run_one(self) -> None:
        self.queue.pop(0)()


def test_a_cancelled_search_stops_at_its_next_slice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("explorer.ui.body_jobs.BUDGET_S", 0.0)
    document = make_document("abc\n" * 1000, "text")
    executor = ManualExecutor()
    reports: list[object] = []
    job = Job(executor, search_steps(document, "b", chunk=64), reports.append).start()  # type: ignore[arg-type]
    executor.run_one()
    executor.run_one()
    job.cancel()
    executor.run_one()
    assert job.result.cancelled()
    assert executor.queue == []


def test_a_failing_job_hands_its_error_to_the_future() -> None:
    def broken() -> Steps[object, None]:
        yield None
        raise OSError("disk gone")

    executor = ManualExecutor()
    job = Job(executor, broken()).start()  # type: ignore[arg-type]
    while executor.queue:
        executor.run_one()
    assert isinstance(job.result.exception(), OSError)


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(value=values, chunk=st.sampled_from([1, 3, 7, 1 << 16]), spaced=st.booleans())
def test_reindent_matches_json_dumps_whatever_the_chunk(
    value: object, chunk: int, spaced: bool
) -> None:
    separators = (", ", ": ") if spaced else (",", ":")
    compact = json.dumps(value, separators=separators, ensure_ascii=False)
    assert reindent_json(compact, chunk=chunk) == json.dumps(value, indent=2, ensure_ascii=False)


def test_reindent_keeps_number_spelling_and_copies_long_strings_in_pieces() -> None:
    assert reindent_json('{"a":1.50,"b":1e400}') == '{\n  "a": 1.50,\n  "b": 1e400\n}'
    value = {"k" * 300: 'x\\"y' * 500 + "\\\\", "n": [12345678901234567890] * 3}
    text = json.dumps(value)
    for chunk in (2, 7, 100):
        assert reindent_json(text, chunk=chunk) == json.dumps(value, indent=2)
    assert reindent_json('{"a"' + " " * 200 + ":1}", chunk=100) == '{\n  "a": 1\n}'


@pytest.mark.parametrize(
    "text",
    [
        "[1, 2",
        "]",
        "",
        "1 2",
        '{"a" "b"}',
        '{"a":}',
        "[1,]",
        "Not found",
        "<html>",
        "tru",
        '"abc',
        '{"a":1}x',
        "[}",
        "01",
        '"a\\',
        "\x0b1",
        "[" * 129 + "]" * 129,
    ],
)
def test_reindent_leaves_anything_but_one_json_value_alone(text: str) -> None:
    for chunk in (1, 7, 1 << 16):
        assert reindent_json(text, chunk=chunk) is None


def test_format_streams_into_a_spilled_body_and_shows_it_mapped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from explorer.core.http import body

    monkeypatch.setattr(body, "ResponseBody", partial(ResponseBody, spill_threshold=1024))
    value = [{"id": index, "name": "Widget", "tags": ["a", "b"]} for index in range(2000)]
    raw = load(spilled(json.dumps(value, separators=(",", ":")).encode()))
    reports: list[Progress] = []
    pretty = run_to_end(format_steps(raw, 100, chunk=999), reports.append)
    assert pretty is not None
    assert pretty.formatted
    assert pretty.complete
    assert isinstance(pretty.buffer.data, mmap.mmap)
    assert pretty.text == json.dumps(value, indent=2)
    assert {report.phase for report in reports} >= {"formatting"}
    assert run_to_end(format_steps(make_document("[1,", "json"), 100)) is None


def test_a_cancelled_format_stops_and_leaves_nothing_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("explorer.ui.body_jobs.BUDGET_S", 0.0)
    raw = make_document(json.dumps(list(range(5000))), "json")
    executor = ManualExecutor()
    job = Job(executor, format_steps(raw, 100, chunk=256)).start()  # type: ignore[arg-type]
    executor.run_one()
    job.cancel()
    executor.run_one()
    assert job.result.cancelled()
    assert executor.queue == []


def test_lexing_a_block_styles_json_keys_strings_and_numbers() -> None:
    document = make_document('{\n  "id": 7,\n  "name": "é"\n}', "json")
    spans = lex_block(document, 0)
    styles = set()
    for row, row_spans in spans.items():
        start, end = next(document.rows(row, 1))
        text = document.display(start, end)
        styles |= {(text[s.start : s.start + s.length], s.style) for s in row_spans}
    assert ('"id"', "key") in styles
    assert ("7", "number") in styles
    assert ('"é"', "string") in styles
    assert lex_block(make_document("plain", "text"), 0) == {}


def _styled(document: Document, spans: dict[int, tuple[object, ...]]) -> set[tuple[str, str]]:
    found = set()
    for row, row_spans in spans.items():
        start, end = next(document.rows(row, 1))
        text = document.display(start, end)
        found |= {(text[s.start : s.start + s.length], s.style) for s in row_spans}  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize("shift", range(0, 60, 7))
def test_a_block_deep_inside_one_minified_line_is_coloured_as_json(shift: int) -> None:
    """A minified body is one line: a block far into it starts wherever the wrap cut it, often
    inside a string (``shift`` moves the cut); keys stay keys and strings stay strings there."""
    record = '{"id": 1, "name": "Widget with a fairly descriptive name", "active": true}'
    text = "[" + " " * shift + ", ".join([record] * 400) + "]"
    document = make_document(text, "json", wrap=37)
    block = (document.row_count // 400) - 1
    styles = _styled(document, lex_block(document, block))
    assert ('"active"', "key") in styles
    assert ("true", "keyword") in styles
    keywords = {token for token, style in styles if style == "keyword"}
    assert all(token in "true" for token in keywords), keywords  # "tr" + "ue" when wrapped
