"""Token endpoints that answer badly: an HTML login page with 200, 200 with garbage, an HTML
error page, a token without ``expires_in``, an endpoint that is not there. Each grant failure is
one ``TokenError`` sentence naming the provider; a token without an expiry is used until the API
answers 401, then refreshed once and the call replayed."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from explorer.core.auth import TokenError, TokenRegistry
from explorer.core.auth.grants import GrantSettings, TokenEndpoint
from explorer.core.credentials import CredentialKey, SessionStore
from explorer.core.http import HttpClient
from explorer.core.models import RequestSpec
from explorer.core.pipeline import ApiSession
from explorer.core.providers import AuthConfig, Environment, ProviderProfile
from explorer.core.ratelimit import LimiterRegistry
from tests.hardening.hostile import HostileServer


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient()
    yield http
    http.close()


TOKEN_CASES = [
    ("HTML login page with 200", "/token-html", r"answered 200 without an access_token; check"),
    ("200 with garbage", "/token-garbage", r"answered 200 without an access_token"),
    ("HTML 500 page", "/token-html-error", r"HTTP 500 \(500 Internal Server Error\); try"),
    ("no such endpoint", "/nowhere", r"rejected the token request|failed with HTTP 404"),
    ("silent hang-up", "/silent-close", r"could not be reached: .*without answering"),
]


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    ("path", "message"), [c[1:] for c in TOKEN_CASES], ids=[c[0] for c in TOKEN_CASES]
)
def test_bad_token_answers(
    client: HttpClient, hostile: HostileServer, path: str, message: str
) -> None:
    settings = GrantSettings("Vendor", "Live", hostile.base_url + path, "cid", "client-s3cret")
    with pytest.raises(TokenError) as info:
        TokenEndpoint(settings, client).password("alice", "pa55word")
    text = str(info.value)
    assert re.search(message, text), text
    assert "Vendor" in text
    assert "\n" not in text
    assert "pa55word" not in text
    assert "client-s3cret" not in text


def test_token_without_expiry_is_used_until_a_401_then_refreshed_once(
    client: HttpClient, hostile: HostileServer
) -> None:
    env = Environment("Live", hostile.base_url, token_url=f"{hostile.base_url}/token-noexp")
    profile = ProviderProfile(
        id="noexp", name="NoExp", auth=AuthConfig(kind="oauth2-password"), environments=(env,)
    )
    store = SessionStore()
    for slot, value in {"username": "alice", "password": "pa55word"}.items():
        store.set(CredentialKey("ws", "noexp", "Live", slot), value)
    session = ApiSession(
        profile,
        "Live",
        store=store,
        workspace_id="ws",
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
    )
    first = session.send(RequestSpec("GET", "/api"))
    second = session.send(RequestSpec("GET", "/api"))
    assert (first.exchange.response.status, second.exchange.response.status) == (200, 200)
    assert second.events == ()  # no expiry known: no proactive refresh
    hostile.revoke()
    third = session.send(RequestSpec("GET", "/api"))
    assert third.exchange.response.status == 200
    assert third.attempts == 2
    assert "401: token refreshed and the request replayed once" in third.notes
