"""Our grants and token lifecycle against oauth2-mock-server, a real third-party OAuth2 server
(npm), made strict by ``oauth2_mock_launcher.mjs``: alice/wonderland only, client
explorer/s3cret only, 2-second tokens, one-time refresh tokens, /userinfo guarded."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from explorer.core.auth import (
    Credentials,
    GrantSettings,
    TokenEndpoint,
    TokenEvent,
    TokenManager,
    TokenRejected,
    decode_jwt,
)
from explorer.core.http import HttpClient


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for a time-based condition (a 2-second token expiring) without a blind sleep."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        pause.wait(0.02)


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient()
    yield http
    http.close()


@pytest.fixture
def mock(oauth2_mock):  # type: ignore[no-untyped-def]
    oauth2_mock.control("reset")
    return oauth2_mock


def endpoint(mock, client, **overrides) -> TokenEndpoint:  # type: ignore[no-untyped-def]
    settings = GrantSettings(
        provider="MockAuth",
        environment="local",
        token_url=mock.token_url,
        client_id=mock.CLIENT_ID,
        client_secret=mock.CLIENT_SECRET,
        **overrides,
    )
    return TokenEndpoint(settings, client)


def manager(mock, client, grant="password", password=None, **kw):  # type: ignore[no-untyped-def]
    creds = Credentials(mock.USERNAME, password or mock.PASSWORD)
    return TokenManager(
        endpoint(mock, client, client_auth="basic"), grant=grant, credentials=lambda: creds, **kw
    )


def test_password_grant_acquires_a_jwt_with_short_expiry(mock, client) -> None:
    events: list[TokenEvent] = []
    m = manager(mock, client)
    m.subscribe(events.append)
    token = m.token()
    assert token.lifetime == pytest.approx(2.0, abs=0.01)
    assert m.skew(token) == pytest.approx(0.2)
    info = decode_jwt(token.access_token)
    assert info is not None
    assert info.subject == "alice"
    assert info.roles == ("reader",)
    assert info.expires_at is not None
    assert [e.kind for e in events] == ["requested", "acquired"]
    assert m.token() is token
    assert mock.control()["token"] == {"password": 1}


@pytest.mark.parametrize("client_auth", ["basic", "body"])
@pytest.mark.parametrize("encoding", ["form", "json"])
def test_client_credentials_grant(mock, client, client_auth, encoding) -> None:
    ep = endpoint(mock, client, client_auth=client_auth, encoding=encoding, scope="read write")
    token = ep.client_credentials()
    info = decode_jwt(token.access_token)
    assert info is not None
    assert info.scopes == ("read", "write")
    assert token.refresh_token is None


def test_wrong_client_secret_is_rejected_in_one_sentence(mock, client) -> None:
    ep = TokenEndpoint(
        GrantSettings("MockAuth", "local", mock.token_url, mock.CLIENT_ID, "wrong", "basic"),
        client,
    )
    with pytest.raises(TokenRejected) as caught:
        ep.client_credentials()
    assert caught.value.code == "invalid_client"
    assert "MockAuth (local) rejected the client id or client secret" in str(caught.value)
    assert "wrong" not in str(caught.value)


def test_bad_password_names_the_provider_and_what_to_do(mock, client) -> None:
    m = manager(mock, client, password="not-the-password")
    with pytest.raises(TokenRejected) as caught:
        m.token()
    message = str(caught.value)
    assert message.startswith("MockAuth (local) rejected the username or password with HTTP 400")
    assert "credentials set" in message
    assert "not-the-password" not in message


def test_expiry_then_refresh_with_rotation_persisted(mock, client) -> None:
    persisted: list[str] = []
    events: list[TokenEvent] = []
    m = manager(mock, client, persist_refresh=persisted.append)
    m.subscribe(events.append)
    first = m.token()
    assert persisted == [first.refresh_token]
    wait_until(lambda: not m.is_fresh(first))
    second = m.token()
    assert second.access_token != first.access_token
    assert second.refresh_token not in (None, first.refresh_token)
    assert persisted == [first.refresh_token, second.refresh_token]
    assert [e.kind for e in events][-2:] == ["requested", "refreshed"]
    assert mock.control()["token"] == {"password": 1, "refresh_token": 1}
    # Rotation: the server honours the new refresh token only; the old one is spent.
    with pytest.raises(TokenRejected, match="rejected the refresh token"):
        endpoint(mock, client, client_auth="basic").refresh(first.refresh_token or "")


def test_rejected_refresh_token_falls_back_to_a_full_grant(mock, client) -> None:
    events: list[TokenEvent] = []
    m = manager(mock, client)
    m.subscribe(events.append)
    first = m.token()
    mock.control("revoke-refresh")
    m.invalidate(first)
    second = m.token()
    assert second.refresh_token != first.refresh_token
    kinds = [e.kind for e in events]
    assert kinds == [
        "requested",
        "acquired",
        "invalidated",
        "requested",
        "failed",
        "requested",
        "re-granted",
    ]
    assert mock.control()["token"] == {"password": 2, "refresh_token": 1}


def test_provider_that_forbids_refresh_after_expiry_regrants(mock, client) -> None:
    m = manager(mock, client, refresh_after_expiry=False)
    first = m.token()
    wait_until(lambda: first.expires_at is not None and time.time() > first.expires_at)
    m.token()
    assert mock.control()["token"] == {"password": 2}


def test_refresh_before_expiry_is_used_when_only_inside_the_skew(mock, client) -> None:
    """Clock advanced into the skew window: proactive refresh, even for a provider that forbids
    refreshing expired tokens; the resource server never sees the stale token."""
    offset = [0.0]
    m = manager(mock, client, refresh_after_expiry=False, clock=lambda: time.time() + offset[0])
    first = m.token()
    offset[0] = (first.expires_at or 0) - time.time() - 0.1  # 0.1 s left, skew is 0.2 s
    m.token()
    assert mock.control()["token"] == {"password": 1, "refresh_token": 1}
