"""Disk and user input (docs/security.md "Disk and user input"): spilled bodies are capped and
cleaned up however the process ends, ``-o`` never leaves a partial file, and every bad option
is one usage error (exit 2) in our words, never a traceback or another library's wording.

Each test runs the real ``api-explorer`` in a process with its own ``TMPDIR``, against servers on
loopback, except the interrupted copy, which needs its stall inside this process.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from explorer.core.errors import StorageError
from explorer.core.http.body import ResponseBody
from tests.hardening.hostile import HostileServer
from tests.support.cli import run_cli

MB = 1024 * 1024
CLOSED = "http://127.0.0.1:9/"


def cli(
    *args: str, tmp: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, extra_env={"TMPDIR": str(tmp), **(env or {})}, timeout=60)


def spill_files(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("api-explorer-body-*.bin"))


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


# -- bad options --------------------------------------------------------------------------------

SEND_CASES: list[tuple[str, list[str], str]] = [
    ("missing --ca-bundle", ["--ca-bundle", "/no/such/ca.pem"], r"does not exist"),
    ("missing --cert", ["--cert", "/no/such/cert.pem"], r"does not exist"),
    ("missing --key", ["--key", "/no/such/key.pem"], r"does not exist"),
    *(
        (f"{option} {value}", [option, value], r"not a positive number of seconds")
        for option in ("--timeout", "--connect-timeout")
        for value in ("inf", "0", "-1", "nan", "soon")
    ),
    ("--max-redirects -1", ["--max-redirects", "-1"], r"not a whole number of 0 or more"),
    ("--json with NaN", ["--json", '{"a": NaN}'], r"contains NaN, which is not JSON"),
    ("--json with -Infinity", ["--json", "[-Infinity]"], r"contains -Infinity, which is not"),
    ("--data @/dev/zero", ["--data", "@/dev/zero"], r"larger than 64 MB, the most --data"),
    ("--data @folder", ["--data", "@/"], r"names a folder"),
]


@pytest.mark.parametrize(
    ("args", "message"), [c[1:] for c in SEND_CASES], ids=[c[0] for c in SEND_CASES]
)
def test_bad_send_options_are_one_usage_error(
    args: list[str], message: str, hostile: HostileServer, tmp_path: Path
) -> None:
    result = cli("send", "POST", f"{hostile.base_url}/echo", *args, tmp=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("api-explorer"), last
    assert re.search(message, last), last


@pytest.mark.parametrize("where", ["folder", "missing folder"])
def test_output_to_a_folder_is_refused_before_sending(
    where: str, hostile: HostileServer, tmp_path: Path
) -> None:
    target = tmp_path if where == "folder" else tmp_path / "nowhere" / "body.json"
    marker = f"/echo?case=output-{where.replace(' ', '-')}"
    result = cli("send", "GET", f"{hostile.base_url}{marker}", "-o", str(target), tmp=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert ("is a folder" if where == "folder" else "does not exist") in result.stderr
    assert not any(path == marker for path, _ in hostile.requests), "it downloaded first"
    assert list(tmp_path.rglob("*.tmp-*")) == []


def test_sandbox_token_ttl_nan_is_a_usage_error(tmp_path: Path) -> None:
    result = cli("sandbox", "--token-ttl", "nan", tmp=tmp_path)
    assert result.returncode == 2
    assert "'nan' is not a positive number of seconds" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("into", ["existing file", "/proc/x", "inside a file"])
def test_import_into_a_place_that_cannot_hold_a_collection(into: str, tmp_path: Path) -> None:
    source = tmp_path / "calls.txt"
    source.write_text("curl https://api.example.com/items\n", encoding="utf-8")
    target = {
        "existing file": str(source),
        "/proc/x": "/proc/x",
        "inside a file": str(source / "sub"),
    }[into]
    for dry_run in ([], ["--dry-run"]):
        result = cli("import", "curl", str(source), "--into", target, *dry_run, tmp=tmp_path)
        assert result.returncode == 2, (dry_run, result.stdout, result.stderr)
        assert result.stderr.startswith(f"api-explorer: --into '{target}'"), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


# -- spilled bodies -----------------------------------------------------------------------------


def test_total_spill_is_capped_with_one_sentence(hostile: HostileServer, tmp_path: Path) -> None:
    """64 MB of decoded zeros saved with -o (a piped send streams instead of spilling): 16 MB in
    memory, then the spill file hits the 20 MB cap; no partial output file is left."""
    env = {"API_EXPLORER_MAX_SPILL": "20M"}
    out = tmp_path / "body.bin"
    url = f"{hostile.base_url}/gzip-bomb"
    result = cli("send", "GET", url, "-o", str(out), tmp=tmp_path, env=env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert not out.exists()
    assert "Traceback" not in result.stderr
    assert "API_EXPLORER_MAX_SPILL limit" in result.stderr
    assert spill_files(tmp_path) == []


class StallingServer:
    """Sends 20 MB of a 64 MB body (past the 16 MB spill threshold), then stalls until stopped."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/big"
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="stalling-server")
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                conn.recv(65536)
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {64 * MB}\r\n\r\n"
                conn.sendall(head.encode() + b"x" * (20 * MB))
                self.stopping.wait(60)

    def stop(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.thread.join(10)


@pytest.fixture
def stalling() -> Iterator[StallingServer]:
    server = StallingServer()
    yield server
    server.stop()


def _spilling_send(url: str, tmp: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "explorer", "send", "GET", url, "-o", str(tmp / "body.bin")],
        env={**os.environ, "TMPDIR": str(tmp)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    mine = f"api-explorer-body-{process.pid}-"
    wait_for(
        lambda: any(p.name.startswith(mine) and p.stat().st_size > 0 for p in spill_files(tmp)),
        "the body to spill",
    )
    return process


def test_sigterm_mid_download_removes_the_spill_file(
    stalling: StallingServer, tmp_path: Path
) -> None:
    process = _spilling_send(stalling.url, tmp_path)
    process.terminate()
    assert process.wait(20) == 130
    assert spill_files(tmp_path) == []


def test_spill_files_of_a_killed_process_are_removed_at_the_next_start(
    stalling: StallingServer, tmp_path: Path
) -> None:
    process = _spilling_send(stalling.url, tmp_path)
    process.kill()
    process.wait(20)
    assert len(spill_files(tmp_path)) == 1  # kill -9 cannot be caught
    alive = tmp_path / f"api-explorer-body-{os.getpid()}-live.bin"
    alive.write_bytes(b"a body this test process still holds")
    result = cli("send", "GET", CLOSED, tmp=tmp_path)
    assert result.returncode == 1
    assert spill_files(tmp_path) == [alive]


# -- saving with -o -----------------------------------------------------------------------------


def test_saving_onto_a_folder_is_one_sentence_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=r"^.*: the body cannot be saved here: is a directory$"):
        ResponseBody.from_bytes(b"body").save(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_during_the_copy_leaves_no_partial_file(tmp_path: Path) -> None:
    """The spilled source is swapped for a FIFO that delivers 1 MB and stalls, so SIGINT lands
    in the middle of the copy every time."""
    body = ResponseBody(spill_threshold=4)
    body.write(b"spilled body")
    body.finish()
    source = body.path
    assert source is not None
    source.unlink()
    os.mkfifo(source)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "body.bin"
    main = threading.get_ident()
    copied = threading.Event()

    def feed() -> None:
        with source.open("wb") as fifo:
            fifo.write(b"y" * MB)
            fifo.flush()
            wait_for(lambda: any(p.stat().st_size > 0 for p in out.iterdir()), "a partial copy")
            signal.pthread_kill(main, signal.SIGINT)
            copied.wait(20)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    feeder = threading.Thread(target=feed, name="fifo-feeder")
    feeder.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            body.save(target)
    finally:
        copied.set()
        feeder.join(20)
        signal.signal(signal.SIGINT, previous)
        body.discard()
    assert list(out.iterdir()) == []
