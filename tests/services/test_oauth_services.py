"""The window's OAuth2 service (``CoreOAuth``) without Qt, against our strict OAuth2 server on
loopback: Get token for client credentials, authorization code (the browser driven through
``BROWSER`` by a script that follows the authorize redirect to the loopback listener) and
device code; the token state; Forget token; a send that then carries the token; a send that
needs a sign-in (one sentence naming Sign in, and the ``authorization-required`` event);
Cancel and shutdown ending a sign-in that waits for the browser."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from explorer.core.auth.tokens import AuthorizePrompt, DevicePrompt
from explorer.core.errors import Cancelled, TemplateError
from explorer.core.models import AuthSpec, RequestSpec
from explorer.services.api import OAuthEvent, OAuthService, SendContext, Services
from explorer.services.oauth import CoreOAuth, SignInRequired
from tests.support.oauth_server import Client, StrictOAuthServer

TIMEOUT = 30
BROWSER = """#!{python}
import os, sys, urllib.request
url = sys.argv[1]
if os.environ.get("BROWSER_FOLLOW") == "1":
    try:
        urllib.request.urlopen(url, timeout=20).read()
    except OSError:
        pass
with open(os.environ["BROWSER_LOG"], "a", encoding="utf-8") as log:
    log.write(url + "\\n")
"""


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    """Wait for something another thread or process does, without a blind sleep."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        pause.wait(0.02)


def no_browser_left() -> bool:
    return not any(t.name == "explorer-browser" for t in threading.enumerate())


