"""Bruno import: the .bru grammar against Bruno's own fixtures, Bruno's test collection and its
JSON export, and a collection round-tripped through import → send (and → ``run``) against
httpbin."""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.core.auth.registry import explicit_auth
from explorer.core.errors import FormatError
from explorer.core.formats import bruno, service
from explorer.core.formats.auth_map import complete
from explorer.core.formats.bruno import import_bru_text, import_bruno, looks_like_bruno
from explorer.core.formats.bruno_lang import BruFile, parse_bru
from explorer.core.formats.common import ImportResult, describe
from explorer.core.http import HttpClient
from explorer.core.models import Assertion, AuthSpec, BodyMode, Capture, CheckKind, KeyValue
from explorer.core.runner.checks import apply_captures, evaluate
from explorer.core.templating import Layer, Scope, expand, resolve
from explorer.core.workspace.collections import load_collection
from explorer.core.workspace.marker import open_workspace
from explorer.core.workspace.model import Folder, SavedRequest, folder_layers, with_inherited
from tests.support.cli import run_cli

DATA = Path(__file__).parent / "data" / "bruno"
TESTBENCH = DATA / "testbench"
HTTPBIN = DATA / "httpbin"
TOKEN = "token-for-the-test"


def _requests(result: ImportResult) -> dict[str, Any]:
    return {"/".join((*trail, r.name)): r.spec for trail, r in result.collection.requests()}


# -- the grammar -----------------------------------------------------------------------------
def _rows(bru: BruFile, tag: str, kind: str | None = None) -> list[dict[str, Any]]:
    extra = {"type": kind} if kind else {}
    return [
        {"name": p.name, "value": p.value, **extra, "enabled": p.enabled} for p in bru.pairs(tag)
    ]


def test_the_parser_reads_the_grammar_fixture_as_bruno_does() -> None:
    bru = parse_bru((DATA / "lang" / "request.bru").read_text(), "request.bru")
    expected = json.loads((DATA / "lang" / "request.json").read_text())
    assert {p.name: p.value for p in bru.pairs("meta")} == {
        **{k: v for k, v in expected["meta"].items() if k != "tags"},
        "tags": "\n".join(expected["meta"]["tags"]),
    }
    assert {p.name: p.value for p in bru.pairs("get")} == {
        k: v for k, v in expected["http"].items() if k != "method"
    }
    params = _rows(bru, "params:query", "query") + _rows(bru, "params:path", "path")
    assert params == expected["params"]
    assert _rows(bru, "headers") == expected["headers"]
    assert {p.name: p.value for p in bru.pairs("auth:basic")} == expected["auth"]["basic"]
    body = expected["body"]
    for key in ("json", "text", "xml", "sparql"):
        assert bru.text(f"body:{key}") == body[key], key
    assert bru.text("body:graphql") == body["graphql"]["query"]
    assert bru.text("body:graphql:vars") == body["graphql"]["variables"]
    assert _rows(bru, "body:form-urlencoded") == body["formUrlEncoded"]
    parts = [(p["name"], p["value"], p["enabled"]) for p in body["multipartForm"]]
    assert [(p.name, p.value, p.enabled) for p in bru.pairs("body:multipart-form")] == parts
    assert [(p.name, p.enabled) for p in bru.pairs("vars:pre-request")] == [
        (v["name"], v["enabled"]) for v in expected["vars"]["req"]
    ]
    assert [(p.name.removeprefix("@"), p.value) for p in bru.pairs("vars:post-response")] == [
        (v["name"], v["value"]) for v in expected["vars"]["res"]
    ]
    assert _rows(bru, "assert") == expected["assertions"]
    assert bru.text("script:pre-request") == expected["script"]["req"]
    assert bru.text("tests") == expected["tests"]
    assert bru.text("docs") == expected["docs"]


