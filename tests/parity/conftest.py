"""What every parity test shares, started once: the recording server (and a second one on another
port as a foreign origin), a private Secret Service holding the presets' credentials (the CLI
needs a real OS keyring; the window's core uses the same one), the workspace, the CLI as a
subprocess, and the window's services built without a window."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.parity import cells
from tests.support.recording import Recorded, RecordingServer

CliRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="package")
def recorder() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def foreign() -> Iterator[RecordingServer]:
    """Another origin on loopback: provider credentials must never reach it."""
    server = RecordingServer()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def keyring_env(secret_service: Any) -> Iterator[dict[str, str]]:
    """The private Secret Service for this process (``keyring``'s default backend) and the
    environment the CLI subprocesses get; the previous backend is restored afterwards."""
    import keyring

    previous = keyring.get_keyring()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service.env["DBUS_SESSION_BUS_ADDRESS"])
        patch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
        keyring.set_keyring(secret_service.backend())
        yield dict(secret_service.env)
        keyring.set_keyring(previous)


@pytest.fixture(scope="package")
def workspace(
    tmp_path_factory: pytest.TempPathFactory,
    recorder: RecordingServer,
    foreign: RecordingServer,
    keyring_env: Any,
) -> Path:
    """The cells' collections and presets (and the state tests' ones), with each preset's
    credentials in the keyring."""
    from explorer.core.credentials import CredentialKey, KeyringStore
    from tests.parity.test_state import write_state

    root = tmp_path_factory.mktemp("parity") / "ws"
    cells.write_workspace(root, recorder.base_url)
    write_state(root, recorder, foreign)
    store = KeyringStore()
    for provider, (_, slots) in cells.PRESETS.items():
        for slot, value in slots.items():
            store.set(CredentialKey(cells.WORKSPACE_ID, provider, cells.ENV, slot), value)
    return root


@pytest.fixture(scope="package")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CLI's working folder: not the workspace, so nothing may depend on the cwd."""
    return tmp_path_factory.mktemp("cwd")


@pytest.fixture(scope="package")
def cli(keyring_env: dict[str, str], workspace: Path, elsewhere: Path) -> CliRun:
    """``api-explorer ARGS`` as a subprocess against the private keyring."""
    env = {**keyring_env, "API_EXPLORER_HOME": str(workspace.parent / "home")}
    env.pop("PYTHON_KEYRING_BACKEND", None)

    def run(
        *args: str, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "explorer", *args],
            env={**env, **(extra_env or {})},
            cwd=elsewhere,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run


@pytest.fixture(scope="package")
def services(workspace: Path, keyring_env: Any) -> Iterator[Any]:
    """The window's services over the real core and this workspace, without a window."""
    from explorer.services.compose import Executors, build_services

    executors = Executors()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("API_EXPLORER_HOME", str(workspace.parent / "home"))
        built = build_services(executors, workspace=workspace)
        yield built
        built.sender.shutdown()
        for stop in built.on_shutdown:
            stop()
        executors.shutdown()


@dataclass(frozen=True)
class Saved:
    """A saved request with what the window hands the sender: its folders, nearest first."""

    spec: Any
    folders: tuple[Any, ...]
    path: Path
    provider: str


def saved_request(path: Path) -> Saved:
    """Load ``path`` the way the window opens a request from its collection tree."""
    from explorer.core.workspace.collections import load_collection
    from explorer.core.workspace.model import Folder

    collection_dir = next(
        p for p in (path.parent, *path.parents) if (p / "collection.yaml").exists()
    )
    tree = load_collection(collection_dir).collection
    assert tree is not None, f"{collection_dir} did not load"

    def find(folder: Folder, chain: tuple[Folder, ...]) -> Saved | None:
        for item in folder.items:
            if isinstance(item, Folder):
                found = find(item, (item, *chain))
                if found is not None:
                    return found
            elif item.path is not None and Path(item.path).resolve() == path.resolve():
                return Saved(item.spec, chain, path, tree.provider or "")
        return None

    found = find(tree, (tree,))
    assert found is not None, f"{path} is not in its collection"
    return found


def window_send(services: Any, path: Path, **context: Any) -> Any:
    """Send a saved request through the window's sender; ``SendOutcome``."""
    from explorer.services.api import SendContext

    saved = saved_request(path)
    provider = context.pop("provider_id", saved.provider or None)
    environment = context.pop("environment", cells.ENV if provider else None)
    ctx = SendContext(
        provider_id=provider,
        environment=environment,
        folders=saved.folders,
        request_path=path,
        **context,
    )
    return services.sender.start(saved.spec, ctx).future.result(30)


def window_run(services: Any, directory: Path, provider: str | None) -> Any:
    """Run a collection through the window's Run path; the ``RunResult``."""
    pending = services.runs.start(
        directory, provider, cells.ENV if provider else None, lambda _: None
    )
    return pending.future.result(60)


def only(records: list[Recorded], path: str) -> list[Recorded]:
    return [r for r in records if r.path == path]
