"""Imports write no secret in plain text (issue 18, point 10; docs/security.md "Secrets in
imported files").

Each case imports a file through ``formats.service`` exactly as the CLI and the window do
(``read`` then ``apply`` into a real workspace), then reads every file the import wrote: the
secret value appears in none of them, the import report (its warnings and the secret names
``apply`` returns) names each secret that was moved, and the request refers to it as a
``{{variable}}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from explorer.core.formats import service
from explorer.core.formats.common import ImportResult
from explorer.core.formats.secrets import random_looking
from explorer.core.workspace.marker import open_workspace

SECRET = "Hunter2-Secret"
RANDOM = "q8Zr3LmW0xYt7KbN5vJp2HsD"  # an API key pasted as a plain value


def imported(tmp_path: Path, kind: str, name: str, text: str) -> tuple[ImportResult, str, str]:
    """Import ``text`` as ``kind`` into a fresh workspace: the result, the text of every file
    written (workspace and collection), and the report (warnings and secret names)."""
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    workspace = tmp_path / "ws"
    open_workspace(workspace)
    result = service.read(kind, source)
    applied = service.apply(result, workspace / "collections" / "imported", workspace, "shop")
    written = "\n".join(
        path.read_text(encoding="utf-8") for path in sorted(workspace.rglob("*")) if path.is_file()
    )
    report = "\n".join((*result.warnings, "secret names:", *applied.secret_names))
    return result, written, report


def postman(items: list[dict[str, Any]], variables: list[dict[str, Any]] | None = None) -> str:
    info = {
        "name": "Shop",
        "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    }
    return json.dumps({"info": info, "item": items, "variable": variables or []})


def get(url: str | dict[str, Any], **request: Any) -> dict[str, Any]:
    return {"name": "call", "request": {"method": "GET", "url": url, **request}}


def assert_moved(written: str, report: str, value: str, *names: str) -> None:
    """``value`` is in no written file; each of ``names`` is a secret variable (or an
    environment's secret) listed in the files, and the report says it was moved."""
    warnings, _, secret_names = report.partition("secret names:")
    assert written
    assert value not in written
    for name in names:
        assert name in secret_names.split()
        assert any(name in line and "not written" in line for line in warnings.splitlines())
        assert f"- {name}\n" in written


def test_postman_variable_used_as_bearer_token(tmp_path: Path) -> None:
    items = [
        get(
            "https://api.test/me",
            auth={
                "type": "bearer",
                "bearer": [{"key": "token", "value": "{{tk}}", "type": "string"}],
            },
        )
    ]
    result, written, report = imported(
        tmp_path, "postman", "c.json", postman(items, [{"key": "tk", "value": SECRET}])
    )
    assert_moved(written, report, SECRET, "tk")
    assert result.secrets["tk"] == SECRET


def test_postman_variable_named_password(tmp_path: Path) -> None:
    variables = [{"key": "password", "value": SECRET}, {"key": "user", "value": "ada"}]
    items = [get("https://api.test/login?user={{user}}")]
    _, written, report = imported(tmp_path, "postman", "c.json", postman(items, variables))
    assert_moved(written, report, SECRET, "password")
    assert "ada" in written  # an ordinary variable keeps its value


def test_postman_api_key_query_parameter(tmp_path: Path) -> None:
    url = {
        "raw": f"https://api.test/items?api_key={SECRET}&page=2",
        "query": [{"key": "api_key", "value": SECRET}, {"key": "page", "value": "2"}],
    }
    _, written, report = imported(tmp_path, "postman", "c.json", postman([get(url)]))
    assert_moved(written, report, SECRET, "api_key")
    assert "page" in written


def test_postman_auth_token_header(tmp_path: Path) -> None:
    items = [get("https://api.test/me", header=[{"key": "X-Auth-Token", "value": SECRET}])]
    _, written, report = imported(tmp_path, "postman", "c.json", postman(items))
    assert_moved(written, report, SECRET, "x_auth_token")


def test_postman_form_fields_client_secret_and_password(tmp_path: Path) -> None:
    body = {
        "mode": "urlencoded",
        "urlencoded": [
            {"key": "client_id", "value": "shop-app"},
            {"key": "client_secret", "value": SECRET},
            {"key": "password", "value": "Correct-Horse-7"},
        ],
    }
    items = [
        {"name": "token", "request": {"method": "POST", "url": "https://a.test/t", "body": body}}
    ]
    _, written, report = imported(tmp_path, "postman", "c.json", postman(items))
    assert_moved(written, report, SECRET, "client_secret")
    assert_moved(written, report, "Correct-Horse-7", "password")
    assert "shop-app" in written


def test_postman_environment_values(tmp_path: Path) -> None:
    env = {
        "name": "Prod",
        "values": [
            {"key": "token", "value": SECRET, "enabled": True},
            {"key": "db_password", "value": "Correct-Horse-7", "enabled": True},
            {"key": "base_url", "value": "https://api.test", "enabled": True},
        ],
    }
    result, written, report = imported(tmp_path, "postman", "env.json", json.dumps(env))
    assert_moved(written, report, SECRET, "token")
    assert_moved(written, report, "Correct-Horse-7", "db_password")
    assert "https://api.test" in written
    assert set(result.environments[0].secret_names) == {"token", "db_password"}


def test_http_variable_used_in_authorization(tmp_path: Path) -> None:
    text = f"@token = {SECRET}\n@host = https://api.test\n\nGET {{{{host}}}}/me\n"
    text += "Authorization: Bearer {{token}}\n"
    _, written, report = imported(tmp_path, "http", "api.http", text)
    assert_moved(written, report, SECRET, "token")
    assert "https://api.test" in written


def test_curl_oauth2_bearer(tmp_path: Path) -> None:
    result, written, report = imported(
        tmp_path, "curl", "c.sh", f"curl --oauth2-bearer {SECRET} https://api.test/me\n"
    )
    assert_moved(written, report, SECRET, "bearer_token")
    spec = result.collection.requests()[0][1].spec
    assert spec.url == "https://api.test/me"
    assert spec.auth is not None
    assert spec.auth.type == "bearer"


def test_curl_password_in_form_data(tmp_path: Path) -> None:
    text = f"curl https://api.test/login -d 'user=ada&password={SECRET}'\n"
    _, written, report = imported(tmp_path, "curl", "c.sh", text)
    assert_moved(written, report, SECRET, "password")


def test_curl_token_in_query(tmp_path: Path) -> None:
    text = f"curl 'https://api.test/feed?token={SECRET}&page=2'\n"
    result, written, report = imported(tmp_path, "curl", "c.sh", text)
    assert_moved(written, report, SECRET, "token")
    assert (
        result.collection.requests()[0][1].spec.url
        == "https://api.test/feed?token={{token}}&page=2"
    )


def test_curl_json_body_password(tmp_path: Path) -> None:
    text = f"""curl https://api.test/login --json '{{"user": "ada", "password": "{SECRET}"}}'\n"""
    result, written, report = imported(tmp_path, "curl", "c.sh", text)
    assert_moved(written, report, SECRET, "password")
    body = result.collection.requests()[0][1].spec.body.text
    assert json.loads(body) == {"user": "ada", "password": "{{password}}"}


def test_openapi_example_of_a_credential_parameter(tmp_path: Path) -> None:
    parameters = [
        {"name": "api_key", "in": "query", "example": SECRET},
        {"name": "X-Auth-Token", "in": "header", "example": "Correct-Horse-7"},
        {"name": "page", "in": "query", "example": 2},
    ]
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "Shop", "version": "1"},
        "paths": {"/items": {"get": {"parameters": parameters, "responses": {}}}},
    }
    _, written, report = imported(tmp_path, "openapi", "shop.json", json.dumps(doc))
    assert_moved(written, report, SECRET, "api_key")
    assert_moved(written, report, "Correct-Horse-7", "x_auth_token")


def test_random_looking_value_under_an_ordinary_name(tmp_path: Path) -> None:
    items = [get("https://api.test/me?key2={{k}}", header=[{"key": "X-Client", "value": RANDOM}])]
    variables = [{"key": "k", "value": RANDOM}, {"key": "user_id", "value": "12345"}]
    _, written, report = imported(tmp_path, "postman", "c.json", postman(items, variables))
    assert_moved(written, report, RANDOM, "k")
    assert "12345" in written


@pytest.mark.parametrize(
    ("value", "secret"),
    [
        (RANDOM, True),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlMTIz", True),
        ("application/json", False),
        ("8f14e45fceea167a5a36dedd4bea2543", False),  # a lower-case hex id
        ("Mozilla/5.0 (X11; Linux x86_64)", False),
        ("/api/v1/Users/12345/Orders", False),
    ],
)
def test_entropy_check(value: str, secret: bool) -> None:
    assert random_looking(value) is secret
