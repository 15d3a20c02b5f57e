"""A typed text part (curl's ``-F 'meta={...};type=application/json'``, Google Drive's upload
docs) is sent with its Content-Type by our client and by the curl and Python snippets, executed
against a recording server; the targets that cannot express it say so in one sentence."""

from __future__ import annotations

import email.parser
import email.policy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.programs import require
from tests.support.recording import Recorded, RecordingServer

REQUEST = """\
name: upload
method: POST
url: {base}/upload
body:
  mode: multipart
  fields:
    - name: meta
      value: '{{"name": "a \\"quoted\\" file"}}'
      content_type: application/json
    - name: note
      value: plain text
"""


@pytest.fixture(scope="module")
def server() -> Iterator[RecordingServer]:
    recording = RecordingServer()
    yield recording
    recording.stop()


def _parts(record: Recorded) -> list[tuple[str | None, str | None, bytes]]:
    """(name, Content-Type, bytes) of each part of a multipart request."""
    head = f"Content-Type: {record.header('Content-Type')}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + record.body)
    found = []
    for part in message.iter_parts():
        kind = part.get("Content-Type")
        found.append(
            (
                part.get_param("name", header="content-disposition"),
                kind,
                part.get_payload(decode=True),
            )
        )
    return found


@pytest.fixture
def request_file(tmp_path: Path, server: RecordingServer) -> Path:
    (tmp_path / "collection.yaml").write_text("name: uploads\n")
    path = tmp_path / "upload.request.yaml"
    path.write_text(REQUEST.format(base=server.base_url))
    return path


def _sent(
    server: RecordingServer, command: list[str]
) -> list[tuple[str | None, str | None, bytes]]:
    mark = server.mark()
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    (record,) = server.since(mark)
    return _parts(record)


def test_our_client_and_the_curl_and_python_snippets_send_the_part_type(
    request_file: Path, server: RecordingServer, request: pytest.FixtureRequest
) -> None:
    ours = _sent(server, [sys.executable, "-m", "explorer", "run", str(request_file.parent)])
    assert ours[0][0] == "meta"
    assert ours[0][1] == "application/json"
    assert ours[0][2] == b'{"name": "a \\"quoted\\" file"}'
    assert ours[1][:2] == ("note", None)

    curl = require("curl", request.node.nodeid)
    snippet = run_cli("snippet", "--lang", "curl", str(request_file))
    assert snippet.returncode == 0, snippet.stderr
    assert _sent(server, ["bash", "-c", snippet.stdout.replace("curl ", f"{curl} ", 1)]) == ours

    python = run_cli("snippet", "--lang", "python", str(request_file))
    assert python.returncode == 0, python.stderr
    assert _sent(server, [sys.executable, "-c", python.stdout]) == ours


@pytest.mark.parametrize(
    ("lang", "tool"),
    [("httpie", "HTTPie"), ("fetch", "fetch"), ("powershell", "Invoke-RestMethod")],
)
def test_targets_that_cannot_type_a_text_part_say_so(
    request_file: Path, lang: str, tool: str
) -> None:
    done = run_cli("snippet", "--lang", lang, str(request_file))
    assert done.returncode == 2
    assert tool in done.stderr
    assert "'meta'" in done.stderr
