"""The curl corpus (``data/curl``): real commands (curlconverter's fixtures, browser copies,
vendor docs), each run by the real curl and imported and sent by us against one recording
server; both must reach it alike: method, target (byte for byte), body bytes (a multipart
body's parts, since boundaries differ) and the headers the command set. cmd.exe and PowerShell
forms, which no shell here can run, must import as their bash twin, which is itself proven.

An entry is ``### name`` then ``#:`` lines, then the command text (bash, cmd or PowerShell):
``#: origin WHERE`` (required), ``#: file PATH CONTENT`` (written in the working folder, CONTENT
in Python escapes), ``#: env NAME=VALUE`` (exported for curl, a variable for us), ``#: reported
TEXT`` (a warning of the import must hold it), ``#: differs ASPECT`` (``method``, ``target``,
``body``, ``auth`` (sent without it) or ``header NAME``: a known, reported difference left out
of the comparison), ``#: twin NAME`` (a cmd/PowerShell entry that must import as that bash
entry), ``#: xfail REASON`` (a difference that needs a change outside the importer: the test
fails until it is made, then fails as XPASS so the mark goes). ``localhost:28139`` is the
recording server.
"""

from __future__ import annotations

import codecs
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from explorer.core.auth.registry import explicit_auth
from explorer.core.formats.curl import import_curl
from explorer.core.http import HttpClient
from explorer.core.templating import Layer, Scope, header_joiner, resolve
from explorer.core.workspace.model import SavedRequest
from tests.support.programs import require
from tests.support.recording import Recorded, RecordingServer

CORPUS = Path(__file__).parent / "data" / "curl"
HOST = "localhost:28139"


@dataclass(frozen=True)
class Entry:
    name: str
    origin: str
    text: str
    files: dict[str, bytes] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    reported: tuple[str, ...] = ()
    differs: frozenset[str] = frozenset()
    twin: str | None = None
    xfail: str | None = None

    def at(self, port: int) -> str:
        return self.text.replace(HOST, f"127.0.0.1:{port}")


def load(name: str) -> list[Entry]:
    """The entries of one corpus file, in file order."""
    entries = []
    for block in re.split(r"^### ", (CORPUS / name).read_text(encoding="utf-8"), flags=re.M)[1:]:
        title, _, rest = block.partition("\n")
        meta = [line[3:] for line in rest.splitlines() if line.startswith("#: ")]
        text = "\n".join(line for line in rest.splitlines() if not line.startswith("#: "))
        entries.append(_entry(title.strip(), meta, text.strip("\n") + "\n"))
    return entries


def _entry(name: str, meta: list[str], text: str) -> Entry:
    values: dict[str, list[str]] = {}
    for line in meta:
        key, _, value = line.partition(" ")
        values.setdefault(key, []).append(value)
    files = {}
    for spec in values.get("file", []):
        path, _, content = spec.partition(" ")
        files[path] = codecs.escape_decode(content.encode("utf-8"))[0]
    (origin,) = values["origin"]
    return Entry(
        name,
        origin,
        text,
        files,
        dict(_pair(line) for line in values.get("env", [])),
        tuple(values.get("reported", [])),
        frozenset(values.get("differs", [])),
        next(iter(values.get("twin", [])), None),
        next(iter(values.get("xfail", [])), None),
    )


def _pair(line: str) -> tuple[str, str]:
    name, _, value = line.partition("=")
    return name, value


SKIPPED = {"content-length", "expect", "transfer-encoding"}
"""Framing both clients choose for themselves; Content-Length is compared through the body."""
MADE = {"user-agent", "referer", "cookie", "authorization", "content-type", "accept", "range"}
"""Names curl writes at places of its own choosing (from -A -e -b -u -r, a body, --json):
compared by value. Every other header is compared in order, name and value."""
CURL_DEFAULT_ENCODINGS = "deflate, gzip, br, zstd"


def comparable(record: Recorded, differs: frozenset[str]) -> tuple[list[str], dict[str, str]]:
    """The headers of one request as compared: (ordered ``name: value`` lines, made headers by
    lower-case name); repeats folded as HTTP allows, multipart boundaries removed."""
    folded: dict[str, tuple[str, str]] = {}
    for name, value in record.headers:
        key = name.lower()
        if key in SKIPPED or f"header {key}" in {d.lower() for d in differs}:
            continue
        if key in folded:
            first, joined = folded[key]
            folded[key] = (first, f"{joined}{header_joiner(name)}{value.strip()}")
        else:
            folded[key] = (name, value.strip())
    ordered = [f"{n}: {v}" for key, (n, v) in folded.items() if key not in MADE]
    made = {key: v for key, (_, v) in folded.items() if key in MADE}
    if "content-type" in made:
        made["content-type"] = re.sub(r";\s*boundary=\S+", "", made["content-type"])
    return ordered, made


