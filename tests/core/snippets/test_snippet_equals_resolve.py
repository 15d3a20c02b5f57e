"""One resolver, two renderers: for a request without secrets, the snippet model with every
variable resolved is the request ``templating.resolve`` sends (method, URL with its query,
headers as the client merges them, body bytes), whatever the layers hold. Property-tested, so
the snippet builder cannot drift from the wire again."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core.errors import TemplateError
from explorer.core.models import Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.snippets.build import SnippetOptions, build
from explorer.core.snippets.model import SnippetBody, SnippetRequest, Text
from explorer.core.templating import Layer, Scope, build_url, resolve

NAMES = st.sampled_from(["a", "b", "host_part", "id", "q"])
SAFE = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="{}"),
    min_size=0,
    max_size=12,
)
HEADER = st.sampled_from(["X-One", "X-Two", "Accept", "X-One", "Cookie"])


def _templated(draw: st.DrawFn) -> str:
    """A value that is literal text, a variable, or both."""
    kind = draw(st.sampled_from(["text", "var", "mix"]))
    if kind == "text":
        return draw(SAFE)
    name = draw(NAMES)
    return "{{" + name + "}}" if kind == "var" else draw(SAFE) + "{{" + name + "}}"


@st.composite
def requests(draw: st.DrawFn) -> tuple[RequestSpec, Scope]:
    names = st.sets(NAMES)
    layers = tuple(
        Layer(
            f"layer {i}",
            {name: draw(st.text(alphabet="abcxyz019", max_size=8)) for name in draw(names)},
        )
        for i in range(draw(st.integers(1, 3)))
    )
    fallback = Layer("fallback", dict.fromkeys(["a", "b", "host_part", "id", "q"], "v"))
    scope = Scope((*layers, fallback))  # the first layer that defines a name wins
    params = tuple(
        KeyValue(draw(NAMES), _templated(draw), draw(st.booleans()))
        for _ in range(draw(st.integers(0, 3)))
    )
    headers = tuple(
        KeyValue(draw(HEADER), _templated(draw).replace(" ", ""), draw(st.booleans()))
        for _ in range(draw(st.integers(0, 4)))
    )
    mode = draw(st.sampled_from([BodyMode.NONE, BodyMode.RAW, BodyMode.JSON, BodyMode.FORM]))
    body = Body()
    if mode is BodyMode.RAW:
        body = Body(mode, _templated(draw))
    elif mode is BodyMode.JSON:
        body = Body(mode, '{"k": "' + _templated(draw).replace('"', "").replace("\\", "") + '"}')
    elif mode is BodyMode.FORM:
        fields = tuple(
            FormField(draw(NAMES), _templated(draw), draw(st.booleans()))
            for _ in range(draw(st.integers(0, 3)))
        )
        body = Body(mode, fields=fields)
    url = "https://h{{host_part}}.example.com/items/{{id}}?fixed=1"
    method = draw(st.sampled_from(["GET", "POST", "put", "DELETE"]))
    return RequestSpec(method, url, params=params, headers=headers, body=body), scope


def _literal(text: Text) -> str:
    value = text.literal
    assert value is not None, text
    return value


def _merged(headers: list[tuple[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        joiner = "; " if key == "cookie" else ", "
        merged[key] = f"{merged[key]}{joiner}{value}" if key in merged else value
    return merged


def _body(body: SnippetBody | None) -> bytes | None:
    if body is None:
        return None
    if body.kind == "text":
        return _literal(body.text).encode()
    pairs = [(_literal(p.name), _literal(p.value)) for p in body.parts]
    return urlencode(pairs).encode("ascii")


def _as_sent(snippet: SnippetRequest) -> tuple[str, str, dict[str, str], bytes | None]:
    params = [(_literal(k), _literal(v)) for k, v in snippet.params]
    url = build_url(_literal(snippet.url), params)
    headers = _merged([(k, _literal(v)) for k, v in snippet.headers])
    return snippet.method, url, headers, _body(snippet.body)


@settings(max_examples=150, deadline=None)
@given(requests())
def test_the_literal_snippet_model_is_the_resolved_request(case: tuple[RequestSpec, Scope]) -> None:
    spec, scope = case
    resolved = resolve(spec, scope)
    snippet = build(spec, SnippetOptions(scope=scope))

    body = resolved.body if isinstance(resolved.body, bytes) else None
    assert _as_sent(snippet) == (
        resolved.method,
        resolved.url,
        _merged(list(resolved.headers)),
        body,
    )


def test_a_template_bomb_stops_the_snippet_as_it_stops_a_send() -> None:
    """Ten variables each ten times the next: 10**10 characters if expanded. The snippet
    builder has the same expansion limit as ``resolve``, and says so the same way."""
    bomb = {f"v{i}": f"{{{{v{i + 1}}}}}" * 10 for i in range(9)} | {"v9": "x" * 1000}
    scope = Scope((Layer("bomb", bomb),))
    spec = RequestSpec("POST", "https://example.com/", body=Body(BodyMode.RAW, "{{v0}}"))
    with pytest.raises(TemplateError, match="more than 16 MB") as sent:
        resolve(spec, scope)
    with pytest.raises(TemplateError, match="more than 16 MB") as rendered:
        build(spec, SnippetOptions(scope=scope))
    assert str(rendered.value) == str(sent.value)
