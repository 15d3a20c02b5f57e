"""The self-test that the packaged app runs, run here from source: every check must pass."""

from __future__ import annotations

import os
import subprocess
import sys


def test_selftest_passes_from_source() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "explorer", "--selftest"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("api-explorer self-test (source")
    for name in ("resources", "lexers", "keyring", "qt", "tls", "http"):
        assert any(line.startswith(f"ok   {name}:") for line in lines), result.stdout
    assert lines[-1] == "self-test passed"
