"""No secret in anything ``send`` and ``run`` print or report, and no server-controlled escape
sequence reaches a terminal (issue 18, points 8, 9, 11 and 12; docs/security.md "Secrets in
outputs" and "Terminal output").

Real processes against real loopback servers: a provider preset whose environment names a
secret variable, a collection that obtains its own token from a token endpoint, and a server that
answers with escape sequences in its status line, headers and body, read through a
pseudo-terminal as a user would see them.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from explorer.core.models import Body, BodyMode, FormField
from explorer.core.terminal import for_terminal, sanitise
from explorer.core.workspace.model import Variable
from tests.core.runner.helpers import capture, header, jsonpath, request, write
from tests.support.cli import run_cli
from tests.support.recording import RecordingServer
from tests.support.servers import _Quiet

SECRET = "Hunter2-Secret"
OVERRIDE = "Override-Secret-9"
TOKEN = "tok-client-credentials"  # what RecordingServer's /token issues


def cli(
    *args: str, env: dict[str, str], cwd: Path, tty: bool = False
) -> subprocess.CompletedProcess[str]:
    """``api-explorer ARGS`` as a process; with ``tty`` its stdout and stderr are one
    pseudo-terminal (returned as ``stdout``), read to the end."""
    command = [sys.executable, "-m", "explorer", *args]
    if not tty:
        return run_cli(*args, cwd=cwd, env=env, timeout=60)
    leader, follower = pty.openpty()
    with subprocess.Popen(
        command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower
    ) as process:
        os.close(follower)
        seen = b""
        while True:
            ready, _, _ = select.select([leader], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the follower closed: the process has ended
                break
            if not chunk:
                break
            seen += chunk
        code = process.wait(60)
    os.close(leader)
    return subprocess.CompletedProcess(command, code, seen.decode("utf-8", "replace"), "")


@pytest.fixture
def workspace(tmp_path: Path, httpbin_url: str) -> Path:
    """A workspace whose provider environment holds ``password`` as a secret variable."""
    folder = tmp_path / "ws" / "providers"
    folder.mkdir(parents=True)
    (folder / "plain.yaml").write_text(
        textwrap.dedent(f"""\
            id: plain
            name: Plain
            auth:
              kind: none
            environments:
              - name: Test
                base_url: {httpbin_url}
                variables:
                  password: {SECRET}
                secret_variables: [password]
            """),
        encoding="utf-8",
    )
    return tmp_path / "ws"


def send(workspace: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    where = ("--workspace", str(workspace), "--provider", "plain", "--env", "Test")
    return cli("send", *where, *args, env=env, cwd=workspace.parent)


# -- 8: every line send prints -------------------------------------------------------------------


def test_verbose_url_and_redirect_hop_lines_mask_secrets(
    workspace: Path, home: dict[str, str]
) -> None:
    done = send(workspace, home, "-v", "GET", "/redirect-to?url=/anything%3Fp%3D{{password}}")
    assert done.returncode == 0, done.stderr
    assert "→ GET" in done.stderr  # the hop line was printed
    assert "?p=••••••" in done.stderr
    assert SECRET.lower() not in done.stderr.lower()


def test_errors_quoting_the_url_mask_secrets(workspace: Path, home: dict[str, str]) -> None:
    spaced = send(workspace, home, "GET", "/a b?p={{password}}")
    assert spaced.returncode != 0
    assert "spaces" in spaced.stderr
    unreachable = send(workspace, home, "GET", "http://{{password}}.invalid/")
    assert unreachable.returncode != 0
    for done in (spaced, unreachable):
        assert "••••••" in done.stderr
        assert SECRET.lower() not in done.stderr.lower(), done.stderr


# -- 9: a --var that overrides a secret name is secret --------------------------------------------


def test_a_var_overriding_a_secret_variable_is_masked_in_verbose_headers(
    workspace: Path, home: dict[str, str]
) -> None:
    done = send(
        workspace,
        home,
        "-v",
        "--var",
        f"password={OVERRIDE}",
        "-H",
        "X-Note: {{password}}",
        "GET",
        "/get?p={{password}}",
    )
    assert done.returncode == 0, done.stderr
    assert "X-Note: ••••••" in done.stderr
    assert OVERRIDE not in done.stderr


def test_a_var_overriding_a_collection_secret_is_masked_in_reports(
    tmp_path: Path, httpbin_url: str
) -> None:
    directory = write(
        tmp_path,
        request("echo", f"{httpbin_url}/status/500?p={{{{password}}}}", 0),
        variables=(Variable("password", secret=True),),
    )
    reports = (f"--report={tmp_path / 'r.json'}", f"--report={tmp_path / 'r.xml'}")
    done = cli(
        "run", str(directory), "--var", f"password={OVERRIDE}", *reports,
        env={**os.environ, "API_EXPLORER_HOME": str(tmp_path / "home")}, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    outputs = [done.stdout, done.stderr, *(p.read_text() for p in tmp_path.glob("r.*"))]
    assert all(OVERRIDE not in text for text in outputs), outputs
    assert "p=••••••" in (tmp_path / "r.json").read_text()


# -- 11: tokens a collection obtains itself --------------------------------------------------------


@pytest.fixture
def token_server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.stop()


def test_a_captured_token_is_masked_in_failures_reports_and_later_urls(
    tmp_path: Path, token_server: RecordingServer
) -> None:
    form = Body(
        BodyMode.FORM,
        fields=(
            FormField("grant_type", "client_credentials"),
            FormField("client_id", "parity-client"),
            FormField("client_secret", "parity-secret"),
        ),
    )
    directory = write(
        tmp_path,
        request(
            "token",
            f"{token_server.base_url}/token",
            0,
            method="POST",
            body=form,
            assertions=(jsonpath("$.access_token", '"something else"'),),
            captures=(capture("tok", "$.access_token"),),
        ),
        request("use", f"{token_server.base_url}/status?t={{{{tok}}}}", 1,
                assertions=(jsonpath("$.args.t", '"not it"'),)),
    )  # fmt: skip
    reports = (f"--report={tmp_path / 'r.json'}", f"--report={tmp_path / 'r.xml'}")
    done = cli(
        "run", str(directory), *reports,
        env={**os.environ, "API_EXPLORER_HOME": str(tmp_path / "home")}, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert any(TOKEN in r.target for r in token_server.since(0))  # the token was used
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["results"][1]["url"].endswith("?t=••••••")
    outputs = [done.stdout, done.stderr, *(p.read_text() for p in tmp_path.glob("r.*"))]
    assert all(TOKEN not in text for text in outputs), outputs


# -- 12: server-controlled escape sequences on a terminal ------------------------------------------

HOSTILE_BODY = "clear\x1b[2J title\x1b]0;pwned\x07 c1\x9b31m end\n"


class _Escapes(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log line."""

    def do_GET(self) -> None:
        body = HOSTILE_BODY.encode("utf-8")
        self.send_response(200, "OK\x1b]0;reason\x07")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("X-Evil", "\x1b[2Jgone")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def escapes() -> Iterator[str]:
    server = _Quiet(("127.0.0.1", 0), _Escapes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_escape_sequences_reach_a_terminal_only_as_visible_text(
    escapes: str, tmp_path: Path
) -> None:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "API_EXPLORER_HOME": str(tmp_path)}
    done = cli("send", "-v", "GET", f"{escapes}/", env=env, cwd=tmp_path, tty=True)
    assert done.returncode == 0, done.stdout
    assert not any(control in done.stdout for control in "\x1b\x07\x9b"), done.stdout
    assert "X-Evil: \\x1b[2Jgone" in done.stdout
    assert "OK\\x1b]0;reason\\x07" in done.stdout
    assert "clear\\x1b[2J title\\x1b]0;pwned\\x07 c1\\x9b31m end" in done.stdout


