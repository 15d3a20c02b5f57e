"""Every quality gate and the whole test suite, in one command (called by the bootstrap script).

Steps: ruff, mypy (strict on ``explorer.core``), the import-linter contracts, the tests that must
run without Qt (with PySide6 and qasync blocked at import, proving the core never needs them),
then the Qt tests offscreen, and, when ``CI=true`` or ``API_EXPLORER_PACKAGE_SMOKE=1``, the
PyInstaller build of the desktop bundle with its ``--selftest``. Each step runs even when an
earlier one failed, so one run shows every problem; the last line sums the tests up as
``suite: N passed, N failed``.
Extra arguments go to both pytest runs (e.g. ``-k token`` or ``-x``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = os.environ.get("API_EXPLORER_TEST_WORKERS", "2")


def step(name: str, command: list[str], env: dict[str, str] | None = None) -> bool:
    print(f"\n=== {name}: {' '.join(command)}", flush=True)
    started = time.monotonic()
    status = subprocess.call(command, cwd=ROOT, env={**os.environ, **(env or {})})
    print(
        f"=== {name}: {'ok' if status == 0 else f'FAILED ({status})'} "
        f"in {time.monotonic() - started:.0f} s",
        flush=True,
    )
    return status in (0,)


def count(report: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) from a JUnit XML report; a missing report counts as 1 failure."""
    if not report.exists():
        return 0, 1, 0
    root = ET.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests - failed - skipped, failed, skipped


def main(extra: list[str]) -> int:
    env = {"QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}
    ok = step("ruff", [str(BIN / "ruff"), "check", "."])
    ok &= step("mypy", [str(BIN / "mypy"), "explorer"])
    ok &= step("import contracts", [str(BIN / "lint-imports")])
    reports = Path(tempfile.mkdtemp(prefix="api-explorer-reports-"))
    pytest = [sys.executable, "-m", "pytest", "-n", WORKERS]
    ok &= step(
        "tests without Qt",
        [
            *pytest,
            "-p",
            "no:pytest-qt",
            "-W",
            "ignore::pytest.PytestConfigWarning",  # the qt_* ini keys are unknown without pytest-qt
            "--ignore=tests/ui",
            f"--junitxml={reports / 'core.xml'}",
            *extra,
        ],
        {**env, "EXPLORER_BLOCK_QT": "1"},
    )
    ok &= step(
        "Qt tests",
        [*pytest, "tests/ui", f"--junitxml={reports / 'ui.xml'}", *extra],
        env,
    )
    if os.environ.get("CI") == "true" or os.environ.get("API_EXPLORER_PACKAGE_SMOKE") == "1":
        ok &= step("packaged app smoke test", ["bash", str(ROOT / "packaging" / "build.sh")])
    totals = [count(reports / name) for name in ("core.xml", "ui.xml")]
    passed, failed, skipped = (sum(column) for column in zip(*totals, strict=True))
    if not ok and failed == 0:
        failed = 1  # a gate failed: never report a clean sheet
    print(f"\nsuite: {passed} passed, {failed} failed, {skipped} skipped", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
