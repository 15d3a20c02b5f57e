"""The window's open tabs and unsaved drafts, kept across restarts in one JSON file in the state
folder (``tabs-<workspace digest>.json``, mode 0600, written atomically on the disk thread).

A tab that shows a saved request unchanged is kept as its path only; an edited one and a draft
keep their request as edited. Secrets never reach the file: literal secret auth fields and
credential headers are written masked (``history.redact_spec``) and their values go to the OS
keyring (``draft_secrets``), the file naming only which slots the keyring holds for the tab's
id; a restored tab gets them back, and a tab closed or saved since has them deleted. Without a
working keyring nothing is stored and a restored draft flags the masked fields "re-enter",
exactly as a request reopened from history does. A file that cannot be read is reported in one
sentence and the window starts with no restored tabs; nothing else is lost.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from explorer.services.draft_secrets import DraftSecrets, Slot, merge, split

if TYPE_CHECKING:
    from explorer.core.credentials import CredentialStore
    from explorer.core.models import RequestSpec
    from explorer.services.core import Core

FILE_VERSION = 1
T = TypeVar("T")


def new_tab_id() -> str:
    """A tab's id, kept across restarts: its secrets are stored under it."""
    return os.urandom(8).hex()


@dataclass(frozen=True, slots=True)
class KeptTab:
    """One open tab: its file (None for a draft), its request as edited (None: as the file
    holds it), the provider environment chosen for it and its id ("" when it had none)."""

    path: Path | None
    spec: RequestSpec | None = None
    provider_id: str | None = None
    environment: str | None = None
    key: str = ""


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
    """``DraftStore`` over one JSON file, on the (one-thread, ordered) disk executor, with the
    secrets in ``store`` once it is known (the core's credential store; a store other than the
    OS keyring, or none, keeps them masked only)."""

    def __init__(
        self, disk: Executor, path: Path, store: Future[CredentialStore | None] | None = None
    ) -> None:
        self._disk = disk
        self.path = path
        self._store: Future[CredentialStore | None] = store if store is not None else _done(None)
        self._kept: set[Slot] | None = None  # what the store holds for the file (disk thread)
        self._secrets: DraftSecrets | None = None

    def load(self) -> Future[TabSession]:
        return self._with_secrets(self._load)

    def save(self, session: TabSession) -> Future[None]:
        return self._with_secrets(lambda secrets: self._save(session, secrets))

    def _load(self, secrets: DraftSecrets | None) -> TabSession:
        session, self._kept = read_session(self.path, secrets)
        return session

    def _save(self, session: TabSession, secrets: DraftSecrets | None) -> None:
        before = self._kept if self._kept is not None else stored_slots(self.path)
        self._kept = write_session(self.path, session, secrets)
        if secrets is not None:
            secrets.drop(sorted(before - self._kept))

    def _secrets_in(self, store: CredentialStore | None) -> DraftSecrets | None:
        """The secrets' place (on the disk thread; one for the life of this object): only a
        store that outlives the process, the OS keyring."""
        if self._secrets is None and store is not None and store.kind == "keyring":
            self._secrets = DraftSecrets(store, workspace_digest(self.path))
        return self._secrets

    def _with_secrets(self, work: Callable[[DraftSecrets | None], T]) -> Future[T]:
        """``work`` on the disk thread once the store is known (nothing queued before)."""
        result: Future[T] = Future()

        def submit(store: Future[CredentialStore | None]) -> None:
            found = store.result() if store.exception() is None else None
            try:
                done = self._disk.submit(lambda: work(self._secrets_in(found)))
            except RuntimeError:  # the executor shut down meanwhile: nobody waits any more
                result.cancel()
                return
            done.add_done_callback(lambda ran: _settle(result, ran))

        self._store.add_done_callback(submit)
        return result


def core_store(ready: Future[Core]) -> Future[CredentialStore | None]:
    """The core's credential store once the core is up (None if it failed to start)."""
    store: Future[CredentialStore | None] = Future()

    def settle(core: Future[Core]) -> None:
        store.set_result(core.result().store if core.exception() is None else None)

    ready.add_done_callback(settle)
    return store


