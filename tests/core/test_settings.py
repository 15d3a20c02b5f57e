"""The app settings (``explorer/core/settings.py``): the file round-trips and is written
atomically, the proxy password lives in the credential store only, and the one engine applies
the settings to every front end: a literal send, ``send``, ``run`` (through a recording proxy),
request defaults that a request's own ``options:`` override, and the client certificate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from explorer.core.auth import TokenRegistry
from explorer.core.context import UNBOUND, with_defaults
from explorer.core.credentials import SessionStore
from explorer.core.errors import ConnectError, RequestTimeout, TransportError
from explorer.core.http.client import HttpClient
from explorer.core.http.network import Network
from explorer.core.models import RequestSpec
from explorer.core.ratelimit import LimiterRegistry
from explorer.core.settings import (
    AppSettings,
    ProxySettings,
    RequestDefaults,
    SettingsError,
    Theme,
    load_settings,
    proxy_password_key,
    save_settings,
    settings_path,
)
from explorer.core.workbench import Workbench
from explorer.services.settings import CoreSettings, history_days
from tests.support.cli import run_cli
from tests.support.mtls import MtlsRecordingServer, Pki, make_pki
from tests.support.proxy import recording_proxy, socks_proxy

PASSWORD = "pr0xy-s3cret!"


def _bench(store: SessionStore | None = None) -> Workbench:
    kept = store or SessionStore()
    return Workbench(
        profiles={},
        store_factory=lambda: kept,
        workspace_id="ws",
        workspace_root=None,
        client=HttpClient(),
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
    )


def test_no_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "settings.json") == AppSettings()


def test_settings_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings = AppSettings(
        requests=RequestDefaults(connect_timeout=3, read_timeout=7.5, max_redirects=2),
        proxy=ProxySettings("socks5h://proxy.test:1080", "me", ("localhost", ".corp"), False),
        environment_proxies=(("acme/Staging", ProxySettings("http://other.test:3128")),),
        theme=Theme.DARK,
        history_days=12,
    )
    save_settings(settings, path)
    assert load_settings(path) == settings


def test_a_refused_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(AppSettings(history_days=5), path)
    before = path.read_bytes()
    with pytest.raises(SettingsError, match="History is kept"):
        save_settings(AppSettings(history_days=0), path)
    with pytest.raises(SettingsError, match="proxy cannot be used"):
        save_settings(AppSettings(proxy=ProxySettings("ftp://x")), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]  # no temp file left


def test_a_broken_file_is_one_sentence_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"requests": {"connect_timeout": "soon"}}')
    with pytest.raises(SettingsError, match=r"settings file .* is not valid .*delete it"):
        load_settings(path)
    assert "soon" in path.read_text()


def test_the_proxy_password_is_stored_in_the_keyring_never_in_the_file(tmp_path: Path) -> None:
    store = SessionStore()
    bench = _bench(store)
    ready: Future[object] = Future()
    ready.set_result(SimpleNamespace(store=store, bench=bench))
    path = tmp_path / "settings.json"
    proxy = ProxySettings("http://127.0.0.1:3128", "me")
    with ThreadPoolExecutor(1) as disk:
        service = CoreSettings(disk, ready, path)  # type: ignore[arg-type]
        service.save(AppSettings(proxy=proxy), PASSWORD).result()
    assert PASSWORD not in path.read_text()
    assert json.loads(path.read_text())["proxy"]["username"] == "me"
    assert store.get(proxy_password_key()) == PASSWORD
    assert bench.client.network.settings == AppSettings(proxy=proxy)


def test_a_requests_own_options_win_over_the_defaults() -> None:
    defaults = RequestDefaults(connect_timeout=2, read_timeout=3, verify_tls=False)
    plain = with_defaults(RequestSpec(url="http://x"), defaults)
    assert (plain.connect_timeout, plain.read_timeout, plain.verify_tls) == (2, 3, False)
    own = RequestSpec(url="http://x", read_timeout=99, max_redirects=1)
    mixed = with_defaults(own, defaults)
    assert (mixed.read_timeout, mixed.max_redirects, mixed.connect_timeout) == (99, 1, 2)


def test_the_default_read_timeout_applies_to_a_send(httpbin_url: str) -> None:
    bench = _bench()
    bench.apply_settings(AppSettings(requests=RequestDefaults(read_timeout=0.5)))
    spec = RequestSpec(url=f"{httpbin_url}/delay/3")
    with pytest.raises(RequestTimeout):
        bench.send(bench.assemble(spec, selected=UNBOUND))


def test_a_send_goes_through_the_proxy_with_the_stored_password(httpbin_url: str) -> None:
    store = SessionStore()
    store.set(proxy_password_key(), PASSWORD)
    bench = _bench(store)
    with recording_proxy(f"me:{PASSWORD}") as proxy:
        bench.apply_settings(AppSettings(proxy=ProxySettings(proxy.url, "me")))
        result = bench.send(bench.assemble(RequestSpec(url=f"{httpbin_url}/get?x=1")))
    assert result.exchange.response.status == 200
    assert proxy.targets() == [f"{httpbin_url}/get?x=1"]
    assert proxy.seen[0].authorization is not None


def test_a_proxy_refusing_the_user_is_named_without_the_password(httpbin_url: str) -> None:
    store = SessionStore()
    store.set(proxy_password_key(), "wrong")
    bench = _bench(store)
    with recording_proxy(f"me:{PASSWORD}") as proxy:
        bench.apply_settings(AppSettings(proxy=ProxySettings(proxy.url, "me")))
        https_target = httpbin_url.replace("http://", "https://")
        with pytest.raises(ConnectError) as caught:
            bench.send(bench.assemble(RequestSpec(url=f"{https_target}/get")))
    host = proxy.url.removeprefix("http://")
    assert f"The proxy {host} refused" in caught.value.message
    assert "wrong" not in caught.value.message


def test_no_proxy_hosts_and_the_environment_switch(
    httpbin_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = _bench()
    with recording_proxy() as proxy:
        bench.apply_settings(AppSettings(proxy=ProxySettings(proxy.url, no_proxy=("127.0.0.1",))))
        assert bench.send(bench.assemble(RequestSpec(url=f"{httpbin_url}/get"))).exchange
        assert proxy.seen == []
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "")
        bench.apply_settings(AppSettings(proxy=ProxySettings(use_environment=False)))
        bench.send(bench.assemble(RequestSpec(url=f"{httpbin_url}/get")))
        assert proxy.seen == []
        bench.apply_settings(AppSettings())  # environment variables honoured by default
        bench.send(bench.assemble(RequestSpec(url=f"{httpbin_url}/get")))
        assert proxy.targets() == [f"{httpbin_url}/get"]


def test_an_environments_own_proxy_and_socks_urls() -> None:
    settings = AppSettings(
        proxy=ProxySettings("http://default.test:3128"),
        environment_proxies=(("acme/staging", ProxySettings("socks5h://socks.test:1080")),),
    )
    network = Network(settings, {"https://api.acme.test:443": "acme/staging"})
    assert network.proxies_for("https://api.acme.test/v1") == {
        "http": "socks5h://socks.test:1080",
        "https": "socks5h://socks.test:1080",
    }
    assert network.proxies_for("https://else.test/")["https"] == "http://default.test:3128"  # type: ignore[index]


def _settings_home(home: Path, settings: AppSettings) -> dict[str, str]:
    save_settings(settings, home / "config" / "settings.json")
    return {"API_EXPLORER_HOME": str(home), "NO_PROXY": "", "no_proxy": ""}


def test_send_and_run_go_through_the_proxy_of_the_settings(
    tmp_path: Path, httpbin_url: str
) -> None:
    """Parity: ``send`` and ``run`` read the same settings file as the window."""
    collection = tmp_path / "shop"
    collection.mkdir()
    (collection / "collection.yaml").write_text(yaml.safe_dump({"name": "Shop", "seq": 0}))
    request = {"name": "get", "seq": 1, "method": "GET", "url": f"{httpbin_url}/get?run=1"}
    (collection / "get.request.yaml").write_text(yaml.safe_dump(request))
    with recording_proxy() as proxy:
        env = _settings_home(tmp_path / "home", AppSettings(proxy=ProxySettings(proxy.url)))
        sent = run_cli("send", "GET", f"{httpbin_url}/get?send=1", extra_env=env, cwd=tmp_path)
        assert sent.returncode == 0, sent.stderr
        ran = run_cli("run", str(collection), extra_env=env, cwd=tmp_path)
        assert ran.returncode == 0, ran.stdout + ran.stderr
    assert proxy.targets() == [f"{httpbin_url}/get?send=1", f"{httpbin_url}/get?run=1"]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def mtls(pki: Pki) -> Iterator[MtlsRecordingServer]:
    server = MtlsRecordingServer(pki)
    yield server
    server.stop()


def test_the_settings_client_certificate_reaches_a_server_requiring_one(
    pki: Pki, mtls: MtlsRecordingServer
) -> None:
    bench = _bench()
    spec = RequestSpec(url=f"{mtls.base_url}/orders")
    bench.apply_settings(AppSettings(ca_bundle=str(pki.ca_bundle)))
    with pytest.raises(TransportError, match="certificate"):
        bench.send(bench.assemble(spec))
    files = AppSettings(ca_bundle=str(pki.ca_bundle), client_cert=str(pki.cert))
    bench.apply_settings(replace(files, client_key=str(pki.key)))
    mark = mtls.mark()
    assert bench.send(bench.assemble(spec)).exchange.response.status == 200
    assert [r.path for r in mtls.since(mark)] == ["/orders"]


def test_a_socks5h_proxy_carries_the_send(httpbin_url: str) -> None:
    bench = _bench()
    with socks_proxy() as proxy:
        bench.apply_settings(AppSettings(proxy=ProxySettings(proxy.url)))
        result = bench.send(bench.assemble(RequestSpec(url=f"{httpbin_url}/get?socks=1")))
    assert result.exchange.response.status == 200
    assert proxy.targets() == [httpbin_url.removeprefix("http://")]


def test_history_is_kept_as_long_as_the_settings_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_EXPLORER_HOME", str(tmp_path))
    assert history_days() == 30
    save_settings(AppSettings(history_days=3), settings_path())
    assert history_days() == 3


def test_environment_proxy_passwords_are_stored_and_forgotten_with_their_rows(
    tmp_path: Path,
) -> None:
    store = SessionStore()
    ready: Future[object] = Future()
    ready.set_result(SimpleNamespace(store=store, bench=_bench(store)))
    path = tmp_path / "settings.json"
    own = (("acme/staging", ProxySettings("http://127.0.0.1:3128", "ci")),)
    with ThreadPoolExecutor(1) as disk:
        service = CoreSettings(disk, ready, path)  # type: ignore[arg-type]
        service.save(
            AppSettings(environment_proxies=own), None, {"acme/staging": PASSWORD}
        ).result()
        assert PASSWORD not in path.read_text()
        assert store.get(proxy_password_key("acme/staging")) == PASSWORD
        userless = (("acme/staging", ProxySettings("http://127.0.0.1:3128")),)
        with pytest.raises(SettingsError, match="password of acme/staging needs the proxy user"):
            service.save(
                AppSettings(environment_proxies=userless), None, {"acme/staging": "x"}
            ).result()
        assert store.get(proxy_password_key("acme/staging")) == PASSWORD
        service.save(AppSettings(), None).result()
    assert store.get(proxy_password_key("acme/staging")) is None
