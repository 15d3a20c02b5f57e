"""OAuth2 set on a request, folder or collection without a provider, through the Workbench API
(what the window and ``send`` use), against real servers: oauth2-mock-server (npm) for
authorization code + PKCE, client credentials and refresh; our strict server
(``tests/support/oauth_server.py``) for the device grant, ``private_key_jwt`` and a forged
``state``. The browser is a test opener that follows the authorize redirect to our listener."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from joserfc.jwk import RSAKey

from explorer.core.auth.manager import TokenRegistry
from explorer.core.auth.oauth_request import OAuthConfig, RequestTokens
from explorer.core.auth.tokens import (
    AuthorizePrompt,
    DevicePrompt,
    Interaction,
    InteractionRequired,
    TokenError,
    TokenEvent,
    TokenRejected,
)
from explorer.core.context import Placement
from explorer.core.credentials import CredentialKey, SessionStore
from explorer.core.errors import Cancelled, InvalidRequest
from explorer.core.http import CancelToken, HttpClient
from explorer.core.models import AuthSpec, RequestSpec
from explorer.core.pipeline import SessionResult
from explorer.core.ratelimit import LimiterRegistry
from explorer.core.workbench import Workbench
from explorer.core.workspace.model import Folder
from tests.support.oauth_server import Client, StrictOAuthServer

WS = "ws-oauth"


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for a time-based condition (a 2-second token expiring) without a blind sleep."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        pause.wait(0.02)


def follow(url: str) -> bool:
    """The test browser: follows the authorize redirect to the loopback listener."""
    try:
        with urllib.request.urlopen(url, timeout=10) as page:
            page.read()
    except urllib.error.HTTPError as refused:  # the listener's "refused" page
        refused.read()
    return True


def never(_: str) -> bool:
    return True


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient()
    yield http
    http.close()


@pytest.fixture
def mock(oauth2_mock):  # type: ignore[no-untyped-def]
    oauth2_mock.control("reset")
    return oauth2_mock


@pytest.fixture(scope="module")
def strict_server() -> Iterator[StrictOAuthServer]:
    server = StrictOAuthServer()
    yield server
    server.stop()


@pytest.fixture
def strict(strict_server: StrictOAuthServer) -> StrictOAuthServer:
    strict_server.reset()
    strict_server.wrong_state = False
    strict_server.slow_down_on = set()
    strict_server.approve_after = 2
    strict_server.register(Client("app", secret="app-secret"))
    strict_server.register(Client("public"))
    return strict_server


def bench(
    store: SessionStore, client: HttpClient, interaction: Interaction | None = None
) -> Workbench:
    return Workbench(
        profiles={},
        store_factory=lambda: store,
        workspace_id=WS,
        workspace_root=None,
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
        interaction=interaction,
    )


def send(wb: Workbench, url: str, auth: dict[str, str]) -> SessionResult:
    """``url`` sent as a request typed in the window, with ``auth`` as its own OAuth2 auth."""
    spec = RequestSpec("GET", url, auth=AuthSpec("oauth2", tuple(auth.items())))
    return wb.send(wb.assemble(spec))


def mock_code(mock, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "grant_type": "authorization_code",
        "auth_url": f"{mock.issuer}/authorize",
        "token_url": mock.token_url,
        "client_id": mock.CLIENT_ID,
        "client_secret": mock.CLIENT_SECRET,
        "scope": "openid",
        **extra,
    }


def in_collection(auth: dict[str, str], path: Path | None = None) -> Placement:
    """A request saved in a provider-less collection whose auth is ``auth``."""
    collection = Folder("shop", auth=AuthSpec("oauth2", tuple(auth.items())), path=path)
    return Placement((collection,), path / "me.request.yaml" if path else None)


def signed_in(mock, client, store: SessionStore) -> list[AuthorizePrompt]:  # type: ignore[no-untyped-def]
    """Sign in with the authorization code grant through the test browser; the prompts."""
    prompts: list[AuthorizePrompt] = []
    wb = bench(store, client)
    assembled = wb.assemble(RequestSpec("GET", mock.userinfo_url), in_collection(mock_code(mock)))
    wb.login(assembled, Interaction(prompts.append, open_browser=follow, timeout=20))
    return prompts


# -- client credentials ------------------------------------------------------------------------


def test_client_credentials_make_one_grant_and_keep_the_token_in_the_store(mock, client) -> None:
    store = SessionStore()
    wb = bench(store, client)
    auth = {
        "grant_type": "client_credentials",
        "token_url": mock.token_url,
        "client_id": mock.CLIENT_ID,
        "client_secret": mock.CLIENT_SECRET,
    }
    first, second = send(wb, mock.userinfo_url, auth), send(wb, mock.userinfo_url, auth)
    assert (first.exchange.response.status, second.exchange.response.status) == (200, 200)
    assert [e.kind for e in first.events] == ["requested", "acquired"]
    assert second.events == ()
    assert mock.control()["token"] == {"client_credentials": 1}
    identity = OAuthConfig.from_params(auth).identity()
    key = CredentialKey(WS, f"oauth2:{identity}", "", "access_token")
    assert store.get(key) is not None
    assert mock.CLIENT_SECRET not in key.service
    sent = dict(first.exchange.sent_headers)
    assert sent["Authorization"].startswith("Bearer ey")
    assert mock.CLIENT_SECRET in first.secrets


def test_a_new_process_uses_the_stored_token_without_a_grant(mock, client) -> None:
    store = SessionStore()
    auth = {
        "grant_type": "client_credentials",
        "token_url": mock.token_url,
        "client_id": mock.CLIENT_ID,
        "client_secret": mock.CLIENT_SECRET,
    }
    send(bench(store, client), mock.userinfo_url, auth)
    again = send(bench(store, client), mock.userinfo_url, auth)
    assert again.exchange.response.status == 200
    assert mock.control()["token"] == {"client_credentials": 1}


def test_a_401_regrants_once_and_replays_once(strict, client) -> None:
    wb = bench(SessionStore(), client)
    auth = {
        "grant_type": "client_credentials",
        "token_url": strict.token_url,
        "client_id": "app",
        "client_secret": "app-secret",
        "client_auth": "client_secret_post",
    }
    assert send(wb, f"{strict.base_url}/api", auth).exchange.response.status == 200
    strict.expire_access_tokens()
    result = send(wb, f"{strict.base_url}/api", auth)
    assert result.exchange.response.status == 200
    assert result.attempts == 2
    assert "401: token refreshed and the request replayed once" in result.notes
    assert strict.counts["client_credentials"] == 2


def test_the_token_goes_in_the_query_when_asked(strict, client) -> None:
    wb = bench(SessionStore(), client)
    auth = {
        "grant_type": "client_credentials",
        "token_url": strict.token_url,
        "client_id": "app",
        "client_secret": "app-secret",
        "add_token_to": "query",
    }
    result = send(wb, f"{strict.base_url}/api?x=1", auth)
    assert result.exchange.response.status == 200  # the server read it from the query
    assert "Authorization" not in dict(result.exchange.sent_headers)


# -- authorization code + PKCE -------------------------------------------------------------------


def test_authorization_code_with_pkce_signs_in_and_later_sends_are_headless(mock, client) -> None:
    store = SessionStore()
    prompts = signed_in(mock, client, store)
    stats = mock.control()
    assert (stats["authorize"], stats["pkce"]) == (1, 1)
    assert stats["token"] == {"authorization_code": 1}
    (prompt,) = prompts
    assert "code_challenge_method=S256" in prompt.url
    assert "state=" in prompt.url
    assert prompt.redirect_uri.startswith("http://127.0.0.1:")
    assert prompt.redirect_uri.endswith("/callback")
    headless = bench(store, client)  # another process: no interaction, same keyring
    spec = RequestSpec("GET", mock.userinfo_url)
    result = headless.send(headless.assemble(spec, in_collection(mock_code(mock))))
    assert result.exchange.response.status == 200
    assert mock.control()["token"] == {"authorization_code": 1}


def test_the_mock_checks_the_pkce_verifier(mock, client) -> None:
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    from explorer.core.auth.grants import GrantSettings, TokenEndpoint

    endpoint = TokenEndpoint(
        GrantSettings("Mock", "", mock.token_url, mock.CLIENT_ID, mock.CLIENT_SECRET), client
    )
    redirect = "http://127.0.0.1:9/callback"
    query = {
        "response_type": "code",
        "client_id": mock.CLIENT_ID,
        "redirect_uri": redirect,
        "state": "s",
        "code_challenge": create_s256_code_challenge("a" * 50),
        "code_challenge_method": "S256",
    }
    answer = requests.get(f"{mock.issuer}/authorize", params=query, allow_redirects=False)
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    with pytest.raises(TokenRejected, match="code_verifier provided does not match"):
        endpoint.authorization_code(code, redirect, "b" * 50)


def test_expired_token_is_refreshed_with_the_stored_refresh_token(mock, client) -> None:
    store = SessionStore()
    signed_in(mock, client, store)
    wb = bench(store, client)
    placement = in_collection(mock_code(mock))
    params = wb.oauth_params(wb.assemble(RequestSpec("GET", mock.userinfo_url), placement))
    identity = OAuthConfig.from_params(params).identity()
    key = CredentialKey(WS, f"oauth2:{identity}", "", "refresh_token")
    first_refresh = store.get(key)
    status = wb.token_status(wb.assemble(RequestSpec("GET", mock.userinfo_url), placement))
    assert status.state == "valid"
    assert status.has_refresh_token
    wait_until(lambda: status.expires_at is not None and time.time() > status.expires_at)
    mock.control("reset")
    result = wb.send(wb.assemble(RequestSpec("GET", mock.userinfo_url), placement))
    assert result.exchange.response.status == 200
    assert "refreshed" in [e.kind for e in result.events]
    assert mock.control()["token"] == {"refresh_token": 1}
    rotated = store.get(key)
    assert first_refresh
    assert rotated not in {None, first_refresh}


def test_200_concurrent_sends_on_an_expired_token_make_one_token_request(mock, client) -> None:
    store = SessionStore()
    signed_in(mock, client, store)
    wb = bench(store, client)
    placement = in_collection(mock_code(mock))
    status = wb.token_status(wb.assemble(RequestSpec("GET", mock.userinfo_url), placement))
    wait_until(lambda: status.expires_at is not None and time.time() > status.expires_at)
    mock.control("reset")
    barrier = threading.Barrier(200)

    def call(_: int) -> int:
        barrier.wait()
        assembled = wb.assemble(RequestSpec("GET", mock.userinfo_url), placement)
        return wb.send(assembled).exchange.response.status

    with ThreadPoolExecutor(200) as pool:
        statuses = list(pool.map(call, range(200)))
    assert statuses == [200] * 200
    stats = mock.control()
    assert stats["token"] == {"refresh_token": 1}
    assert (stats["api"], stats["api401"]) == (200, 0)


def test_without_a_stored_token_a_headless_send_names_login(mock, client, tmp_path) -> None:
    wb = bench(SessionStore(), client)
    placement = in_collection(mock_code(mock), tmp_path)
    with pytest.raises(InteractionRequired) as caught:
        wb.send(wb.assemble(RequestSpec("GET", mock.userinfo_url), placement))
    assert str(caught.value) == (
        "This OAuth2 authorization code grant needs you to sign in in a browser; run "
        f"'api-explorer login {tmp_path / 'me.request.yaml'}' (PATH: the request file, folder "
        "or collection), then send again."
    )
    assert mock.control()["token"] == {}


def test_a_refused_refresh_token_asks_to_sign_in_again(mock, client) -> None:
    store = SessionStore()
    signed_in(mock, client, store)
    wb = bench(store, client)
    placement = in_collection(mock_code(mock))
    assembled = wb.assemble(RequestSpec("GET", mock.userinfo_url), placement)
    events: list[TokenEvent] = []
    wb.request_tokens().manager(wb.oauth_params(assembled)).subscribe(events.append)
    status = wb.token_status(assembled)
    wait_until(lambda: status.expires_at is not None and time.time() > status.expires_at)
    mock.control("revoke-refresh")
    with pytest.raises(InteractionRequired, match="api-explorer login"):
        wb.send(assembled)
    assert events[-1].kind == "authorization-required"
    assert "sign in in a browser" in events[-1].detail


def test_a_forged_state_is_refused(strict, client) -> None:
    strict.wrong_state = True
    tokens = RequestTokens(
        store=SessionStore(), workspace_id=WS, client=client, registry=TokenRegistry()
    )
    params = {"grant_type": "authorization_code", "issuer": strict.base_url, "client_id": "public"}
    with pytest.raises(TokenRejected, match="its state does not match"):
        tokens.login(params, Interaction(open_browser=follow, timeout=20))
    assert strict.counts["authorization_code"] == 0


def test_public_client_with_discovery_signs_in(strict, client) -> None:
    tokens = RequestTokens(
        store=SessionStore(), workspace_id=WS, client=client, registry=TokenRegistry()
    )
    params = {"grant_type": "authorization_code", "issuer": strict.base_url, "client_id": "public"}
    token = tokens.login(params, Interaction(open_browser=follow, timeout=20))
    assert token.refresh_token
    assert strict.counts["authorization_code"] == 1
    assert tokens.status(params).state == "valid"
    tokens.forget(params)
    assert tokens.status(params).state == "none"


def test_cancel_stops_the_wait_for_the_browser(mock, client) -> None:
    cancel = CancelToken()
    wb = bench(SessionStore(), client)
    assembled = wb.assemble(RequestSpec("GET", mock.userinfo_url), in_collection(mock_code(mock)))
    interaction = Interaction(lambda _: cancel.cancel(), open_browser=never, timeout=60)
    started = time.monotonic()
    with pytest.raises(Cancelled, match="sign-in was cancelled"):
        wb.login(assembled, interaction, cancel)
    assert time.monotonic() - started < 5


def test_no_answer_from_the_browser_times_out(mock, client) -> None:
    wb = bench(SessionStore(), client)
    assembled = wb.assemble(RequestSpec("GET", mock.userinfo_url), in_collection(mock_code(mock)))
    with pytest.raises(TokenError, match=r"within 0\.3 s"):
        wb.login(assembled, Interaction(open_browser=never, timeout=0.3))


# -- device code ------------------------------------------------------------------------------


def test_device_code_shows_the_code_polls_and_slows_down(strict, client) -> None:
    strict.slow_down_on = {2}
    strict.approve_after = 3
    tokens = RequestTokens(
        store=SessionStore(),
        workspace_id=WS,
        client=client,
        registry=TokenRegistry(),
        slow_down_step=0.2,
    )
    shown: list[DevicePrompt] = []
    params = {"grant_type": "device_code", "issuer": strict.base_url, "client_id": "public"}
    token = tokens.login(params, Interaction(on_device=shown.append))
    assert token.refresh_token
    (prompt,) = shown
    assert prompt.user_code == "WDJB-MJHT"
    assert prompt.verification_uri == f"{strict.base_url}/activate"
    assert prompt.verification_uri_complete is not None
    device = list(strict.devices.values())[-1]
    assert device.issued
    polls = device.polls
    assert len(polls) == 4  # pending, slow_down, pending, issued
    slower = (strict.interval + strict.slow_down_step) * 0.9
    assert polls[2] - polls[1] >= slower
    assert polls[3] - polls[2] >= slower
    assert "slow_down: polling too fast" in strict.rejections


def test_a_device_code_that_expires_is_one_sentence(strict, client) -> None:
    strict.approve_after = 1000
    strict.device_lifetime = 0.5
    try:
        tokens = RequestTokens(
            store=SessionStore(), workspace_id=WS, client=client, registry=TokenRegistry()
        )
        params = {"grant_type": "device_code", "issuer": strict.base_url, "client_id": "public"}
        with pytest.raises(TokenRejected, match="device code expired before the sign-in"):
            tokens.login(params, Interaction())
    finally:
        strict.device_lifetime = 30.0


# -- private_key_jwt ----------------------------------------------------------------------------


def test_private_key_jwt_is_verified_by_the_server(strict, client, tmp_path) -> None:
    key = RSAKey.generate_key(2048)
    strict.register(Client("signed", public_key=RSAKey.import_key(key.as_pem(private=False))))
    pem = key.as_pem(private=True).decode()
    (tmp_path / "key.pem").write_text(pem)
    wb = bench(SessionStore(), client)
    for given in (pem, str(tmp_path / "key.pem")):
        auth = {
            "grant_type": "client_credentials",
            "token_url": strict.token_url,
            "client_id": "signed",
            "client_auth": "private_key_jwt",
            "private_key": given,
        }
        assert send(wb, f"{strict.base_url}/api", auth).exchange.response.status == 200
    assert strict.counts["client_credentials"] == 2
    other = RSAKey.generate_key(2048).as_pem(private=True).decode()
    wrong = {**auth, "private_key": other}
    with pytest.raises(TokenRejected, match="rejected the client id or client secret"):
        send(wb, f"{strict.base_url}/api", wrong)
    assert any("bad client assertion" in r for r in strict.rejections)


# -- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"grant_type": "client_credentials", "client_id": "c"},
            "OAuth2 client credentials auth needs token_url (or issuer), client_secret; fill "
            "them in the Auth tab (a {{variable}} may hold them).",
        ),
        (
            {"grant_type": "password", "token_url": "http://127.0.0.1:9/t", "username": "u"},
            "OAuth2 password auth needs password; fill it in the Auth tab (a {{variable}} may "
            "hold it).",
        ),
        (
            {"grant_type": "device_code", "token_url": "http://127.0.0.1:9/t"},
            "OAuth2 device code auth needs device_url (or issuer), client_id; fill them in the "
            "Auth tab (a {{variable}} may hold them).",
        ),
        (
            {"grant_type": "implicit"},
            "OAuth2 auth: 'grant_type' must be client_credentials or password or "
            "authorization_code or device_code or refresh_token, not 'implicit'.",
        ),
        (
            {"grant_type": "client_credentials", "extra_params": "a"},
            "OAuth2 extra_params 'a' is not a=b&c=d.",
        ),
    ],
)
def test_missing_or_bad_settings_are_one_sentence(params, message, client) -> None:
    wb = bench(SessionStore(), client)
    with pytest.raises(InvalidRequest) as caught:
        send(wb, "http://127.0.0.1:9/api", params)
    assert str(caught.value) == message


def test_a_redirect_uri_off_this_machine_is_refused(client) -> None:
    tokens = RequestTokens(
        store=SessionStore(), workspace_id=WS, client=client, registry=TokenRegistry()
    )
    params = {
        "grant_type": "authorization_code",
        "auth_url": "http://127.0.0.1:9/authorize",
        "token_url": "http://127.0.0.1:9/token",
        "client_id": "c",
        "redirect_uri": "https://app.example.com/callback",
    }
    with pytest.raises(InvalidRequest, match="must be a loopback address"):
        tokens.login(params, Interaction(open_browser=never, timeout=1))


def test_the_result_is_a_session_result(strict, client) -> None:
    wb = bench(SessionStore(), client)
    auth = {
        "grant_type": "client_credentials",
        "token_url": strict.token_url,
        "client_id": "app",
        "client_secret": "app-secret",
    }
    result = send(wb, f"{strict.base_url}/api", auth)
    assert isinstance(result, SessionResult)
    assert "app-secret" in result.secrets
