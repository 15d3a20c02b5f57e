"""The core's sentences as the window says them: where the command line would pass a flag, the
window points to its own place for the same thing."""

from __future__ import annotations

import re

CLI_HINT = "or pass --var NAME=VALUE."
WINDOW_HINT = "or give it a value in File → Environments and variables… (Ctrl+Shift+E)."

CLI_CREDENTIALS = re.compile(r"with 'api-explorer credentials set[^']*'")

def for_window(message: str) -> str:
    """A send's sentence as the window says it: an undefined variable points to this editor,
    a missing credential to the Credentials panel, instead of command-line flags."""
    return CLI_CREDENTIALS.sub("in the Credentials panel", message.replace(CLI_HINT, WINDOW_HINT))
