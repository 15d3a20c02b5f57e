"""``api-explorer send`` as a user runs it: a real process against the local httpbin."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import EdgeServer


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "explorer", "send", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        env=env,
        check=False,
    )


def test_get_with_header_and_json_body(httpbin_url: str) -> None:
    result = run("POST", f"{httpbin_url}/anything", "-H", "X-A: 1", "--json", '{"a":1}')
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["json"] == {"a": 1}
    assert body["headers"]["X-A"] == "1"
    assert body["headers"]["Content-Type"] == "application/json"
    assert result.stderr.startswith("HTTP/1.1 200 OK")


def test_piped_body_is_byte_for_byte(httpbin_url: str) -> None:
    result = run("GET", f"{httpbin_url}/json")
    assert result.returncode == 0
    assert result.stdout.startswith('{\n  "slideshow"')


@pytest.mark.parametrize(("status", "code"), [(204, 0), (304, 3), (404, 4), (418, 4), (503, 5)])
def test_exit_status_follows_the_status_class(httpbin_url: str, status: int, code: int) -> None:
    assert run("GET", f"{httpbin_url}/status/{status}").returncode == code


def test_verbose_shows_headers_with_credentials_masked(httpbin_url: str) -> None:
    result = run("GET", f"{httpbin_url}/get", "-v", "-H", "Authorization: Bearer top-secret-token")
    assert result.returncode == 0
    assert "Authorization: Bearer ••••••" in result.stderr
    assert "top-secret-token" not in result.stderr
    assert "Content-Type: application/json" in result.stderr
    assert re.search(r"DNS [\d.]+ ms  ·  Connect [\d.]+ ms  ·  TLS 0\.0 ms", result.stderr)
    assert re.search(r"First byte [\d.]+ ms  ·  Download [\d.]+ ms  ·  total", result.stderr)


def test_variables_and_redirect_hops(httpbin_url: str) -> None:
    result = run("GET", "{{base}}/redirect/2", "--var", f"base={httpbin_url}", "-v")
    assert result.returncode == 0
    assert result.stderr.count("→ GET") == 2


def test_usage_errors_exit_2_with_one_sentence(httpbin_url: str) -> None:
    result = run("GET", f"{httpbin_url}/get", "-H", "no-colon")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "api-explorer: -H 'no-colon' is not a header; write it as -H 'Name: value'."
    )
    assert "Traceback" not in result.stderr


def test_undefined_variable_and_invalid_json_are_user_errors(httpbin_url: str) -> None:
    undefined = run("GET", "{{nowhere}}/x")
    assert undefined.returncode == 1
    assert "Undefined variable {{nowhere}} in URL" in undefined.stderr
    bad_json = run("POST", f"{httpbin_url}/post", "--json", "{oops")
    assert bad_json.returncode == 1
    assert "JSON body is invalid at line 1, column 2" in bad_json.stderr
    assert "Traceback" not in undefined.stderr + bad_json.stderr


def test_refused_connection_exits_1_with_a_sentence() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run("GET", f"http://127.0.0.1:{port}/")
    assert result.returncode == 1
    assert "refused the connection" in result.stderr
    assert "Traceback" not in result.stderr


def test_read_timeout_exits_1(edge: EdgeServer) -> None:
    result = run("GET", f"{edge.base_url}/slow?delay=5", "--timeout", "0.3")
    assert result.returncode == 1
    assert "sent nothing for 0.3 s" in result.stderr


def test_binary_body_goes_to_a_file(edge: EdgeServer, tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    result = run("GET", f"{edge.base_url}/binary", "-o", str(target))
    assert result.returncode == 0
    assert target.read_bytes() == bytes(range(256)) * 4


def test_data_from_a_file(httpbin_url: str, tmp_path: Path) -> None:
    payload = tmp_path / "body.txt"
    payload.write_text("from a file", encoding="utf-8")
    result = run("PUT", f"{httpbin_url}/anything", "--data", f"@{payload}")
    assert json.loads(result.stdout)["data"] == "from a file"


def test_python_dash_m_and_help_work() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "explorer", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "send" in result.stdout


def test_terminal_output_is_pretty_and_highlighted(edge: EdgeServer) -> None:
    import pty

    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm-256color"
    process = subprocess.Popen(
        [sys.executable, "-m", "explorer", "send", "GET", f"{edge.base_url}/json-array?items=2"],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(30)
    os.close(leader)
    output = b"".join(chunks).decode()
    assert process.returncode == 0
    assert "\x1b[" in output
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    assert '[\r\n  {\r\n    "id": 0,' in plain
