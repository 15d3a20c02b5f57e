"""What a run sends: a collection's requests in ``seq`` order (folders depth-first) with what
they inherit, and the rows of a data file.

Inheritance is the same as a single send's (``explorer.core.context``): folder headers the
request does not set itself are added, the nearest folder's auth applies when the request has
none, relative body files point into the request file's folder, and folder variables resolve
after the run's own (nearest folder first). A collection with broken
files still runs what it could read; the broken files are listed so the summary names them, and
when none could be read the error names each (path, line, reason).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer.core import safe_parse
from explorer.core.context import anchor_files, format_version_at
from explorer.core.errors import FormatError, UsageError
from explorer.core.models import RequestSpec
from explorer.core.templating import Layer
from explorer.core.workspace.collections import load_collection
from explorer.core.workspace.model import Folder, SavedRequest, folder_layers, with_inherited

__all__ = ["Plan", "PlannedRequest", "load_data", "plan_collection", "read_data"]


@dataclass(frozen=True, slots=True)
class PlannedRequest:
    """One request as it will be sent (inherited headers and auth applied) and the folder
    variable layers it resolves against, nearest first."""

    index: int
    spec: RequestSpec
    folder: tuple[str, ...]
    layers: tuple[Layer, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    provider: str
    requests: tuple[PlannedRequest, ...]
    secret_names: frozenset[str]
    problems: tuple[str, ...] = ()


def plan_collection(directory: Path) -> Plan:
    """Every request of the collection in ``directory``, in run order."""
    loaded = load_collection(directory, format_version_at(directory))  # older files upgrade
    tree = loaded.collection
    if tree is None:
        raise UsageError(
            f"'{directory}' is not a collection (no collection.yaml); give its folder."
        )
    found: list[PlannedRequest] = []
    _walk(tree, (), (), found)
    errors = tuple(str(error) for error in loaded.errors)
    if not found:
        if errors:  # every request file is broken: say which, not just "nothing to run"
            raise FormatError(
                f"The collection '{tree.name}' has no request to run: "
                f"{len(errors)} file(s) could not be read ({'; '.join(errors)}); "
                "fix them, then run again."
            )
        raise UsageError(f"The collection '{tree.name}' has no requests to run.")
    return Plan(tree.name, tree.provider, tuple(found), _secret_names(tree), errors)


def _walk(
    folder: Folder,
    chain: tuple[Folder, ...],
    trail: tuple[str, ...],
    found: list[PlannedRequest],
) -> None:
    chain = (folder, *chain)
    layers = folder_layers(chain)  # one tuple for the folder's requests, read-only
    for item in folder.items:
        if isinstance(item, SavedRequest):
            base_dir = item.path.parent if item.path is not None else None
            spec = anchor_files(with_inherited(item.spec, chain), base_dir)
            found.append(PlannedRequest(len(found), spec, trail, layers))
        else:
            _walk(item, chain, (*trail, item.name), found)


def _secret_names(folder: Folder) -> frozenset[str]:
    """Secret variables anywhere in the tree: their values come from the credential store."""
    names = set(folder.secret_names())
    for item in folder.items:
        if isinstance(item, Folder):
            names |= _secret_names(item)
    return frozenset(names)


def read_data(path: Path) -> tuple[dict[str, str], ...]:
    """A data file's rows for ``RunOptions.data``, every problem one sentence (a usage error):
    what ``api-explorer run --data`` and the Run dialog both read."""
    try:
        return tuple(load_data(path))
    except FormatError as exc:
        raise UsageError(f"The data file cannot be used: {exc}.") from exc


def load_data(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV (header row = variable names) or JSON (a list of objects) data file;
    each row is one iteration's variables."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"Cannot read the data file '{path}' ({exc.strerror}).") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"The data file '{path}' is not UTF-8 text; save it as UTF-8.") from exc
    rows = _json_rows(text, path) if path.suffix.lower() == ".json" else _csv_rows(text, path)
    if not rows:
        raise UsageError(f"The data file '{path}' has no rows; add at least one.")
    return rows


def _csv_rows(text: str, path: Path) -> list[dict[str, str]]:
    """Rows by the header's names; a row with more or fewer values than the header has columns
    is an error naming its line, never a silent guess."""
    records = _csv_records(text, path)
    line, header = next(records, (1, []))
    names = [name.strip() for name in header]
    if not names or not all(names):
        raise FormatError("the first row must name every column", path=str(path), line=line)
    rows = []
    for line, row in records:
        if len(row) != len(names):
            raise FormatError(
                f"this row has {'more' if len(row) > len(names) else 'fewer'} values than there "
                f"are columns ({len(row)}, not {len(names)}); quote values that contain commas",
                path=str(path),
                line=line,
            )
        rows.append(dict(zip(names, row, strict=True)))
    return rows


def _csv_records(text: str, path: Path) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on; a quote left open or stray text after
    a closing quote is an error at that line (the csv module alone would read on to the end)."""
    reader = csv.reader(io.StringIO(text), strict=True)
    start = 1
    try:
        for row in reader:
            if row:
                yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FormatError(
            f"is not valid CSV from this row on ({exc}); check its quotes",
            path=str(path),
            line=start,
        ) from exc


def _json_rows(text: str, path: Path) -> list[dict[str, str]]:
    try:
        data: Any = safe_parse.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON ({exc.msg})", path=str(path), line=exc.lineno) from exc
    except safe_parse.NestingError as exc:
        raise FormatError(f"is {exc}; rows are flat objects", path=str(path)) from exc
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise FormatError("must be a JSON list of objects, one per iteration", path=str(path))
    return [{str(k): _scalar_text(v) for k, v in row.items()} for row in data]


def _scalar_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
