"""The window's modules load without the HTTP stack, the keyring or the auth engine: those come
with the core after the first paint (bench/startup.py measures it; a viewer module importing
``explorer.core.http.body`` once cost 90 ms of first paint by pulling in requests)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "requests",
    "urllib3",
    "keyring",
    "explorer.core.http.client",
    "explorer.core.auth.manager",
    "explorer.core.auth.oauth_request",
)


def test_the_window_modules_import_nothing_heavy() -> None:
    code = (
        "import sys, explorer.app, explorer.ui.main_window; "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
