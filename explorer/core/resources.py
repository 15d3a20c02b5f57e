"""Where the app's read-only data (provider presets, icons, themes) lives at run time.

There is one folder, the repository's top-level ``resources/``, reached three ways: in a source
checkout or an editable install it is read in place; the wheel carries it as the data package
``explorer._resources`` (pyproject's package-dir mapping), so ``pip install``/``pipx install``
gets the presets; the PyInstaller bundle ships it as ``resources/`` (``sys._MEIPASS``).
Everything that reads a resource asks this one function.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_OVERRIDE = "API_EXPLORER_RESOURCES"

INSTALLED = Path(__file__).resolve().parents[1] / "_resources"
"""The copy inside an installed wheel; absent from a source checkout."""

CHECKOUT = Path(__file__).resolve().parents[2] / "resources"
"""The repository's folder, read in place from source and editable installs."""


def resource_dir() -> Path:
    """The folder holding ``providers/``, ``icons/`` and ``themes/``."""
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    # the installed copy first: next to an installed package, ``parents[2]`` is site-packages,
    # where another distribution's ``resources`` folder could sit
    return INSTALLED if INSTALLED.is_dir() else CHECKOUT