def relevant(theirs: Recorded, ours: Recorded, differs: frozenset[str]) -> list[dict[str, object]]:
    """What the two requests must agree on: [curl's, ours]."""
    sides = []
    for record in (theirs, ours):
        lines, made = comparable(record, differs)
        if theirs.header("Accept-Encoding") in (None, CURL_DEFAULT_ENCODINGS):
            lines = [line for line in lines if not line.startswith("Accept-Encoding:")]
        if (theirs.header("User-Agent") or "curl/").startswith("curl/"):
            made.pop("user-agent", None)
        side: dict[str, object] = {"headers": lines, "made": made}
        for key, value in (("method", record.method), ("target", record.target)):
            if key not in differs:
                side[key] = value
        if "body" not in differs:
            side["body"] = body_of(record)
        sides.append(side)
    return sides


def body_of(record: Recorded) -> object:
    """The body bytes, or a multipart body's parts (headers and bytes) since boundaries differ."""
    kind = record.header("Content-Type") or ""
    found = re.search(r"boundary=(\S+)", kind)
    if not kind.lower().startswith("multipart/") or not found:
        return record.body
    boundary = b"--" + found.group(1).strip('"').encode()
    parts = []
    for chunk in record.body.split(boundary)[1:-1]:
        head, _, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        parts.append((head.decode("utf-8", "replace").split("\r\n"), content.removesuffix(b"\r\n")))
    return parts


BASH = load("curlconverter.sh") + load("browsers.sh") + load("vendors.sh")
TWINS = load("cmd.txt") + load("powershell.txt")


@pytest.fixture(scope="module")
def server() -> Iterator[RecordingServer]:
    recorder = RecordingServer()
    yield recorder
    recorder.stop()


def test_the_corpus_is_large_and_every_entry_names_its_origin() -> None:
    assert len(BASH) >= 60
    assert len({e.name for e in BASH + TWINS}) == len(BASH + TWINS)
    assert all(e.origin for e in BASH + TWINS)


def cases(entries: list[Entry]) -> list[object]:
    """Entries as parameters, the ``xfail`` ones marked strict."""
    return [
        pytest.param(e, id=e.name, marks=[pytest.mark.xfail(strict=True, reason=e.xfail)])
        if e.xfail
        else pytest.param(e, id=e.name)
        for e in entries
    ]


@pytest.mark.parametrize("entry", cases(BASH))
def test_the_import_reaches_the_server_as_curl_did(
    entry: Entry, server: RecordingServer, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    curl = require("curl", request.node.nodeid)
    text = entry.at(server.port)
    for name, content in entry.files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    mark = server.mark()
    subprocess.run(  # curl's own exit status is not the point: what reached the server is
        ["bash", "-c", f'curl() {{ command "{curl}" "$@"; }}\n{text}'],
        check=False,
        cwd=tmp_path,
        env={**os.environ, **entry.env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=20,
    )
    theirs = server.since(mark)
    result = import_curl(text, entry.name)
    for needle in entry.reported:
        assert any(needle in w for w in result.warnings), (needle, result.warnings)
    mark = server.mark()
    scope = Scope((Layer("secrets", result.secrets), Layer("shell", entry.env)))
    client = HttpClient()
    try:
        for item in result.collection.items:
            assert isinstance(item, SavedRequest)
            resolved = resolve(item.spec, scope, base_dir=tmp_path)
            auth = None if "auth" in entry.differs else explicit_auth(resolved.auth)
            client.send(resolved, auth=auth)
    finally:
        client.close()
    ours = server.since(mark)
    assert len(ours) == len(theirs) > 0
    for their, our in zip(theirs, ours, strict=True):
        curls, mine = relevant(their, our, entry.differs)
        assert mine == curls


@pytest.mark.parametrize("entry", TWINS, ids=lambda e: e.name)
def test_cmd_and_powershell_forms_import_as_their_bash_twin(entry: Entry) -> None:
    twin = next(e for e in BASH if e.name == entry.twin)
    ours, theirs = import_curl(entry.text, entry.name), import_curl(twin.text, twin.name)
    assert ours.collection == theirs.collection
    assert ours.secrets == theirs.secrets
    for expected in entry.reported:
        assert any(expected in w for w in ours.warnings), (expected, ours.warnings)
