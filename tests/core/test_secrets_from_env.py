"""``--secrets-from-env``: a CI process with no keyring and no D-Bus sends and runs a provider
collection against the embedded sandbox with its credentials in environment variables, named by
``credentials env-names``; without the flag it still refuses, and a missing variable is named.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from explorer.core.credentials import CredentialKey, EnvironmentStore, env_name_for
from explorer.core.errors import UsageError
from tests.core.runner.helpers import jsonpath, request, write
from tests.core.test_pipeline_sandbox import Sandbox

ENV = "Sandbox (local)"
Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox()
    yield sb
    sb.server.stop()


@pytest.fixture
def ci(sandbox: Sandbox, tmp_path: Path) -> Cli:
    """The CLI as a keyring-less CI job runs it; ``secrets`` are its extra variables."""
    sandbox.call("reset", {})
    base = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    base |= {
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "API_EXPLORER_HOME": str(tmp_path / "home"),
        "NO_COLOR": "1",
    }

    def run(*args: str, secrets: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "explorer", *args],
            env={**base, **(secrets or {})},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run


def _pe(workspace: Path, *args: str) -> list[str]:
    return ["--workspace", str(workspace), "--provider", "priceedge", "--env", ENV, *args]


def _secrets(ci: Cli, workspace: Path, creds: dict[str, str]) -> dict[str, str]:
    """The variables ``env-names`` prints, filled from the sandbox's credentials."""
    done = ci("credentials", "env-names", *_pe(workspace))
    assert done.returncode == 0, done.stderr
    names = done.stdout.splitlines()
    prefix = "API_EXPLORER_PRICEEDGE_SANDBOX_LOCAL_"
    assert names == [prefix + s for s in ("USERNAME", "PASSWORD", "CLIENT_ID", "CLIENT_SECRET")]
    slots = {prefix + k.upper(): v for k, v in creds.items()}
    return {name: slots[name] for name in names if name in slots}


def test_send_reads_secrets_only_with_the_flag(ci: Cli, sandbox: Sandbox, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    creds = sandbox.env("priceedge")["credentials"]
    secrets = _secrets(ci, ws, creds)
    send = ["send", *_pe(ws, "--var", f"sandbox_url={sandbox.url}", "GET", "/api/tables/item")]

    refused = ci(*send, secrets=secrets)
    assert refused.returncode == 1
    assert refused.stderr.startswith("api-explorer: No OS keyring is available")

    sent = ci(*send, "--secrets-from-env", secrets=secrets)
    assert sent.returncode == 0, sent.stderr
    assert sent.stderr.startswith("HTTP/1.1 200 OK")
    assert json.loads(sent.stdout)["Succeeded"] is True
    assert creds["password"] not in sent.stdout + sent.stderr

    missing = "API_EXPLORER_PRICEEDGE_SANDBOX_LOCAL_PASSWORD"
    partial = {k: v for k, v in secrets.items() if k != missing}
    failed = ci(*send, "--secrets-from-env", secrets=partial)
    assert failed.returncode == 1
    assert failed.stderr == (
        f"api-explorer: PriceEdge ({ENV}) needs password; set the environment variable {missing}.\n"
    )
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or creds["password"].encode() not in path.read_bytes()


def test_run_of_a_provider_collection(ci: Cli, sandbox: Sandbox, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    creds = sandbox.env("priceedge")["credentials"]
    secrets = _secrets(ci, ws, creds)
    directory = write(
        ws / "collections",
        request("items", "/api/tables/item", 0, assertions=(jsonpath("$.Succeeded", "true"),)),
        name="PriceEdge",
        provider="priceedge",
    )
    args = ("run", str(directory), "--env", ENV, "--var", f"sandbox_url={sandbox.url}")
    done = ci(*args, "--iterations", "2", "--secrets-from-env", secrets=secrets)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 requests, 2 passed" in done.stdout
    assert sandbox.stats("priceedge")["token_requests_total"] == 1

    (saved,) = directory.rglob("*.request.yaml")
    reveal = ("snippet", "--lang", "curl", str(saved), "--env", ENV, "--reveal-secrets")
    reveal += ("--var", f"sandbox_url={sandbox.url}")
    assert ci(*reveal, secrets=secrets).stderr.startswith("api-explorer: No OS keyring")
    shown = ci(*reveal, "--secrets-from-env", secrets=secrets)
    assert shown.returncode == 0, shown.stderr
    assert f"--header 'client_id: {creds['client_id']}'" in shown.stdout


def test_environment_store_is_read_only_but_keeps_issued_tokens() -> None:
    assert env_name_for("pce", "Sandbox (local)", "client_secret") == (
        "API_EXPLORER_PCE_SANDBOX_LOCAL_CLIENT_SECRET"
    )
    store = EnvironmentStore({"API_EXPLORER_PCE_PROD_API_KEY": "k"})
    key = CredentialKey("ws", "pce", "Prod", "api_key")
    assert store.get(key) == "k"
    assert store.values(key, ["api_key", "password"]) == {"api_key": "k"}
    with pytest.raises(UsageError, match="read-only; set API_EXPLORER_PCE_PROD_API_KEY instead"):
        store.set(key, "other")
    refresh = CredentialKey("ws", "pce", "Prod", "refresh_token")
    store.set(refresh, "rotated")
    assert store.get(refresh) == "rotated"


VENDOR_PATHS = {
    "pce": "/v1/customer/1001",
    "procode": "/api/network/servicepoints",
    "priceedge": "/api/tables/item",
    "servicechannel": "/odata/locations?$select=Id",
    "flexiti": "/client-id/{{client_id}}/customers/search?first_name=John&last_name=Smith"
    "&dob=1900-01-01",
}


@pytest.mark.parametrize("provider", sorted(VENDOR_PATHS))
def test_every_vendor_sends_from_a_keyringless_ci_job(
    ci: Cli, sandbox: Sandbox, tmp_path: Path, provider: str
) -> None:
    """Issue 16's CI job for all five vendors: no D-Bus, a failing keyring backend, every
    credential slot from the variables ``env-names`` prints, one authorised request each."""
    ws = tmp_path / "ws"
    scope = ["--workspace", str(ws), "--provider", provider, "--env", ENV]
    listed = ci("credentials", "env-names", *scope)
    assert listed.returncode == 0, listed.stderr
    creds = dict(sandbox.env(provider)["credentials"])
    if provider == "pce":
        creds = {"static_token": creds["static_tokens"][0]["token"]}
    prefix = env_name_for(provider, ENV, "")
    secrets = {
        name: str(creds[slot])
        for name in listed.stdout.split()
        if isinstance(creds.get(slot := name.removeprefix(prefix + "_").lower()), str)
        and creds[slot]
    }
    assert secrets, listed.stdout
    sent = ci(
        "send", *scope, "--secrets-from-env", "--var", f"sandbox_url={sandbox.url}",
        "GET", VENDOR_PATHS[provider], secrets=secrets,
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    assert sent.stderr.startswith("HTTP/1.1 2")
    for value in secrets.values():
        assert value not in sent.stdout + sent.stderr
