"""Deterministic, safe YAML: the one place workspace files are parsed and written.

Reading uses ``safe_yaml.load_yaml`` only (``safe_load``'s rules, refusing alias bombs and deep
nesting) and turns every parse failure into a ``FormatError`` with the file and line. Writing
keeps the caller's key order, never folds long lines, and writes multi-line strings as ``|``
block literals, so a file we wrote loads and saves back byte for byte and a git diff of one edit
touches only the edited lines. Writes are atomic (temp file + ``os.replace``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from explorer.core import safe_yaml
from explorer.core.errors import FormatError, StorageError


class _Dumper(yaml.SafeDumper):
    """Safe dumper with block literals for multi-line text and indented sequences."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_ODD_BREAKS = frozenset("\r\x85\u2028\u2029")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if not _ODD_BREAKS.isdisjoint(value):
        # PyYAML's plain and block styles normalise these line breaks; quoting keeps them exact.
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def dump(data: Any) -> str:
    """YAML text for ``data`` (dicts keep their insertion order)."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=2**31 - 1,
    )


def loads(text: str, path: Path | str) -> Any:
    """Parse YAML text with ``safe_yaml.load_yaml``; a syntax error becomes a located
    ``FormatError``, an alias bomb or too deep a document a one-sentence one."""
    try:
        return safe_yaml.load_yaml(text)
    except safe_yaml.YamlLimitError as exc:
        raise FormatError(f"{exc}; fix or revert the file", path=str(path)) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FormatError(
            f"not valid YAML ({problem}); fix or revert the file", path=str(path), line=line
        ) from exc


def read(path: Path) -> Any:
    """Read and parse one YAML file (UTF-8)."""
    try:
        text = path.read_bytes().decode("utf-8")  # no text-mode wrapper: cheaper per file
    except UnicodeDecodeError as exc:
        raise FormatError("not UTF-8 text; save it as UTF-8", path=str(path)) from exc
    except OSError as exc:
        raise FormatError(f"cannot be read ({exc.strerror})", path=str(path)) from exc
    return loads(text, path)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` so readers see the old file or the new one, never half of either.

    A failure (read-only folder, full disk, a folder where the file should be) leaves the old
    file as it was and is reported as a ``StorageError`` naming the file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _not_written(path, exc) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _not_written(path, exc) from exc
        raise


def _not_written(path: Path, exc: OSError) -> StorageError:
    return StorageError(
        f"cannot be written ({exc.strerror or exc}); the previous version is unchanged. Check "
        "the folder's permissions and free space.",
        path=str(path),
    )


def write(path: Path, data: Any) -> None:
    write_text_atomic(path, dump(data))