def test_multiline_values_annotations_and_secret_lists() -> None:
    bru = parse_bru((TESTBENCH / "echo" / "echo multipart.bru").read_text(), "multipart.bru")
    assert [p.value for p in bru.pairs("body:multipart-form")][:2] == [
        '{"bar":"baz"} @contentType(application/json--test)',
        '"multiline-test" @contentType(application/json--multiline--test)',
    ]
    collection = parse_bru((TESTBENCH / "collection.bru").read_text(), "collection.bru")
    assert [p.name for p in collection.pairs("headers")] == ["check", "token", "collection-header"]
    assert collection.value("vars:pre-request", "coll_obj") == '{"scope":"collection"}'
    env = parse_bru((TESTBENCH / "environments" / "Local.bru").read_text(), "Local.bru")
    assert [p.name for p in env.pairs("vars:secret")][:2] == [
        "github_client_secret",
        "github_client_id",
    ]
    assert env.value("vars", "typed_env_num") == "300"


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("meta {\n  name: x\n", 1, "never closed"),
        ("meta {\n}\nhello there\n", 3, "expected a block"),
        ("headers {\n  no colon here\n}\n", 2, "expected 'name: value'"),
        ("meta {\n} trailing\n", 2, "unexpected text after"),
        ("vars:secret [\n  a,\n", 1, "never closed"),
    ],
)
def test_malformed_bru_files_are_located_format_errors(text: str, line: int, needle: str) -> None:
    with pytest.raises(FormatError) as caught:
        parse_bru(text, "bad.bru")
    assert caught.value.path == "bad.bru"
    assert caught.value.line == line
    assert needle in str(caught.value)


# -- Bruno's own collection ------------------------------------------------------------------
def test_bruno_test_collection_maps_folders_auth_bodies_and_reports_the_rest() -> None:
    result = import_bruno(TESTBENCH)
    tree = result.collection
    assert tree.name == "bruno-testbench"
    assert tree.auth == AuthSpec("bearer", (("token", "{{bearer_auth_token}}"),))
    assert [h.name for h in tree.headers] == ["check", "token", "collection-header"]
    assert ("coll_num", "100") in [(v.name, v.value) for v in tree.variables]
    requests = _requests(result)
    assert requests["auth/inherit auth/inherit Bearer Auth 200"].auth is None
    assert requests["echo/echo json"].auth == AuthSpec("none")
    assert requests["auth/basic/via auth/Basic Auth 200"].auth == AuthSpec(
        "basic", (("username", "bruno"), ("password", "{{basic_auth_password}}"))
    )
    digest = requests["auth/digest/Digest Auth 200"]
    assert digest.auth == complete(
        "digest", {"username": "admin", "password": "{{digest_password}}"}
    )
    assert result.secrets["digest_password"] == "password"
    parts = requests["echo/echo multipart"].body.fields
    assert [(f.name, f.content_type) for f in parts[:2]] == [
        ("foo", "application/json--test"),
        ("multiline", "application/json--multiline--test"),
    ]
    assert parts[-1].is_file
    assert parts[-1].value == str((TESTBENCH / "bruno.png").absolute())
    upload = requests["file-binary/binary upload json"].body
    assert (upload.mode, upload.content_type) == (BodyMode.BINARY_FILE, "application/json")
    assert upload.file == str((TESTBENCH / "file.json").absolute())
    graphql = json.loads(requests["graphql/spacex"].body.text)
    assert graphql == {"query": "{\n  company {\n    ceo\n  }\n}\n", "variables": {}}
    assert requests["request-setting/max-redirect"].max_redirects == 5
    assert requests["echo/echo json"].assertions == (Assertion(CheckKind.STATUS, expected="200"),)
    [env] = result.environments
    assert env.values["bark"] == "{{$processEnv PROC_ENV_VAR}}"
    assert {"github_access_token", "bearer_auth_token"} <= set(env.secret_names)
    assert "bearer_auth_token" not in env.values
    warnings = "\n".join(result.warnings)
    for needle in (
        "bruno.json: settings clientCertificates, proxy, scripts are not imported",
        "echo/echo json.bru: scripts and tests (script:pre-request, tests) are not imported",
        "the collection's .env file was not imported",
        "'res.body.authenticated: isTruthy' is not imported",
        "{{$processEnv NAME}} (PROC_ENV_VAR)",
        "1 file(s) hold body or auth blocks their mode does not select",
    ):
        assert needle in warnings, needle


def test_assertions_follow_brunos_operand_rules() -> None:
    spec = _requests(import_bruno(TESTBENCH))["asserts/test-assert-combinations"]
    checks = {(a.target, a.expected) for a in spec.assertions}
    assert ("$.string", '"foo"') in checks  # eq foo, eq 'foo' and eq "foo" are one string
    assert ("$.stringWithDQuotes", '"\\"foo\\""') in checks
    assert {("$.number", "123"), ("$.numberAsString", '"123"')} <= checks
    assert {("$.null", "null"), ("$.nullAsString", '"null"')} <= checks
    assert {("$.true", "true"), ("$.falseAsString", '"false"')} <= checks
    assert ("$.stringWithDoubleCurlyBraces", '"{{foobar}}"') in checks
    assert len(spec.assertions) == 26  # the .toString() call and `eq undefined` are reported


