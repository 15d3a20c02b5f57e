"""Live environments are reached over HTTPS only (loopback exempt), for requests and token
requests alike; TLS below 1.2 is refused (``test_bad_input_http.py::test_tls_failures``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from explorer.core.auth import TokenRegistry
from explorer.core.credentials import CredentialKey, SessionStore
from explorer.core.http import HttpClient
from explorer.core.models import RequestSpec
from explorer.core.pipeline import ApiSession
from explorer.core.providers import AuthConfig, Environment, ProviderProfile
from explorer.core.ratelimit import LimiterRegistry
from explorer.core.transport_policy import InsecureTransport, require_https
from tests.hardening.hostile import HostileServer


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient()
    yield http
    http.close()


def _session(client: HttpClient, env: Environment, kind: str = "bearer") -> ApiSession:
    profile = ProviderProfile(
        id="v", name="Vendor", auth=AuthConfig(kind=kind), environments=(env,)
    )
    store = SessionStore()
    for slot, value in {"static_token": "tok", "username": "u", "password": "pw"}.items():
        store.set(CredentialKey("ws", "v", env.name, slot), value)
    return ApiSession(
        profile,
        env.name,
        store=store,
        workspace_id="ws",
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
    )


def test_plain_http_to_a_live_host_is_refused_before_sending(
    client: HttpClient, hostile: HostileServer
) -> None:
    env = Environment("Production", "http://api.vendor.example", live=True)
    before = len(hostile.requests)
    with pytest.raises(InsecureTransport) as info:
        _session(client, env).send(RequestSpec("GET", "/v1/items"))
    assert str(info.value) == (
        "Vendor (Production) is a live environment and its request URL "
        "'http://api.vendor.example/v1/items' is plain HTTP; live environments are reached over "
        "HTTPS only, so change it to https://."
    )
    assert len(hostile.requests) == before


def test_plain_http_token_url_of_a_live_environment_is_refused(client: HttpClient) -> None:
    env = Environment(
        "Production",
        "https://api.vendor.example",
        token_url="http://login.vendor.example/token",
        live=True,
    )
    with pytest.raises(InsecureTransport, match=r"its token URL 'http://login\.vendor"):
        _session(client, env, kind="oauth2-password").send(RequestSpec("GET", "/v1/items"))


def test_loopback_and_test_environments_may_use_plain_http(
    client: HttpClient, hostile: HostileServer
) -> None:
    live_local = Environment("Local tunnel", hostile.base_url, live=True)
    assert _session(client, live_local).send(RequestSpec("GET", "/echo")).exchange.response.ok
    for url in ("http://localhost:8080/x", "http://[::1]/x", "http://127.0.0.2/x"):
        require_https(url, live=True, who="V")
    require_https("http://api.vendor.example/x", live=False, who="V")
    with pytest.raises(InsecureTransport):
        require_https("HTTP://10.0.0.5/x", live=True, who="V")
