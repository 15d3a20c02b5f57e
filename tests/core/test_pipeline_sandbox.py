"""The token lifecycle per vendor against the embedded sandbox, counted at the server.

Profiles here mirror PROVIDERS.md §6 and take their URLs and demo credentials from
``GET /_sandbox/info``; time moves with ``POST /_sandbox/clock`` on the server and an offset on
the client clock together, so expiry is exercised without waiting.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from explorer.core.auth import OtpPrompt, TokenError, TokenRegistry, TokenRejected
from explorer.core.credentials import CredentialKey, SessionStore
from explorer.core.http import HttpClient
from explorer.core.models import Body, BodyMode, RequestSpec
from explorer.core.pipeline import ApiSession, SessionResult
from explorer.core.providers import (
    AuthConfig,
    CredentialSlot,
    Environment,
    OtpStep,
    ProviderProfile,
    RateLimit,
)
from explorer.core.ratelimit import LimiterRegistry, RetryPolicy

WS = "ws-sandbox"
KEY = "Ocp-Apim-Subscription-Key"
AUTH: dict[str, AuthConfig] = {
    "priceedge": AuthConfig(
        kind="oauth2-password",
        token_url="{{base_url}}/token",
        client_id="{{client_id}}",
        extra_headers=(("client_id", "{{client_id}}"),),
    ),
    "servicechannel": AuthConfig(
        kind="oauth2-password", client_auth="basic", token_rate_limit=RateLimit(1, 5.0)
    ),
    "flexiti": AuthConfig(
        kind="oauth2-client-credentials",
        token_url="{{base_url}}/oauth/token",
        scope="merchant",
        refresh_after_expiry=False,
        extra_headers=(("x-reference-id", "{{$guid32}}"),),
    ),
    "procode": AuthConfig(
        kind="oauth2-password",
        token_url="{{base_url}}/api/auth/TokenRequest",
        token_request="json",
        token_headers=((KEY, "{{subscription_key}}"),),
        extra_headers=((KEY, "{{subscription_key}}"),),
        otp=OtpStep(send_url="{{base_url}}/api/authorisation/SendOTP"),
        credentials=(
            CredentialSlot("username"),
            CredentialSlot("password", secret=True),
            CredentialSlot("client_id"),
            CredentialSlot("client_secret", secret=True),
            CredentialSlot("subscription_key", secret=True),
        ),
    ),
    "pce": AuthConfig(kind="bearer"),
}
RESOURCE = {
    "priceedge": "/api/tables/item",
    "servicechannel": "/v3/odata/locations?$select=Id",
    "flexiti": "/client-id/{{client_id}}/customers/search"
    "?first_name=John&last_name=Smith&dob=1900-01-01",
    "procode": "/api/network/servicepoints",
    "pce": "/v1/customer/1001",
}
ENV = {
    "priceedge": "sandbox",
    "servicechannel": "sb2",
    "flexiti": "training",
    "procode": "dev1",
    "pce": "sandbox",
}
OAUTH = ("priceedge", "servicechannel", "flexiti", "procode")


class Sandbox:
    def __init__(self) -> None:
        from explorer.sandbox import start_sandbox

        self.server = start_sandbox(port=0)
        self.url = self.server.base_url

    def call(self, name: str, body: dict[str, Any] | None = None, query: str = "") -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/_sandbox/{name}{query}",
            data=data,
            method="GET" if data is None else "POST",
        )
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def env(self, provider: str) -> dict[str, Any]:
        return self.call("info")["providers"][provider]["environments"][ENV[provider]]  # type: ignore[no-any-return]

    def stats(self, provider: str) -> dict[str, Any]:
        return self.call("stats", query=f"?provider={provider}")[provider][ENV[provider]]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox()
    yield sb
    sb.server.stop()


@pytest.fixture
def sb(sandbox):  # type: ignore[no-untyped-def]
    sandbox.call("reset", {})
    return sandbox


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient()
    yield http
    http.close()


class Clock:
    """The client's clock, moved together with the sandbox's."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.sb.call("clock", {"advance": seconds})
        self.offset += seconds


def session(sb, client, provider, clock=None, otp=None, creds=None, auth=None, **kw) -> ApiSession:  # type: ignore[no-untyped-def]
    info = sb.env(provider)
    env = Environment(ENV[provider], info["base_url"], token_url=info.get("token_url"))
    profile = ProviderProfile(
        id=provider,
        name=provider.capitalize(),
        auth=auth or AUTH[provider],
        environments=(env,),
        rate_limits=kw.pop("rate_limits", ()),
    )
    store = SessionStore()
    values = creds or info["credentials"]
    if provider == "pce":
        values = {"static_token": values["static_tokens"][0]["token"]}
    for slot, value in values.items():
        if isinstance(value, str) and value:
            store.set(CredentialKey(WS, provider, env.name, slot), value)
    return ApiSession(
        profile,
        env.name,
        store=store,
        workspace_id=WS,
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
        otp=otp,
        clock=clock or time.time,
        **kw,
    )


