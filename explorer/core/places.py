"""Where a command is about to write: the nearest folder that exists on the way to a path, and
whether this process can create files there. Checked before any work starts, so a file in the
way, a read-only disk or a virtual file system (``/proc``) is one sentence up front."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["nearest_existing", "writable_folder"]


def nearest_existing(path: Path) -> Path:
    """``path`` itself if it exists, else its nearest existing ancestor (absolute)."""
    existing = path.absolute()
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    return existing


def writable_folder(folder: Path) -> bool:
    """Whether ``folder`` is a folder this process may create files in, on a disk that stores
    them (not read-only, not virtual: ``/proc`` answers ``os.access`` yes for root)."""
    if not folder.is_dir():
        return False
    try:
        disk = os.statvfs(folder)
    except OSError:
        disk = None
    if disk is not None and (disk.f_blocks == 0 or disk.f_flag & os.ST_RDONLY):
        return False
    return os.access(folder, os.W_OK | os.X_OK)
