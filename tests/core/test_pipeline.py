"""``ApiSession`` end to end on loopback: oauth2-mock-server issues the tokens and guards
/userinfo, httpbin echoes what we sent and answers any status."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from explorer.core.auth import TokenRegistry
from explorer.core.credentials import CredentialKey, SessionStore
from explorer.core.http import HttpClient
from explorer.core.models import AuthSpec, Body, BodyMode, RequestSpec
from explorer.core.pipeline import ApiSession
from explorer.core.providers import AuthConfig, Environment, ProviderProfile
from explorer.core.ratelimit import LimiterRegistry, RetryPolicy
from tests.interop.test_oauth2_mock_server import wait_until

WS = "ws-pipeline"


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient()
    yield http
    http.close()


@pytest.fixture
def mock(oauth2_mock):  # type: ignore[no-untyped-def]
    oauth2_mock.control("reset")
    return oauth2_mock


def store_for(provider: str, env: str, **values: str) -> SessionStore:
    store = SessionStore()
    for slot, value in values.items():
        store.set(CredentialKey(WS, provider, env, slot), value)
    return store


def mock_profile(base_url: str, token_url: str = "{{base_url}}/token") -> ProviderProfile:
    auth = AuthConfig(
        kind="oauth2-password",
        token_url=token_url,
        client_auth="basic",
        extra_headers=(("x-reference-id", "{{$guid32}}"),),
    )
    return ProviderProfile(
        id="mockauth", name="MockAuth", auth=auth, environments=(Environment("local", base_url),)
    )


def mock_session(mock, client, base_url=None, tokens=None, **kw) -> ApiSession:  # type: ignore[no-untyped-def]
    profile = mock_profile(base_url or mock.issuer, token_url=mock.token_url)
    store = store_for(
        "mockauth",
        "local",
        username=mock.USERNAME,
        password=mock.PASSWORD,
        client_id=mock.CLIENT_ID,
        client_secret=mock.CLIENT_SECRET,
    )
    return ApiSession(
        profile,
        "local",
        store=store,
        workspace_id=WS,
        client=client,
        limiters=LimiterRegistry(),
        tokens=tokens or TokenRegistry(),
        **kw,
    )


def test_first_send_acquires_and_masks_secrets(mock, client) -> None:
    session = mock_session(mock, client)
    result = session.send(RequestSpec("GET", "/userinfo"))
    assert result.exchange.response.status == 200
    assert result.problem is None
    assert [e.kind for e in result.events] == ["requested", "acquired"]
    assert mock.PASSWORD in result.secrets
    assert mock.CLIENT_SECRET in result.secrets
    token = session.token_manager().current  # type: ignore[union-attr]
    assert token is not None
    assert token.access_token in result.secrets
    assert "grant_type=password" not in json.dumps([e.describe() for e in result.events])


def test_revoked_token_gets_401_then_refresh_and_one_replay(mock, client) -> None:
    session = mock_session(mock, client)
    session.send(RequestSpec("GET", "/userinfo"))
    mock.control("revoke-access")
    result = session.send(RequestSpec("GET", "/userinfo"))
    assert result.exchange.response.status == 200
    assert result.attempts == 2
    assert [e.kind for e in result.events] == ["invalidated", "requested", "refreshed"]
    assert result.notes == ("401: token refreshed and the request replayed once",)
    stats = mock.control()
    assert stats["token"] == {"password": 1, "refresh_token": 1}
    assert stats["api401"] == 1


def test_second_401_is_shown_not_looped(mock, client, httpbin_url) -> None:
    session = mock_session(mock, client, base_url=httpbin_url)
    spec = RequestSpec("POST", "/status/401", body=Body(BodyMode.JSON, '{"a": 1}'))
    result = session.send(spec)
    assert result.exchange.response.status == 401
    assert result.attempts == 2
    assert result.problem is not None
    assert result.problem.status == 401
    assert mock.control()["token"] == {"password": 1, "refresh_token": 1}


def test_extra_headers_generated_per_request_and_users_win(mock, client, httpbin_url) -> None:
    session = mock_session(mock, client, base_url=httpbin_url)
    first = session.send(RequestSpec("GET", "/headers"))
    second = session.send(RequestSpec("GET", "/headers"))
    ids = [
        json.loads(r.exchange.response.body.text())["headers"]["X-Reference-Id"]
        for r in (first, second)
    ]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert ids[0] != ids[1]
    from explorer.core.models import KeyValue

    mine = session.send(
        RequestSpec("GET", "/headers", headers=(KeyValue("X-Reference-Id", "mine"),))
    )
    assert json.loads(mine.exchange.response.body.text())["headers"]["X-Reference-Id"] == "mine"


def test_429_retried_for_get_only_capped(client, httpbin_url) -> None:
    profile = ProviderProfile(
        id="plain", name="Plain", environments=(Environment("e", httpbin_url),)
    )
    session = ApiSession(
        profile,
        "e",
        store=SessionStore(),
        workspace_id=WS,
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
        retry=RetryPolicy(max_retries=2, default_wait=0.05),
    )
    got = session.send(RequestSpec("GET", "/status/429"))
    assert got.attempts == 3
    assert got.notes[-1] == "429 again after 2 retries; giving up"
    assert got.problem is not None
    assert got.problem.status == 429
    posted = session.send(RequestSpec("POST", "/status/429"))
    assert posted.attempts == 1
    assert posted.notes == ("429 not retried: POST is not idempotent",)


def test_quota_headers_exposed(client, httpbin_url) -> None:
    profile = ProviderProfile(
        id="plain", name="Plain", environments=(Environment("e", httpbin_url),)
    )
    session = ApiSession(
        profile,
        "e",
        store=SessionStore(),
        workspace_id=WS,
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
    )
    result = session.send(
        RequestSpec(
            "GET",
            "/response-headers?X-RateLimit-Limit=40&X-RateLimit-Remaining=39&X-RateLimit-Reset=60",
        )
    )
    assert result.quota is not None
    assert (result.quota.limit, result.quota.remaining) == (40, 39)
    assert session.limiter.quota == result.quota


@pytest.mark.parametrize(
    ("kind", "fmt", "path", "values"),
    [
        ("basic", "{api_key}", "/basic-auth/u1/p4ss", {"username": "u1", "password": "p4ss"}),
        ("bearer", "{api_key}", "/bearer", {"static_token": "static-tok"}),
        (
            "api-key",
            "ApiKey {username}:{password}",
            "/headers",
            {"username": "pricing@x.com", "password": "PW123"},
        ),
    ],
)
def test_static_auth_kinds(client, httpbin_url, kind, fmt, path, values) -> None:
    profile = ProviderProfile(
        id="static",
        name="Static",
        auth=AuthConfig(kind=kind, api_key_format=fmt),
        environments=(Environment("e", httpbin_url),),
    )
    session = ApiSession(
        profile,
        "e",
        store=store_for("static", "e", **values),
        workspace_id=WS,
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
    )
    result = session.send(RequestSpec("GET", path))
    assert result.exchange.response.status == 200
    if kind == "api-key":
        sent = json.loads(result.exchange.response.body.text())["headers"]["Authorization"]
        assert sent == "ApiKey pricing@x.com:PW123"
    assert all(v in result.secrets for k, v in values.items() if k != "username")


def test_request_auth_override_uses_the_registry(client, httpbin_url) -> None:
    profile = ProviderProfile(id="o", name="O", environments=(Environment("e", httpbin_url),))
    session = ApiSession(
        profile,
        "e",
        store=SessionStore(),
        workspace_id=WS,
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
    )
    spec = RequestSpec(
        "GET", "/basic-auth/a/b", auth=AuthSpec("basic", (("username", "a"), ("password", "b")))
    )
    assert session.send(spec).exchange.response.status == 200


def test_unknown_environment_is_one_sentence(client) -> None:
    from explorer.core.errors import UsageError

    profile = ProviderProfile(id="o", name="Opal", environments=(Environment("prod", "https://x"),))
    with pytest.raises(UsageError, match="Opal has no environment 'dev'; choose one of: prod"):
        ApiSession(
            profile,
            "dev",
            store=SessionStore(),
            workspace_id=WS,
            client=client,
            limiters=LimiterRegistry(),
            tokens=TokenRegistry(),
        )


def test_200_concurrent_sends_on_an_expired_token_make_one_token_request(mock, client) -> None:
    tokens = TokenRegistry()
    session = mock_session(mock, client, tokens=tokens)
    session.send(RequestSpec("GET", "/userinfo"))
    first = session.token_manager().current  # type: ignore[union-attr]
    assert first is not None
    wait_until(
        lambda: first.expires_at is not None and __import__("time").time() > first.expires_at
    )
    mock.control("reset")
    barrier = threading.Barrier(200)

    def call(_: int) -> int:
        barrier.wait()
        return session.send(RequestSpec("GET", "/userinfo")).exchange.response.status

    with ThreadPoolExecutor(200) as pool:
        statuses = list(pool.map(call, range(200)))
    assert statuses == [200] * 200
    stats = mock.control()
    assert stats["token"] == {"refresh_token": 1}
    assert stats["api"] == 200
    assert stats["api401"] == 0


def test_access_token_kept_in_the_store_only_when_opted_in(mock, client) -> None:
    plain = mock_session(mock, client)
    plain.send(RequestSpec("GET", "/userinfo"))
    assert plain.store.get(plain.key("access_token")) is None

    kept = mock_session(mock, client, keep_access_token=True)
    kept.send(RequestSpec("GET", "/userinfo"))
    assert kept.store.get(kept.key("access_token")) is not None
    # A new process (fresh registry) on the same store reuses it: no token request.
    mock.control("reset")
    again = ApiSession(
        kept.profile,
        "local",
        store=kept.store,
        workspace_id=WS,
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
        keep_access_token=True,
    )
    result = again.send(RequestSpec("GET", "/userinfo"))
    assert result.exchange.response.status == 200
    assert result.events == ()
    assert mock.control()["token"] == {}


def test_streamed_file_body_is_not_replayed_after_401(mock, client, httpbin_url, tmp_path) -> None:
    upload = tmp_path / "upload.bin"
    upload.write_bytes(b"x" * 1024)
    session = mock_session(mock, client, base_url=httpbin_url)
    spec = RequestSpec("PUT", "/status/401", body=Body(BodyMode.BINARY_FILE, file=str(upload)))
    result = session.send(spec)
    assert result.exchange.response.status == 401
    assert result.attempts == 1
    assert result.notes == ("401 not replayed: a streamed file body cannot be sent twice",)


def test_slot_values_are_read_once_until_forgotten(client, httpbin_url) -> None:
    profile = ProviderProfile(
        id="static",
        name="Static",
        auth=AuthConfig(kind="api-key", api_key_format="ApiKey {username}:{password}"),
        environments=(Environment("e", httpbin_url),),
    )
    store = store_for("static", "e", username="u", password="one")
    session = ApiSession(
        profile,
        "e",
        store=store,
        workspace_id=WS,
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
    )

    def sent() -> str:
        body = session.send(RequestSpec("GET", "/headers")).exchange.response.body.text()
        return str(json.loads(body)["headers"]["Authorization"])

    assert sent() == "ApiKey u:one"
    store.set(CredentialKey(WS, "static", "e", "password"), "two")
    assert sent() == "ApiKey u:one"
    session.credentials_changed()
    assert sent() == "ApiKey u:two"
