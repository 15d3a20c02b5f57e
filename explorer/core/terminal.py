"""One output sanitiser for terminals: text a server (or an imported file) controls never
drives the user's terminal.

A response header, status reason or body may hold escape sequences (``ESC[2J`` clears the
screen, ``ESC]0;…BEL`` retitles the window, others rewrite what was printed before or, on some
terminals, answer back into the input). Every line the command line prints to a terminal goes
through ``for_terminal``, which shows each control character as a visible ``\\xNN`` instead of
sending it. Output that is not a terminal (a pipe, a file) is left byte for byte, so
``send URL | jq`` and ``-o`` see exactly what the server sent.
"""

from __future__ import annotations

import re
from typing import TextIO

__all__ = ["for_terminal", "sanitise"]

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
"""C0 controls but tab and line feed (a carriage return only ending a CRLF line), DEL and the
C1 controls (``\\x9b`` is a one-byte CSI to many terminals)."""


def _visible(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group(0)):02x}"


def sanitise(text: str) -> str:
    """``text`` with every control character but tab, line feed and a CRLF's carriage return
    written out as ``\\xNN``."""
    return _CONTROLS.sub(_visible, text)


def for_terminal(text: str, stream: TextIO) -> str:
    """``text`` as it may be written to ``stream``: sanitised when it is a terminal, unchanged
    otherwise."""
    return sanitise(text) if _isatty(stream) else text


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False
