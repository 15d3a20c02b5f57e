"""OpenAPI 3.x and Swagger 2.0 import: servers, operations, parameters, bodies, security."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.core.errors import FormatError
from explorer.core.formats.openapi import import_openapi
from explorer.core.http import HttpClient
from explorer.core.models import AuthSpec, BodyMode, KeyValue
from explorer.core.templating import Layer, Scope, resolve
from explorer.core.workspace.model import Variable

DATA = Path(__file__).parent / "data"


def test_openapi_31_yaml() -> None:
    result = import_openapi((DATA / "shop.openapi.yaml").read_text(), "shop.yaml")
    tree = result.collection
    assert [(e.name, e.values["base_url"]) for e in result.environments] == [
        ("Production", "https://eu.shop.example.com/v1"),
        ("Local", "http://localhost:8080/v1"),
    ]
    assert tree.auth == AuthSpec("bearer", (("token", "{{token}}"),))
    assert Variable("itemId", "42") in tree.variables
    assert {v.name for v in tree.variables if v.secret} == {"token", "api_key"}
    requests = {saved.spec.name: (trail, saved.spec) for trail, saved in tree.requests()}
    trail, get = requests["Get an item"]
    assert trail == ("Items",)
    assert get.url == "{{base_url}}/items/{{itemId}}"
    assert get.params == (KeyValue("expand", "true", False),)
    assert get.headers == (KeyValue("X-Trace", "t-1"),)
    assert get.docs == "One item by id."
    _, put = requests["replaceItem"]
    assert put.body.mode is BodyMode.JSON
    assert json.loads(put.body.text) == {
        "sku": "A-1",
        "price": 0,
        "tags": ["string"],
        "parent": None,
    }
    _, login = requests["Log in"]
    assert login.auth == AuthSpec("none")
    assert [(f.name, f.value) for f in login.body.fields] == [
        ("username", "alice"),
        ("remember", "true"),
    ]
    trail, report = requests["POST /reports"]
    assert trail == ("Reports",)
    assert report.body.mode is BodyMode.MULTIPART
    assert report.body.fields[1].is_file
    assert report.auth is not None
    assert report.auth.get("key") == "X-Api-Key"


def test_swagger_20_json() -> None:
    result = import_openapi((DATA / "legacy.swagger.json").read_text())
    assert [e.values["base_url"] for e in result.environments] == [
        "https://legacy.example.com/api",
        "http://legacy.example.com/api",
    ]
    auth = result.collection.auth
    assert auth is not None
    assert auth.get("grant_type") == "password"
    assert auth.get("token_url") == "https://legacy.example.com/token"
    assert auth.get("client_secret") == "{{client_secret}}"
    specs = [s.spec for _, s in result.collection.requests()]
    assert json.loads(specs[0].body.text) == {"qty": 0, "note": "string"}
    assert specs[0].params == (KeyValue("dryRun", "false", False),)
    assert specs[1].body.mode is BodyMode.MULTIPART


def test_imported_requests_send(httpbin_url: str) -> None:
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "bin"},
        "servers": [{"url": httpbin_url}],
        "paths": {
            "/anything/{id}": {
                "post": {
                    "parameters": [
                        {"name": "id", "in": "path", "schema": {"type": "integer"}},
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "enum": ["red"]},
                        },
                    ],
                    "requestBody": {
                        "content": {
                            "application/json": {"example": {"colour": "red", "sizes": [1, 2]}}
                        }
                    },
                }
            }
        },
    }
    result = import_openapi(json.dumps(doc))
    values = {v.name: v.value for v in result.collection.variables}
    ((_, saved),) = result.collection.requests()
    client = HttpClient()
    try:
        echoed = json.loads(
            client.send(resolve(saved.spec, Scope((Layer("c", values),)))).response.body.text()
        )
    finally:
        client.close()
    assert echoed["url"] == f"{httpbin_url}/anything/0?q=red"
    assert echoed["json"] == {"colour": "red", "sizes": [1, 2]}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("openapi: [3.0", "not valid YAML"),
        ('{"openapi": ', "not valid JSON"),
        ("title: not an api\n", "no 'openapi"),
        (
            '{"openapi": "3.0.0", "paths": {"/a": {"get": {"parameters": '
            '[{"$ref": "#/components/parameters/Nope"}]}}}}',
            "does not exist",
        ),
    ],
)
def test_bad_documents_are_format_errors(text: str, needle: str) -> None:
    with pytest.raises(FormatError, match=needle):
        import_openapi(text, "api.yaml")


def test_every_operation_of_a_large_api_gets_an_example_and_a_hostile_schema_is_bounded() -> None:
    wide = {
        "type": "object",
        "properties": {f"p{i}": {"$ref": "#/components/schemas/Wide"} for i in range(30)},
    }
    paths = {
        f"/op{i}": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "n": {"type": "integer"},
                                    "w": {"$ref": "#/components/schemas/Deep"},
                                },
                            }
                        }
                    }
                }
            }
        }
        for i in range(300)
    }
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "big"},
        "paths": paths,
        "components": {"schemas": {"Wide": wide, "Deep": {"allOf": [wide, wide]}}},
    }
    result = import_openapi(json.dumps(doc))
    bodies = [json.loads(s.spec.body.text) for _, s in result.collection.requests()]
    assert len(bodies) == 300
    assert all(body["n"] == 0 for body in bodies)
    assert len(result.collection.requests()[0][1].spec.body.text) < 2_000_000
