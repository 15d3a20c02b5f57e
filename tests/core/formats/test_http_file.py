"""``.http`` import and export: REST Client / JetBrains / httpyac syntax, exact round trips."""

from __future__ import annotations

import pytest

from explorer.core.errors import FormatError
from explorer.core.formats.http_file import export_http, import_http
from explorer.core.models import AuthSpec, BodyMode, KeyValue
from explorer.core.workspace.model import SavedRequest
from tests.core.formats.samples import http_tree

REST_CLIENT = """\
@host = https://api.example.com
@token = {{$processEnv API_TOKEN}}

# Health check, no auth
GET {{host}}/health HTTP/1.1

###

// @name createItem
POST {{host}}/items
Content-Type: application/json
Authorization: Bearer {{token}}

{
  "sku": "A-1"
}

> {%
  client.global.set("id", response.body.id);
%}

### Search
GET {{host}}/items
  ?q=lamp
  &page=2
Accept: application/json
# a header comment is skipped
X-Api-Key: live-key-123

### Upload a file
# @no-redirect
PUT {{host}}/files/1
Content-Type: application/octet-stream

< ./data/blob.bin
"""


def test_import_of_a_rest_client_file() -> None:
    result = import_http(REST_CLIENT, "api.http")
    items = [i for i in result.collection.items if isinstance(i, SavedRequest)]
    health, create, search, upload = (i.spec for i in items)
    assert health.name == "GET {{host}}/health"
    assert health.docs == "Health check, no auth"
    assert create.name == "createItem"
    assert create.body.mode is BodyMode.JSON
    assert create.body.text == '{\n  "sku": "A-1"\n}'
    assert create.auth == AuthSpec("bearer", (("token", "{{token}}"),))
    assert search.params == (KeyValue("q", "lamp"), KeyValue("page", "2"))
    assert search.headers == (
        KeyValue("Accept", "application/json"),
        KeyValue("X-Api-Key", "{{x_api_key}}"),
    )
    assert result.secrets == {"x_api_key": "live-key-123"}
    assert upload.body.mode is BodyMode.BINARY_FILE
    assert upload.body.file == "./data/blob.bin"
    assert upload.body.content_type == "application/octet-stream"
    assert not upload.follow_redirects
    assert [v.name for v in result.collection.variables] == ["host", "token", "x_api_key"]
    assert any("response handlers" in w for w in result.warnings)


def test_export_then_import_gives_back_the_collection() -> None:
    tree = http_tree()
    text = export_http(tree)
    result = import_http(text)
    assert result.collection == tree
    assert result.secrets == {}
    assert export_http(result.collection) == text


def test_export_keeps_secret_values_out() -> None:
    text = export_http(http_tree())
    assert "# @secret token\n" in text
    assert "@token =" not in text


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("GET https://h/a\nNot a header line\n", 2),
        ("###\nthis is not a request line at all\n", 2),
    ],
)
def test_malformed_files_name_the_line(text: str, line: int) -> None:
    with pytest.raises(FormatError) as caught:
        import_http(text, "bad.http")
    assert (caught.value.path, caught.value.line) == ("bad.http", line)


def test_a_file_without_requests_is_an_error() -> None:
    with pytest.raises(FormatError, match="no request"):
        import_http("# only a comment\n@x = 1\n", "empty.http")