def get(s: ApiSession, provider: str) -> SessionResult:
    return s.send(RequestSpec("GET", RESOURCE[provider]))


def kinds(result: SessionResult) -> list[str]:
    return [e.kind for e in result.events]


@pytest.mark.parametrize("provider", OAUTH)
def test_first_call_acquires(sb, client, provider) -> None:
    result = get(session(sb, client, provider), provider)
    assert result.exchange.response.status == 200, result.exchange.response.body.text()
    assert kinds(result) == ["requested", "acquired"]
    grant = "client_credentials" if provider == "flexiti" else "password"
    stats = sb.stats(provider)
    assert stats["token_requests"] == {grant: 1}
    assert stats["status_401"] == 0


@pytest.mark.parametrize("provider", OAUTH)
def test_clock_advance_refreshes_before_expiry(sb, client, provider) -> None:
    clock = Clock(sb)
    s = session(sb, client, provider, clock=clock)
    get(s, provider)
    token = s.token_manager().current  # type: ignore[union-attr]
    assert token is not None
    assert token.expires_at is not None
    clock.advance(token.expires_at - clock() - s.token_manager().skew(token) / 2)  # type: ignore[union-attr]
    result = get(s, provider)
    assert result.exchange.response.status == 200
    assert kinds(result) == ["requested", "refreshed"]
    stats = sb.stats(provider)
    assert stats["token_requests"].get("refresh_token") == 1
    assert stats["status_401"] == 0


@pytest.mark.parametrize("provider", OAUTH)
def test_revoked_access_token_401_refresh_replay(sb, client, provider) -> None:
    clock = Clock(sb)
    s = session(sb, client, provider, clock=clock)
    get(s, provider)
    sb.call("revoke", {"provider": provider, "environment": ENV[provider], "refresh": False})
    clock.advance(5)  # ServiceChannel: one token POST per user per 5 s
    result = get(s, provider)
    assert result.exchange.response.status == 200
    assert result.attempts == 2
    assert kinds(result) == ["invalidated", "requested", "refreshed"]
    assert sb.stats(provider)["status_401"] == 1


@pytest.mark.parametrize("provider", OAUTH)
def test_revoked_refresh_token_regrants(sb, client, provider) -> None:
    from dataclasses import replace

    auth = AUTH[provider]
    if provider == "servicechannel":  # its one-POST-per-5-s rule, shortened on both sides
        sb.call("config", {"provider": provider, "settings": {"token_window_s": 0.3}})
        auth = replace(auth, token_rate_limit=RateLimit(1, 0.3))
    clock = Clock(sb)
    s = session(sb, client, provider, clock=clock, auth=auth)
    get(s, provider)
    sb.call("revoke", {"provider": provider, "environment": ENV[provider], "refresh": True})
    clock.advance(5)
    result = get(s, provider)
    assert result.exchange.response.status == 200
    expected = ["invalidated", "requested", "failed", "requested", "re-granted"]
    if provider == "servicechannel":
        expected.insert(3, "throttled")
    assert kinds(result) == expected
    assert sb.stats(provider)["status_429"] == 0
    failed = result.events[2]
    assert "rejected the refresh token" in failed.detail


def test_flexiti_refresh_after_expiry_regrants(sb, client) -> None:
    clock = Clock(sb)
    s = session(sb, client, "flexiti", clock=clock)
    get(s, "flexiti")
    clock.advance(1300)  # past the 1,200 s lifetime: Flexiti refuses to refresh now
    result = get(s, "flexiti")
    assert result.exchange.response.status == 200
    assert kinds(result) == ["failed", "requested", "re-granted"]
    assert "does not refresh expired tokens" in result.events[0].detail
    assert sb.stats("flexiti")["token_requests"] == {"client_credentials": 2}


def test_flexiti_server_refusal_of_late_refresh_also_regrants(sb, client) -> None:
    """Even a client wrongly configured to refresh late recovers: invalid_grant → re-grant."""
    from dataclasses import replace

    clock = Clock(sb)
    auth = replace(AUTH["flexiti"], refresh_after_expiry=True)
    s = session(sb, client, "flexiti", clock=clock, auth=auth)
    get(s, "flexiti")
    clock.advance(1300)
    result = get(s, "flexiti")
    assert result.exchange.response.status == 200
    assert kinds(result) == ["requested", "failed", "requested", "re-granted"]
    assert sb.stats("flexiti")["token_requests"] == {"client_credentials": 2, "refresh_token": 1}


