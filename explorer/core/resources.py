"""Where the app's read-only data (provider presets, icons, themes) lives at run time.

In a source checkout or an editable install it is the repository's ``resources/`` folder; in the
PyInstaller bundle it is ``resources/`` inside the bundle (``sys._MEIPASS``). Everything that
reads a resource asks this one function, so the bundle only has to ship the folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_OVERRIDE = "API_EXPLORER_RESOURCES"


def resource_dir() -> Path:
    """The folder holding ``providers/``, ``icons/`` and ``themes/``."""
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"