@pytest.fixture(scope="module")
def strict() -> Iterator[StrictOAuthServer]:
    server = StrictOAuthServer(ttl=600)
    server.register(Client("public"))
    server.register(Client("machine", secret="machine-secret"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    script = tmp_path_factory.mktemp("browser") / "browser.py"
    script.write_text(BROWSER.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o755)
    return script


@pytest.fixture
def browser_log(
    browser_script: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[bool], Path]:
    """``BROWSER`` set to the script; called with whether it follows the URL, returns its log."""
    log = tmp_path / "opened.txt"
    monkeypatch.setenv("BROWSER", str(browser_script))
    monkeypatch.setenv("BROWSER_LOG", str(log))

    def set_follow(follow: bool) -> Path:
        monkeypatch.setenv("BROWSER_FOLLOW", "1" if follow else "0")
        return log

    return set_follow


def oauth(services: Services) -> OAuthService:
    assert services.oauth is not None
    return services.oauth


def request(server: StrictOAuthServer, **auth: str) -> RequestSpec:
    return RequestSpec(
        "GET", f"{server.base_url}/api", auth=AuthSpec("oauth2", tuple(auth.items()))
    )


def machine(server: StrictOAuthServer) -> RequestSpec:
    return request(
        server,
        grant_type="client_credentials",
        token_url=server.token_url,
        client_id="machine",
        client_secret="{{secret}}",
    )


def code_grant(server: StrictOAuthServer) -> RequestSpec:
    return request(
        server,
        grant_type="authorization_code",
        auth_url=f"{server.base_url}/authorize",
        token_url=server.token_url,
        client_id="public",
        client_auth="none",
    )


def nothing(_: object) -> None:
    return None


CONTEXT = SendContext(variables={"secret": "machine-secret"})


def test_get_token_forget_token_and_the_state_for_client_credentials(
    services: Services, strict: StrictOAuthServer
) -> None:
    strict.reset()
    spec = machine(strict)
    assert oauth(services).status(spec, CONTEXT).result(TIMEOUT).state == "none"

    signed = oauth(services).sign_in(spec, CONTEXT, nothing, nothing).future.result(TIMEOUT)

    assert (signed.state, signed.grant, signed.has_refresh_token) == (
        "valid",
        "client_credentials",
        False,
    )
    assert signed.expires_at is not None
    assert 590 < signed.expires_at - time.time() <= 600
    assert strict.counts["client_credentials"] == 1
    inspected = signed.inspected
    assert inspected is not None
    assert inspected.detail == "Bearer token from the client_credentials grant"
    assert any("token acquired (client_credentials)" in e for e in inspected.events)
    again = oauth(services).status(spec, CONTEXT).result(TIMEOUT)
    assert again == signed
    sent = services.sender.start(spec, CONTEXT).future.result(TIMEOUT)
    assert sent.exchange.response.status == 200
    assert strict.counts["client_credentials"] == 1  # the token got by Get token
    forgotten = oauth(services).forget(spec, CONTEXT).result(TIMEOUT)
    assert forgotten.state == "none"
    assert forgotten.identity == signed.identity


def test_authorization_code_signs_in_through_the_browser_and_the_send_uses_it(
    services: Services, strict: StrictOAuthServer, browser_log: Callable[[bool], Path]
) -> None:
    log = browser_log(True)
    strict.reset()
    spec = code_grant(strict)
    prompts: list[AuthorizePrompt] = []

    view = oauth(services).sign_in(spec, SendContext(), prompts.append, nothing).future
    signed = view.result(TIMEOUT)

    assert (signed.state, signed.grant, signed.has_refresh_token) == (
        "valid",
        "authorization_code",
        True,
    )
    assert len(prompts) == 1
    assert prompts[0].url.startswith(f"{strict.base_url}/authorize?response_type=code")
    assert "code_challenge_method=S256" in prompts[0].url
    assert prompts[0].redirect_uri.startswith("http://127.0.0.1:")
    assert prompts[0].timeout == 300
    wait_until(lambda: log.is_file() and prompts[0].url in log.read_text(encoding="utf-8"))
    wait_until(no_browser_left)
    assert strict.counts["authorization_code"] == 1
    sent = services.sender.start(spec, SendContext()).future.result(TIMEOUT)
    assert sent.exchange.response.status == 200
    assert sent.exchange.response.body.read_bytes() == b'{"ok": true}'


def test_device_code_shows_the_code_then_the_token_is_kept(
    services: Services, strict: StrictOAuthServer
) -> None:
    strict.reset()
    strict.approve_after = 1  # confirmed by the time of the second poll
    spec = request(strict, grant_type="device_code", issuer=strict.base_url, client_id="public")
    prompts: list[DevicePrompt] = []

    signed = oauth(services).sign_in(spec, SendContext(), nothing, prompts.append)

    assert signed.future.result(TIMEOUT).state == "valid"
    assert [(p.user_code, p.verification_uri) for p in prompts] == [
        ("WDJB-MJHT", f"{strict.base_url}/activate")
    ]
    assert prompts[0].verification_uri_complete == f"{strict.base_url}/activate?user_code=WDJB-MJHT"
    assert strict.counts["urn:ietf:params:oauth:grant-type:device_code"] == 2


def test_a_send_that_needs_a_sign_in_says_so_and_emits_authorization_required(
    services: Services, strict: StrictOAuthServer
) -> None:
    spec = code_grant(strict)
    heard: list[OAuthEvent] = []
    oauth(services).subscribe(heard.append)
    watched = oauth(services).status(spec, SendContext()).result(TIMEOUT)
    assert watched.state == "none"

    failed = services.sender.start(spec, SendContext()).future

    with pytest.raises(SignInRequired) as caught:
        failed.result(TIMEOUT)
    assert str(caught.value) == (
        "This request's OAuth2 authorization code grant needs you to sign in in a browser: "
        "press 'Sign in' (or 'Get token' in the Auth tab), then send again."
    )
    assert OAuthEvent(watched.identity, "authorization-required", "authorization_code") in heard


def test_cancel_ends_a_sign_in_waiting_for_the_browser(
    services: Services, strict: StrictOAuthServer, browser_log: Callable[[bool], Path]
) -> None:
    log = browser_log(False)  # a browser nobody signs in with
    prompted = threading.Event()

    pending = oauth(services).sign_in(
        code_grant(strict), SendContext(), lambda _: prompted.set(), nothing
    )
    assert prompted.wait(TIMEOUT)
    wait_until(log.is_file)
    assert not pending.future.done()
    pending.cancel()

    with pytest.raises(Cancelled, match=r"^The OAuth2 sign-in was cancelled\.$"):
        pending.future.result(TIMEOUT)
    wait_until(no_browser_left)


def test_shutdown_cancels_a_sign_in_still_waiting(
    services: Services, strict: StrictOAuthServer, browser_log: Callable[[bool], Path]
) -> None:
    log = browser_log(False)
    prompted = threading.Event()
    pending = oauth(services).sign_in(
        code_grant(strict), SendContext(), lambda _: prompted.set(), nothing
    )
    assert prompted.wait(TIMEOUT)
    wait_until(log.is_file)

    assert isinstance(services.oauth, CoreOAuth)
    services.oauth.shutdown()  # what the app's shutdown calls before stopping the executors

    with pytest.raises(Cancelled):
        pending.future.result(TIMEOUT)
    wait_until(no_browser_left)


def test_the_state_of_an_auth_with_an_undefined_variable_is_one_sentence(
    services: Services, strict: StrictOAuthServer
) -> None:
    failed = oauth(services).status(machine(strict), SendContext())
    with pytest.raises(
        TemplateError, match=r"Undefined variable \{\{secret\}\} in auth client_secret"
    ):
        failed.result(TIMEOUT)
