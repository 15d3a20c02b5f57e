"""``api-explorer`` as a separate process, the way a user or CI runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["run_cli"]


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    extra_env: Mapping[str, str] | None = None,
    stdin: int | None = None,
    text: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python -m explorer ARGS``; ``env`` is the whole environment (default: this process's),
    ``extra_env`` is laid over it; colours are always off so output compares as text."""
    environment = {**(os.environ if env is None else env), **(extra_env or {}), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        cwd=cwd,
        env=environment,
        stdin=stdin,
        input=text,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
