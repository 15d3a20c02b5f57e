"""Start-up: ``api-explorer --quit-after-show`` wall time to first paint, and peak RSS.

Runs the app N times offscreen (it prints ``shown in N ms`` after its first paint, then exits)
and reports the median of the app's own figure, the median wall time of the whole process
(interpreter start included) and the median peak RSS from the kernel's accounting (``wait4``).
Targets: first paint ≤ 800 ms median, idle RSS ≤ 150 MB. Pass ``--demo`` to measure the demo
start (sandbox in-process, presets, sample requests).

    .venv/bin/python bench/startup.py [--runs 10] [--demo]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time


def one_run(extra: list[str], home: str) -> tuple[float, float, float]:
    """(first paint ms as the app reports it, whole process ms, peak RSS MB from wait4)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "API_EXPLORER_HOME": home}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "explorer", "--quit-after-show", *extra],
            stdout=out,
            stderr=err,
            env=env,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = (time.perf_counter() - started) * 1000
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        raise SystemExit(f"the app failed: {stderr.decode()[-500:]}")
    match = re.search(rb"shown in (\d+) ms", stdout)
    if match is None:
        raise SystemExit(f"no 'shown in N ms' line in: {stdout!r}")
    return float(match.group(1)), wall, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args()
    extra = ["--demo"] if args.demo else []
    shown, walls, rss = [], [], []
    with tempfile.TemporaryDirectory() as home:
        one_run(extra, home)  # warm the OS file cache, as a user's second start would be
        for run in range(args.runs):
            s, w, r = one_run(extra, home)
            shown.append(s)
            walls.append(w)
            rss.append(r)
            print(f"run {run + 1}: shown in {s:.0f} ms, process {w:.0f} ms, peak RSS {r:.0f} MB")
    print(
        f"median over {args.runs} runs: first paint {statistics.median(shown):.0f} ms "
        f"(target <= 800), whole process {statistics.median(walls):.0f} ms, "
        f"peak RSS {statistics.median(rss):.0f} MB (target <= 150)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
