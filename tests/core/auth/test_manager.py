"""TokenManager edge cases on real servers: failures shared by every waiter, cancellation of the
leader and of a waiter, the token endpoint's own 429, OTP refused, refresh-only without a token."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from explorer.core.auth import (
    Credentials,
    GrantSettings,
    OtpPrompt,
    TokenEndpoint,
    TokenError,
    TokenManager,
    TokenRejected,
)
from explorer.core.errors import Cancelled
from explorer.core.http import CancelToken, HttpClient
from tests.core.test_pipeline_sandbox import Sandbox


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient()
    yield http
    http.close()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox()
    yield sb
    sb.server.stop()


@pytest.fixture
def sb(sandbox):  # type: ignore[no-untyped-def]
    sandbox.call("reset", {})
    return sandbox


def mock_manager(mock, client, password, **kw) -> TokenManager:  # type: ignore[no-untyped-def]
    settings = GrantSettings(
        "MockAuth", "local", mock.token_url, mock.CLIENT_ID, mock.CLIENT_SECRET, "basic"
    )
    creds = Credentials(mock.USERNAME, password)
    return TokenManager(
        TokenEndpoint(settings, client), grant="password", credentials=lambda: creds, **kw
    )


def flexiti_manager(sb, client, **kw) -> TokenManager:  # type: ignore[no-untyped-def]
    env = sb.call("info")["providers"]["flexiti"]["environments"]["training"]
    creds = env["credentials"]
    settings = GrantSettings(
        "Flexiti",
        "training",
        env["token_url"],
        creds["client_id"],
        creds["client_secret"],
        scope="merchant",
    )
    return TokenManager(
        TokenEndpoint(settings, client), grant="client_credentials", credentials=Credentials, **kw
    )


def requesting(manager: TokenManager) -> threading.Event:
    """Set when the manager emits ``requested``: a leader is making its token request."""
    event = threading.Event()
    manager.subscribe(lambda e: event.set() if e.kind == "requested" else None)
    return event


def test_a_failed_grant_is_shared_by_every_waiter(oauth2_mock, client) -> None:
    oauth2_mock.control("reset")
    manager = mock_manager(oauth2_mock, client, "wrong-password")
    barrier = threading.Barrier(50)

    def call(_: int) -> str:
        barrier.wait()
        try:
            manager.token()
        except TokenRejected as exc:
            return str(exc)
        return "no error"

    with ThreadPoolExecutor(50) as pool:
        messages = set(pool.map(call, range(50)))
    assert len(messages) == 1
    assert next(iter(messages)).startswith("MockAuth (local) rejected the username or password")
    assert oauth2_mock.control()["token"] == {"password": 1}


def test_cancelled_leader_hands_the_lead_to_a_waiter(sb, client) -> None:
    sb.call("faults", {"provider": "flexiti", "latency_ms": 300})
    manager = flexiti_manager(sb, client)
    cancel = CancelToken()
    outcome: dict[str, object] = {}
    entered = requesting(manager)

    def leader() -> None:
        try:
            manager.token(cancel)
        except Cancelled as exc:
            outcome["leader"] = exc

    first = threading.Thread(target=leader)
    first.start()
    assert entered.wait(5)  # the leader is inside its token request
    waiter = ThreadPoolExecutor(1).submit(manager.token)
    cancel.cancel()
    first.join(5)
    token = waiter.result(5)
    assert isinstance(outcome["leader"], Cancelled)
    assert token.access_token
    assert manager.current is token


def test_a_cancelled_waiter_stops_waiting(sb, client) -> None:
    sb.call("faults", {"provider": "flexiti", "latency_ms": 500})
    manager = flexiti_manager(sb, client)
    started_request = requesting(manager)
    lead = ThreadPoolExecutor(1).submit(manager.token)
    assert started_request.wait(5)
    cancel = CancelToken()
    threading.Timer(0.05, cancel.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        manager.token(cancel)
    assert time.monotonic() - started < 0.4
    assert lead.result(5).access_token


def test_token_endpoint_429_quotes_the_server(sb, client) -> None:
    env = sb.call("info")["providers"]["servicechannel"]["environments"]["sb2"]
    creds = env["credentials"]
    settings = GrantSettings(
        "ServiceChannel",
        "sb2",
        env["token_url"],
        creds["client_id"],
        creds["client_secret"],
        "basic",
    )
    manager = TokenManager(
        TokenEndpoint(settings, client),
        grant="password",
        credentials=lambda: Credentials(creds["username"], creds["password"]),
        token_interval=0.0,  # deliberately ignore the vendor's spacing rule
    )
    first = manager.token()
    manager.invalidate(first)
    with pytest.raises(TokenError) as caught:
        manager.token()
    assert not isinstance(caught.value, TokenRejected)
    assert caught.value.status == 429
    assert "Login attempts limit exceed" in str(caught.value)


def test_otp_refused_by_the_user_requests_no_token(sb, client) -> None:
    env = sb.call("info")["providers"]["procode"]["environments"]["dev1"]
    creds = env["credentials"]
    key = (("Ocp-Apim-Subscription-Key", creds["subscription_key"]),)
    settings = GrantSettings(
        "Procode",
        "dev1",
        env["token_url"],
        creds["client_id"],
        creds["client_secret"],
        encoding="json",
        headers=key,
        otp_url=env["otp_url"],
    )
    asked: list[OtpPrompt] = []
    manager = TokenManager(
        TokenEndpoint(settings, client),
        grant="password",
        credentials=lambda: Credentials(creds["username_2fa"], creds["password_2fa"]),
        otp=lambda prompt: asked.append(prompt) or None,  # type: ignore[func-returns-value]
    )
    with pytest.raises(Cancelled, match="one-time password was not entered"):
        manager.token()
    assert len(asked) == 1
    assert sb.call("stats", query="?provider=procode")["procode"]["dev1"]["token_requests"] == {
        "password": 1
    }


def test_refresh_only_without_a_refresh_token_says_what_to_store(sb, client) -> None:
    manager = flexiti_manager(sb, client)
    manager.grant = "refresh_only"
    with pytest.raises(TokenError, match="has no usable refresh token; store one"):
        manager.token()


def test_unknown_grant_is_a_programming_error(sb, client) -> None:
    endpoint = flexiti_manager(sb, client).endpoint
    with pytest.raises(ValueError, match="unknown grant"):
        TokenManager(endpoint, grant="implicit", credentials=Credentials)


def test_a_failing_keyring_write_is_reported_and_never_leaves_callers_waiting(
    oauth2_mock, client
) -> None:
    from explorer.core.credentials import KeyringUnavailable

    def locked(_: str) -> None:
        raise KeyringUnavailable("The keyring collection is locked; unlock it.")

    manager = mock_manager(oauth2_mock, client, oauth2_mock.PASSWORD, persist_refresh=locked)
    with pytest.raises(KeyringUnavailable):
        manager.token()
    with pytest.raises(KeyringUnavailable):
        ThreadPoolExecutor(1).submit(manager.token).result(5)
