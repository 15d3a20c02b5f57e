"""The workspace's side of the window's interfaces: collections on disk, the trash, import and
export, history and collection runs (``workspace.py`` and ``adapters.CoreRuns`` implement them).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from explorer.core.errors import FormatError
from explorer.core.models import Exchange, RequestSpec
from explorer.core.runner.model import Progress, RunOptions, RunResult, RunTargets
from explorer.core.workspace.model import Folder

if TYPE_CHECKING:
    from explorer.core.workspace.environments import EnvironmentValues


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """A sent request as history keeps it: the spec with secrets redacted, and a summary:
    ``url`` as it went out (masked), ``status`` None with ``error`` for a send that got no
    answer."""

    spec: RequestSpec
    status: int | None
    elapsed_ms: float
    size: int
    sent_at: str
    provider_id: str | None = None
    environment: str | None = None
    url: str = ""
    error: str = ""


class HistoryStore(Protocol):
    """The workspace's history files; both calls run off the UI thread."""

    def record(self, entry: HistoryEntry, exchange: Exchange) -> Future[HistoryEntry]:
        """Append a send; the future yields the entry as kept (secrets redacted)."""
        ...

    def record_failure(self, entry: HistoryEntry) -> Future[HistoryEntry]:
        """Append a send that got no answer (``entry.error``, its URL as it was to go out)."""
        ...

    def recent(self, limit: int = 200) -> Future[list[HistoryEntry]]: ...

    def clear(self) -> Future[int]:
        """Delete every history file; the future yields how many day files went."""
        ...


class PendingRun(Protocol):
    """A collection run on a worker thread (``explorer.core.runner.service``)."""

    @property
    def future(self) -> Future[RunResult]: ...

    def cancel(self) -> None: ...


class CollectionRuns(Protocol):
    """Runs a collection folder off the UI thread (``explorer.core.runner.service``) with the
    options ``api-explorer run`` takes; ``on_progress`` is called on the worker."""

    def start(
        self,
        directory: Path,
        provider_id: str | None,
        environment: str | None,
        on_progress: Callable[[Progress], None],
        options: RunOptions | None = None,
    ) -> PendingRun: ...

    def targets(
        self, directory: Path, provider_id: str | None, environment: str | None
    ) -> Future[RunTargets]:
        """The environments the collection can run in and the one the selection gives it."""
        ...

    def with_data(self, options: RunOptions, data_file: Path) -> Future[RunOptions]:
        """``options`` with a data file's rows, read as ``--data`` reads it."""
        ...

    def write_report(self, result: RunResult, path: Path) -> Future[Path]:
        """A run's report as ``--report`` writes it (.json or JUnit .xml)."""
        ...


@dataclass(frozen=True, slots=True)
class WorkspaceTree:
    """Every collection of the workspace and each file that could not be read (with its path
    and line), so a broken file shows as such while the rest opens."""

    root: Path
    collections: tuple[Folder, ...] = ()
    errors: tuple[FormatError, ...] = ()


class Trashed(Protocol):
    """A deleted item in the workspace trash (the core's ``TrashEntry``)."""

    @property
    def name(self) -> str: ...

    @property
    def origin(self) -> Path: ...

    @property
    def deleted_at(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What an import will create (``lines``), what could not be mapped (``warnings``) and the
    secret values that will not be written (by name); ``result`` is what ``apply`` writes."""

    kind: str
    source: Path
    name: str
    lines: tuple[str, ...]
    request_count: int
    warnings: tuple[str, ...]
    secret_names: tuple[str, ...]
    result: object


@dataclass(frozen=True, slots=True)
class ImportDone:
    """What an import wrote: the new collection (None for environments only), and one
    sentence on where the secret values found in it were kept (empty when there were none)."""

    collection: Path | None
    secrets_note: str


@dataclass(frozen=True, slots=True)
class Pasted:
    """A pasted curl command's request as the editor should hold it: its literal credentials
    replaced by the collection's secret variables (values in the credential store), and one
    sentence on where they went (empty when it had none)."""

    spec: RequestSpec
    note: str


class WorkspaceService(Protocol):
    """The workspace's collections on disk. Every call runs off the UI thread and returns the
    path an operation produced; the window reloads the tree after it."""

    def load(self) -> Future[WorkspaceTree]: ...

    def read_request(self, path: Path) -> Future[RequestSpec]: ...

    def create_collection(self, name: str, provider: str = "") -> Future[Path]: ...

    def create_folder(self, parent: Path, name: str) -> Future[Path]: ...

    def create_request(self, folder: Path, spec: RequestSpec) -> Future[Path]: ...

    def save_request(self, path: Path, spec: RequestSpec) -> Future[None]: ...

    def rename(self, path: Path, name: str) -> Future[Path]: ...

    def duplicate(self, path: Path) -> Future[Path]: ...

    def move(self, path: Path, folder: Path) -> Future[Path]: ...

    def reorder(self, paths: list[Path]) -> Future[None]: ...

    def delete(self, path: Path) -> Future[Trashed]: ...

    def trash(self) -> Future[list[Trashed]]: ...

    def restore(self, entry: Trashed) -> Future[Path]: ...

    def subscribe(self, listener: Callable[[frozenset[Path]], None]) -> None:
        """``listener`` gets the paths of each settled external edit, on a worker thread."""
        ...

    def environments(self, collection: Path) -> Future[list[EnvironmentValues]]:
        """The saved environments of a collection bound to no provider."""
        ...

    def provider_environments(self, provider_id: str) -> Future[list[EnvironmentValues]]:
        """The workspace's saved values of a provider's environments
        (``environments/<provider>.yaml``)."""
        ...

    def preview_import(self, kind: str, path: Path) -> Future[ImportPreview]: ...

    def apply_import(self, preview: ImportPreview) -> Future[ImportDone]: ...

    def keep_pasted(self, request: Path | None, spec: RequestSpec) -> Future[Pasted]:
        """Move a pasted curl's literal secrets into the keyring under the collection of
        ``request`` (declared as its secret variables); without a collection, unchanged."""
        ...

    def export(self, kind: str, collection: Path, target: Path) -> Future[list[Path]]: ...
