"""Start-up: the real window's time to first paint, and its idle RSS once the core has loaded.

Each round starts ``api-explorer`` (``python -m explorer``, offscreen) in both configurations,
interleaved so machine noise hits them alike: a plain start on an empty workspace and ``--demo``
(sandbox in-process, presets, samples). Per configuration and round:

- first paint: ``--quit-after-show`` prints ``shown in N ms`` after the window's first paint
  (measured from the start of ``main``), and the whole process's wall time is taken too;
- idle RSS: the app started normally, its RSS read from ``/proc`` until it has stopped growing
  (the core loads on a worker after the first paint), then SIGTERM, which must quit it cleanly.

Medians are printed. Targets (DESIGN.md §5): first paint ≤ 800 ms median, idle RSS ≤ 150 MB.

    .venv/bin/python bench/startup.py [--runs 10] [--only plain|demo]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIGS = {"plain": [], "demo": ["--demo"]}
SETTLE_S = 1.5
MAX_WAIT_S = 15.0
POLL_S = 0.1


def app_env(home: str) -> dict[str, str]:
    """As installed: bytecode cached (pip and the bundle compile it; this machine's shells set
    PYTHONDONTWRITEBYTECODE, which would make every start recompile the whole app)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "API_EXPLORER_HOME": home}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def command(extra: list[str], home: str) -> list[str]:
    return [sys.executable, "-m", "explorer", "--workspace", str(Path(home) / "ws"), *extra]


def first_paint(extra: list[str], home: str) -> tuple[float, float]:
    """(first paint ms as the app reports it, whole process ms)."""
    started = time.perf_counter()
    done = subprocess.run(
        [*command(extra, home), "--quit-after-show"],
        capture_output=True,
        env=app_env(home),
        check=False,
        timeout=60,
    )
    wall = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise SystemExit(f"the app failed: {done.stderr.decode()[-500:]}")
    match = re.search(rb"shown in (\d+) ms", done.stdout)
    if match is None:
        raise SystemExit(f"no 'shown in N ms' line in: {done.stdout!r}")
    return float(match.group(1)), wall


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


def idle_rss(extra: list[str], home: str) -> float:
    """RSS in MB once it has not grown for ``SETTLE_S`` (the core loaded, the window idle)."""
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            command(extra, home), stdout=subprocess.DEVNULL, stderr=err, env=app_env(home)
        )
        started = time.monotonic()
        samples: list[tuple[float, float]] = []
        try:
            while time.monotonic() - started < MAX_WAIT_S:
                time.sleep(POLL_S)
                if process.poll() is not None:
                    err.seek(0)
                    raise SystemExit(f"the app exited early: {err.read().decode()[-500:]}")
                now = time.monotonic()
                samples.append((now, rss_mb(process.pid)))
                older = [rss for at, rss in samples if at <= now - SETTLE_S]
                if (
                    older
                    and now - started > 2 * SETTLE_S
                    and max(r for _, r in samples) <= older[-1]
                ):
                    break
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=30)
        if code != 0:
            err.seek(0)
            raise SystemExit(f"SIGTERM did not quit cleanly ({code}): {err.read().decode()[-500:]}")
        return samples[-1][1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", choices=sorted(CONFIGS))
    args = parser.parse_args()
    names = [args.only] if args.only else list(CONFIGS)
    shown: dict[str, list[float]] = {n: [] for n in names}
    walls: dict[str, list[float]] = {n: [] for n in names}
    idle: dict[str, list[float]] = {n: [] for n in names}
    with tempfile.TemporaryDirectory() as home:
        for name in names:  # warm the file cache and write the bytecode, as an install does
            first_paint(CONFIGS[name], home)
        for run in range(args.runs):
            for name in names:
                paint, wall = first_paint(CONFIGS[name], home)
                rss = idle_rss(CONFIGS[name], home)
                shown[name].append(paint)
                walls[name].append(wall)
                idle[name].append(rss)
                print(
                    f"run {run + 1} {name:5}: shown in {paint:.0f} ms, process {wall:.0f} ms, "
                    f"idle RSS {rss:.0f} MB",
                    flush=True,
                )
    for name in names:
        print(
            f"{name:5} median over {args.runs} runs: first paint "
            f"{statistics.median(shown[name]):.0f} ms (target <= 800; range "
            f"{min(shown[name]):.0f}-{max(shown[name]):.0f}), whole process "
            f"{statistics.median(walls[name]):.0f} ms, idle RSS "
            f"{statistics.median(idle[name]):.0f} MB (target <= 150)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
