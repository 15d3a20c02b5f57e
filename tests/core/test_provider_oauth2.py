"""A user-defined provider preset of auth kind ``oauth2`` (the request-level OAuth2 settings),
and a request's own OAuth2 inside a provider's collection, sent against a real OAuth2 server
(``StrictOAuthServer``): client credentials through ``send --provider`` and ``run`` in separate
processes, authorization code + PKCE signed in once and then run headless from another process
with the tokens in a private Secret Service, and the loader's one sentence for bad settings."""

from __future__ import annotations

import os
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from explorer.core.auth import TokenRegistry
from explorer.core.auth.tokens import Interaction
from explorer.core.credentials import CredentialKey, KeyringStore, SessionStore
from explorer.core.errors import FormatError, InvalidRequest
from explorer.core.http import HttpClient
from explorer.core.models import Assertion, AuthSpec, CheckKind, RequestSpec
from explorer.core.pipeline import ApiSession
from explorer.core.provider_loader import load_profile
from explorer.core.ratelimit import LimiterRegistry
from explorer.core.workspace.collections import save_collection
from explorer.core.workspace.marker import open_workspace
from explorer.core.workspace.model import Folder, SavedRequest
from tests.support.cli import run_cli
from tests.support.oauth_server import Client, StrictOAuthServer

SECRET = "acme-ci-secret"
OTHER_SECRET = "other-secret"


@pytest.fixture(scope="module")
def strict() -> Iterator[StrictOAuthServer]:
    server = StrictOAuthServer()
    server.register(Client("acme-ci", secret=SECRET))
    server.register(Client("other", secret=OTHER_SECRET))
    server.register(Client("public"))
    yield server
    server.stop()


def preset(ws: Path, strict: StrictOAuthServer, **auth: Any) -> None:
    """``<ws>/providers/acme.yaml``: kind oauth2 with ``auth``; one environment on the server."""
    data = {
        "id": "acme",
        "name": "Acme",
        "auth": {"kind": "oauth2", "extra_headers": {"X-Tenant": "{{tenant}}"}, **auth},
        "environments": [
            {
                "name": "Local",
                "base_url": "{{host}}",
                "variables": {"host": strict.base_url, "tenant": "t-1"},
            }
        ],
    }
    (ws / "providers").mkdir(parents=True, exist_ok=True)
    (ws / "providers" / "acme.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")


def bound_collection(ws: Path, *names: str) -> Path:
    """A collection bound to ``acme``: one ``GET /api`` per name, each must answer 200."""
    ok = (Assertion(CheckKind.STATUS, expected="200"),)
    items = tuple(
        SavedRequest(RequestSpec("GET", "/api", name=n, assertions=ok), i)
        for i, n in enumerate(names)
    )
    directory = ws / "collections" / "api"
    save_collection(Folder("api", provider="acme", items=items), directory)
    return directory


