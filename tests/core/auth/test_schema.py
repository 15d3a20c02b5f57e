"""The auth schema drives every front end: each type survives the exporters, API keys reach the
server where the scheme says, and imported OpenAPI API keys can be sent with ``--var``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.core.auth.registry import build_auth
from explorer.core.auth.schema import SCHEMA, validate
from explorer.core.errors import InvalidRequest
from explorer.core.formats.http_file import export_http, import_http
from explorer.core.formats.postman import export_postman, import_postman
from explorer.core.http import HttpClient
from explorer.core.models import AuthSpec, RequestSpec, ResolvedRequest
from explorer.core.snippets import SnippetOptions, generate
from explorer.core.workspace.collections import load_collection, save_collection
from explorer.core.workspace.model import Folder, SavedRequest
from tests.support.recording import RecordingServer

#: A value per parameter that looks like what users store: secrets as {{variables}}.
SAMPLE = {
    "username": "alice",
    "key": "X-Api-Key",
    "in": "header",
    "grant_type": "client_credentials",
    "token_url": "https://id.example/token",
    "access_key": "AKIDEXAMPLE",
    "region": "eu-west-1",
    "service": "execute-api",
}
KEPT = AuthSpec("ntlm", (("username", "u"), ("password", "{{ntlm_pw}}"), ("domain", "corp")))


def _value(name: str, secret: bool, choices: tuple[str, ...]) -> str:
    if secret:
        return "{{" + name + "}}"
    if choices:
        return SAMPLE.get(name, choices[0])
    return SAMPLE.get(name, "a=b" if name == "extra_params" else f"the {name}")


def sample(kind: str) -> AuthSpec:
    params = SCHEMA[kind].params
    return AuthSpec(kind, tuple((p.name, _value(p.name, p.secret, p.choices)) for p in params))


def tree(auth: AuthSpec) -> Folder:
    spec = RequestSpec(url="https://api.example/things", name="Things", auth=auth)
    return Folder("Auth", items=(SavedRequest(spec, 1),))


EVERY = [sample(kind) for kind in SCHEMA] + [KEPT]
IDS = [auth.type for auth in EVERY]


@pytest.fixture(scope="module")
def recorder() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.stop()


@pytest.mark.parametrize("auth", EVERY, ids=IDS)
def test_every_type_round_trips_through_postman(auth: AuthSpec) -> None:
    result = import_postman(export_postman(tree(auth)))
    assert result.collection == tree(auth)
    assert result.secrets == {}


@pytest.mark.parametrize("auth", [a for a in EVERY if a.type != "none"], ids=IDS[1:])
def test_every_type_round_trips_through_http_files(auth: AuthSpec) -> None:
    text = export_http(tree(auth))
    assert import_http(text).collection == tree(auth)


def test_an_api_key_in_an_http_file_is_its_header_not_an_empty_line() -> None:
    text = export_http(tree(sample("api-key")))
    assert "\nX-Api-Key: {{value}}\n" in text
    assert "\n: " not in text


@pytest.mark.parametrize(
    ("where", "expected_target", "expected_header"),
    [("header", "/things?a=1", "k-1"), ("query", "/things?a=1&X-Api-Key=k-1", None)],
)
def test_api_key_goes_where_the_scheme_says(
    recorder: RecordingServer, where: str, expected_target: str, expected_header: str | None
) -> None:
    mark = recorder.mark()
    client = HttpClient()
    try:
        auth = build_auth("api-key", {"key": "X-Api-Key", "value": "k-1", "in": where})
        client.send(ResolvedRequest("GET", f"{recorder.base_url}/things?a=1"), auth=auth)
    finally:
        client.close()
    (got,) = recorder.since(mark)
    assert got.target == expected_target
    assert got.header("X-Api-Key") == expected_header
    assert got.header("Authorization") is None


def test_the_curl_snippet_uses_the_schemes_header() -> None:
    auth = AuthSpec("api-key", (("key", "X-Api-Key"), ("value", "k-1"), ("in", "header")))
    spec = RequestSpec(url="https://api.example/things", auth=auth)
    text = generate(spec, "curl", SnippetOptions(auth_mode="reveal"))
    assert "X-Api-Key: k-1" in text
    assert "Authorization" not in text


def test_validate_fills_defaults_and_names_the_parameters() -> None:
    assert validate("api-key", {"value": "v"}) == {"key": "X-Api-Key", "value": "v", "in": "header"}
    with pytest.raises(InvalidRequest, match="its parameters are key, value, in"):
        validate("api-key", {"api_key": "v"})


def test_a_kept_type_survives_import_save_load_export(tmp_path: Path) -> None:
    imported = import_postman(export_postman(tree(KEPT))).collection
    save_collection(imported, tmp_path / "auth")
    loaded = load_collection(tmp_path / "auth").collection
    assert loaded is not None
    again = json.loads(export_postman(loaded))
    assert again["item"][0]["request"]["auth"] == {
        "type": "ntlm",
        "ntlm": [
            {"key": "username", "value": "u", "type": "string"},
            {"key": "password", "value": "{{ntlm_pw}}", "type": "string"},
            {"key": "domain", "value": "corp", "type": "string"},
        ],
    }
    with pytest.raises(InvalidRequest, match=r"^API Explorer cannot send ntlm auth yet; it is"):
        build_auth(KEPT.type, dict(KEPT.params))


OPENAPI = """\
openapi: 3.0.0
info: {{title: Keyed, version: "1"}}
servers: [{{url: "{base}"}}]
security: [{{keyAuth: []}}]
paths:
  /things:
    get: {{operationId: listThings, responses: {{"200": {{description: ok}}}}}}
components:
  securitySchemes:
    keyAuth: {{type: apiKey, in: {where}, name: {name}}}
"""


@pytest.mark.parametrize(("where", "name"), [("header", "X-Api-Key"), ("query", "api_key")])
def test_an_imported_openapi_api_key_is_sent_with_var(
    recorder: RecordingServer,
    tmp_path: Path,
    plaintext_keyring: object,
    capsys: pytest.CaptureFixture[str],
    where: str,
    name: str,
) -> None:
    spec = tmp_path / "keyed.yaml"
    spec.write_text(OPENAPI.format(base=recorder.base_url, where=where, name=name))
    ws = tmp_path / "ws"
    assert main(["--workspace", str(ws), "import", "openapi", str(spec), "--into", "keyed"]) == 0
    collection = str(ws / "collections" / "keyed")

    assert main(["run", collection]) == 1
    out = capsys.readouterr().out
    assert "{{api_key}}" in out
    assert "--var" in out
    assert "credentials set" not in out

    mark = recorder.mark()
    assert main(["run", collection, "--var", "api_key=s3cr3t"]) == 0
    (got,) = recorder.since(mark)
    if where == "header":
        assert got.header("X-Api-Key") == "s3cr3t"
    else:
        assert got.target == "/things?api_key=s3cr3t"
    assert got.header("Authorization") is None
