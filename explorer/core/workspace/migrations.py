"""Upgrades of older on-disk data, one pure function per format version.

``workspace.yaml`` records the format version its files were written in. Files are upgraded in
memory when read (``upgrade``) and written back in the current format the next time they are
saved, so opening an old workspace never rewrites files the user did not touch. Each function
takes the plain data of one file of version N and returns the data of version N + 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from explorer.core.errors import FormatError
from explorer.core.workspace.marker import FORMAT_VERSION

Migration = Callable[[str, Any], Any]


def _v0_to_v1(kind: str, data: Any) -> Any:
    """Version 0 (pre-release) wrote headers and params as ``{name: value}`` mappings; version 1
    writes lists of rows so disabled rows and repeated names survive."""
    if kind not in ("request", "folder") or not isinstance(data, dict):
        return data
    upgraded = dict(data)
    for key in ("headers", "params"):
        rows = upgraded.get(key)
        if isinstance(rows, dict):
            upgraded[key] = [{"name": str(k), "value": v} for k, v in rows.items()]
    return upgraded


MIGRATIONS: dict[int, Migration] = {0: _v0_to_v1}


def upgrade(kind: str, data: Any, version: int, *, path: str = "") -> Any:
    """``data`` of a ``kind`` file (request, folder, collection, environment) brought from
    ``version`` to the current format."""
    if version > FORMAT_VERSION:
        raise FormatError(
            f"format_version {version} is newer than this app understands ({FORMAT_VERSION}); "
            "update API Explorer",
            path=path or None,
        )
    for step in range(version, FORMAT_VERSION):
        data = MIGRATIONS[step](kind, data)
    return data
