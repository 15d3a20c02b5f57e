"""Insomnia v4 import: real exports from the Insomnia repository (data/insomnia/README.md), each
mapping rule, bad input, and imported requests run by the CLI against httpbin."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from explorer.cli import main
from explorer.core import dynamic
from explorer.core.errors import FormatError
from explorer.core.formats import service
from explorer.core.formats.auth_map import complete
from explorer.core.formats.common import ImportResult, UnexpectedStructure
from explorer.core.formats.insomnia import import_insomnia, looks_like_insomnia
from explorer.core.models import (
    Assertion,
    AuthSpec,
    Body,
    BodyMode,
    CheckKind,
    FormField,
    KeyValue,
    RequestSpec,
)
from explorer.core.templating import Layer, Scope, resolve
from explorer.core.workspace.environments import EnvironmentValues
from explorer.core.workspace.marker import open_workspace
from explorer.core.workspace.model import Folder, SavedRequest, Variable, with_inherited

DATA = Path(__file__).parent / "data" / "insomnia"
KONG = sorted(DATA.glob("kong-*"))
WORKSPACE = {"_id": "wrk_1", "parentId": None, "name": "Shop", "_type": "workspace"}


def load(name: str) -> ImportResult:
    path = DATA / name
    return import_insomnia(path.read_text(encoding="utf-8"), str(path))


def export(*resources: dict[str, Any], workspace: bool = True) -> str:
    """An export holding ``resources`` (below one workspace ``wrk_1`` unless told otherwise)."""
    items = [WORKSPACE, *resources] if workspace else list(resources)
    return json.dumps({"_type": "export", "__export_format": 4, "resources": items})


def request(**fields: Any) -> dict[str, Any]:
    return {
        "_id": "req_1",
        "parentId": "wrk_1",
        "name": "Call",
        "method": "GET",
        "url": "https://api.example.test/items",
        "_type": "request",
        **fields,
    }


def only(result: ImportResult) -> RequestSpec:
    ((_, saved),) = result.collection.requests()
    return saved.spec


def item(folder: Folder, index: int) -> SavedRequest:
    found = folder.items[index]
    assert isinstance(found, SavedRequest)
    return found


def subfolder(folder: Folder, index: int) -> Folder:
    found = folder.items[index]
    assert isinstance(found, Folder)
    return found


# -- real exports ----------------------------------------------------------------------------
@pytest.mark.parametrize("path", KONG, ids=lambda p: p.name)
def test_every_real_export_imports_with_absolute_or_templated_urls(path: Path) -> None:
    result = import_insomnia(path.read_text(encoding="utf-8"), str(path))
    for _, saved in result.collection.requests():
        url = saved.spec.url
        assert url == "" or url.startswith(("http://", "https://", "{{")), url
        assert "{{ _." not in url


def test_a_yaml_export_becomes_folders_variables_and_its_sub_environment() -> None:
    result = load("kong-insomnia4.yaml")
    tree = result.collection
    assert tree.name == "Insomnia"
    assert tree.variables == (Variable("base_url", "{{scheme}}://{{host}}{{base_path}}"),)
    actions = subfolder(tree, 0)
    assert actions.name == "Actions"
    assert item(actions, 0).spec.url == "{{base_url}}/sleep"
    assert result.environments == (
        EnvironmentValues(
            "Insomnia Environment", {"base_path": "", "scheme": "http", "host": "127.0.0.1:4010"}
        ),
    )
    assert result.warnings == ()


def test_environment_objects_are_flattened_to_the_names_templates_use() -> None:
    result = load("kong-environments.yaml")
    spec = only(result)
    assert spec.url == "http://localhost:4010/"
    assert spec.body == Body(
        BodyMode.RAW,
        "{{exampleObject.anotherString}}\n{{exampleString}}\n{{exampleNumber}}\n"
        "{{exampleObject.anotherNumber}}",
        "text/plain",
    )
    assert spec.headers == ()  # the Content-Type header became the body's type
    assert Variable("exampleObject.anotherNumber", "1001") in result.collection.variables
    assert [e.name for e in result.environments] == ["ExampleA", "ExampleB"]
    assert result.environments[0].values["exampleObject.anotherString"] == "subenvA1"
    scope = Scope((Layer("ExampleA", result.environments[0].values),))
    sent = resolve(spec, scope)
    assert sent.body == b"subenvA1\nsubenvA0\n1111\n1111"
    assert sent.header("Content-Type") == "text/plain"


def test_a_json_export_moves_secrets_and_reports_what_it_cannot_import() -> None:
    result = load("kong-insomnia_v4.json")
    tree = result.collection
    login = next(s.spec for _, s in tree.requests() if s.spec.name == "Logs user into the system")
    assert login.url == "{{base_url}}/user/login"  # the legacy {{ name }} form
    assert login.params == (KeyValue("username", "string"), KeyValue("password", "{{password}}"))
    assert result.secrets["password"] == "string"
    (env,) = result.environments
    assert env.name == "OpenAPI env"
    assert env.secret_names == ("apiKey",)  # used as the api_key header
    assert "apiKey" not in env.values
    assert "the API spec 'Imported Workspace' was not imported" in "\n".join(result.warnings)
    for kind in ("unit_test_suite", "unit_test"):
        assert any(w.startswith(f"1 {kind} resource(s) were not imported") for w in result.warnings)


def test_non_http_requests_are_reported_and_urls_without_a_scheme_get_http() -> None:
    result = load("kong-simple.yaml")
    names = [s.spec.name for _, s in result.collection.requests()]
    assert names == ["New Request", "example graphql", "example http"]
    assert item(subfolder(result.collection, 0), 0).spec.url == "http://insomnia.rest"
    for kind in ("websocket_request", "grpc_request", "proto_file", "websocket_payload"):
        assert f"1 {kind} resource(s) were not imported; only HTTP requests, folders and " in (
            "\n".join(result.warnings)
        )
    assert "the cookie jar's 1 cookie(s) were not imported" in result.warnings
    assert [e.name for e in result.environments] == ["production", "staging"]


def test_folder_environments_scripts_and_basic_auth_of_the_smoke_tests() -> None:
    result = load("kong-smoke-test-collection.yaml")
    folder = subfolder(result.collection, 0)
    assert folder.variables == (Variable("customValue", "fromFolder"),)
    assert "FolderWithEnv/sends request with pre-request script: scripts are not imported" in (
        result.warnings
    )
    basic = next(s.spec for _, s in result.collection.requests() if "basic" in s.spec.name)
    assert basic.auth == AuthSpec(
        "basic", (("username", "user"), ("password", "{{basic_password}}"))
    )
    assert basic.headers == (KeyValue("Authorization", "Basic {{authorization}}", False),)
    assert result.secrets["basic_password"] == "pass"


def test_oauth2_maps_to_the_schema_and_folder_auth_is_inherited() -> None:
    result = load("kong-oauth.yaml")
    folder = subfolder(result.collection, 0)
    assert folder.auth == complete(
        "oauth2",
        {
            "grant_type": "authorization_code",
            "auth_url": "http://127.0.0.1:4010/oidc/auth",
            "token_url": "http://127.0.0.1:4010/oidc/token",
            "redirect_uri": "http://127.0.0.1:4010/callback",
            "scope": "openid offline_access",
            "client_id": "authorization_code",
            "client_secret": "{{oauth2_client_secret}}",
            "client_auth": "client_secret_basic",  # credentialsInBody: "false"
            "pkce": "off",  # usePkce: false
        },
    )
    assert (
        "Folder Level Auth Code: oauth2 auth setting responseType was not "
        "imported (no equivalent here)" in result.warnings
    )
    inner = item(subfolder(folder, 0), 0)
    assert inner.spec.auth is None
    chain = (subfolder(folder, 0), folder, result.collection)
    assert with_inherited(inner.spec, chain).auth == folder.auth
    password = next(
        s.spec for _, s in result.collection.requests() if s.spec.name.startswith("Res")
    )
    assert password.auth is not None
    assert password.auth.get("grant_type") == "password"
    assert password.auth.get("password") == "{{oauth2_password}}"


def test_graphql_bodies_become_json_with_their_variables_kept_as_written() -> None:
    result = load("kong-graphql.yaml")
    by_name = {s.spec.name: s.spec for _, s in result.collection.requests()}
    number = by_name["GraphQL request with number"]
    assert number.body.mode is BodyMode.JSON
    assert number.headers == ()
    sent = resolve(number, Scope((Layer("base", {"intVar": "3"}),)))
    assert isinstance(sent.body, bytes)
    assert json.loads(sent.body) == {
        "query": "query($inputVar: Int) { echoNum(intVar: $inputVar)}",
        "variables": {"inputVar": 3},
    }
    plain = json.loads(by_name["GraphQL request"].body.text)
    assert plain == {"query": "query {\n\thello,\n\tbearer\n}"}
    assert "GraphQL request: the GraphQL body became a JSON body" in result.warnings


def test_several_workspaces_become_one_folder_each() -> None:
    result = load("kong-multiple-workspaces.yaml")
    tree = result.collection
    assert tree.name == "kong-multiple-workspaces"
    assert [f.name for f in tree.items] == [
        "design doc 1",
        "design doc 2",
        "design doc 3",
        "collection 1",
    ]
    assert "the export holds 4 workspaces; each became a folder" in result.warnings


def test_a_workspace_of_environments_only_imports_as_environments() -> None:
    result = load("kong-global-environment.yaml")
    assert result.collection.items == ()
    assert result.environments == (
        EnvironmentValues(
            "Base Environment", {"global-base": "4444", "exampleString": "globalenv0"}
        ),
        EnvironmentValues(
            "New Environment",
            {"global-base": "4444", "exampleString": "globalenv1", "global-sub": "55555"},
        ),
    )


# -- sent to httpbin ---------------------------------------------------------------------------
#: What httpbin must have seen for each request of httpbin.insomnia.json: JSONPath → JSON text.
EXPECTED: dict[str, dict[str, str | None]] = {
    "Basic": {"$.authenticated": "true", "$.user": '"alice"'},
    "Bearer": {"$.token": '"t0ken-value"'},
    "Token prefix": {"$.headers.Authorization": '"Token abc"', "$.headers['X-Folder']": '"tests"'},
    "API key in query": {"$.args.api_key": '"k3y"'},
    "API key cookie": {"$.cookies.session": '"c00kie"'},
    "Inherits": {"$.headers['X-Api-Key']": '"f0lder"', "$.headers['X-Folder']": '"tests"'},
    "Disabled auth": {"$.headers['X-Api-Key']": '"f0lder"'},
    "JSON": {
        "$.json.greeting": '"hello"',
        "$.json.count": "3",
        "$.json.id": None,
        "$.args.page": '"2"',
        "$.args.fixed": '"yes"',
    },
    "Form": {"$.form": '{"a": "1", "b": "alice"}'},
    "Multipart": {"$.form.note": '"hi alice"', "$.files.upload": '"file body\\n"'},
    "GraphQL": {"$.json": '{"query": "query { hello }", "variables": {"a": 1}}'},
    "XML": {"$.data": '"<user>alice</user>"', "$.headers['Content-Type']": '"application/xml"'},
    "File": {"$.data": '"file body\\n"', "$.method": '"PUT"'},
    "Path parameter": {"$.url": '"{{base_url}}/anything/42"'},
    "Dynamic values": {
        "$.args.t": None,
        "$.headers['X-Correlation-Id']": None,
        "$.headers['X-Email']": None,
    },
}


def checked(tree: Folder) -> Folder:
    """``tree`` with the assertions of ``EXPECTED`` added to its requests (and the redirect
    that must not be followed expected as a 302)."""
    items: list[Folder | SavedRequest] = []
    for entry in tree.items:
        if isinstance(entry, Folder):
            items.append(checked(entry))
            continue
        name = entry.spec.name
        checks = [Assertion(CheckKind.JSONPATH, p, v) for p, v in EXPECTED.get(name, {}).items()]
        if name == "No redirect":
            checks = [Assertion(CheckKind.STATUS, expected="302")]
        items.append(replace(entry, spec=replace(entry.spec, assertions=tuple(checks))))
    return replace(tree, items=tuple(items))


def run(
    capsys: pytest.CaptureFixture[str], collection: Path, report: Path, *args: str
) -> list[dict[str, Any]]:
    """``api-explorer run`` in this process; secrets come from ``--var``, not a keyring."""
    workspace = collection.parent.parent
    argv = ["--workspace", str(workspace), "run", str(collection), "--secrets-from-env"]
    status = main([*argv, "--report", str(report), *args])
    out, err = capsys.readouterr()
    results: list[dict[str, Any]] = json.loads(report.read_text())["results"]
    failed = [(r["name"], r["error"], r["assertions"]) for r in results if r["outcome"] != "passed"]
    assert status == 0, (failed, out[-2000:], err)
    return results


def test_every_mapping_round_trips_through_import_and_a_cli_run_against_httpbin(
    capsys: pytest.CaptureFixture[str], httpbin_url: str, tmp_path: Path
) -> None:
    result = load("httpbin.insomnia.json")
    workspace = tmp_path / "ws"
    open_workspace(workspace)
    service.apply(result, workspace / "collections" / "plain", workspace)
    written = "\n".join(p.read_text() for p in workspace.rglob("*.yaml"))
    for secret in ("t0ken-value", "k3y", "c00kie", "f0lder"):
        assert secret not in written
    assert "password: s3cret" not in written  # (s3cret is also in the URL httpbin checks)
    assert "password: '{{basic_password}}'" in written
    tested = replace(result, collection=checked(result.collection))
    applied = service.apply(tested, workspace / "collections" / "httpbin", workspace)
    assert applied.collection_dir is not None
    (applied.collection_dir / "bodies" / "upload.txt").write_text("file body\n")
    variables = [f"--var={k}={v}" for k, v in {**result.secrets, "base_url": httpbin_url}.items()]
    results = run(capsys, applied.collection_dir, tmp_path / "r.json", "--env", "Local", *variables)
    assert [r["name"] for r in results] == [
        "Basic",
        "Bearer",
        "Token prefix",
        "API key in query",
        "API key cookie",
        "Inherits",
        "Disabled auth",
        "JSON",
        "Form",
        "Multipart",
        "GraphQL",
        "XML",
        "File",
        "Path parameter",
        "No redirect",
        "Dynamic values",
    ]
    for sent in results:  # every check was saved, sent and evaluated (plus status < 400)
        assert len(sent["assertions"]) == len(EXPECTED.get(sent["name"], {})) + 1, sent


def test_a_real_export_runs_with_its_sub_environment_against_httpbin(
    capsys: pytest.CaptureFixture[str], httpbin_url: str, tmp_path: Path
) -> None:
    result = load("kong-insomnia4.yaml")
    workspace = tmp_path / "ws"
    open_workspace(workspace)
    url = Assertion(CheckKind.JSONPATH, "$.url", f'"{httpbin_url}/anything/sleep"')
    tree = result.collection
    actions = subfolder(tree, 0)
    sleep = replace(item(actions, 0), spec=replace(item(actions, 0).spec, assertions=(url,)))
    tree = replace(tree, items=(replace(actions, items=(sleep,)),))
    applied = service.apply(
        replace(result, collection=tree), workspace / "collections" / "k", workspace
    )
    assert applied.collection_dir is not None
    host = httpbin_url.removeprefix("http://")
    env = ["--env", "Insomnia Environment", f"--var=host={host}", "--var=base_path=/anything"]
    (sent,) = run(capsys, applied.collection_dir, tmp_path / "r.json", *env)
    assert sent["status"] == 200
    assert sent["url"] == f"{httpbin_url}/anything/sleep"


def test_the_smoke_tests_basic_auth_request_authenticates_at_httpbin(httpbin_url: str) -> None:
    from explorer.core.auth.registry import explicit_auth
    from explorer.core.http import HttpClient

    text = (DATA / "kong-smoke-test-collection.yaml").read_text(encoding="utf-8")
    text = text.replace("http://127.0.0.1:4010/auth/basic", f"{httpbin_url}/basic-auth/user/pass")
    result = import_insomnia(text, "smoke.yaml")
    spec = next(s.spec for _, s in result.collection.requests() if "basic" in s.spec.name)
    sent = resolve(spec, Scope((Layer("secrets", result.secrets),)))
    client = HttpClient()
    try:
        assert sent.auth is not None
        answer = client.send(sent, auth=explicit_auth(sent.auth)).response
    finally:
        client.close()
    assert answer.status == 200
    assert json.loads(answer.body.text()) == {"authenticated": True, "user": "user"}


# -- templates ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "imported", "warning"),
    [
        ("{{ _.host }}", "{{host}}", None),
        ("{{_.db.host}}", "{{db.host}}", None),
        ("{{ _['api-host'] }}", "{{api-host}}", None),
        ("{{ _.hosts[0] }}", "{{hosts.0}}", None),
        ("{{ host }}", "{{host}}", None),
        ("{% uuid 'v4' %}", "{{$guid}}", None),
        ("{% uuid 'v1' %}", "{{$guid}}", "a version 1 {% uuid %} became a random UUID"),
        ("{% now 'iso-8601', '' %}", "{{$isoTimestamp}}", None),
        ("{% now 'millis', '' %}", "{{$datetime x}}", None),
        ("{% now 'unix', '' %}", "{{$timestamp}}", None),
        ("{% faker 'randomUUID' %}", "{{$randomUUID}}", None),
        ("{% now 'custom', 'yyyy' %}", "{% now 'custom', 'yyyy' %}", "run Insomnia's 'now' tag"),
        ("{% faker 'randomCity' %}", "{% faker 'randomCity' %}", "run Insomnia's 'faker' tag"),
        (
            "{% response 'body', 'req_2', 'b64::JC5pZA==::46b', 'never', 60 %}",
            "{% response 'body', 'req_2', 'b64::JC5pZA==::46b', 'never', 60 %}",
            "Insomnia's 'response' tag (use a variable instead)",
        ),
        ("{{ _.name | upper }}", "{{ _.name | upper }}", "only plain variables ({{ _.name }})"),
    ],
)
def test_templates_become_variables_or_dynamic_values_or_are_reported(
    written: str, imported: str, warning: str | None
) -> None:
    result = import_insomnia(export(request(url=f"https://h.test/{written}")), "t.json")
    assert only(result).url == f"https://h.test/{imported}"
    reported = [w for w in result.warnings if w.startswith("Call: ")]
    if warning is None:
        assert reported == []
    else:
        assert len(reported) == 1
        assert warning in reported[0]
    for token in re.findall(r"\{\{(\$[^{}]+)\}\}", imported):
        assert dynamic.make(token)  # each mapped tag is a dynamic value we can make


# -- auth ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("authentication", "auth", "headers", "warning"),
    [
        ({}, None, (), None),
        ({"type": "none"}, AuthSpec("none"), (), None),
        ({"type": "bearer", "token": "{{ _.t }}", "disabled": True}, None, (), None),
        (
            {"type": "basic", "username": "u", "password": "{{ _.pw }}", "useISO88591": True},
            AuthSpec("basic", (("username", "u"), ("password", "{{pw}}"))),
            (),
            "basic auth is sent UTF-8 encoded, not ISO-8859-1",
        ),
        (
            {"type": "bearer", "token": "{{ _.t }}", "prefix": "bearer"},
            AuthSpec("bearer", (("token", "{{t}}"),)),
            (),
            None,
        ),
        (
            {"type": "bearer", "token": "{{ _.t }}", "prefix": "JWT"},
            AuthSpec("none"),
            (KeyValue("Authorization", "JWT {{t}}"),),
            "the bearer token with the prefix 'JWT' became the header",
        ),
        (
            {"type": "apikey", "key": "X-Key", "value": "{{ _.k }}", "addTo": "header"},
            AuthSpec("api-key", (("key", "X-Key"), ("value", "{{k}}"), ("in", "header"))),
            (),
            None,
        ),
        (
            {"type": "apikey", "key": "key", "value": "{{ _.k }}", "addTo": "queryParams"},
            AuthSpec("api-key", (("key", "key"), ("value", "{{k}}"), ("in", "query"))),
            (),
            None,
        ),
        (
            {"type": "apikey", "key": "sid", "value": "{{ _.k }}", "addTo": "cookie"},
            AuthSpec("api-key", (("key", "sid"), ("value", "{{k}}"), ("in", "cookie"))),
            (),
            None,
        ),
        (
            {"type": "digest", "username": "u", "password": "{{ _.pw }}", "disabled": False},
            complete("digest", {"username": "u", "password": "{{pw}}"}),
            (),
            None,
        ),
        (
            {
                "type": "iam",
                "accessKeyId": "AKID",
                "secretAccessKey": "{{ _.aws_secret }}",
                "sessionToken": "",
                "region": "eu-west-1",
                "service": "s3",
            },
            AuthSpec(
                "awsv4",
                (
                    ("access_key", "AKID"),
                    ("secret_key", "{{aws_secret}}"),
                    ("session_token", ""),
                    ("region", "eu-west-1"),
                    ("service", "s3"),
                ),
            ),
            (),
            None,
        ),
        (
            {"type": "netrc"},
            AuthSpec("netrc"),
            (),
            "API Explorer cannot send netrc auth yet",
        ),
    ],
    ids=[
        "inherit",
        "none",
        "disabled",
        "basic",
        "bearer",
        "prefix",
        "key-header",
        "key-query",
        "key-cookie",
        "digest",
        "iam",
        "netrc",
    ],
)
def test_auth_types_map_to_ours_or_are_kept_and_reported(
    authentication: dict[str, Any],
    auth: AuthSpec | None,
    headers: tuple[KeyValue, ...],
    warning: str | None,
) -> None:
    result = import_insomnia(export(request(authentication=authentication)), "a.json")
    spec = only(result)
    assert spec.auth == auth
    assert spec.headers == headers
    reported = [w for w in result.warnings if w.startswith("Call: ")]
    if warning is None:
        assert reported == []
    else:
        assert len(reported) == 1
        assert warning in reported[0]


def test_literal_secrets_of_kept_auth_types_are_moved() -> None:
    hawk = {"type": "hawk", "id": "me", "key": "hawk-key-literal", "algorithm": "sha256"}
    oauth1 = {
        "type": "oauth1",
        "consumerKey": "ck",
        "consumerSecret": "cs-literal",
        "tokenKey": "tk",
        "tokenSecret": "ts-literal",
        "signatureMethod": "HMAC-SHA1",
    }
    result = import_insomnia(
        export(
            request(authentication=hawk),
            request(_id="req_2", name="Signed", authentication=oauth1),
        ),
        "a.json",
    )
    first, second = (s.spec.auth for _, s in result.collection.requests())
    assert first == AuthSpec(
        "hawk", (("authId", "me"), ("authKey", "{{hawk_auth_key}}"), ("algorithm", "sha256"))
    )
    assert second is not None
    assert dict(second.params) == {
        "consumerKey": "ck",
        "consumerSecret": "{{oauth1_consumer_secret}}",
        "token": "{{oauth1_token}}",  # Postman's name, which the schema counts as secret
        "tokenSecret": "{{oauth1_token_secret}}",
        "signatureMethod": "HMAC-SHA1",
    }
    assert set(result.secrets.values()) >= {"hawk-key-literal", "cs-literal", "ts-literal"}
    assert {"hawk_auth_key", "oauth1_consumer_secret"} <= set(result.collection.secret_names())


def test_a_disabled_request_auth_inherits_the_folder_auth_as_insomnia_does() -> None:
    folder = {
        "_id": "fld_1",
        "parentId": "wrk_1",
        "name": "Secured",
        "_type": "request_group",
        "authentication": {"type": "bearer", "token": "{{ _.token }}"},
        "headers": [
            {"name": "X-Team", "value": "core"},
            {"name": "X-Off", "value": "1", "disabled": True},
        ],
    }
    off = {"type": "basic", "username": "u", "password": "p", "disabled": True}
    result = import_insomnia(export(folder, request(parentId="fld_1", authentication=off)), "a")
    secured = subfolder(result.collection, 0)
    assert secured.headers == (KeyValue("X-Team", "core"), KeyValue("X-Off", "1", False))
    spec = with_inherited(item(secured, 0).spec, (secured, result.collection))
    assert spec.auth == AuthSpec("bearer", (("token", "{{token}}"),))
    assert spec.headers == (KeyValue("X-Team", "core"),)


# -- bodies and settings -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "headers", "expected", "warning"),
    [
        ({}, [], Body(), None),
        ({"mimeType": "application/json", "text": ""}, [], Body(), None),
        (
            {"mimeType": "application/json", "text": '{"a": {{ _.n }}}'},
            [{"name": "Content-Type", "value": "application/json"}],
            Body(BodyMode.JSON, '{"a": {{n}}}'),
            None,
        ),
        (
            {"mimeType": "application/vnd.api+json", "text": "{}"},
            [],
            Body(BodyMode.JSON, "{}", "application/vnd.api+json"),
            None,
        ),
        (
            {"mimeType": "application/json", "text": "{'not': json}"},
            [],
            Body(BodyMode.RAW, "{'not': json}", "application/json"),
            "the JSON body is not valid JSON, so it is sent as raw text",
        ),
        ({"mimeType": "", "text": "plain"}, [], Body(BodyMode.RAW, "plain"), None),
        (
            {"mimeType": "text/yaml", "text": "a: 1"},
            [{"name": "Content-Type", "value": "text/yaml; charset=utf-8"}],
            Body(BodyMode.RAW, "a: 1", "text/yaml; charset=utf-8"),
            None,
        ),
        (
            {
                "mimeType": "application/x-www-form-urlencoded",
                "params": [
                    {"name": "a", "value": "1"},
                    {"name": "b", "value": "2", "disabled": True},
                    {"name": "", "value": ""},
                ],
            },
            [{"name": "Content-Type", "value": "application/x-www-form-urlencoded"}],
            Body(BodyMode.FORM, fields=(FormField("a", "1"), FormField("b", "2", False))),
            None,
        ),
        (
            {
                "mimeType": "multipart/form-data",
                "params": [
                    {"name": "doc", "type": "file", "fileName": "/tmp/doc.pdf"},
                    {"name": "empty", "type": "file", "fileName": ""},
                ],
            },
            [{"name": "Content-Type", "value": "multipart/form-data"}],
            Body(
                BodyMode.MULTIPART,
                fields=(
                    FormField("doc", "/tmp/doc.pdf", is_file=True),
                    FormField("empty", "", is_file=True),
                ),
            ),
            "the file part 'empty' names no file; choose one",
        ),
        (
            {"mimeType": "application/octet-stream", "fileName": "data.bin"},
            [],
            Body(BodyMode.BINARY_FILE, content_type="application/octet-stream", file="data.bin"),
            "the request sends the local file 'data.bin'",
        ),
    ],
    ids=[
        "empty",
        "no-text",
        "json",
        "vnd-json",
        "bad-json",
        "other",
        "yaml",
        "form",
        "multipart",
        "file",
    ],
)
def test_bodies_by_mime_type(
    body: dict[str, Any], headers: list[dict[str, Any]], expected: Body, warning: str | None
) -> None:
    result = import_insomnia(export(request(method="POST", body=body, headers=headers)), "b")
    spec = only(result)
    assert spec.body == expected
    assert spec.headers == ()
    reported = [w for w in result.warnings if w.startswith("Call: ")]
    if warning is None:
        assert reported == []
    else:
        assert any(warning in w for w in reported), reported


def test_settings_scripts_path_parameters_and_order() -> None:
    first = request(
        _id="req_2",
        name="Later",
        metaSortKey=5,
        url="api.example.test/users/:id/posts/:post?x=1",
        pathParameters=[{"name": "id", "value": "{{ _.user }}"}, {"name": "post", "value": ""}],
        settingFollowRedirects="off",
        settingEncodeUrl=False,
        preRequestScript="insomnia.environment.set('a', 1);",
        description="Docs here.",
    )
    second = request(name="Earlier", metaSortKey=-5, settingFollowRedirects="on")
    result = import_insomnia(export(first, second), "s.json")
    earlier, later = (s.spec for _, s in result.collection.requests())
    assert (earlier.name, earlier.follow_redirects) == ("Earlier", True)
    assert later.url == "http://api.example.test/users/{{user}}/posts/{{post}}?x=1"
    assert later.follow_redirects is False
    assert later.docs == "Docs here."
    assert "Later: scripts are not imported" in result.warnings
    assert (
        "Later: the Insomnia setting(s) settingEncodeUrl are not imported; the request is sent "
        "with API Explorer's defaults"
    ) in result.warnings


def test_yaml_timestamps_and_numbers_come_back_as_the_text_insomnia_wrote() -> None:
    text = """\
