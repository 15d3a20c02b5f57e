"""Exports of a provider-bound collection carry the provider's auth, so newman and httpyac send
what the app sends: the token grant as the preset describes it (here a JSON grant with token
headers, which httpyac's own OAuth2 cannot send), the extra headers with a fresh generated id
per request, a request's own auth kept, and nothing of the provider's to another origin."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from explorer.core.formats import service
from explorer.core.formats.http_file import import_http
from tests.support.programs import require
from tests.support.recording import Recorded, RecordingServer, TokenRules

INTEROP = Path(__file__).parent.parent.parent / "interop"
NEWMAN = INTEROP / "node_modules" / "newman" / "bin" / "newman.js"
HTTPYAC = INTEROP / "node_modules" / "httpyac" / "bin" / "httpyac.js"
SLOTS = {
    "username": "alice",
    "password": "wonderland",
    "client_id": "cid",
    "client_secret": "csecret",
    "subscription_key": "sub-1",
}
GUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")


class AnyGrant(TokenRules):
    """``/token`` that grants every request (the recording server reads form bodies only): the
    tests check the recorded token request itself."""

    def token_for(self, form: dict[str, str], basic: tuple[str, str] | None) -> str | None:
        return "tok-json"


@pytest.fixture
def servers() -> Iterator[tuple[RecordingServer, RecordingServer]]:
    home, foreign = RecordingServer(AnyGrant()), RecordingServer()
    yield home, foreign
    home.stop()
    foreign.stop()


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _request(name: str, url: str, auth: dict[str, str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name, "method": "GET", "url": url}
    if auth is not None:
        data["auth"] = auth
    return data


def write_workspace(root: Path, auth: dict[str, Any], base_url: str, foreign: str) -> Path:
    """A workspace with the preset ``vendor`` and a collection bound to it; the collection."""
    _dump(root / "workspace.yaml", {"format_version": 1, "id": "3f0c8a52-1d7e-4b8a-9c55-0d2e"})
    _dump(
        root / "providers" / "vendor.yaml",
        {
            "id": "vendor",
            "name": "Vendor",
            "auth": auth,
            "environments": [{"name": "Sandbox", "base_url": base_url}],
        },
    )
    collection = root / "collections" / "vendor"
    _dump(collection / "collection.yaml", {"name": "vendor", "provider": "vendor"})
    requests = [
        _request("a", "{{base_url}}/p/a"),
        _request("b", "{{base_url}}/p/b"),
        _request("own", "{{base_url}}/p/own", {"type": "bearer", "token": "{{own_token}}"}),
        _request("far", f"{foreign}/far"),
    ]
    for seq, data in enumerate(requests, 1):
        _dump(collection / f"{data['name']}.request.yaml", {**data, "seq": seq})
    return collection


JSON_GRANT = {
    "kind": "oauth2-password",
    "token_request": "json",
    "client_auth": "body",
    "token_headers": {"X-Sub": "{{subscription_key}}", "x-reference-id": "{{$guid32}}"},
    "extra_headers": {"X-Sub": "{{subscription_key}}", "x-reference-id": "{{$guid32}}"},
    "credentials": [{"name": n, "secret": n in ("password", "client_secret")} for n in SLOTS],
}


def _run(args: list[str], cwd: Path) -> None:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]


def _sdk(node: str, path: Path, variables: dict[str, str]) -> Any:
    """The export as the official postman-collection SDK loads it (``postman_dump.js``)."""
    args = [node, "postman_dump.js", str(path), json.dumps(variables)]
    done = subprocess.run(
        args, cwd=INTEROP, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def _one(records: list[Recorded], path: str) -> Recorded:
    found = [r for r in records if r.path == path]
    assert len(found) == 1, f"{path} arrived {len(found)} times"
    return found[0]


@pytest.mark.slow
@pytest.mark.parametrize("tool", ["newman", "httpyac"])
def test_tools_send_the_provider_grant_and_headers_as_the_app(
    tool: str,
    servers: tuple[RecordingServer, RecordingServer],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    node = require("node", request.node.nodeid)
    home, foreign = servers
    base_url = home.base_url
    auth = {**JSON_GRANT, "token_url": f"{base_url}/token"}
    collection = write_workspace(tmp_path / "ws", auth, base_url, foreign.base_url)
    variables = {**SLOTS, "base_url": base_url, "own_token": "own-1"}
    if tool == "newman":
        path = tmp_path / "vendor.postman_collection.json"
        path.write_text(service.export("postman", collection))
        flags = [x for k, v in variables.items() for x in ("--env-var", f"{k}={v}")]
        _run([node, str(NEWMAN), "run", str(path), *flags], tmp_path)
        sdk = _sdk(node, path, variables)
        assert [(r["name"], r["auth"]) for r in sdk] == [
            ("a", None),
            ("b", None),
            ("own", "bearer"),
            ("far", "noauth"),
        ]
        assert ["X-Sub", "sub-1"] in sdk[0]["headers"]
    else:
        path = tmp_path / "vendor.http"
        path.write_text(service.export("http", collection))
        flags = [x for k, v in variables.items() for x in ("--var", f"{k}={v}")]
        _run([node, str(HTTPYAC), "send", path.name, "--all", *flags], tmp_path)
    records = home.since(0)

    grant = next(r for r in records if r.path == "/token")
    assert grant.method == "POST"
    assert (grant.header("Content-Type") or "").startswith("application/json")
    assert json.loads(grant.body) == {
        "grant_type": "password",
        "username": "alice",
        "password": "wonderland",
        "client_id": "cid",
        "client_secret": "csecret",
    }
    assert grant.header("X-Sub") == "sub-1"
    assert GUID.match(grant.header("x-reference-id") or "")

    first, second = _one(records, "/p/a"), _one(records, "/p/b")
    for record in (first, second):
        assert record.header("Authorization") == "Bearer tok-json"
        assert record.header("X-Sub") == "sub-1"
        assert GUID.match(record.header("x-reference-id") or "")
    assert first.header("x-reference-id") != second.header("x-reference-id")
    own = _one(records, "/p/own")
    assert own.header("Authorization") == "Bearer own-1"
    assert own.header("X-Sub") == "sub-1"
    far = _one(foreign.since(0), "/far")
    assert far.header("Authorization") is None
    assert far.header("X-Sub") is None


def test_api_key_in_the_query_is_the_template_with_variables(tmp_path: Path) -> None:
    auth = {"kind": "api-key", "api_key_query": "key", "api_key_format": "{partner}.{api_key}"}
    collection = write_workspace(tmp_path / "ws", auth, "https://api.vendor.test", "https://x.test")
    exported = json.loads(service.export("postman", collection))
    assert exported["auth"] == {
        "type": "apikey",
        "apikey": [
            {"key": "key", "value": "key", "type": "string"},
            {"key": "value", "value": "{{partner}}.{{api_key}}", "type": "string"},
            {"key": "in", "value": "query", "type": "string"},
        ],
    }
    assert "event" not in exported
    far = next(i for i in exported["item"] if i["name"] == "far")
    assert far["request"]["auth"] == {"type": "noauth"}

    text = service.export("http", collection)
    assert "GET {{base_url}}/p/a\n    ?key={{partner}}.{{api_key}}\n" in text
    back = import_http(text).collection
    assert [s.spec.name for _, s in back.requests()] == ["a", "b", "own", "far"]


def test_httpyac_oauth2_when_it_sends_what_the_app_sends(tmp_path: Path) -> None:
    """A form grant with the client in HTTP Basic is httpyac's own OAuth2: settings as
    variables, never values, and the file still reads back."""
    auth = {
        "kind": "oauth2-client-credentials",
        "token_url": "{{base_url}}/oauth/token",
        "client_auth": "basic",
        "scope": "read",
    }
    collection = write_workspace(tmp_path / "ws", auth, "https://api.vendor.test", "https://x.test")
    text = service.export("http", collection)
    head = text.split("###")[0]
    assert head.splitlines()[1:] == [
        "@oauth2_tokenEndpoint = {{base_url}}/oauth/token",
        "@oauth2_clientId = {{client_id}}",
        "@oauth2_clientSecret = {{client_secret}}",
        "@oauth2_useAuthorizationHeader = true",
        "@oauth2_scope = read",
        "",
    ]
    assert text.count("Authorization: oauth2 client_credentials\n") == 2
    assert "Authorization: Bearer {{own_token}}\n" in text
    back = import_http(text).collection
    assert [s.spec.name for _, s in back.requests()] == ["a", "b", "own", "far"]