def keyringless(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    return env | {
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "API_EXPLORER_HOME": str(tmp_path / "home"),
        "API_EXPLORER_ACME_LOCAL_CLIENT_ID": "acme-ci",
        "API_EXPLORER_ACME_LOCAL_CLIENT_SECRET": SECRET,
    }


def test_client_credentials_preset_sends_and_runs_with_its_token(
    strict: StrictOAuthServer, tmp_path: Path
) -> None:
    strict.reset()
    ws = tmp_path / "ws"
    open_workspace(ws)
    preset(
        ws,
        strict,
        grant_type="client_credentials",
        token_url="{{host}}/token",
        client_auth="client_secret_post",
    )
    api = bound_collection(ws, "One", "Two")
    env = keyringless(tmp_path)
    scope = ["--workspace", str(ws), "--provider", "acme", "--env", "Local", "--secrets-from-env"]

    sent = run_cli("send", *scope, "GET", "/api", cwd=tmp_path, env=env)
    assert sent.returncode == 0, sent.stderr
    assert sent.stderr.startswith("HTTP/1.1 200")
    assert (strict.counts["client_credentials"], strict.api_calls) == (1, 1)
    assert SECRET not in sent.stdout + sent.stderr

    ran = run_cli("run", str(api), "--env", "Local", "--secrets-from-env", cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "2 requests, 2 passed" in ran.stdout
    # a new process without a keyring: one more grant, shared by both requests
    assert (strict.counts["client_credentials"], strict.api_calls) == (2, 3)
    assert strict.rejections == []


def session(
    ws: Path, store: SessionStore | KeyringStore, client: HttpClient, **creds: str
) -> ApiSession:
    marker = open_workspace(ws)
    profile = load_profile(ws / "providers" / "acme.yaml")
    for slot, value in creds.items():
        store.set(CredentialKey(marker.id, "acme", "Local", slot), value)
    return ApiSession(
        profile,
        "Local",
        store=store,
        workspace_id=marker.id,
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
    )


def test_a_requests_own_oauth2_in_a_provider_collection_sends_with_its_own_token(
    strict: StrictOAuthServer, tmp_path: Path
) -> None:
    strict.reset()
    ws = tmp_path / "ws"
    preset(ws, strict, grant_type="client_credentials", token_url="{{host}}/token")
    own = AuthSpec(
        "oauth2",
        (
            ("grant_type", "client_credentials"),
            ("token_url", "{{host}}/token"),
            ("client_id", "other"),
            ("client_secret", OTHER_SECRET),
        ),
    )
    client = HttpClient()
    try:
        # The provider's own secret is wrong: its grant would be refused.
        s = session(ws, SessionStore(), client, client_id="acme-ci", client_secret="wrong")
        result = s.send(RequestSpec("GET", "/api", auth=own))
    finally:
        client.close()
    assert result.exchange.response.status == 200  # /api refuses a request without a token
    headers = dict(result.exchange.request.headers)
    assert headers["X-Tenant"] == "t-1"  # the provider's extra headers still apply
    assert strict.counts["client_credentials"] == 1
    assert strict.rejections == []
    assert OTHER_SECRET in result.secrets


def test_a_missing_client_secret_names_how_to_store_it(
    strict: StrictOAuthServer, tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    preset(ws, strict, grant_type="client_credentials", token_url="{{host}}/token")
    client = HttpClient()
    try:
        s = session(ws, SessionStore(), client, client_id="acme-ci")
        with pytest.raises(InvalidRequest) as caught:
            s.send(RequestSpec("GET", "/api"))
    finally:
        client.close()
    assert str(caught.value) == (
        "Acme (Local) needs client_secret; store it with 'api-explorer credentials set "
        '--provider acme --env "Local" --secret client_secret\'.'
    )


def follow(url: str) -> bool:
    """The browser: follows the authorize redirect to the loopback listener, from a thread
    (the grant waits on the listener meanwhile)."""
    threading.Thread(
        target=lambda: urllib.request.urlopen(url, timeout=20).read(),
        daemon=True,
    ).start()
    return True


def test_authorization_code_signed_in_once_then_run_headless(
    strict: StrictOAuthServer, tmp_path: Path, secret_service: Any, secret_service_keyring: Any
) -> None:
    strict.reset()
    ws = tmp_path / "ws"
    preset(ws, strict, grant_type="authorization_code", issuer="{{host}}", client_auth="none")
    api = bound_collection(ws, "Me")
    env = {**os.environ, **secret_service.env, "API_EXPLORER_HOME": str(tmp_path / "home")}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    store = KeyringStore(secret_service_keyring)
    store.set(CredentialKey(open_workspace(ws).id, "acme", "Local", "client_id"), "public")

    before = run_cli("run", str(api), "--env", "Local", cwd=tmp_path, env=env)
    assert before.returncode == 1
    assert "needs you to sign in in a browser; run 'api-explorer login" in before.stdout
    assert strict.counts["authorization_code"] == 0

    client = HttpClient()
    try:
        token = session(ws, store, client).login(Interaction(open_browser=follow, timeout=20))
    finally:
        client.close()
    assert token.refresh_token
    assert strict.counts["authorization_code"] == 1

    ran = run_cli("run", str(api), "--env", "Local", cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "1 passed" in ran.stdout
    assert strict.counts["authorization_code"] == 1  # the stored token, no new sign-in
    strict.expire_access_tokens()
    again = run_cli("run", str(api), "--env", "Local", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (strict.counts["authorization_code"], strict.counts["refresh_token"]) == (1, 1)


BAD = [
    (
        {"grant_type": "implicit"},
        "key 'auth.grant_type': expected one of client_credentials, password, "
        "authorization_code, device_code, refresh_token, got 'implicit'.",
    ),
    (
        {"client_auth": "basic"},
        "key 'auth.client_auth': expected one of client_secret_basic, client_secret_post, "
        "private_key_jwt, none, got 'basic'.",
    ),
    (
        {"token_request": "json"},
        "key 'auth.token_request': expected no such key with kind oauth2 (its token requests "
        "are those of a request's OAuth2), got 'json'.",
    ),
    (
        {"grant_type": "device_code", "token_url": "https://id.example/token"},
        "missing key 'auth.device_url': expected the device_url (or issuer) of this grant.",
    ),
    ({}, "missing key 'auth.token_url': expected a token_url (or issuer) of kind oauth2."),
    (
        {"kind": "oauth2-client-credentials", "issuer": "https://id.example"},
        "key 'auth.issuer': expected a key of kind oauth2 only, got 'https://id.example'.",
    ),
]


@pytest.mark.parametrize(("auth", "message"), BAD)
def test_bad_oauth2_settings_are_one_sentence(
    auth: dict[str, str], message: str, tmp_path: Path
) -> None:
    path = tmp_path / "providers" / "acme.yaml"
    path.parent.mkdir()
    data = {
        "id": "acme",
        "name": "Acme",
        "auth": {"kind": "oauth2", **auth},
        "environments": [{"name": "Local", "base_url": "https://api.example"}],
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        load_profile(path)
    assert str(caught.value).split(": ", 1)[1] == message


def test_the_slots_follow_the_grant(tmp_path: Path, strict: StrictOAuthServer) -> None:
    from explorer.core.providers import credential_slots

    preset(tmp_path, strict, grant_type="password", token_url="{{host}}/token")
    profile = load_profile(tmp_path / "providers" / "acme.yaml")
    slots = credential_slots(profile.auth)
    assert [(s.name, s.secret, s.optional) for s in slots] == [
        ("username", False, False),
        ("password", True, False),
        ("client_id", False, True),
        ("client_secret", True, True),
    ]


def test_a_snippet_sends_the_token_from_the_environment_and_refuses_flow(
    tmp_path: Path, strict: StrictOAuthServer
) -> None:
    from explorer.core.snippets import SnippetError, SnippetOptions, generate

    preset(tmp_path, strict, grant_type="client_credentials", token_url="{{host}}/token")
    profile = load_profile(tmp_path / "providers" / "acme.yaml")
    spec = RequestSpec("GET", "{{base_url}}/api")
    curl = generate(spec, "curl", SnippetOptions(provider=profile, environment="Local"))
    assert "--header 'Authorization: Bearer '\"$ACME_TOKEN\"" in curl
    assert "ACME_TOKEN: a Acme access token (client credentials grant)" in curl
    assert "--header 'X-Tenant: t-1'" in curl
    with pytest.raises(SnippetError) as caught:
        generate(
            spec, "curl", SnippetOptions(provider=profile, environment="Local", auth_mode="flow")
        )
    assert str(caught.value) == (
        "Acme's OAuth2 (auth kind oauth2) cannot be run by a snippet; drop --flow and give the "
        "token in the environment variable the snippet names."
    )


BROWSER_SCRIPT = """#!{python}
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=20).read()
"""


def test_login_of_a_request_in_a_provider_collection_then_run(
    strict: StrictOAuthServer, tmp_path: Path, secret_service: Any, secret_service_keyring: Any
) -> None:
    """``api-explorer login FILE`` for a request whose collection is bound to a provider of
    kind oauth2 signs in through the browser (BROWSER) and keeps the provider's tokens; the
    next ``run`` uses them headless; the failure before names the request's own path."""
    strict.reset()
    ws = tmp_path / "ws"
    preset(ws, strict, grant_type="authorization_code", issuer="{{host}}", client_auth="none")
    api = bound_collection(ws, "Me")
    browser = tmp_path / "browser.py"
    browser.write_text(BROWSER_SCRIPT.format(python=sys.executable))
    browser.chmod(0o755)
    env = {**os.environ, **secret_service.env, "API_EXPLORER_HOME": str(tmp_path / "home")}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env["BROWSER"] = str(browser)
    store = KeyringStore(secret_service_keyring)
    store.set(CredentialKey(open_workspace(ws).id, "acme", "Local", "client_id"), "public")
    (request,) = api.glob("*.request.yaml")

    sent = run_cli("send", "--collection", str(api), "--env", "Local", "GET", "/api", env=env)
    assert sent.returncode == 1
    assert f"api-explorer login {api}" in sent.stderr

    login = run_cli("login", str(request), "--env", "Local", cwd=tmp_path, env=env)
    assert login.returncode == 0, login.stdout + login.stderr
    assert strict.counts["authorization_code"] == 1
    ran = run_cli("run", str(api), "--env", "Local", cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert strict.counts["authorization_code"] == 1