def test_the_json_export_imports_as_the_folder_it_was_exported_from() -> None:
    folder = _requests(import_bruno(TESTBENCH))
    export = import_bruno(DATA / "testbench.json")
    exported = _requests(export)
    # the export is of an older state of the collection: these requests did not change since
    for name in (
        "auth/basic/via auth/Basic Auth 200",
        "auth/inherit auth/inherit Bearer Auth 200",
        "echo/echo json",
        "ping",
    ):
        assert exported[name] == folder[name], name
    assert export.collection.auth == AuthSpec("bearer", (("token", "{{bearer_auth_token}}"),))
    assert [e.name for e in export.environments] == ["Local"]
    assert (
        "auth/basic/via auth/Basic Auth 400: the assertion 'res.body: Unauthorized'"
        in "\n".join(export.warnings)
    )
    source = DATA / "testbench.json"
    assert import_bru_text(source.read_text(), str(source)).collection == export.collection


def test_the_grammar_fixture_as_one_request_file() -> None:
    result = import_bruno(DATA / "lang" / "request.bru")
    [(_, saved)] = result.collection.requests()
    spec = saved.spec
    assert spec.url == "https://api.textlocal.in/send/123"
    assert KeyValue("apiKey", "{{api_key}}", enabled=False) in spec.params  # moved, and the
    assert KeyValue("message", "hello", enabled=False) in spec.params  # URL has no query
    assert spec.body.mode is BodyMode.JSON
    assert all(h.name != "content-type" for h in spec.headers)  # folded into the JSON body
    assert KeyValue("transaction-id", "{{transactionId}}", enabled=False) in spec.headers
    # the token is the literal of the Authorization header, moved once to one secret variable
    assert KeyValue("Authorization", "Bearer {{authorization}}") in spec.headers
    assert spec.auth == AuthSpec("bearer", (("token", "{{authorization}}"),))
    assert result.secrets["authorization"] == "123"
    assert spec.assertions == (Assertion(CheckKind.STATUS, expected="200"),)
    assert spec.captures == (
        Capture("token", "jsonpath", "$.token"),
        Capture("orderNumber", "jsonpath", "$.orderNumber"),
    )
    assert spec.docs == "This request needs auth token to be set in the headers."
    warnings = "\n".join(result.warnings)
    assert "the query parameter apiKey is not in the URL, so Bruno does not send it" in warnings
    assert "the disabled post-response variable '~petId" not in warnings
    assert "the disabled post-response variable 'petId: $res.body.id' is not imported" in warnings
    assert "the disabled request variable returningDate was not imported" in warnings
    assert "request.bru:174: the disabled assertion '$res.body.message: success'" in warnings
    assert "scripts and tests (script:pre-request, tests) are not imported" in warnings
    assert "hold body or auth blocks their mode does not select" in warnings


def test_aws_signature_v4_takes_the_schema_names_and_its_secrets_are_moved() -> None:
    source = DATA / "lang" / "request.bru"
    result = import_bru_text(source.read_text().replace("auth: bearer", "auth: awsv4"), str(source))
    [(_, saved)] = result.collection.requests()
    assert saved.spec.auth == complete(
        "awsv4",
        {
            "access_key": "A12345678",  # an access key id is not a secret
            "secret_key": "{{awsv4_secret_key}}",
            "session_token": "{{awsv4_session_token}}",
            "service": "execute-api",
            "region": "us-east-1",
        },
    )
    assert result.secrets["awsv4_secret_key"] == "thisisasecret"
    assert "awsv4_secret_key" in result.collection.secret_names()
    warnings = "\n".join(result.warnings)
    assert "awsv4 auth setting profileName was not imported (no equivalent here)" in warnings
    assert "cannot send" not in warnings


def test_an_environment_file_alone_is_an_environment() -> None:
    result = import_bruno(HTTPBIN / "environments" / "Local.bru")
    assert not result.collection.items
    [env] = result.environments
    assert env.values == {
        "host": "http://127.0.0.1:9",
        "item": "42",
        "home": "{{$processEnv BRUNO_IMPORT_HOME}}",
    }
    assert env.secret_names == ("api_token",)
    assert "the disabled variable old was not imported" in "\n".join(result.warnings)


