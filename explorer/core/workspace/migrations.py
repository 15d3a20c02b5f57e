"""Upgrades of older on-disk data, one pure function per format version.

``workspace.yaml`` records the format version its files were written in. Files are upgraded in
memory when read (``upgrade``) and written back in the current format the next time they are
saved, so opening an old workspace never rewrites files the user did not touch. Each function
takes the plain data of one file of version N and returns the data of version N + 1.
"""

from __future__ import annotations

import string
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


def _v1_to_v2(kind: str, data: Any) -> Any:
    """Version 1 wrote API-key auth made in the Auth tab as ``header``/``format``/``api_key``/
    ``query`` (importers already wrote ``key``/``value``/``in``); version 2 has one vocabulary,
    ``auth.schema``'s. The value is the format with its ``{fields}`` filled from the old
    parameters (a field without one becomes a ``{{variable}}`` of that name). Files already in
    the new vocabulary are returned as they are."""
    if kind not in ("request", "folder") or not isinstance(data, dict):
        return data
    auth = data.get("auth")
    if not isinstance(auth, dict) or auth.get("type") != "api-key":
        return data
    if not _LEGACY_API_KEY & auth.keys() or {"key", "value", "in"} & auth.keys():
        return data
    old = {str(k): "" if v is None else str(v) for k, v in auth.items()}
    template = old.get("format") or "{api_key}"
    try:
        fields = [(text, field) for text, field, _, _ in string.Formatter().parse(template)]
    except ValueError:  # unbalanced braces: the old app could not send it either; keep the text
        fields = [(template, None)]
    value = "".join(text + (_filled(old, f) if f else "") for text, f in fields)
    query = old.get("query", "")
    new = {
        "type": "api-key",
        "key": query or old.get("header") or "Authorization",
        "value": value,
        "in": "query" if query else "header",
    }
    return {**data, "auth": new}


def _filled(old: dict[str, str], field: str) -> str:
    return old.get(field) or "{{" + field + "}}"


_LEGACY_API_KEY = frozenset({"header", "format", "api_key", "query"})

MIGRATIONS: dict[int, Migration] = {0: _v0_to_v1, 1: _v1_to_v2}


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
