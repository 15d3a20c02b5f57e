"""CLI streaming: peak memory of ``api-explorer send`` on a 1 GiB gzip body, against curl.

A server in a child process answers with N MiB of zeros as one gzip stream (about 1 MB on the
wire: the classic compression bomb). Each run is measured from a fresh wrapper process that starts
the command, drains its stdout through a pipe (counting the bytes), and reads
``getrusage(RUSAGE_CHILDREN).ru_maxrss`` once it has exited: the command's own peak RSS, nothing
else's. Rows, interleaved over the rounds, medians printed:

- ours piped, with the decompression guard's ratio check off (``API_EXPLORER_MAX_RATIO=0``) so
  the whole body flows through;
- ours piped with the default guard: the guard's sentence once 64 MiB are decoded;
- ours with ``-o FILE``;
- ``curl --compressed``, piped and with ``-o FILE`` (the baseline).

Target (issue 17): peak RSS at most 120 MB, or the guard's sentence.

    .venv/bin/python bench/cli_stream.py [--mib 1024] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import median

SERVER = """
import sys, zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
block = bytes(1 << 20)
BODY = b"".join(squeeze.compress(block) for _ in range(int(sys.argv[1]))) + squeeze.flush()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)
class Quiet(ThreadingHTTPServer):
    def handle_error(self, request, address): pass  # the guard hangs up mid-body on purpose
s = Quiet(("127.0.0.1", 0), H)
print(s.server_address[1], len(BODY), flush=True)
s.serve_forever()
"""

MEASURE = """
import json, resource, subprocess, sys, time
command, env = json.loads(sys.argv[1]), json.loads(sys.argv[2])
start = time.perf_counter()
process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
count = 0
while chunk := process.stdout.read1(1 << 20):
    count += len(chunk)
lines = process.stderr.read().decode(errors="replace").strip().splitlines()
code = process.wait()
print(json.dumps({
    "rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    "seconds": time.perf_counter() - start,
    "bytes": count,
    "code": code,
    "said": lines[-1] if lines else "",
}))
"""


@contextmanager
def bomb_server(mib: int) -> Iterator[tuple[str, int]]:
    """The URL of the gzip body and its size on the wire."""
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(mib)], stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        port, wire = process.stdout.readline().split()
        yield f"http://127.0.0.1:{int(port)}/bomb", int(wire)
    finally:
        process.terminate()
        process.wait(10)


def measure(command: list[str], env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(command), json.dumps(env)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def runs(url: str, out: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    ours = [sys.executable, "-m", "explorer", "send", "GET", url]
    env = {**os.environ, "NO_COLOR": "1"}
    unguarded = {**env, "API_EXPLORER_MAX_RATIO": "0"}
    rows = {
        "ours, piped (ratio check off)": (ours, unguarded),
        "ours, piped (default guard)": (ours, env),
        "ours, -o FILE (ratio check off)": ([*ours, "-o", str(out)], unguarded),
    }
    curl = shutil.which("curl")
    if curl:
        plain = [curl, "-s", "--compressed", url]
        rows["curl --compressed, piped"] = (plain, env)
        rows["curl --compressed, -o FILE"] = ([*plain, "-o", str(out)], env)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="decoded size of the body")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, bomb_server(options.mib) as (url, wire):
        rows = runs(url, Path(tmp) / "body.bin")
        seen: dict[str, list[dict[str, object]]] = {name: [] for name in rows}
        for _ in range(options.rounds):
            for name, (command, env) in rows.items():
                seen[name].append(measure(command, env))
    sys.stdout.write(
        f"{options.mib} MiB of zeros as one gzip stream ({wire:,} bytes on the wire), "
        f"median of {options.rounds}:\n\n"
        "| run | peak RSS | time | bytes to stdout | exit | last stderr line |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
    )
    for name, results in seen.items():
        rss = median([float(str(r["rss_kb"])) for r in results]) / 1024
        seconds = median([float(str(r["seconds"])) for r in results])
        last = results[-1]
        sys.stdout.write(
            f"| {name} | {rss:.0f} MB | {seconds:.1f} s | {last['bytes']:,} | {last['code']} "
            f"| {str(last['said'])[:120]} |\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
