"""Templating and resolution: layered scopes, dynamic values, every body mode, clear errors."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.core import dynamic
from explorer.core.errors import InvalidRequest, InvalidURL, TemplateError
from explorer.core.models import Body, BodyMode, FileBody, FormField, KeyValue, RequestSpec
from explorer.core.templating import Layer, Scope, expand, resolve, variables_in


def scope(*layers: dict[str, str], secret: frozenset[str] = frozenset()) -> Scope:
    return Scope(tuple(Layer(f"l{i}", values, secret) for i, values in enumerate(layers)))


def test_first_layer_wins_and_nested_variables_expand() -> None:
    s = scope({"host": "req.example"}, {"host": "env.example", "base": "https://{{host}}/v1"})
    assert expand("{{base}}/items", s) == "https://req.example/v1/items"


def test_every_undefined_variable_is_named_with_where_it_was_used() -> None:
    spec = RequestSpec(
        url="https://{{host}}/x",
        headers=(KeyValue("X-Tenant", "{{tenant}}"),),
        body=Body(BodyMode.JSON, '{"a": "{{missing}}"}'),
    )
    with pytest.raises(TemplateError) as info:
        resolve(spec, Scope())
    assert info.value.problems == [
        ("host", "URL"),
        ("tenant", "header X-Tenant"),
        ("missing", "body"),
    ]
    assert "{{host}} in URL" in str(info.value)
    assert "--var" in str(info.value)


def test_recursive_variables_are_reported_not_looped() -> None:
    s = scope({"a": "{{b}}", "b": "{{a}}"})
    with pytest.raises(TemplateError, match="Recursive"):
        expand("{{a}}", s)


def test_dynamic_values_are_fresh_per_use() -> None:
    text = expand("{{$uuid}} {{$uuid}} {{$timestamp}} {{$isoTimestamp}} {{$randomInt}}", Scope())
    first, second, stamp, iso, rand = text.split(" ")
    assert uuid.UUID(first) != uuid.UUID(second)
    assert stamp.isdigit()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", iso)
    assert 0 <= int(rand) <= 1000


def test_process_environment_only_when_opted_in() -> None:
    env = {"API_TOKEN_X": "from-env"}
    assert expand("{{$env.API_TOKEN_X}}", Scope(process_env=True, environ=env)) == "from-env"
    assert expand("{{API_TOKEN_X}}", Scope(process_env=True, environ=env)) == "from-env"
    with pytest.raises(TemplateError):
        expand("{{API_TOKEN_X}}", Scope(environ=env))


def test_secret_values_are_tracked_for_masking() -> None:
    s = scope({"token": "s3cr3t-value", "user": "alice"}, secret=frozenset({"token"}))
    resolved = resolve(
        RequestSpec(
            url="https://h/{{user}}", headers=(KeyValue("Authorization", "Bearer {{token}}"),)
        ),
        s,
    )
    assert resolved.secrets == frozenset({"s3cr3t-value"})
    assert resolved.header("authorization") == "Bearer s3cr3t-value"


def test_params_are_appended_and_disabled_rows_skipped() -> None:
    spec = RequestSpec(
        url="https://h/p?keep=1",
        params=(KeyValue("q", "a b&c=d/é"), KeyValue("off", "x", enabled=False)),
        headers=(KeyValue("X-Off", "1", enabled=False),),
    )
    resolved = resolve(spec, Scope())
    assert resolved.url == "https://h/p?keep=1&q=a+b%26c%3Dd%2F%C3%A9"
    assert resolved.header("X-Off") is None


def test_json_body_is_validated_and_typed() -> None:
    good = resolve(RequestSpec("POST", "https://h", body=Body(BodyMode.JSON, '{"a": 1}')), Scope())
    assert good.body == b'{"a": 1}'
    assert good.header("Content-Type") == "application/json"
    with pytest.raises(InvalidRequest, match="line 1, column 7"):
        resolve(RequestSpec("POST", "https://h", body=Body(BodyMode.JSON, '{"a": }')), Scope())


def test_explicit_content_type_wins_over_the_implied_one() -> None:
    spec = RequestSpec(
        "POST",
        "https://h",
        headers=(KeyValue("content-type", "application/vnd.api+json"),),
        body=Body(BodyMode.JSON, "{}"),
    )
    resolved = resolve(spec, Scope())
    assert [v for k, v in resolved.headers if k.lower() == "content-type"] == [
        "application/vnd.api+json"
    ]


def test_form_multipart_raw_and_file_bodies(tmp_path: Path) -> None:
    upload = tmp_path / "data.bin"
    upload.write_bytes(b"\x00\x01binary")
    form = resolve(
        RequestSpec(
            "POST",
            "https://h",
            body=Body(BodyMode.FORM, fields=(FormField("a", "1 2"), FormField("b", "&"))),
        ),
        Scope(),
    )
    assert form.body == b"a=1+2&b=%26"
    multipart = resolve(
        RequestSpec(
            "POST",
            "https://h",
            body=Body(
                BodyMode.MULTIPART,
                fields=(FormField("note", "hi"), FormField("file", "data.bin", is_file=True)),
            ),
        ),
        Scope(),
        base_dir=tmp_path,
    )
    assert isinstance(multipart.body, bytes)
    assert b"\x00\x01binary" in multipart.body
    assert (multipart.header("Content-Type") or "").startswith("multipart/form-data; boundary=")
    raw = resolve(
        RequestSpec("PUT", "https://h", body=Body(BodyMode.RAW, "<x/>", "text/xml")), Scope()
    )
    assert raw.body == b"<x/>"
    assert raw.header("Content-Type") == "text/xml"
    binary = resolve(
        RequestSpec("PUT", "https://h", body=Body(BodyMode.BINARY_FILE, file=str(upload))), Scope()
    )
    assert binary.body == FileBody(upload, 8)
    with pytest.raises(InvalidRequest, match="does not exist"):
        resolve(
            RequestSpec("PUT", "https://h", body=Body(BodyMode.BINARY_FILE, file="nope")), Scope()
        )


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "empty"),
        ("example.com/x", "no scheme"),
        ("ftp://example.com/x", "cannot be sent"),
        ("https://exa mple.com", "spaces"),
        ("https://example.com:99999/", "not a valid URL"),
        ("https:///path", "no host"),
    ],
)
def test_malformed_urls_get_a_clear_sentence(url: str, fragment: str) -> None:
    with pytest.raises(InvalidURL, match=fragment):
        resolve(RequestSpec(url=url), Scope())


def test_header_injection_and_bad_names_are_refused() -> None:
    with pytest.raises(InvalidRequest, match="line break"):
        resolve(RequestSpec(url="https://h", headers=(KeyValue("X-A", "1\r\nX-B: 2"),)), Scope())
    with pytest.raises(InvalidRequest, match="not a valid header name"):
        resolve(RequestSpec(url="https://h", headers=(KeyValue("X A", "1"),)), Scope())


def test_variables_in_lists_names_in_order() -> None:
    assert variables_in("{{a}}/{{ b }}/{{a}}/{{$uuid}}") == ["a", "b", "$uuid"]


@given(
    st.text(max_size=60),
    st.dictionaries(st.from_regex(r"[a-z]{1,5}", fullmatch=True), st.text(max_size=10)),
)
def test_expansion_never_crashes_and_leaves_no_defined_variable(
    text: str, values: dict[str, str]
) -> None:
    safe_values = {k: v.replace("{", "").replace("}", "") for k, v in values.items()}
    missing = [n for n in variables_in(text) if n not in safe_values]
    dollar = [n for n in missing if n.startswith("$") and not n.startswith("$env.")]
    invalid = [n for n in dollar if not _makes(n)]
    undefined = invalid or [n for n in missing if n not in dollar]
    if undefined:
        with pytest.raises(TemplateError) as info:
            expand(text, scope(safe_values))
        assert [name for name, _ in info.value.problems] == undefined
        return
    result = expand(text, scope(safe_values))
    assert all("{{" + name + "}}" not in result for name in safe_values)


def _makes(token: str) -> bool:
    """Whether a dynamic value is made (an unknown name or wrong arguments are problems)."""
    try:
        dynamic.make(token)
    except dynamic.DynamicError:
        return False
    return True


def test_resolved_request_is_json_friendly_for_history() -> None:
    resolved = resolve(RequestSpec("get", "https://h/x"), Scope())
    assert resolved.method == "GET"
    assert json.dumps({"method": resolved.method, "url": resolved.url})
