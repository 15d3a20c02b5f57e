"""Snippets use the settings as a send does (``explorer/core/snippets/proxy.py``): the proxy
``Network.route`` picks (with its user, the password an environment variable unless revealed),
the settings' CA bundle, and verification off. Parity: curl, Python and HTTPie snippets made by
``for_request`` run for real and reach the server through the recording proxy, as ``send``
does; without the settings the same snippets go direct."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from explorer.core.auth import TokenRegistry
from explorer.core.context import UNBOUND, UNPLACED
from explorer.core.credentials import SessionStore
from explorer.core.http.client import HttpClient
from explorer.core.http.network import Network
from explorer.core.models import RequestSpec
from explorer.core.ratelimit import LimiterRegistry
from explorer.core.settings import AppSettings, ProxySettings, RequestDefaults, proxy_password_key
from explorer.core.snippets import SnippetOptions, generate
from explorer.core.snippets.environment import for_request
from explorer.core.workbench import Workbench
from tests.core.snippets import runner
from tests.support.proxy import recording_proxy
from tests.support.servers import EdgeServer

PASSWORD = "pr0xy:s3cret@!"
LANGS = ("curl", "python", "httpie")
NO_ENV_PROXY = {"HTTP_PROXY": "", "HTTPS_PROXY": "", "http_proxy": "", "https_proxy": ""}


def _bench(store: SessionStore) -> Workbench:
    return Workbench(
        profiles={},
        store_factory=lambda: store,
        workspace_id="ws",
        workspace_root=None,
        client=HttpClient(),
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
    )


def _snippet(bench: Workbench, url: str, lang: str, auth_mode: str = "as-sent") -> str:
    spec, options = for_request(bench, RequestSpec(url=url), UNPLACED, UNBOUND, auth_mode=auth_mode)
    return generate(spec, lang, options)


def test_curl_python_and_httpie_snippets_go_through_the_proxy_send_uses(
    httpbin_url: str, tmp_path: Path
) -> None:
    store = SessionStore()
    store.set(proxy_password_key(), PASSWORD)
    bench = _bench(store)
    with recording_proxy(f"me:{PASSWORD}") as proxy:
        bench.apply_settings(AppSettings(proxy=ProxySettings(proxy.url, "me")))
        sent = bench.send(bench.assemble(RequestSpec(url=f"{httpbin_url}/get?via=send")))
        assert sent.exchange.response.status == 200
        snippets = {lang: _snippet(bench, f"{httpbin_url}/get?via={lang}", lang) for lang in LANGS}
        for lang, text in snippets.items():
            assert PASSWORD not in text, text
            assert "PROXY_PASSWORD" in text
            encoded = quote(PASSWORD, safe="") if lang == "httpie" else PASSWORD
            env = {**NO_ENV_PROXY, "PROXY_PASSWORD": encoded}
            out = runner.run(lang, tmp_path / lang, {"snippet": text}, env)["snippet"]
            assert json.loads(out)["args"] == {"via": lang}, f"{text}\n{out}"
    assert proxy.targets() == [f"{httpbin_url}/get?via={v}" for v in ("send", *LANGS)]
    assert all(seen.authorization for seen in proxy.seen)


def test_without_the_settings_the_same_snippets_go_direct(httpbin_url: str, tmp_path: Path) -> None:
    """The proof the option is what routed them: the bench's settings unset, nothing is seen."""
    bench = _bench(SessionStore())
    with recording_proxy() as proxy:
        for lang in LANGS:
            text = _snippet(bench, f"{httpbin_url}/get?direct={lang}", lang)
            assert "proxy" not in text.lower(), text
            out = runner.run(lang, tmp_path / lang, {"snippet": text}, NO_ENV_PROXY)["snippet"]
            assert json.loads(out)["args"] == {"direct": lang}
    assert proxy.seen == []


def test_the_revealed_password_is_written_and_encoded(httpbin_url: str) -> None:
    store = SessionStore()
    store.set(proxy_password_key(), PASSWORD)
    bench = _bench(store)
    bench.apply_settings(AppSettings(proxy=ProxySettings("http://proxy.test:3128", "me")))
    curl = _snippet(bench, f"{httpbin_url}/get", "curl", auth_mode="reveal")
    assert f"--proxy-user 'me:{PASSWORD}'" in curl
    assert "PROXY_PASSWORD" not in curl
    python = _snippet(bench, f"{httpbin_url}/get", "python", auth_mode="reveal")
    assert f"http://me:{quote(PASSWORD, safe='')}@proxy.test:3128" in python


def test_an_environments_proxy_no_proxy_hosts_and_targets_without_a_proxy_option() -> None:
    settings = AppSettings(
        proxy=ProxySettings("http://default.test:3128", no_proxy=(".internal.test",)),
        environment_proxies=(("acme/staging", ProxySettings("socks5h://socks.test:1080", "ci")),),
    )
    options = SnippetOptions(
        network=Network(settings, {"https://api.acme.test:443": "acme/staging"})
    )
    own = generate(RequestSpec(url="https://api.acme.test/v1"), "curl", options)
    assert "--proxy socks5h://socks.test:1080" in own
    assert '--proxy-user ci:"$PROXY_PASSWORD"' in own
    default = generate(RequestSpec(url="https://else.test/"), "python", options)
    assert 'proxy = "http://default.test:3128"' in default
    direct = generate(RequestSpec(url="https://db.internal.test/"), "curl", options)
    assert "--noproxy '*'" in direct
    assert "--proxy " not in direct
    fetch = generate(RequestSpec(url="https://api.acme.test/v1"), "fetch", options)
    assert "through the proxy socks.test:1080 as ci" in fetch
    assert "PROXY_PASSWORD" not in fetch  # nothing it would read


@pytest.mark.parametrize("lang", ["curl", "python"])
def test_the_settings_ca_bundle_and_verify_off_reach_the_snippet(
    lang: str, tls_edge: tuple[EdgeServer, str], tmp_path: Path
) -> None:
    server, ca_path = tls_edge
    bench = _bench(SessionStore())
    url = f"{server.base_url}/echo"
    bench.apply_settings(AppSettings(ca_bundle=ca_path))
    trusted = _snippet(bench, url, lang)
    assert ca_path in trusted
    bench.apply_settings(AppSettings(requests=RequestDefaults(verify_tls=False)))
    unverified = _snippet(bench, url, lang)
    bench.apply_settings(AppSettings())
    plain = _snippet(bench, url, lang)
    got = runner.run(
        lang, tmp_path, {"trusted": trusted, "unverified": unverified, "plain": plain}, {}
    )
    assert json.loads(got["trusted"])["path"] == "/echo", got["trusted"]
    assert json.loads(got["unverified"])["path"] == "/echo", got["unverified"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(got["plain"] or "not json")
