"""The HTTP client against real servers on loopback: PyPI httpbin and the edge server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from requests.auth import HTTPBasicAuth

from explorer.core.errors import (
    Cancelled,
    ConnectError,
    IncompleteResponse,
    RequestTimeout,
    TLSError,
    TooManyRedirects,
)
from explorer.core.http import CancelToken, ClientConfig, HttpClient
from explorer.core.models import Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.templating import Scope, resolve
from tests.support.servers import EdgeServer


@pytest.fixture
def client() -> Iterator[HttpClient]:
    c = HttpClient()
    yield c
    c.close()


def send(client: HttpClient, spec: RequestSpec, **kwargs):  # type: ignore[no-untyped-def]
    return client.send(resolve(spec, Scope(), base_dir=kwargs.pop("base_dir", None)), **kwargs)


def echoed(exchange) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(exchange.response.body.text())


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_methods_reach_the_server(client: HttpClient, httpbin_url: str, method: str) -> None:
    exchange = send(client, RequestSpec(method, f"{httpbin_url}/anything"))
    assert exchange.response.status == 200
    assert echoed(exchange)["method"] == method


def test_head_and_options(client: HttpClient, httpbin_url: str) -> None:
    head = send(client, RequestSpec("HEAD", f"{httpbin_url}/get"))
    assert head.response.status == 200
    assert head.response.body.size == 0
    options = send(client, RequestSpec("OPTIONS", f"{httpbin_url}/get"))
    assert "GET" in (options.response.headers.get("Allow") or "")


def test_query_encoding_and_unicode(client: HttpClient, httpbin_url: str) -> None:
    spec = RequestSpec(
        url=f"{httpbin_url}/anything/caf%C3%A9",
        params=(KeyValue("q", "a b&c=d"), KeyValue("name", "Zoë 東京"), KeyValue("q", "2")),
    )
    data = echoed(send(client, spec))
    assert data["args"] == {"q": ["a b&c=d", "2"], "name": "Zoë 東京"}


def test_unicode_header_values_go_out_as_utf8(client: HttpClient, edge: EdgeServer) -> None:
    spec = RequestSpec(url=f"{edge.base_url}/echo", headers=(KeyValue("X-Unicode", "naïve 東京"),))
    headers = dict(echoed(send(client, spec))["headers"])
    assert headers["X-Unicode"].encode("latin-1").decode("utf-8") == "naïve 東京"


def test_query_bytes_on_the_wire(client: HttpClient, edge: EdgeServer) -> None:
    spec = RequestSpec(
        url=f"{edge.base_url}/echo?keep=%2F",
        params=(KeyValue("q", "a b&c=d"), KeyValue("name", "Zoë")),
    )
    assert echoed(send(client, spec))["path"] == "/echo?keep=%2F&q=a+b%26c%3Dd&name=Zo%C3%AB"


def test_repeated_request_headers_are_combined(client: HttpClient, httpbin_url: str) -> None:
    spec = RequestSpec(
        url=f"{httpbin_url}/headers",
        headers=(
            KeyValue("X-Multi", "one"),
            KeyValue("X-Multi", "two"),
            KeyValue("Accept", "application/json"),
        ),
    )
    headers = echoed(send(client, spec))["headers"]
    assert headers["X-Multi"] == "one, two"
    assert headers["Accept"] == "application/json"


def test_repeated_response_headers_are_kept_in_order(client: HttpClient, edge: EdgeServer) -> None:
    response = send(client, RequestSpec(url=f"{edge.base_url}/repeated")).response
    assert response.headers.get_all("X-Multi") == ["one", "two"]
    assert response.headers.get_all("set-cookie") == ["a=1", "b=2"]


def test_every_body_mode(client: HttpClient, httpbin_url: str, tmp_path: Path) -> None:
    url = f"{httpbin_url}/anything"
    as_json = echoed(
        send(client, RequestSpec("POST", url, body=Body(BodyMode.JSON, '{"a": [1, "é"]}')))
    )
    assert as_json["json"] == {"a": [1, "é"]}
    form = echoed(
        send(
            client,
            RequestSpec("POST", url, body=Body(BodyMode.FORM, fields=(FormField("x", "1&2"),))),
        )
    )
    assert form["form"] == {"x": "1&2"}
    upload = tmp_path / "note.txt"
    upload.write_text("file content")
    multipart = echoed(
        send(
            client,
            RequestSpec(
                "POST",
                url,
                body=Body(
                    BodyMode.MULTIPART,
                    fields=(FormField("k", "v"), FormField("f", str(upload), is_file=True)),
                ),
            ),
        )
    )
    assert multipart["form"] == {"k": "v"}
    assert multipart["files"] == {"f": "file content"}
    raw = echoed(
        send(client, RequestSpec("PUT", url, body=Body(BodyMode.RAW, "plain words", "text/plain")))
    )
    assert raw["data"] == "plain words"
    assert raw["headers"]["Content-Type"] == "text/plain"
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(32)))
    blob = echoed(
        send(client, RequestSpec("PUT", url, body=Body(BodyMode.BINARY_FILE, file=str(binary))))
    )
    assert blob["data"] == bytes(range(32)).decode("ascii")
    assert blob["headers"]["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize(
    ("status", "method", "expected_method", "body_kept"),
    [
        (301, "POST", "GET", False),
        (302, "POST", "GET", False),
        (303, "PUT", "GET", False),
        (307, "POST", "POST", True),
        (308, "PUT", "PUT", True),
        (302, "GET", "GET", False),
    ],
)
def test_redirect_method_rules_and_hops(
    client: HttpClient,
    httpbin_url: str,
    status: int,
    method: str,
    expected_method: str,
    body_kept: bool,
) -> None:
    target = f"{httpbin_url}/anything/landed"
    spec = RequestSpec(
        method,
        f"{httpbin_url}/redirect-to",
        params=(KeyValue("url", target), KeyValue("status_code", str(status))),
        body=Body(BodyMode.JSON, '{"keep": true}') if method != "GET" else Body(),
    )
    exchange = send(client, spec)
    data = echoed(exchange)
    assert data["method"] == expected_method
    assert (data["json"] == {"keep": True}) is body_kept
    assert [(h.status, h.location) for h in exchange.hops] == [(status, target)]
    assert exchange.response.url == target


def test_redirects_not_followed_when_asked(client: HttpClient, httpbin_url: str) -> None:
    spec = RequestSpec(url=f"{httpbin_url}/redirect/2", follow_redirects=False)
    exchange = send(client, spec)
    assert exchange.response.status == 302
    assert exchange.hops == ()


def test_endless_redirects_stop_with_a_clear_error(client: HttpClient, edge: EdgeServer) -> None:
    with pytest.raises(TooManyRedirects, match="more than 3 times"):
        send(client, RequestSpec(url=f"{edge.base_url}/loop", max_redirects=3))


def test_credentials_do_not_follow_a_cross_host_redirect(
    client: HttpClient, httpbin_url: str, edge: EdgeServer
) -> None:
    other_host = httpbin_url.replace("127.0.0.1", "localhost") + "/headers"
    spec = RequestSpec(
        url=f"{edge.base_url}/redirect",
        params=(KeyValue("to", other_host),),
        headers=(KeyValue("Authorization", "Bearer secret-token"), KeyValue("X-Keep", "1")),
    )
    exchange = client.send(resolve(spec, Scope()), auth=HTTPBasicAuth("u", "p"))
    headers = echoed(exchange)["headers"]
    assert "Authorization" not in headers
    assert headers["X-Keep"] == "1"


def test_credentials_follow_a_same_origin_redirect(client: HttpClient, httpbin_url: str) -> None:
    spec = RequestSpec(url=f"{httpbin_url}/redirect-to", params=(KeyValue("url", "/headers"),))
    exchange = client.send(resolve(spec, Scope()), auth=HTTPBasicAuth("u", "p"))
    assert echoed(exchange)["headers"]["Authorization"].startswith("Basic ")


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_bodies_are_decoded_and_sizes_kept(
    client: HttpClient, httpbin_url: str, encoding: str
) -> None:
    response = send(client, RequestSpec(url=f"{httpbin_url}/{encoding}")).response
    assert (
        json.loads(response.body.text())[f"{encoding}d" if encoding == "deflate" else "gzipped"]
        is True
    )
    assert response.headers.get("Content-Encoding") == encoding
    assert response.wire_bytes == int(response.headers.get("Content-Length") or 0)
    assert response.body.size == len(response.body.read_bytes())


def test_chunked_transfer(client: HttpClient, edge: EdgeServer) -> None:
    response = send(client, RequestSpec(url=f"{edge.base_url}/chunked")).response
    assert response.body.text() == "alpha beta gamma"


def test_one_byte_body(client: HttpClient, edge: EdgeServer) -> None:
    assert (
        send(client, RequestSpec(url=f"{edge.base_url}/bytes?size=1")).response.body.read_bytes()
        == b"0"
    )


@pytest.mark.slow
def test_fifty_megabyte_body_spills_to_disk_with_progress(edge: EdgeServer) -> None:
    size = 50 * 1024 * 1024
    client = HttpClient(ClientConfig(spill_threshold=8 * 1024 * 1024))
    seen: list[tuple[int, int | None]] = []
    exchange = client.send(
        resolve(RequestSpec(url=f"{edge.base_url}/bytes?size={size}"), Scope()),
        on_progress=lambda got, total: seen.append((got, total)),
    )
    client.close()
    body = exchange.response.body
    assert body.size == size
    assert body.path is not None
    assert body.path.stat().st_size == size
    assert body.head(16) == b"0123456789abcdef"
    assert seen[-1] == (size, size)
    assert len(seen) > 10
    spill = body.path
    body.discard()
    assert not spill.exists()


def test_declared_non_utf8_charset(client: HttpClient, edge: EdgeServer) -> None:
    body = send(client, RequestSpec(url=f"{edge.base_url}/latin1")).response.body
    assert body.text() == "café crème"


def test_undeclared_non_utf8_text_is_detected(client: HttpClient, edge: EdgeServer) -> None:
    body = send(client, RequestSpec(url=f"{edge.base_url}/undeclared")).response.body
    assert not body.is_binary
    assert "café crème" in body.text()


def test_binary_body_is_recognised(client: HttpClient, edge: EdgeServer) -> None:
    body = send(client, RequestSpec(url=f"{edge.base_url}/binary")).response.body
    assert body.is_binary
    assert body.read_bytes()[:4] == b"\x00\x01\x02\x03"


def test_slow_server_hits_the_read_timeout(client: HttpClient, edge: EdgeServer) -> None:
    with pytest.raises(RequestTimeout, match=r"sent nothing for 0\.3 s") as info:
        send(client, RequestSpec(url=f"{edge.base_url}/slow?delay=5", read_timeout=0.3))
    assert info.value.phase == "read"


def test_connection_refused(client: HttpClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectError, match="refused the connection"):
        send(client, RequestSpec(url=f"http://127.0.0.1:{port}/"))


def test_truncated_body_is_reported_not_shown(client: HttpClient, edge: EdgeServer) -> None:
    with pytest.raises(IncompleteResponse, match=r"ended the response early|closed the connection"):
        send(client, RequestSpec(url=f"{edge.base_url}/truncated"))


def test_cancel_mid_download(client: HttpClient, edge: EdgeServer) -> None:
    cancel = CancelToken()
    started = threading.Event()

    def progress(got: int, total: int | None) -> None:
        started.set()

    outcome: list[BaseException] = []

    def run() -> None:
        try:
            send(
                client,
                RequestSpec(url=f"{edge.base_url}/drip?chunks=100&interval=0.05"),
                cancel=cancel,
                on_progress=progress,
            )
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert started.wait(5)
    cancel.cancel()
    worker.join(5)
    assert not worker.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], Cancelled)


def test_self_signed_tls_is_rejected_by_default_and_accepted_with_the_ca(
    client: HttpClient, tls_edge: tuple[EdgeServer, str]
) -> None:
    server, ca_path = tls_edge
    spec = RequestSpec(url=f"{server.base_url}/chunked")
    with pytest.raises(TLSError, match="could not be verified"):
        send(client, spec)
    from dataclasses import replace

    exchange = client.send(replace(resolve(spec, Scope()), ca_bundle=ca_path))
    assert exchange.response.body.text() == "alpha beta gamma"
    assert exchange.response.tls_version in ("TLSv1.2", "TLSv1.3")
    insecure = send(client, RequestSpec(url=f"{server.base_url}/chunked", verify_tls=False))
    assert insecure.response.status == 200


def test_ca_bundle_from_the_environment_is_honoured(
    tls_edge: tuple[EdgeServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca_path = tls_edge
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_path)
    client = HttpClient()
    try:
        assert send(client, RequestSpec(url=f"{server.base_url}/chunked")).response.status == 200
    finally:
        client.close()


def test_timings_and_sizes_are_recorded(client: HttpClient, httpbin_url: str) -> None:
    exchange = send(client, RequestSpec(url=f"{httpbin_url}/bytes/2048"))
    t = exchange.timings
    assert 0 < t.ttfb_ms <= t.total_ms
    assert t.download_ms >= 0
    assert exchange.response.body.size == 2048
    assert exchange.response.header_bytes > 50
    assert exchange.response.http_version == "HTTP/1.1"
    assert ("User-Agent", "api-explorer/0.1") in exchange.sent_headers


def test_client_is_safe_from_many_threads(client: HttpClient, httpbin_url: str) -> None:
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        exchange = send(client, RequestSpec(url=f"{httpbin_url}/anything/{i}"))
        with lock:
            statuses.append(exchange.response.status)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert statuses == [200] * 16


def test_proxy_from_the_environment_is_used(
    edge: EdgeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", edge.base_url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = HttpClient()
    try:
        exchange = send(client, RequestSpec(url="http://vendor.example.invalid/v1/items?q=1"))
    finally:
        client.close()
    assert echoed(exchange) == {
        "proxied": "http://vendor.example.invalid/v1/items?q=1",
        "via": "edge-proxy",
    }


def test_client_certificate_for_mutual_tls(tls_ca, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls_ca.issue_cert("127.0.0.1").configure_cert(context)
    context.verify_mode = ssl.CERT_REQUIRED
    tls_ca.configure_trust(context)
    ca_path = tmp_path / "ca.pem"
    tls_ca.cert_pem.write_to_path(str(ca_path))
    client_pem = tmp_path / "client.pem"
    tls_ca.issue_cert("client@example.test").private_key_and_cert_chain_pem.write_to_path(
        str(client_pem)
    )
    server = EdgeServer(tls=context)
    client = HttpClient()
    try:
        spec = RequestSpec(url=f"{server.base_url}/chunked")
        from dataclasses import replace

        with pytest.raises((TLSError, ConnectError, IncompleteResponse)):
            client.send(replace(resolve(spec, Scope()), ca_bundle=str(ca_path)))
        exchange = client.send(
            replace(resolve(spec, Scope()), ca_bundle=str(ca_path), client_cert=str(client_pem))
        )
        assert exchange.response.body.text() == "alpha beta gamma"
    finally:
        client.close()
        server.stop()
