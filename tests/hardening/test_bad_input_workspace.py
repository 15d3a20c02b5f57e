"""Bad workspace files: corrupted, empty, binary, read-only, in the way, and edited by another
writer while we read. Each is reported with its path (and line where there is one), the rest of
the workspace still opens, and no file loses a byte it had.

Covered elsewhere and referenced, not copied: a broken request file left untouched while the rest
loads (``tests/core/workspace/test_collections.py::
test_a_broken_file_is_reported_left_untouched_and_the_rest_loads``), random and mutated YAML
(``tests/core/workspace/test_hostile_files.py``), an external edit reported by the watcher
(``tests/core/workspace/test_environments_history.py::test_watcher_thread_reports_an_external_edit``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from explorer.core.errors import ExplorerError, FormatError, StorageError
from explorer.core.models import RequestSpec
from explorer.core.workspace.collections import load_request
from explorer.core.workspace.marker import open_workspace
from explorer.core.workspace.store import WorkspaceStore
from tests.support.programs import require

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path: Path) -> WorkspaceStore:
    return WorkspaceStore(tmp_path / "ws")


def _collection(store: WorkspaceStore) -> tuple[Path, Path, Path]:
    shop = store.create_collection("Shop")
    good = store.create_request(shop, RequestSpec(url="https://h/good", name="Good"))
    bad = store.create_request(shop, RequestSpec(url="https://h/bad", name="Bad"))
    return shop, good, bad


REQUEST_DAMAGE = [
    ("empty file", b"", r"the file must be a mapping of keys"),
    ("not UTF-8", b"name: \xff\xfe\n", r"not UTF-8 text; save it as UTF-8"),
    ("binary", bytes(range(256)), r"not UTF-8 text"),
    ("broken YAML", b"name: [unclosed\nurl: x\n", r":2: not valid YAML"),
    ("a list", b"- a\n- b\n", r"the file must be a mapping of keys"),
    ("unsafe tag", b"name: !!python/object/apply:os.system ['true']\n", r"not valid YAML"),
]


@pytest.mark.parametrize(
    ("content", "message"), [c[1:] for c in REQUEST_DAMAGE], ids=[c[0] for c in REQUEST_DAMAGE]
)
def test_damaged_request_file(store: WorkspaceStore, content: bytes, message: str) -> None:
    shop, good, bad = _collection(store)
    bad.write_bytes(content)
    tree, errors = store.load(shop)
    assert tree is not None
    assert [item.name for item in tree.items] == ["Good"]
    assert len(errors) == 1
    assert errors[0].path == str(bad)
    assert "\n" not in str(errors[0])
    assert re.search(message, str(errors[0])), str(errors[0])
    store.save_request(good, RequestSpec(url="https://h/good2", name="Good"))
    assert bad.read_bytes() == content  # never rewritten, never "repaired" away


MARKER_DAMAGE = [
    ("empty", b"", r"must be a mapping with an 'id' string"),
    ("not UTF-8", b"id: \xff\xfe\n", r"not UTF-8 text"),
    ("broken YAML", b"id: [x\n", r"workspace.yaml is not valid YAML"),
    ("newer format", b"format_version: 99\nid: x\n", r"newer than this app understands"),
]


@pytest.mark.parametrize(
    ("content", "message"), [c[1:] for c in MARKER_DAMAGE], ids=[c[0] for c in MARKER_DAMAGE]
)
def test_damaged_workspace_marker(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "workspace.yaml").write_bytes(content)
    with pytest.raises(FormatError, match=message) as info:
        open_workspace(tmp_path)
    assert info.value.path == str(tmp_path / "workspace.yaml")
    assert (tmp_path / "workspace.yaml").read_bytes() == content


def test_things_in_the_way(tmp_path: Path, store: WorkspaceStore) -> None:
    (tmp_path / "dir-marker").mkdir()
    (tmp_path / "dir-marker" / "workspace.yaml").mkdir()
    with pytest.raises(FormatError, match=r"cannot be read \(Is a directory\)"):
        open_workspace(tmp_path / "dir-marker")
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(FormatError, match="is a file, not a workspace folder"):
        open_workspace(tmp_path / "a-file")
    shop, good, _ = _collection(store)
    blocker = shop / "blocked.request.yaml"
    blocker.mkdir()
    with pytest.raises(FormatError, match=r"blocked.request.yaml: cannot be read \(Is a direct"):
        store.save_request(blocker, RequestSpec(url="https://h/x", name="Blocked"))
    with pytest.raises(StorageError, match=r"good.request.yaml/x.request.yaml: cannot be writ"):
        store.save_request(good / "x.request.yaml", RequestSpec(url="https://h/x", name="X"))
    assert load_request(good).spec.url == "https://h/good"


_READ_ONLY_SCRIPT = """
import sys
from pathlib import Path
from explorer.core.errors import ExplorerError
from explorer.core.models import RequestSpec
from explorer.core.workspace.store import WorkspaceStore
from tests.support.programs import require
ws = Path(sys.argv[1])
try:
    store = WorkspaceStore(ws)
    store.save_request(ws / "collections" / "shop" / "good.request.yaml",
                       RequestSpec(url="https://h/changed", name="Good"))
except ExplorerError as exc:
    print(type(exc).__name__, exc)
"""


def test_read_only_workspace_is_one_sentence_and_nothing_changes(tmp_path: Path) -> None:
    """Root ignores file permissions, so the save runs without the capabilities that let it
    (``setpriv``), like a user opening a workspace from a read-only checkout."""
    setpriv = require("setpriv", "read_only_workspace")
    store = WorkspaceStore(tmp_path / "ws")
    _, good, _ = _collection(store)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    for path in tmp_path.rglob("*"):
        path.chmod(0o555 if path.is_dir() else 0o444)
    caps = "-dac_override,-dac_read_search,-fowner"
    try:
        done = subprocess.run(
            [
                setpriv,
                "--bounding-set",
                caps,
                "--inh-caps",
                caps,
                sys.executable,
                "-c",
                _READ_ONLY_SCRIPT,
                str(tmp_path / "ws"),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        for path in tmp_path.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"StorageError {good}: cannot be written (Permission denied)")
    assert done.stdout.count("\n") == 1
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


@pytest.mark.timeout(60)
def test_concurrent_writer_never_shows_a_half_file(store: WorkspaceStore) -> None:
    """Another writer (a second window, git checkout, an editor) rewrites a request while we
    read it: every read sees one whole version, never a mix or a parse error."""
    shop, good, _ = _collection(store)
    versions = [
        RequestSpec(url=f"https://h/{'v' * 2000}{i}", name="Good", docs="d\n" * (i * 50))
        for i in range(2)
    ]
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        other = WorkspaceStore(store.root)
        i = 0
        while not stop.is_set():
            try:
                other.save_request(good, versions[i % 2])
            except BaseException as exc:
                failures.append(exc)
                return
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        seen = set()
        for _ in range(300):
            try:
                seen.add(load_request(good).spec.url)
            except ExplorerError as exc:
                failures.append(exc)
                break
    finally:
        stop.set()
        thread.join(10)
    assert not failures
    assert seen <= {v.url for v in versions} | {"https://h/good"}
    assert not [p for p in shop.iterdir() if p.name.endswith(".tmp")]
