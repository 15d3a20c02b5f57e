"""Collections written to disk the way the window saves them, for the runner's tests."""

from __future__ import annotations

from pathlib import Path

from explorer.core.auth import TokenRegistry
from explorer.core.credentials import CredentialStore
from explorer.core.http import HttpClient
from explorer.core.models import Assertion, Capture, CheckKind, RequestSpec
from explorer.core.ratelimit import LimiterRegistry
from explorer.core.runner.engine import Runner, RunOptions
from explorer.core.runner.model import RunResult
from explorer.core.runner.plan import plan_collection
from explorer.core.runner.senders import Sender
from explorer.core.workbench import Workbench
from explorer.core.workspace.collections import save_collection
from explorer.core.workspace.model import Folder, SavedRequest


def request(name: str, url: str, seq: int, method: str = "GET", **spec: object) -> SavedRequest:
    return SavedRequest(RequestSpec(method=method, url=url, name=name, **spec), seq)  # type: ignore[arg-type]


def write(tmp_path: Path, *items: Folder | SavedRequest, **folder: object) -> Path:
    directory = tmp_path / "collection"
    tree = Folder(name=str(folder.pop("name", "Demo")), items=items, **folder)  # type: ignore[arg-type]
    save_collection(tree, directory)
    return directory


def status(code: int) -> Assertion:
    return Assertion(CheckKind.STATUS, expected=str(code))


def jsonpath(path: str, equals: str | None = None) -> Assertion:
    return Assertion(CheckKind.JSONPATH, path, equals)


def header(name: str, equals: str | None = None) -> Assertion:
    return Assertion(CheckKind.HEADER, name, equals)


def max_ms(limit: int) -> Assertion:
    return Assertion(CheckKind.MAX_MS, expected=str(limit))


def capture(name: str, path: str, source: str = "jsonpath") -> Capture:
    return Capture(name, source, path)


def run(directory: Path, sender: Sender, **options: object) -> RunResult:
    return Runner(plan_collection(directory), sender, RunOptions(**options)).run()  # type: ignore[arg-type]


def plain_workbench(client: HttpClient) -> Workbench:
    """A workbench without providers, workspace or keyring: enough for provider-less runs."""

    def no_store() -> CredentialStore:
        raise AssertionError("a provider-less run reads no credentials")

    return Workbench({}, no_store, "test", None, client, LimiterRegistry(), TokenRegistry())
