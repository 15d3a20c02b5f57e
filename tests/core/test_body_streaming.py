"""``send`` writes the body to stdout as it arrives, in bounded memory (issue 17, item 5).

Real ``api-explorer`` processes against a small loopback server whose answers each test sets
(a body, or parts sent one by one, waiting on the test between them): piped output is byte for
byte and leaves before the body ends, a 300 MB gzip body passes through a bounded peak RSS, a
binary body is refused on a pseudo-terminal (the download stops) unless ``-o -`` forces it, and a
text body longer than the terminal's hold streams sanitised. The terminal writer's chunk
boundaries (a character, a CRLF or an escape split across chunks) are checked on it directly.
"""

from __future__ import annotations

import contextlib
import io
import os
import pty
import select
import subprocess
import sys
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from explorer.commands.stream_out import (
    BinaryOnTerminal,
    RawOutput,
    StdoutSink,
    TerminalOutput,
)
from explorer.core.http import ClientConfig, HttpClient
from explorer.core.http.body import ResponseBody
from explorer.core.models import Headers, RequestSpec
from explorer.core.templating import Scope, resolve
from tests.support.servers import _Quiet

MB = 1024 * 1024
WAIT = 30.0
"""Seconds a test waits for output before it fails (never reached when the code is right)."""


# -- a server whose answers the test sets ---------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """``body`` as bytes goes with a Content-Length; a callable yields parts sent chunked."""

    body: bytes | Callable[[], Iterable[bytes]]
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/octet-stream"),)
    status: int = 200


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: BodyServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log line."""

    def do_GET(self) -> None:
        reply = self.server.replies[self.path]
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        if isinstance(reply.body, bytes):
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(reply.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        with contextlib.suppress(OSError):
            for part in reply.body():
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")


class BodyServer(_Quiet):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replies: dict[str, Reply] = {}
        self.stopping = threading.Event()
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def serve(self, path: str, reply: Reply) -> str:
        self.replies[path] = reply
        return self.base_url + path

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self._thread.join(5)


@pytest.fixture
def bodies() -> Iterator[BodyServer]:
    server = BodyServer()
    yield server
    server.stop()


def gzip_zeros(mib: int, *, layers: int = 1) -> bytes:
    """``mib`` MiB of zeros as one gzip stream, gzipped again ``layers - 1`` times."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = b"".join(squeeze.compress(bytes(MB)) for _ in range(mib)) + squeeze.flush()
    for _ in range(layers - 1):
        data = zlib.compress(data, 9, wbits=31)
    return data


def gzipped(body: bytes, *, layers: int = 1) -> Reply:
    encoding = ", ".join(["gzip"] * layers)
    return Reply(
        body, (("Content-Type", "application/octet-stream"), ("Content-Encoding", encoding))
    )


# -- running the CLI --------------------------------------------------------------------------


def send(*args: str, **popen: Any) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NO_COLOR": "1", **popen.pop("env", {})}
    command = [sys.executable, "-m", "explorer", "send", "GET", *args]
    return subprocess.Popen(command, env=env, **popen)


def on_terminal(*args: str) -> tuple[int, bytes]:
    """``send ARGS`` with stdout and stderr on one pseudo-terminal: its exit status and all
    it printed there."""
    leader, follower = pty.openpty()
    with send(*args, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower) as process:
        os.close(follower)
        seen = bytearray()
        while select.select([leader], [], [], WAIT)[0]:
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:  # the follower closed: the process has ended
                break
            if not chunk:
                break
            seen += chunk
        code = process.wait(WAIT)
    os.close(leader)
    return code, bytes(seen)


# -- piped output -------------------------------------------------------------------------------


