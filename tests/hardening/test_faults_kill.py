"""kill -9 in the middle of saving: a process saves a whole collection (or appends to the
history) in a loop and is killed at random points; after each kill the workspace opens, every
request file is the old or the new version (never half, never empty), and the history reads
with at most its last line lost, which is reported."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from explorer.core.http import HttpClient
from explorer.core.models import Body, BodyMode, RequestSpec
from explorer.core.templating import Scope, resolve
from explorer.core.workspace.collections import load_request
from explorer.core.workspace.history import History
from explorer.core.workspace.store import WorkspaceStore
from tests.hardening.hostile import HostileServer

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 12
ROUNDS = 6

SAVE_LOOP = """
import sys
from pathlib import Path
from explorer.core.models import Body, BodyMode, RequestSpec
from explorer.core.workspace.store import WorkspaceStore
store = WorkspaceStore(Path(sys.argv[1]))
shop = store.collections_dir / "shop"
version, requests = int(sys.argv[2]), int(sys.argv[3])
while True:
    version += 1
    for n in range(requests):
        body = Body(BodyMode.JSON, f'{{"version": {version}, "pad": "{"x" * 3000 * n}"}}')
        spec = RequestSpec("POST", f"https://h/{n}?v={version}", name=f"R{n}", body=body)
        store.save_request(shop / f"r{n}.request.yaml", spec)
    print(version, flush=True)
"""

APPEND_LOOP = """
import sys
from pathlib import Path
from explorer.core.http import HttpClient
from explorer.core.models import RequestSpec
from explorer.core.templating import Scope, resolve
from explorer.core.workspace.history import History
client = HttpClient()
exchange = client.send(resolve(RequestSpec(url=sys.argv[2]), Scope()))
history = History(Path(sys.argv[1]))
count = 0
while True:
    history.record(exchange, name="entry %d " % count + "p" * (count % 5000))
    count += 1
    print(count, flush=True)
"""


def _run_until_killed(script: str, *args: str, lines: int) -> int:
    """Start ``script``, let it report ``lines`` completed iterations (and a random bit more),
    kill -9 it, and return the last completed iteration it reported."""
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    last = 0
    try:
        for _ in range(lines):
            line = process.stdout.readline()
            assert line, "the loop died before it was killed"
            last = int(line)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        remaining = process.stdout.read()
        process.stdout.close()
    numbers = [int(x) for x in remaining.split()]
    return numbers[-1] if numbers else last


def _versions(store: WorkspaceStore) -> list[int]:
    shop = store.collections_dir / "shop"
    tree, errors = store.load(shop)
    assert errors == (), errors
    assert tree is not None
    assert len(tree.items) == REQUESTS
    found = []
    for n in range(REQUESTS):
        spec = load_request(shop / f"r{n}.request.yaml").spec
        version = int(spec.url.rsplit("=", 1)[1])
        assert f'"version": {version},' in spec.body.text  # url and body from one write
        found.append(version)
    return found


@pytest.mark.timeout(120)
def test_kill_during_collection_save_loop(tmp_path: Path) -> None:
    store = WorkspaceStore(tmp_path / "ws")
    shop = store.create_collection("Shop")
    for n in range(REQUESTS):
        body = Body(BodyMode.JSON, '{"version": 0, "pad": ""}')
        store.save_request(
            shop / f"r{n}.request.yaml",
            RequestSpec("POST", f"https://h/{n}?v=0", name=f"R{n}", body=body),
        )
    rng = random.Random(9)
    version = 0
    for _ in range(ROUNDS):
        args = (str(store.root), str(version), str(REQUESTS))
        done = _run_until_killed(SAVE_LOOP, *args, lines=rng.randint(1, 6))
        reopened = WorkspaceStore(store.root)
        versions = _versions(reopened)
        # Each file holds the version of the last finished pass or of the pass cut short.
        assert set(versions) <= {done, done + 1}, (done, versions)
        assert versions == sorted(versions, reverse=True)  # files are written in order
        version = max(versions)
    leftovers = [p.name for p in shop.iterdir() if p.name.endswith(".tmp")]
    assert all(p.startswith(".") for p in leftovers)  # hidden temp files, ignored on load


@pytest.mark.timeout(120)
def test_kill_during_history_append_loop(tmp_path: Path, hostile: HostileServer) -> None:
    rng = random.Random(4)
    history = History(tmp_path)
    total = 0
    for _ in range(ROUNDS):
        total = _run_until_killed(
            APPEND_LOOP, str(tmp_path), f"{hostile.base_url}/echo", lines=rng.randint(20, 200)
        )
        day = datetime.now(UTC).date()
        read = history.read(day)
        lines = (tmp_path / "history" / f"{day.isoformat()}.jsonl").read_bytes().count(b"\n")
        assert set(read.damaged) <= {lines, lines + 1}  # only a torn last line, if any
        assert len(read.entries) >= total
    client = HttpClient()
    try:
        exchange = client.send(resolve(RequestSpec(url=f"{hostile.base_url}/echo"), Scope()))
    finally:
        client.close()
    history.record(exchange, name="after the crashes")
    assert history.entries(datetime.now(UTC).date())[0].name == "after the crashes"


def test_a_torn_last_line_costs_only_itself_and_is_reported(
    tmp_path: Path, hostile: HostileServer
) -> None:
    client = HttpClient()
    try:
        exchange = client.send(resolve(RequestSpec(url=f"{hostile.base_url}/echo"), Scope()))
    finally:
        client.close()
    history = History(tmp_path)
    history.record(exchange, name="before")
    day = exchange.started_at.astimezone(UTC).date()
    path = tmp_path / "history" / f"{day.isoformat()}.jsonl"
    whole = path.read_bytes()
    path.write_bytes(whole + whole[: len(whole) // 2])  # a second line cut short by a crash
    history.record(exchange, name="after")
    read = history.read(day)
    assert [e.name for e in read.entries] == ["after", "before"]
    assert read.damaged == (2,)
    assert read.report() == (
        "History skipped 1 unreadable line (line 2), e.g. one cut short by a crash; every other "
        "entry is shown."
    )
