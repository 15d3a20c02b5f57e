"""Bad input from the user: malformed URLs and IDN hosts, undefined, recursive and exploding
variables, invalid JSON bodies, header injection and oversized headers. Each is refused before
anything is sent, with one sentence that names what to fix, and the spec is left as it was."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from explorer.core.errors import InvalidRequest, InvalidURL, TemplateError
from explorer.core.http import HttpClient
from explorer.core.models import Body, BodyMode, KeyValue, RequestSpec
from explorer.core.templating import Layer, Scope, resolve
from tests.hardening.hostile import HostileServer

URL_CASES = [
    ("", r"The URL is empty"),
    ("example.com/x", r"has no scheme; start it with https://"),
    ("ftp://example.com/", r"'ftp' URLs cannot be sent"),
    ("http:///path", r"has no host"),
    ("http://exa mple.com/", r"contains spaces or line breaks"),
    ("http://example.com/a\r\nX-Injected: 1", r"contains spaces or line breaks"),
    ("http://example.com/\x00", r"contains control characters"),
    ("http://example.com:99999/", r"Port out of range"),
    ("http://example.com:-1/", r"not a valid URL"),
    ("http://[::1/", r"Invalid IPv6 URL"),
    ("http://a..b/", r"labels between dots must be 1 to 63 characters"),
    ("http://" + "a" * 64 + ".com/", r"labels between dots must be 1 to 63 characters"),
    ("http://" + "a." * 130 + "com/", r"the whole name at most 253"),
    ("http://\u2024.com/", r"not a valid international domain name"),
    ("http://xn--ls8h\u200d.example/", r"not a valid international domain name"),
]


@pytest.mark.parametrize(("url", "message"), URL_CASES, ids=[repr(u)[:40] for u, _ in URL_CASES])
def test_malformed_urls(url: str, message: str) -> None:
    spec = RequestSpec(url=url)
    with pytest.raises(InvalidURL) as info:
        resolve(spec, Scope())
    assert re.search(message, str(info.value)), str(info.value)
    assert "\n" not in str(info.value)
    assert spec == RequestSpec(url=url)  # nothing mutated


def test_idn_host_goes_out_as_punycode(hostile: HostileServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An international name is valid and is sent in its ASCII form (here through a proxy,
    since no IDN resolves on loopback)."""
    from tests.support.servers import EdgeServer

    proxy = EdgeServer()
    monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = HttpClient()
    try:
        response = client.send(resolve(RequestSpec(url="http://bücher.example/ä"), Scope()))
        assert '"proxied": "http://xn--bcher-kva.example/%C3%A4"' in response.response.body.text()
    finally:
        client.close()
        proxy.stop()


SECRET = Layer("credentials", {"password": "pw-secret"}, frozenset({"password"}))
VARIABLE_CASES: list[tuple[str, dict[str, str], str]] = [
    ("{{missing}}/x", {}, r"Undefined variable \{\{missing\}\} in URL"),
    ("{{a}}", {"a": "{{b}}", "b": "{{a}}"}, r"Recursive variable \{\{a\}\} in URL"),
    ("{{self}}", {"self": "x{{self}}"}, r"Recursive variable \{\{self\}\}"),
    (
        "{{v0}}",
        {f"v{i}": f"{{{{v{i + 1}}}}}" for i in range(30)},
        r"nested more than 10 levels deep",
    ),
    (
        "http://h/{{l0}}",
        {
            **{f"l{i}": f"{{{{l{i + 1}}}}}" * 10 for i in range(8)},
            "l8": "x" * 100,
        },
        r"\{\{l0\}\} in URL expands to more than 16 MB .*template bomb",
    ),
    ("http://h/{{ spaced }}/{{missing_too}}", {"spaced": "ok"}, r"\{\{missing_too\}\} in URL"),
]


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    ("url", "values", "message"),
    VARIABLE_CASES,
    ids=["undefined", "cycle", "self-reference", "too deep", "billion laughs", "partly defined"],
)
def test_variables(url: str, values: dict[str, str], message: str) -> None:
    with pytest.raises(TemplateError) as info:
        resolve(RequestSpec(url=url), Scope((Layer("env", values), SECRET)))
    assert re.search(message, str(info.value)), str(info.value)
    assert "pw-secret" not in str(info.value)


def test_every_undefined_variable_is_named_at_once() -> None:
    spec = RequestSpec(
        url="{{base}}/x",
        headers=(KeyValue("X-A", "{{a}}"),),
        params=(KeyValue("q", "{{q}}"),),
        body=Body(BodyMode.JSON, '{"b": "{{b}}"}'),
    )
    with pytest.raises(TemplateError) as info:
        resolve(spec, Scope())
    assert [name for name, _ in info.value.problems] == ["base", "q", "a", "b"]


JSON_CASES = [
    ('{"a": 1,}', r"line 1, column 9: Expecting property name"),
    ('{"a": [1, 2}', r"line 1, column 12"),
    ("{'a': 1}", r"Expecting property name enclosed in double quotes"),
    ('{"a": 1}\n{"b": 2}', r"line 2, column 1: Extra data"),
    ('{"a": "{{value}}"', r"Expecting ',' delimiter|Unterminated"),
    ("\ufeff{}", r"Unexpected UTF-8 BOM|Expecting value"),
]


@pytest.mark.parametrize(("text", "message"), JSON_CASES)
def test_invalid_json_bodies(text: str, message: str) -> None:
    spec = RequestSpec("POST", "http://h/x", body=Body(BodyMode.JSON, text))
    with pytest.raises(InvalidRequest) as info:
        resolve(spec, Scope((Layer("env", {"value": "v"}),)))
    assert str(info.value).startswith("The JSON body is invalid at line")
    assert re.search(message, str(info.value)), str(info.value)
    assert spec.body.text == text  # the editor's text is kept as typed


HEADER_CASES = [
    (KeyValue("X-Evil", "a\r\nX-Injected: 1"), r"contains a line break, which would inject"),
    (KeyValue("X-Evil", "a\nSet-Cookie: x"), r"contains a line break"),
    (KeyValue("X-Evil", "{{injected}}"), r"contains a line break"),
    (KeyValue("Bad Name", "v"), r"is not a valid header name"),
    (KeyValue("X-Evil\r\nHost", "v"), r"is not a valid header name"),
    (KeyValue("Host:", "v"), r"is not a valid header name"),
]


@pytest.mark.parametrize(("header", "message"), HEADER_CASES)
def test_header_injection_is_refused(header: KeyValue, message: str) -> None:
    scope = Scope((Layer("env", {"injected": "ok\r\nX-Admin: true"}),))
    with pytest.raises(InvalidRequest, match=message):
        resolve(RequestSpec(url="http://h/x", headers=(header,)), scope)


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient()
    yield http
    http.close()


@pytest.mark.timeout(20)
def test_huge_request_header_gets_the_servers_answer(client: HttpClient, httpbin_url: str) -> None:
    """A megabyte of header is the user's to send; the server's 431 is shown like any answer."""
    spec = RequestSpec(url=f"{httpbin_url}/headers", headers=(KeyValue("X-Big", "a" * 1_000_000),))
    assert client.send(resolve(spec, Scope())).response.status == 431
    assert client.send(resolve(RequestSpec(url=f"{httpbin_url}/get"), Scope())).response.ok
