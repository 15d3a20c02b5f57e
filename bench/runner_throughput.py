"""Runner throughput: one 500-request collection run by ``api-explorer run``, ``newman`` (our
Postman v2.1 export), ``httpyac`` (our ``.http`` export) and a bare ``requests.Session`` loop,
each as a fresh process (wall time includes start-up), against the same local server.

Sequential, then with concurrency (ours ``--concurrency``, httpyac ``--parallel``, the bare loop
a thread pool with a session per thread; newman has none, so its sequential time stands). Rounds
interleave the tools, rotating who goes first; medians are reported with the ratios
other/ours (targets: newman ≥ 8, httpyac ≥ 1.5, bare ≥ 0.9 — ours/bare ≤ 1.11).

    .venv/bin/python bench/runner_throughput.py [--requests 500] [--rounds 5] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import median, small_server
from explorer.core.formats.service import export
from explorer.core.models import Assertion, CheckKind, RequestSpec
from explorer.core.workspace.collections import save_collection
from explorer.core.workspace.model import Folder, SavedRequest, Variable

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "tests" / "interop" / "node_modules" / ".bin"
PYTHON = str(ROOT / ".venv" / "bin" / "python")

BARE = """
import sys, requests
from concurrent.futures import ThreadPoolExecutor
import threading
base, count, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
local = threading.local()
def get(n):
    session = getattr(local, "session", None) or requests.Session()
    local.session = session
    response = session.get(f"{base}/item/{n}", timeout=(10, 60))
    assert response.status_code == 200
    return response.content
if workers == 1:
    for n in range(count):
        get(n)
else:
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(get, range(count)))
"""


def build(base: str, count: int, folder: Path) -> tuple[Path, Path, Path]:
    """The collection on disk (each request asserts status 200), and its two exports."""
    items = tuple(
        SavedRequest(
            RequestSpec(
                url="{{base_url}}/item/" + str(n),
                name=f"item {n:03d}",
                assertions=(Assertion(CheckKind.STATUS, expected="200"),),
            ),
            n,
        )
        for n in range(count)
    )
    tree = Folder(name="Bench", variables=(Variable("base_url", base),), items=items)
    directory = folder / "collections" / "bench"
    save_collection(tree, directory)
    postman = folder / "bench.postman_collection.json"
    postman.write_text(export("postman", directory), encoding="utf-8")
    http = folder / "bench.http"
    http.write_text(export("http", directory), encoding="utf-8")
    return directory, postman, http


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{command[0]} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr}")
    return elapsed


def commands(
    directory: Path, postman: Path, http: Path, *, base: str, count: int, workers: int
) -> dict[str, list[str]]:
    ours = [PYTHON, "-m", "explorer", "run", str(directory)]
    os.environ["PYTHONPATH"] = str(ROOT)
    found = {
        "ours": ours + (["--concurrency", str(workers)] if workers > 1 else []),
        "bare": [PYTHON, "-c", BARE, base, str(count), str(workers)],
    }
    if (BIN / "httpyac").exists():
        # httpyac only reads files below its working directory (the scratch folder)
        found["httpyac"] = [str(BIN / "httpyac"), "send", http.name, "--all", "-o", "none"]
        if workers > 1:
            found["httpyac"] += ["--parallel", str(workers)]
    if (BIN / "newman").exists() and workers == 1:
        found["newman"] = [str(BIN / "newman"), "run", str(postman), "--reporters", "cli"]
    return found


def measure(named: dict[str, list[str]], rounds: int, cwd: Path) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in named}
    order = list(named)
    for name in order:  # warm the page cache and node's compile cache once
        timed(named[name], cwd)
    for round_no in range(rounds):
        shift = round_no % len(order)
        for name in order[shift:] + order[:shift]:
            times[name].append(timed(named[name], cwd))
    return times


def report(label: str, times: dict[str, list[float]], count: int) -> None:
    ours = median(times["ours"])
    print(f"\n{label}: {count} requests, wall time incl. start-up, median of {len(times['ours'])}")
    for name, values in times.items():
        value = median(values)
        ratio = "" if name == "ours" else f"   {name}/ours {value / ours:5.2f}x"
        spread = f"{min(values):.2f}-{max(values):.2f}"
        print(f"  {name:8} {value:6.2f} s ({spread})  {count / value:6.0f} req/s{ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    os.environ.setdefault("NO_COLOR", "1")
    # As installed: bytecode cached (this machine's shells set PYTHONDONTWRITEBYTECODE, which
    # would make every run of ours recompile the app while requests' bytecode is cached).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    with small_server() as base, tempfile.TemporaryDirectory() as scratch:
        directory, postman, http = build(base, args.requests, Path(scratch))

        def run(workers: int) -> dict[str, list[float]]:
            named = commands(
                directory, postman, http, base=base, count=args.requests, workers=workers
            )
            return measure(named, args.rounds, Path(scratch))

        report("sequential", run(1), args.requests)
        report(f"concurrency {args.concurrency}", run(args.concurrency), args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
