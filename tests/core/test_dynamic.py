"""Dynamic values with REST Client / httpyac / Postman names and arguments: what a send carries,
what a snippet carries, what a ``.http`` import keeps, and the errors for unknown ones."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from explorer.core import dynamic
from explorer.core.errors import TemplateError
from explorer.core.formats.http_file import import_http
from explorer.core.http import HttpClient
from explorer.core.models import Body, BodyMode, KeyValue, RequestSpec
from explorer.core.snippets import SnippetOptions, generate
from explorer.core.templating import Layer, Scope, expand, resolve
from explorer.core.workspace.model import SavedRequest


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient()
    yield http
    http.close()


def test_arguments_reach_the_server(client: HttpClient, httpbin_url: str) -> None:
    spec = RequestSpec(
        method="POST",
        url=httpbin_url + "/anything/{{$randomInt 1 3}}",
        headers=(KeyValue("X-When", "{{$datetime rfc1123 -1 d}}"),),
        body=Body(
            BodyMode.JSON,
            '{"id": "{{ $guid }}", "stamp": {{$timestamp 1 h}}, '
            '"day": "{{$datetime \'YYYY-MM-DD\'}}"}',
        ),
    )
    before = time.time()
    reply = json.loads(client.send(resolve(spec, Scope())).response.body.text())
    assert reply["url"].rsplit("/", 1)[1] in ("1", "2")
    sent = parsedate_to_datetime(reply["headers"]["X-When"])
    assert abs(sent - (datetime.now(UTC) - timedelta(days=1))) < timedelta(minutes=1)
    body = reply["json"]
    uuid.UUID(body["id"])
    assert abs(body["stamp"] - (before + 3600)) < 60
    assert body["day"] == datetime.now(UTC).strftime("%Y-%m-%d")


def test_every_documented_name_is_made() -> None:
    made = {
        token: expand("{{" + token + "}}", Scope())
        for token in (
            "$randomUUID",
            "$isoTimestamp",
            "$randomEmail",
            "$randomAlphaNumeric",
            "$randomBoolean",
            "$randomInt",
            "$localDatetime iso8601",
            '$datetime "[at] HH:mm" 2 M',
            "$datetime %Y 1 y",
        )
    }
    uuid.UUID(made["$randomUUID"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", made["$isoTimestamp"])
    assert re.fullmatch(r"[a-z]{10}@example\.com", made["$randomEmail"])
    assert re.fullmatch(r"[a-z0-9]", made["$randomAlphaNumeric"])
    assert made["$randomBoolean"] in ("true", "false")
    assert 0 <= int(made["$randomInt"]) <= 1000
    local = datetime.fromisoformat(made["$localDatetime iso8601"].replace("Z", "+00:00"))
    assert abs(local - datetime.now(UTC)) < timedelta(minutes=1)
    assert re.fullmatch(r"at \d\d:\d\d", made['$datetime "[at] HH:mm" 2 M'])
    assert made["$datetime %Y 1 y"] == str(datetime.now(UTC).year + 1)


def test_random_int_excludes_the_maximum() -> None:
    assert {expand("{{$randomInt 4 5}}", Scope()) for _ in range(20)} == {"4"}


def test_a_month_offset_keeps_to_the_calendar() -> None:
    """Jan 31 + 1 month is the last day of February, as REST Client's Day.js does."""
    assert dynamic._shifted(datetime(2027, 1, 31, tzinfo=UTC), ["1", "M"]).date().isoformat() == (
        "2027-02-28"
    )


def test_process_env_only_when_the_scope_opted_in() -> None:
    environ = {"TENANT": "acme"}
    assert expand("{{$processEnv TENANT}}", Scope(process_env=True, environ=environ)) == "acme"
    with pytest.raises(TemplateError, match="process environment is off") as info:
        expand("{{$processEnv TENANT}}", Scope(environ=environ), "URL")
    assert info.value.problems == [("$processEnv TENANT", "URL")]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{{$something}}", "{{$something}} is not a dynamic value"),
        ("{{$something 1 2}}", "{{$something 1 2}} is not a dynamic value"),
        ("{{$randomInt 5 1}}", "must be below the maximum"),
        ("{{$randomInt 1}}", "give a minimum and a maximum"),
        ("{{$timestamp 1 fortnight}}", "not an offset unit"),
        ("{{$datetime}}", "give a format"),
        ('{{$datetime "YYYY 1 d}}', "unbalanced quote"),
        ("{{$guid 4}}", "takes no arguments"),
    ],
)
def test_wrong_ones_are_named_with_where_and_why(text: str, says: str) -> None:
    spec = RequestSpec(url="https://h.example/x", headers=(KeyValue("X-A", text),))
    with pytest.raises(TemplateError, match=re.escape(says)) as info:
        resolve(spec, Scope())
    assert info.value.problems == [(text[2:-2], "header X-A")]
    assert "header X-A" in str(info.value)


def test_plain_names_keep_their_rules() -> None:
    scope = Scope((Layer("env", {"name": "v", "$custom": "mine"}),))
    assert expand("{{ name }}/{{$custom}}/{{a b}}", scope) == "v/mine/{{a b}}"
    with pytest.raises(TemplateError, match="Undefined variable"):
        expand("{{missing}}", scope)


def test_snippet_carries_the_value_made_at_export_and_reads_process_env() -> None:
    spec = RequestSpec(
        url="https://h.example/{{$randomInt 7 8}}",
        headers=(KeyValue("X-Tenant", "{{$processEnv TENANT}}"),),
    )
    text = generate(spec, "curl", SnippetOptions(scope=Scope()))
    assert "https://h.example/7" in text
    assert '"$TENANT"' in text
    with pytest.raises(TemplateError, match=r"\{\{\$nope\}\} is not a dynamic value"):
        generate(RequestSpec(url="https://h.example/{{$nope}}"), "curl", SnippetOptions())


def test_http_import_keeps_them() -> None:
    text = "GET https://h.example/{{$randomInt 1 5}}?at={{$datetime iso8601 -1 d}}\n"
    text += 'X-Day: {{$datetime "DD-MM-YYYY" 1 y}}\n'
    result = import_http(text)
    (item,) = [i for i in result.collection.items if isinstance(i, SavedRequest)]
    assert item.spec.url == "https://h.example/{{$randomInt 1 5}}?at={{$datetime iso8601 -1 d}}"
    assert item.spec.headers == (KeyValue("X-Day", '{{$datetime "DD-MM-YYYY" 1 y}}'),)
    assert re.fullmatch(r"https://h\.example/[1-4]", resolve(item.spec, Scope()).url.split("?")[0])
