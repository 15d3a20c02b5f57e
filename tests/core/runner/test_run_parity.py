"""A collection that uses a saved environment value and a secret variable from the keyring runs
the same under ``api-explorer run`` and the window's Run path (``LocalRuns``), against the
embedded sandbox; the window's run is sequential, in the collection's own provider."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.core.auth import TokenRegistry
from explorer.core.credentials import KeyringStore
from explorer.core.http import HttpClient
from explorer.core.provider_loader import load_providers
from explorer.core.ratelimit import LimiterRegistry
from explorer.core.runner.model import Progress, RunResult
from explorer.core.runner.service import LocalRuns
from explorer.core.workbench import Workbench
from explorer.core.workspace.environments import EnvironmentValues, save_environments
from explorer.core.workspace.marker import open_workspace
from explorer.core.workspace.model import Variable
from tests.core.runner.helpers import jsonpath, plain_workbench, request, status, write
from tests.core.test_pipeline_cli import ENV, pe


@pytest.fixture
def collection(cli) -> Path:  # type: ignore[no-untyped-def]
    """PriceEdge credentials and the secret variable ``item_key`` in the keyring, the saved
    value ``item_tag`` in ``environments/priceedge.yaml``, and a collection using both."""
    creds = cli.sandbox.env("priceedge")["credentials"]
    stored = cli(
        "credentials",
        "set",
        *pe(
            "--username",
            creds["username"],
            "--value",
            f"client_id={creds['client_id']}",
            "--password-stdin",
            "--secret",
            "item_key",
            workspace=cli.workspace,
        ),
        stdin=f"{creds['password']}\nk-{'9' * 12}\n",
    )
    assert stored.returncode == 0, stored.stderr
    save_environments(cli.workspace, "priceedge", [EnvironmentValues(ENV, {"item_tag": "saved"})])
    checks = (status(200), jsonpath("$.Succeeded", "true"))
    return write(
        cli.workspace / "collections",
        request(
            "first", "/api/tables/item?tag={{item_tag}}&key={{item_key}}", 0, assertions=checks
        ),
        request("second", "/api/tables/item?n=2&tag={{item_tag}}", 1, assertions=checks),
        name="PriceEdge",
        provider="priceedge",
        variables=(Variable("item_key", secret=True),),
    )


@pytest.fixture
def workbench(cli, secret_service_keyring) -> Iterator[Workbench]:  # type: ignore[no-untyped-def]
    """The window's core as ``services.core`` builds it, over the same keyring."""
    marker = open_workspace(cli.workspace)
    profiles, _ = load_providers(marker.root)
    client = HttpClient()
    yield Workbench(
        profiles=profiles,
        store_factory=lambda: KeyringStore(secret_service_keyring),
        workspace_id=marker.id,
        workspace_root=marker.root,
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
        variables={"sandbox_url": cli.sandbox.url},
    )
    client.close()


def _window_run(workbench: Workbench, directory: Path, provider: str | None) -> RunResult:
    runs = LocalRuns(lambda: workbench)
    seen: list[Progress] = []
    try:
        pending = runs.start(directory, provider, ENV if provider else None, seen.append)
        result = pending.future.result(timeout=60)
    finally:
        runs.shutdown()
    assert [p.result.name for p in seen] == [r.name for r in result.ordered]
    return result


def test_the_cli_and_the_window_run_pass_the_same_collection(cli, collection, workbench) -> None:
    done = cli("run", str(collection), "--env", ENV, "--var", f"sandbox_url={cli.sandbox.url}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 requests, 2 passed" in done.stdout
    result = _window_run(workbench, collection, "priceedge")
    assert result.ok, [r.failures for r in result.ordered]
    assert [r.name for r in result.results] == ["first", "second"]  # one at a time, in seq order
    assert "tag=saved" in result.results[0].url
    assert "k-999999999999" not in result.results[0].url  # the secret variable is masked


def test_the_window_runs_in_the_collections_provider(cli, collection, workbench) -> None:
    """Another provider selected: the collection still runs in PriceEdge (its sandbox
    environment), and nothing reaches the selected provider."""
    result = _window_run(workbench, collection, "pce")
    assert result.ok, [r.failures for r in result.ordered]
    assert cli.sandbox.stats("priceedge")["token_requests_total"] == 1
    assert cli.sandbox.stats("pce")["api_calls"] == 0


def test_a_provider_less_collection_gets_no_provider(cli, workbench, httpbin_url) -> None:
    """The selected provider's variables and auth never reach a collection bound to none."""
    directory = write(
        cli.workspace / "collections",
        request(
            "echo", httpbin_url + "/anything", 0, assertions=(jsonpath("$.headers.Authorization"),)
        ),
        name="Plain",
    )
    result = _window_run(workbench, directory, "priceedge")
    assert [r.failures for r in result.ordered] == [["$.headers.Authorization exists: no match"]]


def test_the_window_runs_one_request_at_a_time_by_default(tmp_path, httpbin_url) -> None:
    """As ``api-explorer run`` does: a slow first request finishes before the second starts."""
    directory = write(
        tmp_path,
        request("slow", httpbin_url + "/delay/1", 0),
        request("fast", httpbin_url + "/get", 1),
    )
    client = HttpClient()
    try:
        result = _window_run(plain_workbench(client), directory, None)
    finally:
        client.close()
    assert [r.name for r in result.results] == ["slow", "fast"]
