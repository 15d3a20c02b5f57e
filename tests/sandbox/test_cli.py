"""``api-explorer sandbox`` as a user runs it: a subprocess that prints its URL and credentials,
serves, and exits 0 on SIGTERM or SIGINT; a non-loopback host is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests


@contextmanager
def running(*args: str) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "explorer", "sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Ctrl+C stops"):
                break
        yield process, lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_prints_url_and_credentials_then_stops_cleanly(stop: signal.Signals) -> None:
    with running("--token-ttl", "42") as (process, lines):
        banner = "".join(lines)
        first = lines[0].strip()
        assert first.startswith("API Explorer sandbox listening on http://127.0.0.1:")
        base = first.rsplit(" ", 1)[1]
        info = requests.get(f"{base}/_sandbox/info", timeout=5).json()
        assert info["sandbox"]["token_ttl_s"] == 42
        sc = info["providers"]["servicechannel"]["environments"]["sb2"]["credentials"]
        assert sc["client_id"] in banner
        assert sc["client_secret"] in banner
        assert f"{base}/servicechannel/sb2login/oauth/token" in banner
        pce = info["providers"]["pce"]["environments"]["sandbox"]["credentials"]
        assert pce["static_tokens"][0]["token"] in banner
        process.send_signal(stop)
        assert process.wait(10) == 0
        assert process.stdout is not None
        assert "sandbox stopped" in process.stdout.read()
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{base}/_sandbox/info", timeout=2)


def test_refuses_a_non_loopback_host_without_allow_remote() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "explorer", "sandbox", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "--allow-remote" in lines[0]
    assert "Traceback" not in result.stderr


def test_port_in_use_is_one_sentence() -> None:
    from explorer.sandbox import start_sandbox

    with start_sandbox() as taken:
        result = subprocess.run(
            [sys.executable, "-m", "explorer", "sandbox", "--port", str(taken.port)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 2
    assert "Cannot listen on 127.0.0.1" in result.stderr
    assert "Traceback" not in result.stderr
