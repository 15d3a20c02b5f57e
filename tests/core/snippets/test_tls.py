"""TLS options, run for real against an HTTPS server whose certificate comes from a throwaway CA:
verification off, and a custom CA bundle. Without either, the same snippet must fail, which
proves the option is what made it work."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from explorer.core.http import HttpClient
from explorer.core.models import Body, BodyMode, KeyValue, RequestSpec
from explorer.core.snippets import SnippetOptions, generate
from explorer.core.templating import Scope, resolve
from tests.core.snippets import runner
from tests.core.snippets.conftest import program_for
from tests.support.servers import EdgeServer

LANGS = ["curl", "httpie", "python", "fetch", "powershell", "go"]


def _spec(base: str) -> RequestSpec:
    return RequestSpec(
        method="POST",
        url=f"{base}/echo",
        headers=(KeyValue("X-Check", "tls ✓"),),
        body=Body(BodyMode.JSON, '{"secure": true}'),
    )


def _seen(output: str) -> tuple[str, str, str, list[str]]:
    echo = json.loads(output)
    headers = [f"{k.lower()}: {v}" for k, v in echo["headers"] if k.lower() == "content-type"]
    return echo["method"], echo["path"], echo["body"], headers


@pytest.mark.parametrize("lang", LANGS)
def test_tls_verify_off_and_custom_ca(
    lang: str,
    request: pytest.FixtureRequest,
    tls_edge: tuple[EdgeServer, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    program_for(lang, request.node.nodeid)
    server, ca_path = tls_edge
    spec = _spec(server.base_url)
    reference = HttpClient().send(replace(resolve(spec, Scope()), ca_bundle=ca_path))
    expected = _seen(reference.response.body.text())
    with_ca = generate(spec, lang, SnippetOptions(ca_bundle=ca_path))
    insecure = generate(replace(spec, verify_tls=False), lang)
    plain = generate(spec, lang)
    folder = tmp_path_factory.mktemp(f"tls-{lang}")
    node_ca = {"NODE_EXTRA_CA_CERTS": ca_path} if lang == "fetch" else {}
    got = runner.run(lang, folder / "ca", {"ca": with_ca}, node_ca)
    assert _seen(got["ca"]) == expected, f"{with_ca}\n{got['ca']}"
    got = runner.run(lang, folder / "off", {"plain": plain, "off": insecure}, {})
    assert _seen(got["off"]) == expected, f"{insecure}\n{got['off']}"
    with pytest.raises(json.JSONDecodeError):
        json.loads(got["plain"] or "not json")