def test_piped_output_stays_byte_exact(escapes: str, tmp_path: Path) -> None:
    env = {**os.environ, "API_EXPLORER_HOME": str(tmp_path)}
    done = cli("send", "GET", f"{escapes}/", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == HOSTILE_BODY


def test_the_sanitiser_keeps_text_and_line_ends() -> None:
    assert sanitise("a\tb\r\nc\n") == "a\tb\r\nc\n"
    assert sanitise("\x00\x1b\x7f\x9b\rx") == "\\x00\\x1b\\x7f\\x9b\\x0dx"

    class Pipe:
        def isatty(self) -> bool:
            return False

    assert for_terminal("\x1b[2J", Pipe()) == "\x1b[2J"  # type: ignore[arg-type]


def test_a_junit_report_quoting_escape_sequences_still_parses(escapes: str, tmp_path: Path) -> None:
    from xml.etree import ElementTree as ET

    directory = write(
        tmp_path, request("evil", f"{escapes}/", 0, assertions=(header("X-Evil", '"x"'),))
    )
    done = cli(
        "run", str(directory), f"--report={tmp_path / 'r.xml'}",
        env={**os.environ, "API_EXPLORER_HOME": str(tmp_path / "home")}, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    failure = ET.parse(tmp_path / "r.xml").find(".//failure")
    assert failure is not None
    assert "\\x1b[2Jgone" in failure.get("message", "")