def session_file(state: Path, workspace: Path | None, demo: bool) -> Path:
    """One file per workspace (and one for the demo), so tabs never open in another."""
    key = f"{'demo:' if demo else ''}{workspace.resolve() if workspace is not None else ''}"
    return state / f"tabs-{hashlib.sha256(key.encode()).hexdigest()[:12]}.json"


def workspace_digest(path: Path) -> str:
    """The workspace digest a ``session_file`` is named by; its secrets are keyed by it."""
    return path.stem.removeprefix("tabs-")


def read_session(path: Path, secrets: DraftSecrets | None = None) -> tuple[TabSession, set[Slot]]:
    """The session in ``path`` (an empty one when there is none yet), with the secrets
    ``secrets`` holds for it filled in, and the slots the file says are stored."""
    from explorer.core.errors import FormatError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return TabSession(), set()
    except (OSError, ValueError) as exc:
        raise FormatError(f"the open tabs could not be restored ({exc})", path=str(path)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("tabs"), list):
        raise FormatError("the open tabs could not be restored (not a tab list)", path=str(path))
    stored = _slots(data["tabs"])
    tabs = tuple(
        _kept_tab(entry, str(path), stored, secrets)
        for entry in data["tabs"]
        if isinstance(entry, dict)
    )
    current = data.get("current")
    return TabSession(tabs, current if isinstance(current, int) else 0), stored


def _kept_tab(
    entry: dict[str, object], where: str, stored: set[Slot], secrets: DraftSecrets | None
) -> KeptTab:
    """One tab of the file, its stored secrets filled back in when ``secrets`` has them."""
    from explorer.core.workspace import codec

    path, data, key = entry.get("path"), entry.get("spec"), _text(entry.get("id"))
    spec = codec.request_from_data(data, where)[0] if isinstance(data, dict) else None
    slots = [slot for tab, slot in stored if tab == key]
    if spec is not None and secrets is not None and key is not None and slots:
        spec = merge(spec, secrets.take(key, slots))
    return KeptTab(
        Path(path) if isinstance(path, str) else None,
        spec,
        _text(entry.get("provider")),
        _text(entry.get("environment")),
        key or "",
    )


def write_session(
    path: Path, session: TabSession, secrets: DraftSecrets | None = None
) -> set[Slot]:
    """Write ``session`` atomically, readable by the user only, secrets masked and, with
    ``secrets``, stored there first; the slots now stored."""
    from explorer.core.workspace import codec
    from explorer.core.workspace.yamlio import write_text_atomic

    tabs, stored = [], set()
    for tab in session.tabs:
        entry: dict[str, object] = {"path": str(tab.path) if tab.path is not None else None}
        if tab.spec is not None:
            masked, taken = split(tab.spec)
            entry["spec"] = codec.request_to_data(masked, 0)
            kept = secrets.put(tab.key, taken) if secrets is not None and tab.key else ()
            if kept:
                entry["secrets"] = list(kept)
                stored |= {(tab.key, slot) for slot in kept}
        entry["provider"] = tab.provider_id
        entry["environment"] = tab.environment
        entry["id"] = tab.key or None
        tabs.append(entry)
    text = json.dumps({"version": FILE_VERSION, "current": session.current, "tabs": tabs})
    write_text_atomic(path, text + "\n")  # a ``mkstemp`` file renamed: mode 0600
    return stored


def stored_slots(path: Path) -> set[Slot]:
    """The slots the file at ``path`` says are stored (none when it cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    tabs = data.get("tabs") if isinstance(data, dict) else None
    return _slots(tabs) if isinstance(tabs, list) else set()


def _slots(entries: list[object]) -> set[Slot]:
    found = set()
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        key, slots = _text(entry.get("id")), entry.get("secrets")
        if key is not None and isinstance(slots, list):
            found |= {(key, slot) for slot in slots if isinstance(slot, str)}
    return found


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _done(value: T) -> Future[T]:
    done: Future[T] = Future()
    done.set_result(value)
    return done


def _settle(target: Future[T], source: Future[T]) -> None:
    error = source.exception()
    if error is not None:
        target.set_exception(error)
    else:
        target.set_result(source.result())