_type: export
__export_format: 4
resources:
  - {_id: wrk_1, parentId: null, name: Dates, _type: workspace}
  - {_id: req_1, parentId: wrk_1, name: Call, url: "https://h.test/{{ _.when }}", _type: request}
  - _id: env_1
    parentId: wrk_1
    name: Base Environment
    _type: environment
    data: {when: 2021-10-22T15:04:47.537Z, day: 2024-01-31, ratio: 0.5, flag: true, none: null}
"""
    result = import_insomnia(text, "dates.yaml")
    assert dict((v.name, v.value) for v in result.collection.variables) == {
        "when": "2021-10-22T15:04:47.537Z",
        "day": "2024-01-31",
        "ratio": "0.5",
        "flag": "true",
        "none": "",
    }


# -- structure -----------------------------------------------------------------------------------
def test_orphans_go_to_the_top_and_loops_and_stray_environments_are_reported() -> None:
    lost = request(_id="req_lost", parentId="fld_gone", name="Lost")
    loop_a = {"_id": "fld_a", "parentId": "fld_b", "name": "A", "_type": "request_group"}
    loop_b = {"_id": "fld_b", "parentId": "fld_a", "name": "B", "_type": "request_group"}
    stray = {"_id": "env_x", "parentId": "env_gone", "name": "Stray", "_type": "environment"}
    result = import_insomnia(export(request(), lost, loop_a, loop_b, stray), "o.json")
    assert [s.spec.name for _, s in result.collection.requests()] == ["Call", "Lost"]
    lost_warning = (
        "Lost: its folder or workspace is not in the export; it was put at the top of the "
        "collection"
    )
    assert lost_warning in result.warnings
    assert any("(A): its folders form a loop" in w for w in result.warnings)
    assert any("(B): its folders form a loop" in w for w in result.warnings)
    assert any(
        w.startswith("environment 'Stray': it belongs to no workspace") for w in result.warnings
    )


def test_an_export_without_a_workspace_keeps_its_requests_silently() -> None:
    result = import_insomnia(export(request(parentId="fld_elsewhere"), workspace=False), "x.json")
    assert result.collection.name == "x"
    assert [s.spec.name for _, s in result.collection.requests()] == ["Call"]
    assert result.warnings == ()


def test_environment_names_of_several_workspaces_are_prefixed_and_unique() -> None:
    def space(n: int) -> list[dict[str, Any]]:
        return [
            {"_id": f"wrk_{n}", "parentId": None, "name": "Team", "_type": "workspace"},
            request(_id=f"req_{n}", parentId=f"wrk_{n}"),
            {
                "_id": f"env_{n}",
                "parentId": f"wrk_{n}",
                "name": "Base",
                "_type": "environment",
                "data": {"n": n},
            },
            {
                "_id": f"env_{n}s",
                "parentId": f"env_{n}",
                "name": "Prod",
                "_type": "environment",
                "data": {},
            },
        ]

    result = import_insomnia(export(*space(1), *space(2), workspace=False), "teams.json")
    assert [e.name for e in result.environments] == ["Team / Prod", "Team / Prod 2"]
    assert [subfolder(result.collection, i).variables for i in (0, 1)] == [
        (Variable("n", "1"),),
        (Variable("n", "2"),),
    ]


# -- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"_type": "export", "__export_format": 4', "bad.json:1: is not valid JSON"),
        ("resources: [\n", "bad.json:2: not valid YAML"),
        ("__export_format: 3\n", "bad.json: is not an Insomnia export (it has no '_type: export')"),
        (
            '{"_type": "export", "__export_format": 3, "resources": []}',
            "uses Insomnia export format 3",
        ),
        ('{"_type": "export", "resources": []}', "uses Insomnia export format None"),
        (
            '{"_type": "export", "__export_format": 4, "resources": {}}',
            "resources must be an array",
        ),
        (
            '{"_type": "export", "__export_format": 4, "resources": [{"_id": "x"}]}',
            "resources[0]._type must be text",
        ),
        (export(request(), request()), "resources[2]: the id req_1 is also the id of resources[1]"),
        (
            export(request(headers=[{"name": "A", "value": {}}])),
            "resources[1].headers[0].value must be text",
        ),
        (export(request(body=[])), "resources[1].body must be an object"),
        (export(request(parameters="a=1")), "resources[1].parameters must be an array"),
    ],
)
def test_malformed_exports_are_one_located_format_error(text: str, message: str) -> None:
    with pytest.raises(FormatError) as caught:
        import_insomnia(text, "bad.json")
    assert message in str(caught.value)
    assert not isinstance(caught.value, UnexpectedStructure)


def test_looks_like_insomnia_recognises_exports_by_content() -> None:
    for path in KONG:
        text = path.read_text(encoding="utf-8")
        parsed = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        assert looks_like_insomnia(parsed), path.name
    postman = json.loads((DATA.parent / "shop.postman_collection.json").read_text())
    others: list[object] = [postman, [], None, "export", {"_type": "export"}, {"_type": "x"}]
    for other in others:
        assert not looks_like_insomnia(other)


@pytest.mark.parametrize(
    ("authentication", "expected", "warning"),
    [
        (
            {
                "grantType": "client_credentials",
                "accessTokenUrl": "{{ _.base }}/token",
                "clientId": "svc",
                "clientSecret": "{{ _.secret }}",
                "credentialsInBody": True,
                "audience": "https://api",
                "tokenPrefix": "",
                "usePkce": False,
            },
            {
                "grant_type": "client_credentials",
                "token_url": "{{base}}/token",
                "client_id": "svc",
                "client_secret": "{{secret}}",
                "client_auth": "client_secret_post",
                "audience": "https://api",
            },
            None,
        ),
        (
            {
                "grantType": "authorization_code",
                "authorizationUrl": "https://id/auth",
                "accessTokenUrl": "https://id/token",
                "clientId": "app",
                "usePkce": True,
                "pkceMethod": "plain",
                "state": "abc",
            },
            {
                "grant_type": "authorization_code",
                "auth_url": "https://id/auth",
                "token_url": "https://id/token",
                "client_id": "app",
                "pkce": "S256",
            },
            "the PKCE method plain is not supported; S256 is used",
        ),
        (
            {"grantType": "implicit", "authorizationUrl": "https://id/auth", "clientId": "spa"},
            {"grant_type": "authorization_code", "auth_url": "https://id/auth", "client_id": "spa"},
            "the implicit grant is not supported",
        ),
        (
            {
                "grantType": "refresh_token",
                "accessTokenUrl": "https://id/token",
                "refreshToken": "{{ _.rt }}",
            },
            {
                "grant_type": "refresh_token",
                "token_url": "https://id/token",
                "refresh_token": "{{rt}}",
            },
            None,
        ),
    ],
    ids=["client-credentials", "pkce-plain", "implicit", "refresh-token"],
)
def test_oauth2_grants_map_to_the_schema(
    authentication: dict[str, Any], expected: dict[str, str], warning: str | None
) -> None:
    result = import_insomnia(
        export(request(authentication={"type": "oauth2", **authentication})), "a.json"
    )
    assert only(result).auth == complete("oauth2", expected)
    reported = [w for w in result.warnings if w.startswith("Call: ")]
    if warning is None:
        assert reported == []
    else:
        assert any(warning in w for w in reported), reported
