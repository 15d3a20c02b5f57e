"""The command line over the whole pipeline, and a scripted user journey after which no secret is
found in the workspace, the config and data dirs, the history or the command output.

Real parts only: the CLI runs as a subprocess, credentials go to a private gnome-keyring over
D-Bus, the shipped PriceEdge preset talks to the embedded sandbox.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.test_pipeline_sandbox import Sandbox

ENV = "Sandbox (local)"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox()
    yield sb
    sb.server.stop()


@pytest.fixture
def cli(secret_service, sandbox, tmp_path):  # type: ignore[no-untyped-def]
    sandbox.call("reset", {})
    env = {**secret_service.env, "API_EXPLORER_HOME": str(tmp_path / "app-home")}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    workspace = tmp_path / "ws"
    outputs: list[str] = []

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "explorer", *args],
            input=stdin,
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        outputs.extend((done.stdout, done.stderr))
        return done

    run.workspace = workspace  # type: ignore[attr-defined]
    run.outputs = outputs  # type: ignore[attr-defined]
    run.sandbox = sandbox  # type: ignore[attr-defined]
    return run


def pe(*args: str, workspace: Path) -> list[str]:
    return ["--workspace", str(workspace), "--provider", "priceedge", "--env", ENV, *args]


def test_journey_leaves_no_secret_behind(cli, secret_service, secret_service_keyring) -> None:
    from explorer.core.auth import TokenRegistry
    from explorer.core.credentials import CredentialKey, KeyringStore
    from explorer.core.http import HttpClient
    from explorer.core.models import RequestSpec
    from explorer.core.pipeline import ApiSession
    from explorer.core.provider_loader import load_providers
    from explorer.core.ratelimit import LimiterRegistry
    from explorer.core.workspace.history import History
    from explorer.core.workspace.marker import open_workspace

    ws = cli.workspace
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
            workspace=ws,
        ),
        stdin=creds["password"] + "\n",
    )
    assert stored.returncode == 0, stored.stderr
    assert "Stored client_id, password, username for PriceEdge (Sandbox (local))" in stored.stderr
    assert "SecretService" in stored.stderr

    url = f"sandbox_url={cli.sandbox.url}"
    first = cli("send", *pe("--var", url, "-v", "GET", "/api/tables/item", workspace=ws))
    assert first.returncode == 0, first.stderr
    assert "token requested (password)" in first.stderr
    assert "token acquired (password)" in first.stderr
    assert "Authorization: Bearer ••••••" in first.stderr
    assert json.loads(first.stdout)["Succeeded"] is True

    # A new process has no access token but the keyring has the refresh token: it refreshes.
    second = cli("send", *pe("--var", url, "-v", "GET", "/api/tables/item", workspace=ws))
    assert second.returncode == 0, second.stderr
    assert "token refreshed (refresh_token)" in second.stderr

    failing = cli("send", *pe("--var", url, "-v", "GET", "/api/tables/nothing", workspace=ws))
    assert failing.returncode == 4
    assert "problem (envelope): 400 Bad Request: Table 'nothing' does not exist." in failing.stderr

    # The app's side of the journey: send in-process and write history.
    marker = open_workspace(ws)
    store = KeyringStore(secret_service_keyring)
    profile = load_providers(ws)[0]["priceedge"]
    client = HttpClient()
    try:
        session = ApiSession(
            profile,
            ENV,
            store=store,
            workspace_id=marker.id,
            client=client,
            limiters=LimiterRegistry(),
            tokens=TokenRegistry(),
            variables={"sandbox_url": cli.sandbox.url},
        )
        result = session.send(RequestSpec("GET", "/api/tables/item"))
        History(ws).record(result.redacted_exchange(), name="journey")
        token = session.token_manager().current  # type: ignore[union-attr]
    finally:
        client.close()
    assert token is not None
    refresh = store.get(CredentialKey(marker.id, "priceedge", ENV, "refresh_token"))
    assert refresh
    secrets = {creds["password"], token.access_token, refresh}

    # Workspace (incl. history), the app's data/config home, and the whole throwaway HOME
    # (config dirs, and gnome-keyring's own file, which must hold them encrypted).
    scanned = 0
    roots = [ws, ws.parent / "app-home", Path(secret_service.env["HOME"])]
    for root in roots:
        for path in root.rglob("*") if root.exists() else ():
            if path.is_file():
                data = path.read_bytes()
                scanned += 1
                for secret in secrets:
                    assert secret.encode() not in data, f"a secret leaked into {path}"
    assert scanned >= 3  # workspace.yaml, history, the keyring's own (encrypted) file
    assert any(p.suffix == ".jsonl" for p in (ws / "history").iterdir())
    for text in cli.outputs:
        for secret in secrets:
            assert secret not in text


def test_secrets_are_refused_on_the_command_line(cli) -> None:
    done = cli("credentials", "set", *pe("--value", "password=hunter2", workspace=cli.workspace))
    assert done.returncode == 2
    assert "'password' is secret; use --secret password" in done.stderr
    assert "Traceback" not in done.stderr


def test_delete_then_send_says_what_is_missing(cli) -> None:
    ws = cli.workspace
    creds = cli.sandbox.env("priceedge")["credentials"]
    cli(
        "credentials", "set", *pe("--username", "u", "--password-stdin", workspace=ws), stdin="pw\n"
    )
    deleted = cli("credentials", "delete", *pe(workspace=ws))
    assert deleted.returncode == 0
    assert "Deleted password, username for PriceEdge" in deleted.stderr
    url = f"sandbox_url={cli.sandbox.url}"
    sent = cli(
        "send",
        *pe(
            "--var",
            url,
            "--var",
            f"client_id={creds['client_id']}",
            "GET",
            "/api/tables/item",
            workspace=ws,
        ),
    )
    assert sent.returncode == 1
    assert sent.stderr.strip() == (
        "api-explorer: PriceEdge (Sandbox (local)) needs a username and password; store them "
        "with 'api-explorer credentials set'."
    )


def test_unknown_provider_and_environment_are_usage_errors(cli) -> None:
    ws = str(cli.workspace)
    done = cli("send", "--workspace", ws, "--provider", "nope", "--env", "x", "GET", "/")
    assert done.returncode == 2
    assert "No provider 'nope'; known providers: flexiti, pce, priceedge" in done.stderr
    done = cli("send", "--workspace", ws, "--provider", "pce", "--env", "Mars", "GET", "/")
    assert done.returncode == 2
    assert "has no environment 'Mars'" in done.stderr
    done = cli("send", "--workspace", ws, "--provider", "pce", "GET", "/")
    assert done.returncode == 2
    assert "--provider and --env go together" in done.stderr


def test_plain_url_path_unchanged(cli, httpbin_url) -> None:
    done = cli("send", "GET", f"{httpbin_url}/get?x=1")
    assert done.returncode == 0
    assert json.loads(done.stdout)["args"] == {"x": "1"}


def test_no_keyring_is_one_sentence_and_nothing_is_written(tmp_path) -> None:
    import os

    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "API_EXPLORER_HOME": str(tmp_path / "home"),
    }
    ws = tmp_path / "ws"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "explorer",
            "credentials",
            "set",
            *pe("--password-stdin", workspace=ws),
        ],
        input="s3cret-pw\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("api-explorer: No OS keyring is available")
    assert "the command line needs an OS keyring" in done.stderr
    assert done.stderr.count("\n") == 1
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or b"s3cret-pw" not in path.read_bytes()
