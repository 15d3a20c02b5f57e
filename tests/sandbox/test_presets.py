"""The built-in presets and the simulator agree: each preset's ``Sandbox (local)`` environment
points at a real simulator route, its token URL is the simulator's, and every sample request
succeeds there (what ``--demo`` opens must work)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from explorer.core.models import RequestSpec
from explorer.core.provider_loader import load_providers
from explorer.core.providers import ProviderProfile
from tests.sandbox.conftest import Sim

PROFILES = load_providers()[0]
SANDBOX_ENV = {
    "pce": "sandbox",
    "procode": "dev1",
    "priceedge": "sandbox",
    "servicechannel": "sb2",
    "flexiti": "training",
}


def local(profile: ProviderProfile, sim: Sim) -> tuple[str, str]:
    env = next(e for e in profile.environments if e.sandbox)
    base = env.base_url.replace("{{sandbox_url}}", sim.url)
    token_url = (env.token_url or profile.auth.token_url).replace("{{sandbox_url}}", sim.url)
    return base, token_url.replace("{{base_url}}", base)


def authorise(provider: str, info: dict[str, Any], sim: Sim) -> dict[str, str]:
    """Headers a client needs for API calls, obtained with plain requests as a user would."""
    c = info["credentials"]
    if provider == "pce":
        return {"Authorization": f"Bearer {c['static_tokens'][0]['token']}"}
    if provider == "procode":
        key = {"Ocp-Apim-Subscription-Key": c["subscription_key"]}
        body = sim.http.post(
            info["token_url"],
            headers=key,
            timeout=5,
            json={
                "username": c["username"],
                "password": c["password"],
                "client_id": c["client_id"],
            },
        )
        return {**key, "Authorization": f"Bearer {body.json()['access_token']}"}
    if provider == "priceedge":
        body = sim.http.post(
            info["token_url"],
            timeout=5,
            data={
                "grant_type": "password",
                "username": c["username"],
                "password": c["password"],
                "client_id": c["client_id"],
            },
        )
        return {
            "Authorization": f"Bearer {body.json()['access_token']}",
            "client_id": c["client_id"],
        }
    if provider == "servicechannel":
        body = sim.http.post(
            info["token_url"],
            auth=(c["client_id"], c["client_secret"]),
            data={"grant_type": "password", "username": c["username"], "password": c["password"]},
            timeout=5,
        )
        return {"Authorization": f"Bearer {body.json()['access_token']}"}
    body = sim.http.post(
        info["token_url"],
        timeout=5,
        data={"client_id": c["client_id"], "client_secret": c["client_secret"]},
    )
    return {
        "Authorization": f"Bearer {body.json()['access_token']}",
        "x-reference-id": "0123456789abcdef0123456789abcdef",
    }


def send(
    sample: RequestSpec, base: str, client_id: str, headers: dict[str, str], sim: Sim
) -> requests.Response:
    def fill(text: str) -> str:
        return text.replace("{{base_url}}", base).replace("{{client_id}}", client_id)

    return sim.http.request(
        sample.method,
        fill(sample.url),
        timeout=5,
        params={p.name: fill(p.value) for p in sample.params if p.enabled},
        headers={**{h.name: fill(h.value) for h in sample.headers}, **headers},
        data=sample.body.text.encode() if sample.body.text else None,
    )


@pytest.mark.parametrize("provider", sorted(SANDBOX_ENV))
def test_local_environment_matches_the_simulator(provider: str, sim: Sim) -> None:
    info = sim.env(provider, SANDBOX_ENV[provider])
    base, token_url = local(PROFILES[provider], sim)
    assert base.startswith(info["base_url"])
    if info["token_url"]:
        assert token_url == info["token_url"]


@pytest.mark.parametrize("provider", sorted(SANDBOX_ENV))
def test_every_sample_succeeds_on_the_simulator(provider: str, sim: Sim) -> None:
    info = sim.env(provider, SANDBOX_ENV[provider])
    base, _ = local(PROFILES[provider], sim)
    headers = authorise(provider, info, sim)
    client_id = str(info["credentials"].get("client_id", ""))
    for sample in PROFILES[provider].samples:
        response = send(sample, base, client_id, headers, sim)
        assert 200 <= response.status_code < 300, (sample.name, response.text)


@pytest.mark.parametrize("provider", sorted(SANDBOX_ENV))
def test_samples_run_through_the_core_session(provider: str, sim: Sim) -> None:
    """The whole core (templating, token grant, extra headers, limiter) against the simulator,
    with the preset exactly as shipped and only ``sandbox_url`` supplied, as ``--demo`` does."""
    from explorer.core.auth.manager import TokenRegistry
    from explorer.core.credentials import CredentialKey, SessionStore
    from explorer.core.http import HttpClient
    from explorer.core.pipeline import ApiSession
    from explorer.core.ratelimit import LimiterRegistry

    demo = sim.info()["providers"][provider]["demo"]
    assert demo["environment"] == SANDBOX_ENV[provider]
    slots = {s.name for s in PROFILES[provider].auth.credentials}
    assert set(demo["slots"]) <= slots, "demo slots use the preset's slot names"
    store = SessionStore()
    for slot, value in demo["slots"].items():
        store.set(CredentialKey("ws", provider, demo["preset_environment"], slot), value)
    client = HttpClient()
    try:
        session = ApiSession(
            PROFILES[provider],
            "Sandbox (local)",
            store=store,
            workspace_id="ws",
            client=client,
            limiters=LimiterRegistry(),
            tokens=TokenRegistry(),
            variables={"sandbox_url": sim.url},
        )
        statuses = {
            s.name: session.send(s).exchange.response.status for s in PROFILES[provider].samples
        }
    finally:
        client.close()
    assert all(200 <= status < 300 for status in statuses.values()), statuses
    token_requests = sim.stats(provider, SANDBOX_ENV[provider])["token_requests_total"]
    assert token_requests == (0 if provider == "pce" else 1)
