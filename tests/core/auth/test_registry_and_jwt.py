"""Auth types from the registry applied by the real HTTP client to httpbin, and JWT decoding."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest

from explorer.core.auth import AUTH_TYPES, build_auth, decode_jwt, registry_key
from explorer.core.errors import InvalidRequest
from explorer.core.http import HttpClient
from explorer.core.models import ResolvedRequest


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient()
    yield http
    http.close()


def echo(client: HttpClient, url: str, auth_type: str, params: dict[str, str]) -> dict:  # type: ignore[type-arg]
    exchange = client.send(ResolvedRequest("GET", url), auth=build_auth(auth_type, params))
    return json.loads(exchange.response.body.text())  # type: ignore[no-any-return]


def test_registry_keys_match_the_on_disk_auth_types() -> None:
    assert set(AUTH_TYPES) == {"none", "basic", "bearer", "api-key", "digest", "awsv4", "oauth2"}
    assert registry_key("oauth2-client-credentials") == "oauth2"
    assert registry_key("api-key") == "api-key"


def test_api_key_in_a_header(client, httpbin_url) -> None:
    params = {"key": "Authorization", "value": "ApiKey pricing@x.com:PW", "in": "header"}
    got = echo(client, f"{httpbin_url}/headers", "api-key", params)
    assert got["headers"]["Authorization"] == "ApiKey pricing@x.com:PW"


def test_api_key_in_the_query_replaces_an_existing_value(client, httpbin_url) -> None:
    params = {"key": "subscription-key", "value": "k3y", "in": "query"}
    got = echo(client, f"{httpbin_url}/get?subscription-key=old&a=1", "api-key", params)
    assert got["args"] == {"a": "1", "subscription-key": "k3y"}
    assert "Authorization" not in got["headers"]


def test_api_key_custom_header(client, httpbin_url) -> None:
    params = {"key": "Ocp-Apim-Subscription-Key", "value": "abc"}
    got = echo(client, f"{httpbin_url}/headers", "api-key", params)
    assert got["headers"]["Ocp-Apim-Subscription-Key"] == "abc"


def test_bearer_and_basic(client, httpbin_url) -> None:
    assert echo(client, f"{httpbin_url}/bearer", "bearer", {"token": "t0k"})["token"] == "t0k"
    got = echo(client, f"{httpbin_url}/basic-auth/u/p", "basic", {"username": "u", "password": "p"})
    assert got["authenticated"] is True


def test_none_sends_no_authorization(client, httpbin_url) -> None:
    assert "Authorization" not in echo(client, f"{httpbin_url}/headers", "none", {})["headers"]


@pytest.mark.parametrize(
    ("auth_type", "params", "message"),
    [
        (
            "ntlm",
            {},
            "API Explorer cannot send ntlm auth yet; it is kept as imported and exported "
            "unchanged.",
        ),
        ("digest", {}, "Digest auth has no username; enter one or a {{variable}} that holds it."),
        (
            "awsv4",
            {"access_key": "AKID", "region": "eu-west-1", "service": "s3"},
            "AWS Signature auth has no secret access key; enter it or a {{variable}} that holds "
            "it (a variable, a secret variable or --var NAME=VALUE).",
        ),
        (
            "awsv4",
            {"access_key": "AKID", "secret_key": "s", "service": ""},
            "AWS Signature auth needs the region (such as us-east-1) and the service (such as "
            "execute-api or s3) the request goes to.",
        ),
        ("bearer", {}, "Bearer auth has no token; enter one or a {{variable}} that holds it."),
        (
            "api-key",
            {"key": "X-Api-Key", "value": ""},
            "API-key auth (header X-Api-Key) has no value; enter the key or a {{variable}} that "
            "holds it (a variable, a secret variable or --var NAME=VALUE).",
        ),
        (
            "api-key",
            {"api_key": "k", "header": "X-Api-Key"},
            "API key auth has no parameter api_key, header; its parameters are key, value, in.",
        ),
        (
            "api-key",
            {"key": "k", "value": "v", "in": "body"},
            "API key auth: 'in' must be header or query or cookie, not 'body'.",
        ),
        (
            "oauth2",
            {},
            "OAuth2 auth needs its token engine to be sent; send it with the window, "
            "'api-explorer send' or 'api-explorer run', which get and refresh its token.",
        ),
    ],
)
def test_bad_auth_is_one_sentence(auth_type, params, message) -> None:
    with pytest.raises(InvalidRequest) as caught:
        build_auth(auth_type, params)
    assert str(caught.value) == message


def _jwt(claims: dict) -> str:  # type: ignore[type-arg]
    def part(data: dict) -> str:  # type: ignore[type-arg]
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2ln"


def test_jwt_claims_roles_scopes_expiry() -> None:
    info = decode_jwt(
        _jwt(
            {
                "sub": "sandbox:program-manager",
                "exp": 1_800_000_000,
                "scp": ["read", "write"],
                "roles": [{"resource": "customer", "access": "write"}],
                "realm_access": {"roles": ["admin"]},
            }
        )
    )
    assert info is not None
    assert info.subject == "sandbox:program-manager"
    assert info.expires_at == 1_800_000_000.0
    assert info.scopes == ("read", "write")
    assert info.roles == ('{"resource": "customer", "access": "write"}', "admin")
    assert info.header["alg"] == "HS256"


@pytest.mark.parametrize(
    "token",
    ["AAEAAI44ctDQopaque", "3d8f373a9a2b1e61baf5abb69930ff4f0e08cdb0", "a.b.c", "x.eyJhIjoxfQ"],
)
def test_opaque_or_broken_tokens_are_not_jwts(token) -> None:
    assert decode_jwt(token) is None
