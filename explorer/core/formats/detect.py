"""Which import format a file is, from its content (``import auto`` and the import dialog's
"Detect" choice): file names lie (every JSON export is ``.json``), contents do not.

Each format is recognised by what its own documents must hold: HAR by ``log.entries``, Insomnia
by ``_type: export``, Postman by ``info`` + ``item`` (or an environment's ``values``), OpenAPI by
``openapi``/``swagger``, a Bruno collection by its folder's ``bruno.json`` or a ``.bru`` file's
blocks, ``.http`` by a request line or ``###`` separator, curl by a command starting with
``curl``. Anything else is one sentence naming the formats tried.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from explorer.core import safe_yaml
from explorer.core.errors import FormatError
from explorer.core.formats.common import parse_json, read_input

__all__ = ["KIND_NAMES", "detect", "detect_text"]

KIND_NAMES = {
    "postman": "Postman",
    "http": ".http / .rest",
    "curl": "curl",
    "openapi": "OpenAPI / Swagger",
    "har": "HAR",
    "insomnia": "Insomnia",
    "bruno": "Bruno",
}

_REQUEST_LINE = re.compile(
    r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE|CONNECT)\s+\S+", re.MULTILINE
)
_BRU_BLOCK = re.compile(
    r"^(meta|get|post|put|patch|delete|head|options|vars|headers)\s*\{", re.MULTILINE
)


def detect(path: Path) -> str:
    """The import kind of the file (or, for Bruno, folder) at ``path``."""
    from explorer.core.formats.bruno import looks_like_bruno

    if path.is_dir():
        if looks_like_bruno(path):
            return "bruno"
        raise FormatError(
            "is a folder but not a Bruno collection (no bruno.json); choose a file",
            path=str(path),
        )
    if path.name == "bruno.json" or path.suffix.lower() == ".bru":
        return "bruno"
    return detect_text(read_input(path), str(path))


def detect_text(text: str, source: str) -> str:
    """The import kind of ``text`` (a pasted document or a file's content)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        try:
            data = parse_json(stripped, source)
        except FormatError:  # flow-style YAML (Insomnia 2020's "{_type: export, …}")
            data = _yaml(stripped)
            if data is None:
                raise
        kind = _structured(data)
        if kind:
            return kind
    elif re.match(r"(\$\s+)?curl(\.exe)?\s", stripped):
        return "curl"
    else:
        kind = _structured(_yaml(stripped))
        if kind:
            return kind
        if _BRU_BLOCK.search(stripped):
            return "bruno"
        if _REQUEST_LINE.search(stripped) or stripped.startswith("###"):
            return "http"
    raise FormatError(
        "is not a format that can be imported (tried: "
        + ", ".join(KIND_NAMES.values())
        + "); choose the format by hand if it is one of them",
        path=source,
    )


def _yaml(text: str) -> object:
    try:
        return safe_yaml.load_yaml(text)
    except (yaml.YAMLError, ValueError):  # not YAML at all: one of the text formats, or nothing
        return None


def _structured(data: object) -> str | None:
    from explorer.core.formats.har import looks_like_har
    from explorer.core.formats.insomnia import looks_like_insomnia

    if not isinstance(data, dict):
        return None
    if looks_like_har(data):
        return "har"
    if looks_like_insomnia(data):
        return "insomnia"
    if "openapi" in data or "swagger" in data:
        return "openapi"
    info = data.get("info")
    if isinstance(info, dict) and "item" in data:
        return "postman"
    if isinstance(data.get("item"), list) and "name" in data:
        return "postman"  # a collection without "info" (newman reads them)
    if isinstance(data.get("requests"), list) and "order" in data:
        return "postman"  # a v1 collection: the importer says to re-export it as v2.1
    if isinstance(data.get("values"), list) and "name" in data:
        return "postman"  # a Postman environment
    if data.get("version") and isinstance(data.get("items"), list):
        return "bruno"  # Bruno's one-file JSON export
    return None
