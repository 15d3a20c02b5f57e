"""Our ``.http`` export run by httpyac against httpbin gets the responses our client gets."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from explorer.core.formats.auth_map import complete
from explorer.core.formats.http_file import export_http, import_http
from explorer.core.http import HttpClient
from explorer.core.models import KeyValue, RequestSpec
from explorer.core.templating import Layer, Scope, resolve
from explorer.core.workspace.model import Folder, SavedRequest, Variable
from tests.core.formats.samples import http_tree
from tests.support.programs import require

HERE = Path(__file__).parent
HTTPYAC = HERE / "node_modules" / "httpyac" / "bin" / "httpyac.js"
SECRETS = {"token": "tok-1", "password": "pw-1"}

pytestmark = pytest.mark.slow


def seen(body: dict[str, Any]) -> dict[str, Any]:
    """What httpbin saw, minus what differs between clients by design (agent, boundary)."""
    out = {k: body.get(k) for k in ("method", "args", "form", "json", "data", "files")}
    headers = body["headers"]
    out["headers"] = {
        k: headers.get(k) for k in ("Authorization", "Accept", "X-Note") if k in headers
    }
    out["type"] = (headers.get("Content-Type") or "").split(";")[0]
    return out


def test_httpyac_runs_our_export_with_the_responses_our_client_gets(
    request: pytest.FixtureRequest, tmp_path: Path, httpbin_url: str
) -> None:
    node = require("node", request.node.nodeid)
    if not HTTPYAC.exists():
        pytest.fail("tests/interop/node_modules is missing: run npm ci in tests/interop")
    tree = http_tree()
    tree = replace(
        tree,
        variables=tuple(
            Variable(v.name, httpbin_url) if v.name == "base_url" else v for v in tree.variables
        ),
    )
    (tmp_path / "report.csv").write_text("sku,qty\nA-1,3\n")
    path = tmp_path / "shop.http"
    path.write_text(export_http(tree))
    args = [node, str(HTTPYAC), "send", path.name, "--all", "--json"]
    for name, value in SECRETS.items():
        args += ["--var", f"{name}={value}"]
    done = subprocess.run(
        args, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    runs = json.loads(done.stdout)["requests"]

    values = {v.name: v.value for v in tree.variables if not v.secret} | SECRETS
    scope = Scope((Layer("test", values, frozenset(SECRETS)),))
    specs = [saved.spec for _, saved in import_http(path.read_text()).collection.requests()]
    assert [r["name"] for r in runs] == [s.name for s in specs]
    client = HttpClient()
    try:
        for run, spec in zip(runs, specs, strict=True):
            auth_header = _auth_header(spec.auth, values)
            ours = resolve(
                replace(spec, headers=(*spec.headers, *auth_header)), scope, base_dir=tmp_path
            )
            exchange = client.send(ours)
            assert run["response"]["statusCode"] == exchange.response.status == 200
            assert seen(json.loads(run["response"]["body"])) == seen(
                json.loads(exchange.response.body.text())
            ), spec.name
    finally:
        client.close()


def _auth_header(auth: Any, values: dict[str, str]) -> tuple[KeyValue, ...]:
    """The header the auth registry adds in the app (here by hand: only basic and bearer)."""
    import base64

    if auth is None:
        return ()
    if auth.type == "bearer":
        return (KeyValue("Authorization", f"Bearer {auth.get('token')}"),)
    user = values[auth.get("username").strip("{}")]
    password = values[auth.get("password").strip("{}")]
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return (KeyValue("Authorization", f"Basic {token}"),)


def test_httpyac_fetches_oauth2_tokens_and_answers_digest_with_our_export(
    request: pytest.FixtureRequest, tmp_path: Path, oauth2_mock: Any, httpbin_url: str
) -> None:
    """Request-level OAuth2 as httpyac's own (client credentials with the client in HTTP Basic,
    password with it in the body, under two variable prefixes) and as a token request of our
    own (extra token parameters, which httpyac's OAuth2 cannot send), against
    oauth2-mock-server's guarded ``/userinfo``; Digest against httpbin's challenge."""
    node = require("node", request.node.nodeid)
    oauth2_mock.control("reset")
    client = {
        "token_url": oauth2_mock.token_url,
        "client_id": oauth2_mock.CLIENT_ID,
        "client_secret": "{{client_secret}}",
    }
    auths = {
        "machine": {"grant_type": "client_credentials", "scope": "openid", **client},
        "user": {
            "grant_type": "password",
            "client_auth": "client_secret_post",
            "username": "{{username}}",
            "password": "{{password}}",
            **client,
        },
        "extra": {"grant_type": "client_credentials", "extra_params": "audience=api", **client},
    }
    specs = [
        RequestSpec(
            method="GET", url=oauth2_mock.userinfo_url, name=name, auth=complete("oauth2", auth)
        )
        for name, auth in auths.items()
    ]
    digest = complete("digest", {"username": "dora", "password": "{{digest_password}}"})
    url = f"{httpbin_url}/digest-auth/auth/dora/pw-1"
    specs.append(RequestSpec(method="GET", url=url, name="digest", auth=digest))
    tree = Folder("mock", items=tuple(SavedRequest(s, n) for n, s in enumerate(specs, 1)))
    path = tmp_path / "mock.http"
    path.write_text(export_http(tree))
    variables = {
        "client_secret": oauth2_mock.CLIENT_SECRET,
        "username": oauth2_mock.USERNAME,
        "password": oauth2_mock.PASSWORD,
        "digest_password": "pw-1",
    }
    args = [node, str(HTTPYAC), "send", path.name, "--all", "--json"]
    for name, value in variables.items():
        args += ["--var", f"{name}={value}"]
    done = subprocess.run(
        args, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    runs = json.loads(done.stdout)["requests"]
    codes = {r["name"]: r["response"]["statusCode"] for r in runs}
    token = next(name for name in codes if name.startswith("oauth2_token_"))  # the extra grant
    assert codes == {token: 200, "machine": 200, "user": 200, "extra": 200, "digest": 200}
    stats = oauth2_mock.control()
    assert stats["token"].get("client_credentials", 0) >= 2
    assert stats["token"].get("password", 0) >= 1
    assert (stats["rejected"], stats["api401"]) == (0, 0)
    assert import_http(path.read_text()).collection == tree
