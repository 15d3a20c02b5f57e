"""Smaller cases of issue 18 around runs, reports, imports, exports and the workspace marker
(docs/security.md "Runs, reports, imports and the workspace marker"): each is one sentence
before anything is sent or written, or a result that tells the truth.

Each test runs the real ``api-explorer`` in a process, against the hostile server on loopback.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from explorer.core.models import RequestSpec
from explorer.core.workspace.collections import load_collection, save_collection
from explorer.core.workspace.marker import open_workspace
from explorer.core.workspace.model import Folder, SavedRequest
from explorer.core.workspace.store import WorkspaceStore
from tests.hardening.hostile import HostileServer
from tests.support.cli import run_cli


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, extra_env={"API_EXPLORER_HOME": str(cwd / "home")})


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.002)


def collection(root: Path, *specs: RequestSpec, name: str = "Shop") -> Path:
    """A workspace at ``root`` holding one collection of ``specs``."""
    open_workspace(root)
    directory = root / "collections" / "shop"
    items = tuple(SavedRequest(spec, seq) for seq, spec in enumerate(specs))
    save_collection(Folder(name=name, items=items), directory)
    return directory


def test_a_run_whose_only_request_file_is_broken_names_it(tmp_path: Path) -> None:
    directory = collection(tmp_path, RequestSpec(url="http://127.0.0.1:9/", name="Only"))
    (broken,) = directory.glob("*.request.yaml")
    broken.write_text("name: Only\nurl: [unclosed\n", encoding="utf-8")
    done = cli("run", str(directory), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert re.search(rf"{re.escape(str(broken))}:\d+: not valid YAML", done.stderr), done.stderr
    assert "could not be read" in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr


def test_a_killed_import_leaves_no_collection_that_looks_complete(tmp_path: Path) -> None:
    open_workspace(tmp_path)
    count = 2000
    items = [
        {"name": f"r{i}", "request": {"method": "GET", "url": f"http://127.0.0.1:9/{i}"}}
        for i in range(count)
    ]
    export = tmp_path / "big.postman_collection.json"
    export.write_text(json.dumps({"info": {"name": "Big"}, "item": items}), encoding="utf-8")
    into = tmp_path / "collections" / "big"
    command = [sys.executable, "-m", "explorer", "import", "postman", str(export), "--into"]
    env = {**os.environ, "API_EXPLORER_HOME": str(tmp_path / "home")}

    def started() -> bool:
        partial = any(into.parent.glob(".big.partial-*")) if into.parent.is_dir() else False
        return partial or (into / "collection.yaml").exists() or process.poll() is not None

    process = subprocess.Popen([*command, str(into)], env=env, stdout=subprocess.DEVNULL)
    # kill -9 as soon as the import writes anything: mid-write, or (on a fast disk) just after
    wait_for(started, "the import to start writing")
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    loaded = load_collection(into)
    if loaded.collection is not None:  # only ever complete
        assert len(loaded.collection.requests()) == count
    listed = WorkspaceStore(tmp_path).collection_dirs()
    assert listed in ([], [into]), listed
    if not listed:  # killed mid-write: nothing half-written is taken for a collection
        done = subprocess.run([*command, str(into)], env=env, capture_output=True, check=False)
        assert done.returncode == 0, done.stderr
        loaded = load_collection(into)
        assert loaded.collection is not None
        assert len(loaded.collection.requests()) == count
        assert not list(into.parent.glob(".big.partial-*"))  # the leftover was removed


def test_errored_requests_report_their_time_and_junit_covers_the_run(
    tmp_path: Path, hostile: HostileServer
) -> None:
    directory = collection(
        tmp_path,
        RequestSpec(url=hostile.base_url + "/echo", name="Echo"),
        RequestSpec(url=hostile.base_url + "/silent", name="Silent", read_timeout=0.5),
    )
    done = cli("run", str(directory), "--report", "r.json", "--report", "r.xml", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    (silent,) = [r for r in report["results"] if r["name"] == "Silent"]
    assert silent["outcome"] == "error"
    assert silent["elapsed_ms"] >= 450, silent  # it waited out its 0.5 s read timeout
    (suite,) = ET.parse(tmp_path / "r.xml").getroot().iter("testsuite")
    assert float(suite.get("time", "0")) >= report["elapsed_s"] - 0.001, suite.attrib


def test_export_with_an_unknown_environment_writes_nothing(tmp_path: Path) -> None:
    directory = collection(tmp_path, RequestSpec(url="http://127.0.0.1:9/", name="One"))
    out = tmp_path / "out.postman_collection.json"
    done = cli("export", "postman", str(directory), "-o", str(out), "--env", "nope", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "has no saved environment 'nope'" in done.stderr
    assert not out.exists()
    assert list(tmp_path.glob("out*")) == []


def test_a_newer_workspace_refuses_import_through_a_path(tmp_path: Path) -> None:
    directory = collection(tmp_path, RequestSpec(url="http://127.0.0.1:9/", name="One"))
    marker = tmp_path / "workspace.yaml"
    marker.write_text("format_version: 99\nid: abc\n", encoding="utf-8")
    curl = tmp_path / "c.txt"
    curl.write_text("curl http://127.0.0.1:9/x\n", encoding="utf-8")
    other = cli("export", "http", str(directory), "-o", "-", cwd=tmp_path)
    sentence = f"api-explorer: {marker}: format_version 99 is newer than this app understands"
    assert other.stderr.startswith(sentence), other.stderr
    into = tmp_path / "collections" / "new"
    for extra in ((), ("--dry-run",)):
        done = cli("import", "curl", str(curl), "--into", str(into), *extra, cwd=tmp_path)
        assert (done.returncode, done.stderr) == (other.returncode, other.stderr), extra
        assert not into.exists()


def test_a_workspace_yaml_syntax_error_is_one_sentence(tmp_path: Path) -> None:
    directory = collection(tmp_path, RequestSpec(url="http://127.0.0.1:9/", name="One"))
    (tmp_path / "workspace.yaml").write_text("id: [abc\nformat_version: 2\n", encoding="utf-8")
    done = cli("export", "http", str(directory), "-o", "-", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"api-explorer: {tmp_path / 'workspace.yaml'}:2: ")
    assert "not valid YAML" in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr


@pytest.mark.parametrize(
    ("report", "message"),
    [
        ("/proc/report.json", "cannot be written"),
        ("a-file/folder/report.xml", "is inside the file"),
        ("a-folder.json", "is a folder"),
    ],
)
def test_an_unwritable_report_is_refused_before_the_first_request(
    tmp_path: Path, hostile: HostileServer, report: str, message: str
) -> None:
    (tmp_path / "a-folder.json").mkdir()
    (tmp_path / "a-file").write_text("in the way", encoding="utf-8")
    tag = f"report-{tmp_path.name}"
    directory = collection(tmp_path, RequestSpec(url=f"{hostile.base_url}/echo?t={tag}"))
    done = cli("run", str(directory), "--report", report, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert not [path for path, _ in hostile.requests if tag in path]
