"""Tests that need an external program record it here when it is missing; the run's summary
lists them (see ``pytest_terminal_summary`` in tests/conftest.py). The test itself is skipped
with the same reason, never silently passed."""

from __future__ import annotations

import shutil

import pytest

MISSING: dict[str, list[str]] = {}


def require(program: str, nodeid: str) -> str:
    """The program's path, or skip the test and record the program as missing."""
    path = shutil.which(program)
    if path is None:
        MISSING.setdefault(program, []).append(nodeid)
        pytest.skip(f"needs '{program}', which this machine lacks")
    return path