def test_piped_output_is_byte_for_byte(bodies: BodyServer) -> None:
    binary = bytes(range(256)) * 1000
    cp1252 = "café \u2013 naïve\r\n".encode("cp1252") * 1000
    for path, body, content_type in [
        ("/binary", binary, "application/octet-stream"),
        ("/legacy", cp1252, "text/plain; charset=windows-1252"),
    ]:
        url = bodies.serve(path, Reply(body, (("Content-Type", content_type),)))
        done = subprocess.run(
            [sys.executable, "-m", "explorer", "send", "GET", url],
            capture_output=True,
            timeout=WAIT,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == body, path


def test_a_gzip_body_is_piped_decoded(bodies: BodyServer) -> None:
    text = b"".join(b'{"n": %d}\n' % n for n in range(100_000))
    url = bodies.serve("/gz", gzipped(zlib.compress(text, 6, wbits=31)))
    done = subprocess.run(
        [sys.executable, "-m", "explorer", "send", "GET", url],
        capture_output=True,
        timeout=WAIT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == text


def test_piped_output_leaves_as_it_arrives(bodies: BodyServer) -> None:
    """The server sends the rest only once the test has read the first part from stdout."""
    first, rest = b"first part\n", b"the rest\n"
    seen_first = threading.Event()

    def parts() -> Iterator[bytes]:
        yield first
        seen_first.wait(WAIT)
        yield rest

    url = bodies.serve("/live", Reply(parts, (("Content-Type", "text/plain"),)))
    with send(url, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        assert select.select([process.stdout], [], [], WAIT)[0], "no output before the end"
        assert os.read(process.stdout.fileno(), 1 << 16) == first
        assert not seen_first.is_set()
        seen_first.set()
        assert process.stdout.read() == rest
        assert process.wait(WAIT) == 0


def test_a_reader_that_stops_early_ends_send_quietly(bodies: BodyServer) -> None:
    url = bodies.serve("/long", Reply(b"x" * (32 * MB)))
    with send(url, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.read(10) == b"x" * 10
        process.stdout.close()  # | head -c 10
        assert process.wait(WAIT) == 141
        assert process.stderr.read() == b""


def test_a_429_answer_is_printed_once_the_send_is_over(bodies: BodyServer) -> None:
    """401 and 429 may be replaced by a replay, so they are held and written afterwards."""
    url = bodies.serve("/busy", Reply(b"slow down", (("Content-Type", "text/plain"),), 429))
    done = subprocess.run(
        [sys.executable, "-m", "explorer", "send", "GET", url],
        capture_output=True,
        timeout=WAIT,
        check=False,
    )
    assert done.returncode == 4
    assert done.stdout == b"slow down"


PEAK_RSS = """
import resource, subprocess, sys
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
size = other = 0
while chunk := process.stdout.read1(1 << 20):
    size += len(chunk)
    other += len(chunk) - chunk.count(0)
code = process.wait()
scale = 1 if sys.platform == "darwin" else 1024
print(code, size, other, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale)
"""


@pytest.mark.slow
def test_a_300_mb_gzip_body_streams_through_bounded_memory(bodies: BodyServer) -> None:
    """The peak RSS of the ``send`` process itself, read by a wrapper process after it exited
    (``RUSAGE_CHILDREN``): holding the body whole would take more than 300 MB."""
    url = bodies.serve("/zeros", gzipped(gzip_zeros(300)))
    command = [sys.executable, "-m", "explorer", "send", "GET", url]
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *command],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "API_EXPLORER_MAX_RATIO": "0"},
        check=True,
    )
    code, size, other, peak = (int(word) for word in done.stdout.split())
    assert (code, size, other) == (0, 300 * MB, 0)
    assert peak < 120 * MB, f"peak RSS {peak / MB:.0f} MB"


# -- a terminal ---------------------------------------------------------------------------------


REFUSAL = b"The response body is binary and was not printed"


def test_binary_to_a_terminal_is_refused(bodies: BodyServer) -> None:
    url = bodies.serve("/small", Reply(bytes(range(256))))
    code, seen = on_terminal(url)
    assert code == 1
    assert REFUSAL in seen
    assert b"-o FILE" in seen
    assert b"\x00\x01\x02" not in seen


def test_a_long_binary_body_stops_the_download_at_once(bodies: BodyServer) -> None:
    """The server never finishes; the refusal comes from the first 64 KB."""

    def endless() -> Iterator[bytes]:
        yield os.urandom(256 * 1024)
        bodies.stopping.wait(120)

    url = bodies.serve("/endless", Reply(endless))
    code, seen = on_terminal(url)
    assert code == 1
    assert REFUSAL in seen


def test_dash_o_dash_prints_binary_to_a_terminal_anyway(bodies: BodyServer) -> None:
    body = bytes(b for b in range(256) if b != 0x0A) * 4  # the terminal turns LF into CRLF
    url = bodies.serve("/forced", Reply(body))
    code, seen = on_terminal(url, "-o", "-")
    assert code == 0
    assert seen.startswith(body)


@pytest.mark.slow
def test_text_longer_than_the_hold_streams_to_a_terminal_sanitised(bodies: BodyServer) -> None:
    line = "é clear\x1b[2J c1\u009b31m ½\n"
    count = 17 * MB // len(line.encode())
    url = bodies.serve(
        "/big-text",
        Reply((line * count).encode(), (("Content-Type", "text/plain; charset=utf-8"),)),
    )
    code, seen = on_terminal(url)
    assert code == 0
    shown = line.replace("\x1b", "\\x1b").replace("\u009b", "\\x9b").replace("\n", "\r\n")
    expected = (shown * count).encode()
    assert seen[: len(expected)] == expected
    assert seen[len(expected) :].startswith(b"HTTP/1.1 200 OK")


# -- the terminal writer's chunk boundaries -----------------------------------------------------


class _Screen(io.StringIO):
    def isatty(self) -> bool:
        return True


def _shown(chunks: Iterable[bytes], content_type: str = "text/plain", hold: int = 4) -> str:
    screen = _Screen()
    output = TerminalOutput(screen, color=False, hold=hold)
    output.begin(Headers([("Content-Type", content_type)]))
    for chunk in chunks:
        output.write(chunk)
    output.finish()
    return screen.getvalue()


def _split_everywhere(data: bytes) -> Iterator[list[bytes]]:
    for cut in range(1, len(data)):
        yield [data[:cut], data[cut:]]


def test_a_multibyte_character_split_across_chunks_is_joined() -> None:
    data = "header line\ncafé ½ €\n".encode()
    for chunks in _split_everywhere(data):
        assert _shown(chunks) == "header line\ncafé ½ €\n", chunks


def test_utf16_split_across_chunks_is_joined() -> None:
    data = "headers\r\nçà €\r\n".encode("utf-16")
    for chunks in _split_everywhere(data):
        assert _shown(chunks, "text/plain; charset=utf-16") == "headers\r\nçà €\r\n", chunks


def test_a_crlf_split_across_chunks_stays_a_line_end_and_a_lone_cr_is_shown() -> None:
    assert _shown([b"line one\r", b"\nline two\r", b"x"]) == "line one\r\nline two\\x0dx\n"
    assert _shown([b"ends with a CR\r"]) == "ends with a CR\\x0d\n"


def test_escapes_split_across_chunks_are_shown_not_sent() -> None:
    data = "clear\x1b[2J c1\u009b31m end\n".encode()
    for chunks in _split_everywhere(data):
        assert _shown(chunks) == "clear\\x1b[2J c1\\x9b31m end\n", chunks


def test_invalid_bytes_are_replaced() -> None:
    assert _shown([b"text with a bad \xff", b" byte\n"], "text/plain; charset=utf-8") == (
        "text with a bad \ufffd byte\n"
    )


def test_a_body_within_the_hold_is_pretty_printed_whole() -> None:
    shown = _shown([b'{"a": [1', b", 2]}"], "application/json", hold=1024)
    assert shown == '{\n  "a": [\n    1,\n    2\n  ]\n}\n'


def test_binary_is_refused_from_its_first_64_kb() -> None:
    screen = _Screen()
    output = TerminalOutput(screen, color=False)
    output.begin(Headers([("Content-Type", "application/octet-stream")]))
    output.write(b"\x00\x01" * 16 * 1024)
    with pytest.raises(BinaryOnTerminal, match=r"-o FILE \(or print it anyway with -o -\)"):
        output.write(b"\x00\x01" * 16 * 1024)
    assert screen.getvalue() == ""


# -- the client and the sink ----------------------------------------------------------------------


def _piped() -> tuple[StdoutSink, io.BytesIO]:
    raw = io.BytesIO()
    return StdoutSink(RawOutput(io.TextIOWrapper(raw))), raw


def test_a_sink_takes_the_bytes_and_the_body_keeps_its_head(bodies: BodyServer) -> None:
    body = os.urandom(3 * MB)
    url = bodies.serve("/random", Reply(body))
    sink, written = _piped()
    client = HttpClient(ClientConfig(chunk_size=64 * 1024))
    try:
        response = client.send(resolve(RequestSpec(url=url), Scope()), on_progress=sink).response
    finally:
        client.close()
    sink.complete(response)
    assert written.getvalue() == body
    assert response.body.size == len(body)
    assert response.body.partial
    assert response.body.head(1024) == body[:1024]
    assert response.body.path is None  # nothing spilled to disk
    with pytest.raises(ValueError, match="only the first"):
        response.body.read_bytes()


def test_a_held_answer_is_kept_whole_and_written_on_completion(bodies: BodyServer) -> None:
    url = bodies.serve("/denied", Reply(b"token expired", status=401))
    sink, written = _piped()
    client = HttpClient()
    try:
        response = client.send(resolve(RequestSpec(url=url), Scope()), on_progress=sink).response
    finally:
        client.close()
    assert written.getvalue() == b""
    assert not response.body.partial
    sink.complete(response)
    assert written.getvalue() == b"token expired"


def test_chunks_of_a_spilled_body_come_from_its_file() -> None:
    body = ResponseBody(spill_threshold=10)
    body.write(b"0123456789abcdef")
    body.finish()
    assert body.path is not None
    assert list(body.chunks(5)) == [b"01234", b"56789", b"abcde", b"f"]
    assert list(ResponseBody.from_bytes(b"abc").chunks(2)) == [b"ab", b"c"]