def test_priceedge_bad_password_is_403_named(sb, client) -> None:
    creds = {**sb.env("priceedge")["credentials"], "password": "wrong"}
    with pytest.raises(TokenRejected) as caught:
        get(session(sb, client, "priceedge", creds=creds), "priceedge")
    assert caught.value.status == 403
    assert str(caught.value).startswith(
        "Priceedge (sandbox) rejected the username or password with HTTP 403"
    )


def test_servicechannel_bad_user_is_400_and_bad_client_is_302(sb, client) -> None:
    clock = Clock(sb)
    creds = {**sb.env("servicechannel")["credentials"], "password": "wrong"}
    with pytest.raises(TokenRejected) as caught:
        get(session(sb, client, "servicechannel", creds=creds, clock=clock), "servicechannel")
    assert caught.value.status == 400
    assert "rejected the username or password with HTTP 400" in str(caught.value)
    clock.advance(5)
    creds = {**sb.env("servicechannel")["credentials"], "client_secret": "wrong"}
    with pytest.raises(TokenRejected) as caught:
        get(session(sb, client, "servicechannel", creds=creds, clock=clock), "servicechannel")
    assert caught.value.status == 302
    assert "redirected to a login page (HTTP 302)" in str(caught.value)


def test_servicechannel_token_endpoint_spacing_prevents_its_429(sb, client) -> None:
    sb.call("config", {"provider": "servicechannel", "settings": {"token_window_s": 0.3}})
    from dataclasses import replace

    auth = replace(AUTH["servicechannel"], token_rate_limit=RateLimit(1, 0.3))
    s = session(sb, client, "servicechannel", auth=auth)
    first = get(s, "servicechannel")
    s.token_manager().invalidate(s.token_manager().current)  # type: ignore[union-attr, arg-type]
    second = get(s, "servicechannel")
    assert first.exchange.response.status == second.exchange.response.status == 200
    assert "throttled" in kinds(second)
    assert sb.stats("servicechannel")["status_429"] == 0


def test_servicechannel_permission_denial_is_401_code_504(sb, client) -> None:
    creds = sb.env("servicechannel")["credentials"]
    creds = {
        **creds,
        "username": creds["readonly_username"],
        "password": creds["readonly_password"],
    }
    s = session(sb, client, "servicechannel", creds=creds, clock=Clock(sb))
    body = Body(BodyMode.JSON, json.dumps({"Description": "x"}))
    result = s.send(RequestSpec("POST", "/v3/workorders", body=body))
    assert result.exchange.response.status == 401
    assert result.problem is not None
    assert (result.problem.format, result.problem.code) == ("servicechannel", "504")
    assert result.attempts == 1
    assert result.notes == ("401 is a permission denial, not an expired token; not refreshed",)
    assert sb.stats("servicechannel")["token_requests"] == {"password": 1}


def test_procode_otp_flow_asks_through_the_callback(sb, client) -> None:
    creds = sb.env("procode")["credentials"]
    creds = {**creds, "username": creds["username_2fa"], "password": creds["password_2fa"]}
    prompts: list[OtpPrompt] = []

    def otp(prompt: OtpPrompt) -> str:
        prompts.append(prompt)
        pending = sb.env("procode")["pending_otps"]
        return str(pending[0]["otp"])

    result = get(session(sb, client, "procode", creds=creds, otp=otp), "procode")
    assert result.exchange.response.status == 200
    assert kinds(result) == ["requested", "failed", "otp-requested", "requested", "acquired"]
    assert prompts[0].username == creds["username"]


def test_procode_otp_without_a_callback_is_one_sentence(sb, client) -> None:
    creds = sb.env("procode")["credentials"]
    creds = {**creds, "username": creds["username_2fa"], "password": creds["password_2fa"]}
    with pytest.raises(TokenError, match="needs a one-time password for this user"):
        get(session(sb, client, "procode", creds=creds), "procode")


def test_procode_problem_json_and_apim_gateway_errors(sb, client) -> None:
    s = session(sb, client, "procode")
    missing = s.send(RequestSpec("GET", "/api/network/nothing-here"))
    assert missing.problem is not None
    assert (missing.problem.format, missing.problem.status) == ("rfc9457", 404)


