"""Our Postman exports in the real tools: the official SDK loads the same requests, and newman
runs them against httpbin with the same responses our own client gets."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest

from explorer.core.formats.auth_map import complete
from explorer.core.formats.common import emit_content_type
from explorer.core.formats.postman import export_postman, import_postman
from explorer.core.http import HttpClient
from explorer.core.models import BodyMode, KeyValue, RequestSpec
from explorer.core.templating import Layer, Scope, resolve
from explorer.core.workspace.model import Folder, SavedRequest, Variable
from tests.core.formats.samples import native_tree
from tests.support.programs import require

HERE = Path(__file__).parent
DATA = HERE.parent / "core" / "formats" / "data"
SECRETS = {"token": "tok-1", "api_key": "key-1", "password": "pw-1"}

pytestmark = pytest.mark.slow


def node(request: pytest.FixtureRequest, *args: str) -> str:
    binary = require("node", request.node.nodeid)
    if not (HERE / "node_modules" / "postman-collection").is_dir():
        pytest.fail("tests/interop/node_modules is missing: run npm ci in tests/interop")
    done = subprocess.run(
        [binary, *args], cwd=HERE, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def sdk_requests(request: pytest.FixtureRequest, path: Path, values: dict[str, str]) -> Any:
    return json.loads(node(request, "postman_dump.js", str(path), json.dumps(values)))


def flat(tree: Folder, inherited: tuple[KeyValue, ...] = ()) -> list[RequestSpec]:
    """Each request with the headers of the folders above it, as the export writes them."""
    found: list[RequestSpec] = []
    for item in tree.items:
        if isinstance(item, Folder):
            found += flat(item, (*inherited, *item.headers))
        else:
            found.append(replace(item.spec, headers=(*inherited, *item.spec.headers)))
    return found


def scope_for(tree: Folder, base_url: str) -> Scope:
    values = {v.name: v.value for v in tree.variables if not v.secret}
    values.update(SECRETS, base_url=base_url)
    return Scope((Layer("test", values, frozenset(SECRETS)),))


def test_sdk_resolves_our_export_to_the_same_requests(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    tree = native_tree()
    path = tmp_path / "shop.postman_collection.json"
    path.write_text(export_postman(tree))
    sdk = sdk_requests(request, path, {**SECRETS, "base_url": "http://api.test"})
    scope = scope_for(tree, "http://api.test")
    specs = flat(tree)
    assert [r["name"] for r in sdk] == [s.name for s in specs]
    for got, spec in zip(sdk, specs, strict=True):
        ours = resolve(replace(spec, headers=emit_content_type(spec)), scope)
        assert got["method"] == ours.method
        assert unquote_plus(got["url"]) == unquote_plus(ours.url)
        assert [tuple(h) for h in got["headers"]] == list(ours.headers)
        if spec.body.mode in (BodyMode.JSON, BodyMode.RAW):
            assert got["body"]["raw"].encode() == ours.body
        elif spec.body.mode is BodyMode.FORM:
            pairs = [(f.name, f.value) for f in spec.body.fields if f.enabled]
            assert [tuple(p) for p in got["body"]["urlencoded"]] == [
                (k, scope.lookup(v[2:-2])[0] if v.startswith("{{") else v)  # type: ignore[index]
                for k, v in pairs
            ]
        else:
            assert got["body"] is None


def test_reexported_postman_collection_is_semantically_equal(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    for fixture, values in (
        ("shop.postman_collection.json", {"token": "t", "api_key": "k"}),
        ("legacy.postman_collection_v2.0.json", {"basic_password": "pa55word"}),
    ):
        original = DATA / fixture
        result = import_postman(original.read_text())
        again = tmp_path / fixture
        again.write_text(export_postman(result.collection))
        before = sdk_requests(request, original, {"token": "t", "api_key": "k"})
        after = sdk_requests(request, again, values)
        for old, new in zip(before, after, strict=True):
            if old["body"] and old["body"]["mode"] == "urlencoded":
                new["headers"] = [h for h in new["headers"] if h[0].lower() != "content-type"]
        assert after == before
        old_json, new_json = json.loads(original.read_text()), json.loads(again.read_text())
        assert old_json.get("auth") == new_json.get("auth")
        old_vars = [v["key"] for v in old_json.get("variable", [])]
        new_vars = [v["key"] for v in new_json.get("variable", [])]
        assert new_vars[: len(old_vars)] == old_vars
        assert set(new_vars[len(old_vars) :]) == set(result.secrets)


def echo(body: dict[str, Any]) -> dict[str, Any]:
    """What httpbin saw, minus what differs between clients by design (user agent, ids)."""
    seen = {k: body.get(k) for k in ("method", "args", "form", "json", "data")}
    seen["headers"] = {
        k: v
        for k, v in body["headers"].items()
        if k.lower()
        in ("accept", "content-type", "x-request-id", "x-reason", "authorization", "x-api-key")
    }
    return seen


def test_newman_runs_our_export_with_the_responses_our_client_gets(
    request: pytest.FixtureRequest, tmp_path: Path, httpbin_url: str
) -> None:
    tree = native_tree()
    path = tmp_path / "shop.postman_collection.json"
    path.write_text(export_postman(tree))
    report = tmp_path / "newman.json"
    args = [
        "node_modules/newman/bin/newman.js",
        "run",
        str(path),
        "-r",
        "json",
        "--reporter-json-export",
        str(report),
        "--env-var",
        f"base_url={httpbin_url}",
    ]
    for name, value in SECRETS.items():
        args += ["--env-var", f"{name}={value}"]
    node(request, *args)
    executions = json.loads(report.read_text())["run"]["executions"]
    scope = scope_for(tree, httpbin_url)
    specs = flat(tree)
    assert len(executions) == len(specs)
    client = HttpClient()
    try:
        for execution, spec, auth in zip(executions, specs, _auth_headers(tree), strict=True):
            ours = resolve(replace(spec, headers=(*spec.headers, *auth)), scope)
            exchange = client.send(ours)
            theirs = execution["response"]
            assert theirs["code"] == exchange.response.status == 200
            their_body = json.loads(bytes(theirs["stream"]["data"]).decode())
            assert echo(their_body) == echo(json.loads(exchange.response.body.text()))
    finally:
        client.close()


def _auth_headers(tree: Folder) -> list[tuple[KeyValue, ...]]:
    """The header each request's effective auth adds (the auth registry's job in the app)."""
    rows: list[tuple[KeyValue, ...]] = []

    def walk(folder: Folder, inherited: Any) -> None:
        for item in folder.items:
            if isinstance(item, Folder):
                walk(item, item.auth or inherited)
                continue
            auth = item.spec.auth or inherited
            if auth is None or auth.type == "none":
                rows.append(())
            elif auth.type == "bearer":
                rows.append((KeyValue("Authorization", f"Bearer {auth.get('token')}"),))
            elif auth.type == "api-key":
                rows.append((KeyValue(auth.get("key"), auth.get("value")),))
            else:
                raise AssertionError(f"the sample uses no {auth.type} auth on a request")

    walk(tree, tree.auth)
    return rows


def test_newman_fetches_oauth2_tokens_and_answers_digest_with_our_export(
    request: pytest.FixtureRequest, tmp_path: Path, oauth2_mock: Any, httpbin_url: str
) -> None:
    """newman sends an OAuth2 auth's ``accessToken`` but never fetches one: our export's
    pre-request scripts do (client credentials on the collection, the password grant on one
    request), and oauth2-mock-server's guarded ``/userinfo`` accepts the tokens; a Digest auth
    answers httpbin's challenge."""
    oauth2_mock.control("reset")
    machine = complete(
        "oauth2",
        {
            "grant_type": "client_credentials",
            "token_url": oauth2_mock.token_url,
            "client_id": "{{client_id}}",
            "client_secret": "{{client_secret}}",
            "scope": "openid",
        },
    )
    user = complete(
        "oauth2",
        {
            "grant_type": "password",
            "token_url": oauth2_mock.token_url,
            "client_id": "{{client_id}}",
            "client_secret": "{{client_secret}}",
            "client_auth": "client_secret_post",
            "username": "{{username}}",
            "password": "{{password}}",
        },
    )
    digest = complete("digest", {"username": "dora", "password": "{{digest_password}}"})
    specs = [
        RequestSpec(method="GET", url=oauth2_mock.userinfo_url, name="machine"),
        RequestSpec(method="GET", url=oauth2_mock.userinfo_url, name="user", auth=user),
        RequestSpec(method="GET", url=oauth2_mock.userinfo_url, name="machine again"),
        RequestSpec(
            method="GET",
            url=f"{httpbin_url}/digest-auth/auth/dora/pw-1",
            name="digest",
            auth=digest,
        ),
    ]
    tree = Folder(
        "mock",
        auth=machine,
        variables=(
            Variable("client_id", oauth2_mock.CLIENT_ID),
            Variable("client_secret", secret=True),
        ),
        items=tuple(SavedRequest(spec, n) for n, spec in enumerate(specs, 1)),
    )
    path = tmp_path / "mock.postman_collection.json"
    path.write_text(export_postman(tree))
    report = tmp_path / "newman.json"
    variables = {
        "client_secret": oauth2_mock.CLIENT_SECRET,
        "username": oauth2_mock.USERNAME,
        "password": oauth2_mock.PASSWORD,
        "digest_password": "pw-1",
    }
    args = ["node_modules/newman/bin/newman.js", "run", str(path), "-r", "json"]
    args += ["--reporter-json-export", str(report)]
    for name, value in variables.items():
        args += ["--env-var", f"{name}={value}"]
    node(request, *args)
    executions = json.loads(report.read_text())["run"]["executions"]
    codes = {e["item"]["name"]: e["response"]["code"] for e in executions}
    assert codes == {"machine": 200, "user": 200, "machine again": 200, "digest": 200}
    stats = oauth2_mock.control()
    assert stats["token"].get("client_credentials", 0) >= 1
    assert stats["token"].get("password", 0) >= 1
    assert (stats["rejected"], stats["api401"]) == (0, 0)
    assert import_postman(path.read_text()).collection == tree