# -- folders that are not collections --------------------------------------------------------
def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "httpbin"
    shutil.copytree(HTTPBIN, target)
    return target


def test_ignored_hidden_and_file_only_folders_are_not_imported(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    for name in ("node_modules/pkg", ".git", "scratch"):
        (root / name).mkdir(parents=True)
        (root / name / "x.bru").write_text("meta {\n  name: hidden\n}\nget {\n  url: /x\n}\n")
    config = json.loads((root / "bruno.json").read_text())
    (root / "bruno.json").write_text(json.dumps({**config, "ignore": ["scratch"]}))
    lines = describe(import_bruno(root / "bruno.json").collection)
    assert "GET     hidden" not in "\n".join(lines)
    assert "files/" not in lines  # a folder holding only files to upload
    assert lines[0] == "auth/"


def test_what_would_resolve_differently_is_reported(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    folder = root / "auth" / "folder.bru"
    folder.write_text(folder.read_text() + "\nvars:pre-request {\n  item: 7\n}\n")
    none = root / "auth" / "none.bru"
    none.write_text(none.read_text() + "\nheaders {\n  X-Name: {{$randomFirstName}}\n}\n")
    warnings = import_bruno(root).warnings
    assert (
        "auth: the folder variables item are also set by an environment; Bruno uses the "
        "folder's value, API Explorer the environment's"
    ) in warnings
    assert "dynamic values {{$randomFirstName}} are not made by API Explorer; define them" in (
        warnings
    )


def test_a_broken_request_file_is_skipped_and_named(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "text.bru").write_text("meta {\n  name: broken\n")
    result = import_bruno(root)
    assert "text" not in _requests(result)
    assert any(
        w.startswith("text.bru: ") and "text.bru:1: the block 'meta' is never closed" in w
        for w in result.warnings
    )


@pytest.mark.parametrize(
    ("files", "needle"),
    [
        ({}, "holds no bruno.json"),
        ({"opencollection.yml": "info: {}\n"}, r"YAML format \(opencollection\.yml\)"),
        ({"bruno.json": '{"type": "workspace"}'}, "describes a Bruno workspace"),
        ({"bruno.json": "[1]"}, "must be a JSON object"),
        ({"bruno.json": "{}", "a.bru": "meta {\n"}, "never closed"),
    ],
)
def test_folders_that_are_not_collections_are_refused(
    tmp_path: Path, files: dict[str, str], needle: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(FormatError, match=needle):
        import_bruno(tmp_path)


def test_the_walk_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy(tmp_path)
    monkeypatch.setattr(bruno, "MAX_ENTRIES", 5)
    with pytest.raises(FormatError, match="holds more than 5 files and folders"):
        import_bruno(root)
    monkeypatch.setattr(bruno, "MAX_ENTRIES", 1000)
    monkeypatch.setattr(bruno, "MAX_REQUESTS", 3)
    with pytest.raises(FormatError, match="holds more than 3 requests"):
        import_bruno(root)


def test_what_the_import_dialog_detects(tmp_path: Path) -> None:
    assert looks_like_bruno(HTTPBIN)
    assert looks_like_bruno(HTTPBIN / "bruno.json")
    assert looks_like_bruno(HTTPBIN / "query.bru")
    assert looks_like_bruno(DATA / "testbench.json")
    assert not looks_like_bruno(HTTPBIN / "auth")  # a folder inside a collection
    assert not looks_like_bruno(Path(__file__).parent / "data" / "shop.postman_collection.json")
    (tmp_path / "broken.json").write_text("{")
    assert not looks_like_bruno(tmp_path / "broken.json")
    assert not looks_like_bruno(tmp_path / "missing.bru")


# -- import → send against httpbin -----------------------------------------------------------
def _chains(
    folder: Folder, above: tuple[Folder, ...] = ()
) -> Iterator[tuple[tuple[Folder, ...], SavedRequest]]:
    chain = (folder, *above)
    for item in folder.items:
        if isinstance(item, SavedRequest):
            yield chain, item
        else:
            yield from _chains(item, chain)


def _expand(text: str, scope: Scope) -> str:
    return expand(text, scope)


def _send_all(result: ImportResult, host: str) -> dict[str, tuple[Any, Any]]:
    """Every request sent as the app sends it (folder headers and auth inherited, variables
    from the environment, the secrets and the folders): name → (echo, exchange)."""
    [env] = result.environments
    secrets = {**result.secrets, "api_token": TOKEN}
    values = {**env.values, "host": host}
    client = HttpClient()
    sent = {}
    try:
        for chain, saved in _chains(result.collection):
            spec = with_inherited(saved.spec, chain)
            scope = Scope(
                (
                    Layer("secrets", secrets, frozenset(secrets)),
                    Layer("env", values),
                    *folder_layers(chain),
                ),
                process_env=True,
                environ={"BRUNO_IMPORT_HOME": "/home/bruno"},
            )
            request = resolve(spec, scope)
            exchange = client.send(request, auth=explicit_auth(request.auth))
            checks = evaluate(spec.assertions, exchange, functools.partial(_expand, scope=scope))
            assert all(c.passed for c in checks), (saved.name, checks)
            sent[saved.name] = (json.loads(exchange.response.body.text()), exchange)
    finally:
        client.close()
    return sent


def test_imported_requests_send_what_bruno_sends(httpbin_url: str) -> None:
    result = import_bruno(HTTPBIN)
    sent = _send_all(result, httpbin_url)
    echo = {name: body for name, (body, _) in sent.items()}
    query = echo["query"]
    assert query["args"] == {"a": "1", "b": "bruno"}
    assert query["headers"]["X-One"] == "1"
    assert "X-Off" not in query["headers"]
    assert query["headers"]["X-Home"] == "/home/bruno"  # {{process.env.X}}, with consent
    assert query["headers"]["X-Collection"] == "from-collection"
    assert echo["json"]["json"] == {"name": "bruno", "n": 2}
    assert echo["json"]["headers"]["Content-Type"] == "application/json"
    values, missed = apply_captures(_requests(result)["json"].captures, sent["json"][1])
    assert values == {"echoed": "bruno", "type": "application/json"}
    assert not missed
    assert echo["form"]["form"] == {"a": "1", "two words": "x y"}
    assert echo["multipart"]["form"] == {"field": "hello", "meta": '{"a":1}'}
    assert echo["multipart"]["files"] == {"upload": "hello from a file\n"}
    assert (echo["text"]["data"], echo["text"]["headers"]["Content-Type"]) == (
        "plain words\non two lines",
        "text/plain",
    )
    assert (echo["xml"]["data"], echo["xml"]["headers"]["Content-Type"]) == (
        '<item id="42"/>',
        "application/xml",
    )
    assert (echo["file"]["data"], echo["file"]["headers"]["Content-Type"]) == (
        "hello from a file\n",
        "text/plain",
    )
    path = echo["path and request vars"]
    assert (path["method"], path["args"]) == ("DELETE", {"mark": "from-request"})
    assert path["url"].endswith("/anything/things/42?mark=from-request")
    assert echo["graphql"]["json"] == {
        "query": "query Item($id: ID!) {\n  item(id: $id) { name }\n}",
        "variables": {"id": "42"},
    }
    assert echo["bearer inherited"] == {"authenticated": True, "token": TOKEN}
    assert echo["basic"] == {"authenticated": True, "user": "bruno"}
    assert echo["api key in query"]["args"] == {"api_key": TOKEN}
    assert echo["api key in query"]["headers"]["X-Folder"] == "yes"
    assert "Authorization" not in echo["no auth"]["headers"]


def test_the_imported_collection_runs_from_its_workspace(httpbin_url: str, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    open_workspace(workspace)
    into = workspace / "collections" / "httpbin"
    applied = service.apply(import_bruno(HTTPBIN), into, workspace)
    assert (applied.request_count, applied.secret_names) == (13, ("basic_password",))
    loaded = load_collection(into)
    assert not loaded.errors
    assert loaded.collection is not None
    assert describe(loaded.collection) == describe(import_bruno(HTTPBIN).collection)
    done = run_cli(
        "run",
        str(into),
        "--workspace",
        str(workspace),
        "--env",
        "Local",
        "--var",
        f"host={httpbin_url}",
        "--var",
        f"api_token={TOKEN}",
        "--var",
        "basic_password=s3cret-Pa55",
        "--var",
        "home=/home/bruno",
        "--allow-file",
        str(HTTPBIN / "files"),
        "--secrets-from-env",  # CI has no keyring; every secret is given with --var
        extra_env={"API_EXPLORER_HOME": str(tmp_path / "home")},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "13 requests, 13 passed" in done.stdout + done.stderr


def test_oauth2_takes_the_schema_names_and_reports_what_has_no_place() -> None:
    source = DATA / "lang" / "request.bru"
    result = import_bru_text(
        source.read_text().replace("auth: bearer", "auth: oauth2"), str(source)
    )
    [(_, saved)] = result.collection.requests()
    callback = "http://localhost:8080/api/auth/oauth2/authorization_code/callback"
    assert saved.spec.auth == complete(
        "oauth2",
        {
            "grant_type": "authorization_code",
            "redirect_uri": callback,
            "auth_url": "http://localhost:8080/api/auth/oauth2/authorization_code/authorize",
            "token_url": "http://localhost:8080/api/auth/oauth2/authorization_code/token",
            "client_id": "client_id_1",
            "client_secret": "{{oauth2_client_secret}}",
            "scope": "read write",
            "pkce": "off",
            "client_auth": "client_secret_post",
            "add_token_to": "header",
            "header_prefix": "Bearer",
        },
    )
    warnings = "\n".join(result.warnings)
    assert "oauth2 auth setting state was not imported (made anew for each authorization)" in (
        warnings
    )
    assert "cannot send" not in warnings


OAUTH2_BRU = """\
meta {
  name: machine
  type: http
  seq: 1
}

get {
  url: https://api.example.com/reports
  body: none
  auth: oauth2
}

auth:oauth2 {
  grant_type: client_credentials
  access_token_url: https://id.example.com/token
  client_id: svc
  client_secret: {{secret}}
  scope: reports.read
  credentials_placement: basic_auth_header
  token_placement: url
  token_header_prefix: Bearer
  auto_fetch_token: true
}

auth:oauth2:additional_params:access_token_req:body {
  audience: https://api.example.com
  ~disabled: x
}

auth:oauth2:additional_params:auth_req:queryparams {
  prompt: consent
}
"""
OAUTH2_JSON = {
    "version": "1",
    "name": "machine",
    "items": [
        {
            "type": "http-request",
            "name": "machine",
            "seq": 1,
            "request": {
                "url": "https://api.example.com/reports",
                "method": "GET",
                "body": {"mode": "none"},
                "auth": {
                    "mode": "oauth2",
                    "oauth2": {
                        "grantType": "client_credentials",
                        "accessTokenUrl": "https://id.example.com/token",
                        "clientId": "svc",
                        "clientSecret": "{{secret}}",
                        "scope": "reports.read",
                        "credentialsPlacement": "basic_auth_header",
                        "tokenPlacement": "url",
                        "tokenHeaderPrefix": "Bearer",
                        "autoFetchToken": True,
                        "additionalParameters": {
                            "token": [
                                {
                                    "name": "audience",
                                    "value": "https://api.example.com",
                                    "sendIn": "body",
                                    "enabled": True,
                                },
                                {
                                    "name": "disabled",
                                    "value": "x",
                                    "sendIn": "body",
                                    "enabled": False,
                                },
                            ],
                            "authorization": [
                                {"name": "prompt", "value": "consent", "sendIn": "queryparams"}
                            ],
                        },
                    },
                },
            },
        }
    ],
}


@pytest.mark.parametrize("text", [OAUTH2_BRU, json.dumps(OAUTH2_JSON)], ids=["bru", "json"])
def test_oauth2_token_body_parameters_become_extra_params(text: str) -> None:
    result = import_bru_text(text, "machine.bru")
    [(_, saved)] = result.collection.requests()
    assert saved.spec.auth == complete(
        "oauth2",
        {
            "grant_type": "client_credentials",
            "token_url": "https://id.example.com/token",
            "client_id": "svc",
            "client_secret": "{{secret}}",
            "scope": "reports.read",
            "client_auth": "client_secret_basic",
            "add_token_to": "query",
            "header_prefix": "Bearer",
            "extra_params": "audience=https://api.example.com",
        },
    )
    warnings = "\n".join(result.warnings)
    assert (
        "OAuth2 additional parameters (auth:oauth2:additional_params:auth_req:queryparams, "
        "auth:oauth2:additional_params:access_token_req:body ~disabled) are not imported"
    ) in warnings
    assert "auto_fetch_token" not in warnings
