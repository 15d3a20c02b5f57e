"""The window's open tabs and unsaved drafts, kept across restarts in one JSON file in the state
folder (``tabs-<workspace digest>.json``, mode 0600, written atomically on the disk thread).

A tab that shows a saved request unchanged is kept as its path only; an edited one and a draft
keep their request as edited. Secrets never reach the file: literal secret auth fields and
credential headers are written masked (``history.redact_spec``), so a restored draft flags them
"re-enter" exactly as a request reopened from history does. A file that cannot be read is
reported in one sentence and the window starts with no restored tabs; nothing else is lost.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from explorer.core.models import RequestSpec

FILE_VERSION = 1


@dataclass(frozen=True, slots=True)
class KeptTab:
    """One open tab: its file (None for a draft), its request as edited (None: as the file
    holds it) and the provider environment chosen for it."""

    path: Path | None
    spec: RequestSpec | None = None
    provider_id: str | None = None
    environment: str | None = None


@dataclass(frozen=True, slots=True)
class TabSession:
    """The open tabs in their order and which one is shown."""

    tabs: tuple[KeptTab, ...] = ()
    current: int = 0


class DraftStore(Protocol):
    """Reads and writes the ``TabSession`` off the UI thread."""

    def load(self) -> Future[TabSession]: ...

    def save(self, session: TabSession) -> Future[None]: ...


class FileDrafts:
    """``DraftStore`` over one JSON file, on the (one-thread, ordered) disk executor."""

    def __init__(self, disk: Executor, path: Path) -> None:
        self._disk = disk
        self.path = path

    def load(self) -> Future[TabSession]:
        return self._disk.submit(read_session, self.path)

    def save(self, session: TabSession) -> Future[None]:
        return self._disk.submit(write_session, self.path, session)


def session_file(state: Path, workspace: Path | None, demo: bool) -> Path:
    """One file per workspace (and one for the demo), so tabs never open in another."""
    key = f"{'demo:' if demo else ''}{workspace.resolve() if workspace is not None else ''}"
    return state / f"tabs-{hashlib.sha256(key.encode()).hexdigest()[:12]}.json"


def read_session(path: Path) -> TabSession:
    """The session in ``path``; an empty one when there is none yet."""
    from explorer.core.errors import FormatError
    from explorer.core.workspace import codec

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return TabSession()
    except (OSError, ValueError) as exc:
        raise FormatError(f"the open tabs could not be restored ({exc})", path=str(path)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("tabs"), list):
        raise FormatError("the open tabs could not be restored (not a tab list)", path=str(path))
    tabs = []
    for entry in data["tabs"]:
        if not isinstance(entry, dict):
            continue
        where = entry.get("path")
        spec = entry.get("spec")
        tabs.append(
            KeptTab(
                Path(where) if isinstance(where, str) else None,
                codec.request_from_data(spec, str(path))[0] if isinstance(spec, dict) else None,
                _text(entry.get("provider")),
                _text(entry.get("environment")),
            )
        )
    current = data.get("current")
    return TabSession(tuple(tabs), current if isinstance(current, int) else 0)


def write_session(path: Path, session: TabSession) -> None:
    """Write ``session`` atomically, readable by the user only, secrets masked."""
    from explorer.core.workspace import codec
    from explorer.core.workspace.history import redact_spec
    from explorer.core.workspace.yamlio import write_text_atomic

    tabs = []
    for tab in session.tabs:
        entry: dict[str, object] = {"path": str(tab.path) if tab.path is not None else None}
        if tab.spec is not None:
            entry["spec"] = codec.request_to_data(redact_spec(tab.spec), 0)
        entry["provider"] = tab.provider_id
        entry["environment"] = tab.environment
        tabs.append(entry)
    text = json.dumps({"version": FILE_VERSION, "current": session.current, "tabs": tabs})
    write_text_atomic(path, text + "\n")  # a ``mkstemp`` file renamed: mode 0600


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
