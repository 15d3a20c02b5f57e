"""curl import: flags people paste, bash quoting, and the real curl as the referee."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from explorer.core.errors import FormatError
from explorer.core.formats.curl import import_curl, parse_curl, parse_pasted_curl
from explorer.core.http import HttpClient
from explorer.core.models import AuthSpec, BodyMode, KeyValue
from explorer.core.templating import Layer, Scope, resolve
from tests.support.programs import require


def test_chrome_copy_as_curl_with_continuations_and_combined_flags() -> None:
    text = """$ curl 'https://api.example.com/v1/items?x=1' \\
      -X PATCH \\
      -H 'accept: application/json' \\
      -H "Authorization: Bearer abc.def" \\
      -H 'content-type: application/json' \\
      --data-raw '{"name":"it'"'"'s"}' \\
      -sSLk --compressed
    """
    result = import_curl(text)
    (item,) = result.collection.items
    spec = item.spec  # type: ignore[union-attr]
    assert spec.method == "PATCH"
    assert spec.url == "https://api.example.com/v1/items?x=1"
    assert spec.body.mode is BodyMode.JSON
    assert spec.body.text == '{"name":"it\'s"}'
    assert spec.headers == (
        KeyValue("accept", "application/json"),
        KeyValue("Authorization", "Bearer {{authorization}}"),
    )
    assert result.secrets == {"authorization": "abc.def"}
    assert spec.follow_redirects
    assert not spec.verify_tls


def test_user_get_form_and_glued_values() -> None:
    spec, _ = parse_curl("curl -u bob:pw -G https://h/s --data-urlencode 'q=a b' -d n=2")
    assert spec.method == "GET"
    assert spec.params == (KeyValue("q", "a b"), KeyValue("n", "2"))
    assert spec.auth == AuthSpec("basic", (("username", "bob"), ("password", "{{basic_password}}")))
    assert not spec.follow_redirects
    spec, _ = parse_curl(
        "curl -XPUT -HAccept:text/plain --url=https://h/b -F 'f=@a.png;type=image/png'"
    )
    assert spec.method == "PUT"
    assert spec.headers == (KeyValue("Accept", "text/plain"),)
    assert spec.body.fields[0].is_file
    assert spec.body.fields[0].content_type == "image/png"


def test_several_commands_become_several_requests() -> None:
    result = import_curl("curl https://h/a\n\ncurl -X DELETE https://h/b --unknown-flag\n")
    assert [i.spec.method for i in result.collection.items] == ["GET", "DELETE"]  # type: ignore[union-attr]
    assert any("--unknown-flag" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("curl 'https://h/a", "quotes"),
        ("wget https://h", "no curl command"),
        ("curl -X", "needs a value"),
        ("curl -H 'A: b'", "no URL"),
        ("curl --max-time soon https://h", "needs a number"),
    ],
)
def test_bad_commands_are_format_errors(text: str, needle: str) -> None:
    with pytest.raises(FormatError, match=needle):
        import_curl(text, "pasted")


COMMANDS = [
    "curl -s {base}/anything -H 'X-One: 1' -H 'Accept: application/json'",
    "curl -s -X POST {base}/anything -H 'Content-Type: application/json' -d '{{\"a\": [1, 2]}}'",
    "curl -s {base}/anything -d 'name=Ann&city=Oslo'",
    "curl -s {base}/anything --data-urlencode 'q=x & y' --data-urlencode 'z=1/2'",
    "curl -s -G {base}/anything -d page=2 -d 'tag=a%20b'",
    "curl -s {base}/anything -F note=hi -F 'other=there'",
    "curl -s -X DELETE '{base}/anything?force=1' -b 'sid=abc'",
    "curl -s {base}/anything --data-binary 'raw text' -H 'Content-Type: text/plain'",
]


@pytest.mark.parametrize("template", COMMANDS)
def test_our_request_matches_what_real_curl_sends(
    template: str, httpbin_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    curl = require("curl", request.node.nodeid)
    command = template.format(base=httpbin_url)
    done = subprocess.run(
        ["bash", "-c", command.replace("curl", curl, 1)],
        capture_output=True,
        timeout=30,
        check=True,
    )
    theirs = json.loads(done.stdout)
    result = import_curl(command)
    spec = result.collection.items[0].spec  # type: ignore[union-attr]
    client = HttpClient()
    try:
        scope = Scope((Layer("secrets", result.secrets),))
        ours = json.loads(client.send(resolve(spec, scope, base_dir=tmp_path)).response.body.text())
    finally:
        client.close()
    for key in ("method", "args", "form", "json", "data"):
        assert ours[key] == theirs[key], key
    for name in ("Content-Type", "X-One", "Accept", "Cookie"):
        if name in theirs["headers"]:
            expected = theirs["headers"][name]
            if name == "Content-Type" and expected.startswith("multipart/"):
                expected = "multipart/form-data"
                assert ours["headers"][name].startswith(expected)
                continue
            assert ours["headers"].get(name) == expected, name


def test_a_command_pasted_into_the_builder_keeps_its_credentials_in_memory() -> None:
    spec, notes = parse_pasted_curl(
        "curl https://api.example.test/a -u bob:pw -H 'Authorization: Bearer t0k'\n"
        "curl https://api.example.test/b\n"
    )
    assert spec.url == "https://api.example.test/a"
    assert spec.auth == AuthSpec("basic", (("username", "bob"), ("password", "pw")))
    assert KeyValue("Authorization", "Bearer t0k") in spec.headers
    assert notes == ["only the first of 2 commands was used"]


def test_pasted_text_that_is_not_curl_is_refused() -> None:
    with pytest.raises(FormatError, match="pasted text: is not a curl command"):
        parse_pasted_curl("https://api.example.test/a")