def test_priceedge_envelope_error(sb, client) -> None:
    result = session(sb, client, "priceedge").send(RequestSpec("GET", "/api/tables/nothing"))
    assert result.problem is not None
    assert result.problem.format == "envelope"
    assert result.problem.detail == "Table 'nothing' does not exist."


def test_flexiti_field_errors(sb, client) -> None:
    result = session(sb, client, "flexiti").send(
        RequestSpec("GET", "/client-id/{{client_id}}/customers/search?first_name=John")
    )
    assert result.problem is not None
    assert result.problem.format == "flexiti"
    assert result.problem.fields


def test_pce_429_retry_after_blocks_and_retries_get(sb, client) -> None:
    sb.call(
        "config",
        {"provider": "pce", "settings": {"rate_limit_requests": 2, "rate_limit_window_s": 1.0}},
    )
    s = session(sb, client, "pce", retry=RetryPolicy(max_retries=2, max_wait=5))
    results = [get(s, "pce") for _ in range(3)]
    assert [r.exchange.response.status for r in results] == [200, 200, 200]
    assert results[2].attempts == 2
    assert results[2].notes[0].startswith("429: retry 1 after")
    assert sb.stats("pce")["status_429"] == 1


def test_pce_client_side_limiter_avoids_the_servers_429(sb, client) -> None:
    sb.call(
        "config",
        {"provider": "pce", "settings": {"rate_limit_requests": 3, "rate_limit_window_s": 0.5}},
    )
    s = session(sb, client, "pce", rate_limits=(RateLimit(3, 0.6),))
    statuses = [get(s, "pce").exchange.response.status for _ in range(7)]
    assert statuses == [200] * 7
    assert sb.stats("pce")["status_429"] == 0


def test_pce_static_bearer_expired_token_is_shown_not_refreshed(sb, client) -> None:
    tokens = sb.env("pce")["credentials"]["static_tokens"]
    expired = next(t["token"] for t in tokens if t["name"] == "expired")
    s = session(sb, client, "pce", creds={"static_tokens": [{"token": expired}]})
    result = get(s, "pce")
    assert result.exchange.response.status == 401
    assert result.attempts == 1
    assert result.problem is not None
    assert result.problem.code == "EC-AUTH-0001"


PRESET_PATHS = {
    "priceedge": "/api/tables/item",
    "servicechannel": "/odata/locations?$select=Id",
    "flexiti": RESOURCE["flexiti"],
    "procode": RESOURCE["procode"],
    "pce": RESOURCE["pce"],
}


@pytest.mark.parametrize("provider", sorted(PRESET_PATHS))
def test_builtin_preset_works_against_its_sandbox_environment(sb, client, provider) -> None:
    """The shipped preset, unmodified, through the whole pipeline to its simulator."""
    from explorer.core.provider_loader import load_providers

    profiles, errors = load_providers()
    assert not errors
    profile = profiles[provider]
    env = next(e for e in profile.environments if e.sandbox)
    info = sb.env(provider)["credentials"]
    values = {"static_token": info["static_tokens"][0]["token"]} if provider == "pce" else info
    store = SessionStore()
    for slot, value in values.items():
        if isinstance(value, str) and value:
            store.set(CredentialKey(WS, provider, env.name, slot), value)
    s = ApiSession(
        profile,
        env.name,
        store=store,
        workspace_id=WS,
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
        variables={"sandbox_url": sb.url},
    )
    result = s.send(RequestSpec("GET", PRESET_PATHS[provider]))
    assert result.exchange.response.status == 200, result.exchange.response.body.text()[:300]
    assert result.problem is None


def test_procode_wrong_otp_is_rejected_not_asked_again(sb, client) -> None:
    creds = sb.env("procode")["credentials"]
    creds = {**creds, "username": creds["username_2fa"], "password": creds["password_2fa"]}
    asked: list[OtpPrompt] = []
    with pytest.raises(TokenRejected, match=r"Procode \(dev1\) rejected the one-time password"):
        get(
            session(sb, client, "procode", creds=creds, otp=lambda p: asked.append(p) or "000000"),
            "procode",
        )  # type: ignore[func-returns-value]
    assert len(asked) == 1


def test_flexiti_wrong_client_secret_is_named(sb, client) -> None:
    creds = {**sb.env("flexiti")["credentials"], "client_secret": "wrong"}
    with pytest.raises(TokenRejected) as caught:
        get(session(sb, client, "flexiti", creds=creds), "flexiti")
    assert str(caught.value).startswith(
        "Flexiti (training) rejected the client id or client secret with HTTP 400"
    )
