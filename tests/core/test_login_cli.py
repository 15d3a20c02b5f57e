"""``api-explorer login`` and then ``api-explorer run`` of collections with OAuth2 and no
provider, as separate processes with a real keyring (a private Secret Service): authorization
code + PKCE against oauth2-mock-server with the browser driven through ``BROWSER`` (a script
that follows the authorize redirect to our listener), device code against our strict server,
and a Postman collection with OAuth2 client credentials imported and run as it is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.core.models import Assertion, AuthSpec, CheckKind, RequestSpec
from explorer.core.workspace.collections import save_collection
from explorer.core.workspace.model import Folder, SavedRequest, Variable
from tests.support.cli import run_cli
from tests.support.oauth_server import Client, StrictOAuthServer

Cli = Callable[..., subprocess.CompletedProcess[str]]
BROWSER = """#!{python}
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=20).read()
"""


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for a time-based condition (a 2-second token expiring) without a blind sleep."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        pause.wait(0.05)


@pytest.fixture
def cli(secret_service: Any, tmp_path: Path) -> Cli:
    """The CLI with the private Secret Service as its keyring; ``browser`` sets ``BROWSER``."""
    script = tmp_path / "browser.py"
    script.write_text(BROWSER.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o755)
    env = {**os.environ, **secret_service.env, "API_EXPLORER_HOME": str(tmp_path / "home")}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env.pop("BROWSER", None)

    def run(*args: str, browser: bool = False) -> subprocess.CompletedProcess[str]:
        extra = {"BROWSER": str(script)} if browser else {}
        return run_cli(*args, cwd=tmp_path, env={**env, **extra})

    return run


@pytest.fixture(scope="module")
def strict() -> Iterator[StrictOAuthServer]:
    server = StrictOAuthServer()
    server.register(Client("public"))
    yield server
    server.stop()


def collection(root: Path, auth: dict[str, str], url: str, **variables: str) -> Path:
    """A provider-less collection whose auth is ``auth``; one request that must answer 200."""
    spec = RequestSpec(
        "GET", url, name="Me", assertions=(Assertion(CheckKind.STATUS, expected="200"),)
    )
    tree = Folder(
        "api",
        auth=AuthSpec("oauth2", tuple(auth.items())),
        variables=tuple(Variable(k, v) for k, v in variables.items()),
        items=(SavedRequest(spec, 1),),
    )
    directory = root / "collections" / "api"
    save_collection(tree, directory)
    return directory


def test_authorization_code_login_then_headless_runs_that_refresh(
    cli: Cli, oauth2_mock: Any, tmp_path: Path
) -> None:
    mock = oauth2_mock
    mock.control("reset")
    assert cli("init", "ws").returncode == 0
    auth = {
        "grant_type": "authorization_code",
        "auth_url": "{{issuer}}/authorize",
        "token_url": "{{issuer}}/token",
        "client_id": mock.CLIENT_ID,
        "client_secret": "{{client_secret}}",
        "scope": "openid",
    }
    api = collection(tmp_path / "ws", auth, "{{issuer}}/userinfo", issuer=mock.issuer)
    secret = f"client_secret={mock.CLIENT_SECRET}"

    before = cli("run", str(api), "--var", secret)
    assert before.returncode == 1
    assert f"run 'api-explorer login {api.resolve()}'" in before.stdout
    assert mock.control()["token"] == {}

    login = cli("login", str(api), "--var", secret, browser=True)
    assert login.returncode == 0, login.stderr
    assert "code_challenge_method=S256" in login.stderr
    assert login.stdout.startswith("Signed in: an access token, valid for ")
    assert "and a refresh token, kept in keyring.backends.SecretService" in login.stdout
    signed_in = time.time()
    assert mock.control()["token"] == {"authorization_code": 1}
    assert mock.control()["pkce"] == 1

    first = cli("run", str(api), "--var", secret)
    assert first.returncode == 0, first.stdout + first.stderr
    assert mock.control()["token"] == {"authorization_code": 1}  # the stored token
    wait_until(lambda: time.time() > signed_in + mock.ttl + 0.2)
    again = cli("run", str(api), "--var", secret)
    assert again.returncode == 0, again.stdout + again.stderr
    assert mock.control()["token"] == {"authorization_code": 1, "refresh_token": 1}
    for path in (tmp_path / "ws").rglob("*"):
        if path.is_file():
            assert "eyJ" not in path.read_text(encoding="utf-8", errors="replace")


def test_device_code_login_prints_the_code_then_run_sends(
    cli: Cli, strict: StrictOAuthServer, tmp_path: Path
) -> None:
    assert cli("init", "ws").returncode == 0
    auth = {"grant_type": "device_code", "issuer": strict.base_url, "client_id": "public"}
    api = collection(tmp_path / "ws", auth, f"{strict.base_url}/api")
    login = cli("login", str(api))
    assert login.returncode == 0, login.stderr
    assert f"open {strict.base_url}/activate and enter the code WDJB-MJHT" in login.stderr
    run = cli("run", str(api))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_login_names_what_is_not_oauth2(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", "ws").returncode == 0
    spec = RequestSpec("GET", "http://127.0.0.1:9/", name="Plain")
    save_collection(Folder("plain", items=(SavedRequest(spec, 1),)), tmp_path / "ws" / "plain")
    done = cli("login", str(tmp_path / "ws" / "plain"))
    assert done.returncode == 2
    assert done.stderr == (
        "api-explorer: This request, folder or collection has no auth, not OAuth2.\n"
    )


def test_a_postman_collection_with_client_credentials_runs_without_a_provider(
    cli: Cli, oauth2_mock: Any, tmp_path: Path
) -> None:
    mock = oauth2_mock
    mock.control("reset")
    postman = {
        "info": {
            "name": "Shop",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "auth": {
            "type": "oauth2",
            "oauth2": [
                {"key": "accessTokenUrl", "value": mock.token_url, "type": "string"},
                {"key": "clientId", "value": mock.CLIENT_ID, "type": "string"},
                {"key": "clientSecret", "value": mock.CLIENT_SECRET, "type": "string"},
                {"key": "grant_type", "value": "client_credentials", "type": "string"},
                {"key": "addTokenTo", "value": "header", "type": "string"},
            ],
        },
        "item": [
            {"name": "Me", "request": {"method": "GET", "url": mock.userinfo_url}},
            {"name": "Me again", "request": {"method": "GET", "url": mock.userinfo_url}},
        ],
    }
    source = tmp_path / "shop.postman_collection.json"
    source.write_text(json.dumps(postman), encoding="utf-8")
    imported = cli("import", "postman", str(source), "--into", "shop", "--workspace", "ws")
    assert imported.returncode == 0, imported.stderr
    shop = tmp_path / "ws" / "collections" / "shop"
    assert mock.CLIENT_SECRET not in "".join(p.read_text() for p in shop.rglob("*.yaml"))
    run = cli("run", str(shop))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 requests, 2 passed" in run.stdout
    stats = mock.control()
    assert stats["token"] == {"client_credentials": 1}
    assert (stats["api"], stats["api401"]) == (2, 0)


def test_without_a_keyring_login_refuses_before_the_browser_and_run_still_works(
    oauth2_mock: Any, tmp_path: Path
) -> None:
    mock = oauth2_mock
    mock.control("reset")
    env = {k: v for k, v in os.environ.items() if k not in {"DBUS_SESSION_BUS_ADDRESS", "BROWSER"}}
    env |= {
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "API_EXPLORER_HOME": str(tmp_path / "home"),
    }
    assert run_cli("init", "ws", cwd=tmp_path, env=env).returncode == 0
    code = {
        "grant_type": "authorization_code",
        "issuer": mock.issuer,
        "client_id": mock.CLIENT_ID,
        "client_secret": mock.CLIENT_SECRET,
    }
    api = collection(tmp_path / "ws", code, mock.userinfo_url)
    login = run_cli("login", str(api), cwd=tmp_path, env=env)
    assert login.returncode == 1
    assert "the command line needs an OS keyring" in login.stderr
    assert mock.control()["authorize"] == 0
    machine = {
        "grant_type": "client_credentials",
        "token_url": mock.token_url,
        "client_id": mock.CLIENT_ID,
        "client_secret": "{{secret}}",
    }
    ci = collection(tmp_path / "ci", machine, mock.userinfo_url)
    run = run_cli("run", str(ci), "--var", f"secret={mock.CLIENT_SECRET}", cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert mock.control()["token"] == {"client_credentials": 1}


def test_an_openapi_document_with_client_credentials_runs_without_a_provider(
    cli: Cli, oauth2_mock: Any, tmp_path: Path
) -> None:
    """Issue 14's "done when" for OpenAPI: a document whose security is an OAuth2 client
    credentials flow imports as sendable auth and runs with no preset (the client id and secret
    given as the secret variables the import declares)."""
    mock = oauth2_mock
    mock.control("reset")
    origin = mock.userinfo_url.rsplit("/", 1)[0]
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Me", "version": "1"},
        "servers": [{"url": origin}],
        "security": [{"cc": ["profile"]}],
        "paths": {
            "/userinfo": {"get": {"operationId": "me", "responses": {"200": {"description": "ok"}}}}
        },
        "components": {
            "securitySchemes": {
                "cc": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": mock.token_url,
                            "scopes": {"profile": "p"},
                        }
                    },
                }
            }
        },
    }
    source = tmp_path / "me.openapi.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    imported = cli("import", "openapi", str(source), "--into", "me", "--workspace", "ws")
    assert imported.returncode == 0, imported.stderr
    folder = tmp_path / "ws" / "collections" / "me"
    auth = (folder / "collection.yaml").read_text()
    assert "client_credentials" in auth
    assert mock.token_url in auth
    run = cli(
        "run", str(folder), "--env", "Server 1",
        "--var", f"client_id={mock.CLIENT_ID}", "--var", f"client_secret={mock.CLIENT_SECRET}",
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert mock.control()["token"] == {"client_credentials": 1}
