"""Full flow: the snippet performs the provider's token grant itself, against the embedded
sandbox, with nothing but credentials in its environment (no token is given to it).

PriceEdge (password grant, form, ``client_id`` header), Flexiti (client credentials, scope,
generated ``x-reference-id`` on token and API calls), ServiceChannel (password grant with HTTP
Basic client auth) and Procode (JSON token request, subscription key on token and API calls)
cover the grant shapes. The Python refresh-on-401 path is driven for
real: the sandbox delays the API call, the test revokes the token meanwhile, and the snippet
must refresh once and succeed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from explorer.core.provider_loader import load_providers
from explorer.core.providers import ProviderProfile
from explorer.core.snippets import SnippetOptions, generate
from explorer.core.snippets.build import env_name
from explorer.core.templating import Layer, Scope
from explorer.sandbox import Sandbox, start_sandbox
from tests.core.snippets import runner
from tests.core.snippets.conftest import program_for
from tests.support.programs import require
from tests.support.servers import wait_until

SANDBOX_ENV = "Sandbox (local)"
PROVIDERS = ("priceedge", "flexiti", "servicechannel", "procode")


@pytest.fixture(scope="module")
def running_sandbox() -> Iterator[Sandbox]:
    server = start_sandbox()
    yield server
    server.stop()


@pytest.fixture
def sandbox(running_sandbox: Sandbox) -> Sandbox:
    """The module's sandbox, reset: ServiceChannel allows one grant per user every 5 s."""
    url = f"{running_sandbox.base_url}/_sandbox/reset"
    requests.post(url, json={}, timeout=5).raise_for_status()
    return running_sandbox


@pytest.fixture(scope="module")
def profiles() -> dict[str, ProviderProfile]:
    found, errors = load_providers()
    assert not errors
    return found


def _sandbox_env(sandbox: Sandbox, profile: ProviderProfile) -> tuple[str, dict[str, Any]]:
    """The sandbox's id and description of the environment the preset's local one points at."""
    env = profile.environment(SANDBOX_ENV)
    assert env is not None
    base = env.base_url.replace("{{sandbox_url}}", sandbox.base_url)
    described = sandbox.info()["providers"][profile.id]["environments"]
    for env_id, info in described.items():
        if base == info["base_url"] or base.startswith(info["base_url"] + "/"):
            return env_id, info
    raise AssertionError(f"no sandbox environment serves {base}")


def _credentials_env(sandbox: Sandbox, profile: ProviderProfile) -> dict[str, str]:
    """The demo credentials as the environment variables a snippet reads."""
    _, info = _sandbox_env(sandbox, profile)
    creds = info["credentials"]
    return {env_name(k, profile.id): str(v) for k, v in creds.items() if isinstance(v, str | int)}


def _snippet(sandbox: Sandbox, profile: ProviderProfile, lang: str) -> str:
    options = SnippetOptions(
        scope=Scope((Layer("request", {"sandbox_url": sandbox.base_url}),)),
        provider=profile,
        environment=SANDBOX_ENV,
        auth_mode="flow",
    )
    return generate(profile.samples[0], lang, options)


def _stats(sandbox: Sandbox, provider: str, env_id: str) -> dict[str, Any]:
    url = f"{sandbox.base_url}/_sandbox/stats?provider={provider}"
    counters: dict[str, Any] = requests.get(url, timeout=5).json()[provider][env_id]
    return counters


@pytest.mark.parametrize("lang", ["curl", "python"])
def test_full_flow_gets_a_token_and_succeeds(
    lang: str,
    request: pytest.FixtureRequest,
    sandbox: Sandbox,
    profiles: dict[str, ProviderProfile],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    program_for(lang, request.node.nodeid)
    if lang == "curl":
        require("jq", request.node.nodeid)  # the curl flow reads the token out with jq
    snippets = {p: _snippet(sandbox, profiles[p], lang) for p in PROVIDERS}
    env: dict[str, str] = {}
    for provider in PROVIDERS:
        env.update(_credentials_env(sandbox, profiles[provider]))
    before = {p: _stats(sandbox, p, _sandbox_env(sandbox, profiles[p])[0]) for p in PROVIDERS}
    outputs = runner.run(lang, tmp_path_factory.mktemp(f"flow-{lang}"), snippets, env)
    for provider in PROVIDERS:
        profile = profiles[provider]
        for name, value in _credentials_env(sandbox, profile).items():
            if len(value) > 3 and name.endswith(("PASSWORD", "SECRET")):
                assert value not in snippets[provider]
        env_id, _ = _sandbox_env(sandbox, profile)
        after = _stats(sandbox, provider, env_id)
        output = outputs[provider]
        assert "SNIPPET FAILED" not in output, f"{snippets[provider]}\n{output}"
        json.loads(output)
        assert after["token_requests_total"] == before[provider]["token_requests_total"] + 1
        assert after["api_calls"] == before[provider]["api_calls"] + 1
        assert after["status_401"] == before[provider]["status_401"], output


def test_python_flow_refreshes_once_on_401(
    sandbox: Sandbox,
    profiles: dict[str, ProviderProfile],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    profile = profiles["priceedge"]
    env_id, _ = _sandbox_env(sandbox, profile)
    control = f"{sandbox.base_url}/_sandbox"
    before = _stats(sandbox, "priceedge", env_id)
    faults = {"provider": "priceedge", "latency_ms": 600}
    requests.post(f"{control}/faults", json=faults, timeout=5).raise_for_status()
    revoked = threading.Event()

    def revoke_after_grant() -> None:
        wait_until(
            lambda: (
                _stats(sandbox, "priceedge", env_id)["token_requests_total"]
                > before["token_requests_total"]
            ),
            timeout=30,
        )
        body = {"provider": "priceedge", "environment": env_id}
        requests.post(f"{control}/revoke", json=body, timeout=5).raise_for_status()
        revoked.set()

    watcher = threading.Thread(target=revoke_after_grant, daemon=True)
    watcher.start()
    try:
        snippets = {"refresh": _snippet(sandbox, profile, "python")}
        env = _credentials_env(sandbox, profile)
        outputs = runner.run("python", tmp_path_factory.mktemp("refresh"), snippets, env)
    finally:
        watcher.join(30)
        reset = {"provider": "priceedge", "latency_ms": 0}
        requests.post(f"{control}/faults", json=reset, timeout=5).raise_for_status()
    assert revoked.is_set()
    after = _stats(sandbox, "priceedge", env_id)
    assert json.loads(outputs["refresh"])["Succeeded"] is True, outputs["refresh"]
    assert after["status_401"] == before["status_401"] + 1
    assert after["api_calls"] == before["api_calls"] + 2
    assert after["token_requests_total"] == before["token_requests_total"] + 2
