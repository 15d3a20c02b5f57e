"""Bad input from servers: one table of hostile answers, each met with one typed error and one
specific sentence, within a bounded time, and a client that still works afterwards.

Cases already proven elsewhere are listed in ``COVERED_ELSEWHERE`` with the test that proves them;
``test_cases_covered_elsewhere_still_exist`` fails if one of those tests is renamed or removed.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from requests.auth import HTTPBasicAuth

from explorer.core.errors import (
    ExplorerError,
    IncompleteResponse,
    MalformedResponse,
    RequestTimeout,
    ResponseTooLarge,
    TLSError,
)
from explorer.core.http import ClientConfig, HttpClient
from explorer.core.models import KeyValue, RequestSpec
from explorer.core.templating import Layer, Scope, resolve
from tests.hardening.hostile import HostileServer
from tests.support.servers import EdgeServer

MB = 1024 * 1024

# (case, path, the error, a regex its message must match)
SERVER_CASES: list[tuple[str, str, type[ExplorerError], str]] = [
    ("header line over 64 KB", "/huge-header", MalformedResponse, r"header line longer than 64 KB"),
    ("more than 100 headers", "/many-headers", MalformedResponse, r"more than 100 headers"),
    ("garbled status line", "/garbage-status", MalformedResponse, r"did not answer with an HTTP"),
    ("hang-up without answer", "/silent-close", IncompleteResponse, r"without answering"),
    ("conflicting Content-Length", "/conflicting-length", MalformedResponse, r"Content-Length"),
    ("Content-Length longer than body", "/short-length", IncompleteResponse, r"ended the respon"),
    ("truncated chunked body", "/truncated-chunked", IncompleteResponse, r"ended the response"),
    ("broken chunk size", "/bad-chunk-size", IncompleteResponse, r"corrupt body"),
    ("gzip bomb past the cap", "/gzip-bomb", ResponseTooLarge, r"grew past 4,194,304 bytes .*bomb"),
    ("body that is not gzip", "/corrupt-gzip", IncompleteResponse, r"does not decode as its"),
    ("slowloris: no answer", "/silent", RequestTimeout, r"sent nothing for 0\.5 s"),
    ("slowloris: stalls mid-body", "/stall-mid-body", RequestTimeout, r"in the middle of the"),
    ("close mid-body", "/close-mid-body", IncompleteResponse, r"ended the response early"),
    ("reset mid-body", "/reset-mid-body", IncompleteResponse, r"ended the response early|closed"),
]

COVERED_ELSEWHERE = {
    "endless redirects": (
        "tests.core.test_http_client::test_endless_redirects_stop_with_a_clear_error"
    ),
    "Authorization dropped on a cross-host redirect": (
        "tests.core.test_http_client::test_credentials_do_not_follow_a_cross_host_redirect"
    ),
    "self-signed certificate": (
        "tests.core.test_http_client::"
        "test_self_signed_tls_is_rejected_by_default_and_accepted_with_the_ca"
    ),
    "undeclared non-UTF-8 text": (
        "tests.core.test_http_client::test_undeclared_non_utf8_text_is_detected"
    ),
    "binary body": "tests.core.test_http_client::test_binary_body_is_recognised",
    "connection refused": "tests.core.test_http_client::test_connection_refused",
    "cancel during a slow body": "tests.core.test_http_client::test_cancel_mid_download",
}


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient(ClientConfig(max_body_bytes=4 * MB))
    yield http
    http.close()


def get(client: HttpClient, url: str, **spec: object):  # type: ignore[no-untyped-def]
    return client.send(resolve(RequestSpec(url=url, read_timeout=0.5, **spec), Scope()))  # type: ignore[arg-type]


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    ("path", "error", "message"),
    [case[1:] for case in SERVER_CASES],
    ids=[case[0] for case in SERVER_CASES],
)
def test_hostile_answers(
    client: HttpClient, hostile: HostileServer, path: str, error: type[ExplorerError], message: str
) -> None:
    with pytest.raises(ExplorerError) as info:
        get(client, hostile.base_url + path)
    assert type(info.value) is error, str(info.value)
    assert info.value.message.count("\n") == 0
    assert re.search(message, info.value.message), info.value.message
    assert "127.0.0.1" in info.value.message  # names the server
    # The client is unharmed: the next request on it works.
    assert get(client, f"{hostile.base_url}/echo").response.status == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/long-length", b"ok"),  # extra bytes after Content-Length are not part of the body
        ("/binary-json", b'{"name": "\xff\xfe caf\xe9"}\x00\x01'),
    ],
)
def test_odd_but_valid_answers_are_shown_as_sent(
    client: HttpClient, hostile: HostileServer, path: str, body: bytes
) -> None:
    response = get(client, hostile.base_url + path).response
    assert response.body.read_bytes() == body
    if path == "/binary-json":
        assert response.body.is_binary  # shown as bytes, never decoded into mojibake


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    ("server", "message"),
    [
        ("expired", r"certificate has expired\); the server's owner must renew it"),
        ("wrong host", r"not valid for '127\.0\.0\.1'\); the certificate was issued for another"),
        ("TLS 1.0 only", r"offers no TLS version we accept .*TLS 1\.2 or newer is required"),
        ("TLS 1.1 only", r"offers no TLS version we accept .*TLS 1\.2 or newer is required"),
    ],
)
def test_tls_failures(
    client: HttpClient, bad_tls: dict[str, EdgeServer], ca_file: str, server: str, message: str
) -> None:
    request = resolve(RequestSpec(url=f"{bad_tls[server].base_url}/chunked"), Scope())
    with pytest.raises(TLSError, match=message):
        client.send(replace(request, ca_bundle=ca_file))
    good = replace(resolve(RequestSpec(url=f"{bad_tls['good'].base_url}/chunked"), Scope()))
    assert client.send(replace(good, ca_bundle=ca_file)).response.tls_version in (
        "TLSv1.2",
        "TLSv1.3",
    )


def test_old_tls_servers_really_speak_old_tls(bad_tls: dict[str, EdgeServer], ca_file: str) -> None:
    """The refusal above is our TLS 1.2 floor, not a server that cannot handshake at all."""
    import socket
    import ssl
    import warnings

    for name, expected in (("TLS 1.0 only", "TLSv1"), ("TLS 1.1 only", "TLSv1.1")):
        context = ssl.create_default_context(cafile=ca_file)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with (
            socket.create_connection(("127.0.0.1", bad_tls[name].port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            assert tls.version() == expected


# -- redirects that must not carry credentials ------------------------------------------------

SECRET_KEY = "sub-key-7d1f0c"


def _redirect_spec(first: str, to: str) -> RequestSpec:
    return RequestSpec(
        url=f"{first}/redirect",
        params=(KeyValue("to", to),),
        headers=(
            KeyValue("Authorization", "Bearer tok-secret"),
            KeyValue("Cookie", "session=abc"),
            KeyValue("Ocp-Apim-Subscription-Key", "{{subscription_key}}"),
            KeyValue("X-Custom-Key", "k={{subscription_key}}"),
            KeyValue("X-Keep", "1"),
        ),
    )


def _follow(client: HttpClient, first: str, to: str, ca_file: str | None = None) -> dict:  # type: ignore[type-arg]
    scope = Scope(
        (Layer("env", {"subscription_key": SECRET_KEY}, frozenset({"subscription_key"})),)
    )
    request = resolve(_redirect_spec(first, to), scope)
    if ca_file:
        request = replace(request, ca_bundle=ca_file)
    exchange = client.send(request, auth=HTTPBasicAuth("user", "pw"))
    return json.loads(exchange.response.body.text())  # type: ignore[no-any-return]


def test_https_to_http_redirect_drops_every_credential(
    client: HttpClient, bad_tls: dict[str, EdgeServer], ca_file: str, hostile: HostileServer
) -> None:
    landed = _follow(client, bad_tls["good"].base_url, f"{hostile.base_url}/echo", ca_file)
    sent = {k.lower() for k in landed}
    assert not sent & {"authorization", "cookie", "ocp-apim-subscription-key", "x-custom-key"}
    assert landed["x-keep"] == "1"


def test_cross_host_redirect_drops_api_keys_and_secret_bearing_headers(
    client: HttpClient, edge: EdgeServer, hostile: HostileServer
) -> None:
    other_host = f"http://localhost:{hostile.port}/echo"
    landed = _follow(client, edge.base_url, other_host)
    assert "ocp-apim-subscription-key" not in landed
    assert "x-custom-key" not in landed  # a secret variable's value, under any header name
    assert "authorization" not in landed
    assert landed["x-keep"] == "1"


def test_same_origin_redirect_keeps_credentials(client: HttpClient, hostile: HostileServer) -> None:
    landed = _follow(client, hostile.base_url, "/echo")
    assert landed["ocp-apim-subscription-key"] == SECRET_KEY
    assert landed["authorization"].startswith("Basic ")  # the auth object wins on its origin


def test_cases_covered_elsewhere_still_exist() -> None:
    for case, where in COVERED_ELSEWHERE.items():
        module, _, name = where.partition("::")
        assert callable(getattr(importlib.import_module(module), name, None)), case
