"""OAuth2, Digest, AWS Signature V4 and cookie API keys in the formats: Postman (each grant),
OpenAPI (each flow, OpenID Connect), httpyac's ``.http`` variables and headers. Imports give the
auth schema's parameters (so the auth is sendable), with what has no place here reported and
literal secrets moved; exports give the tools' own names back, and import(export(x)) == x."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from explorer.core.formats.auth_map import complete
from explorer.core.formats.http_file import export_http, import_http
from explorer.core.formats.openapi import import_openapi
from explorer.core.formats.postman import AUTH_SCRIPT, export_postman, import_postman
from explorer.core.models import AuthSpec, KeyValue, RequestSpec
from explorer.core.workspace.model import Folder, SavedRequest

DATA = Path(__file__).parent / "data" / "auth"


def by_name(tree: Folder) -> dict[str, RequestSpec]:
    return {saved.spec.name: saved.spec for _, saved in tree.requests()}


def oauth2(**params: str) -> AuthSpec:
    return complete("oauth2", params)


def rows(auth: dict[str, Any]) -> dict[str, Any]:
    """A Postman auth object's settings by key."""
    return {row["key"]: row["value"] for row in auth[auth["type"]]}


# -- Postman ---------------------------------------------------------------------------------
def test_postman_grants_become_sendable_oauth2_with_secrets_moved_and_the_rest_reported() -> None:
    result = import_postman((DATA / "grants.postman_collection.json").read_text())
    specs = by_name(result.collection)
    assert specs["Authorization code"].auth == oauth2(
        grant_type="authorization_code",
        auth_url="https://id.example.com/oauth/authorize",
        token_url="https://id.example.com/oauth/token",
        redirect_uri="http://127.0.0.1:5555/callback",
        scope="openid profile",
        client_id="code-app",
        client_secret="{{oauth2_client_secret}}",
        client_auth="client_secret_basic",
        pkce="off",
        add_token_to="header",
    )
    assert specs["Authorization code with PKCE"].auth == oauth2(
        grant_type="authorization_code",
        auth_url="https://id.example.com/oauth/authorize",
        token_url="https://id.example.com/oauth/token",
        audience="https://api.example.com",
        client_id="{{spa_client_id}}",
        client_auth="client_secret_post",
        pkce="S256",
        extra_params="resource_hint=orders",
    )
    [machine] = [item for item in result.collection.items if isinstance(item, Folder)]
    assert machine.auth == oauth2(
        grant_type="client_credentials",
        token_url="{{base_url}}/oauth/token",
        scope="reports.read",
        client_id="svc",
        client_secret="{{oauth2_client_secret_2}}",
        client_auth="client_secret_basic",
        header_prefix="Token",
        add_token_to="query",
    )
    assert specs["Report"].auth is None  # inherits the folder's
    assert specs["Password"].auth == oauth2(
        grant_type="password",
        token_url="https://id.example.com/oauth/token",
        client_id="cli",
        client_secret="{{client_secret}}",
        client_auth="client_secret_post",
        username="alice",
        password="{{oauth2_password}}",
    )
    assert specs["Implicit"].auth == oauth2(
        grant_type="authorization_code",
        auth_url="https://id.example.com/oauth/authorize",
        client_id="legacy-spa",
        pkce="S256",
    )
    assert specs["Digest"].auth == complete(
        "digest",
        {
            "username": "dora",
            "password": "{{digest_password}}",
            "realm": "me@example.com",
            "nonce": "dcd98b7102dd2f0e",
            "algorithm": "MD5",
            "qop": "auth",
        },
    )
    assert specs["AWS"].auth == complete(
        "awsv4",
        {
            "access_key": "AKIDEXAMPLE",
            "secret_key": "{{awsv4_secret_key}}",
            "region": "eu-west-3",
            "service": "execute-api",
        },
    )
    assert result.secrets == {
        "oauth2_client_secret": "code-client-secret",
        "oauth2_client_secret_2": "svc-secret-1",
        "oauth2_password": "wonderland",
        "digest_password": "digest-pass",
        "awsv4_secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    }
    assert set(result.secrets) <= set(result.collection.secret_names())
    warnings = "\n".join(result.warnings)
    for needle in (
        "item[0].request.auth: oauth2 auth setting state was not imported (made anew for each "
        "authorization)",
        "item[1].request.auth: oauth2 auth settings authRequestParams.prompt, "
        "tokenRequestParams.X-Trace, tokenRequestParams.unused were not imported",
        "item[1].request.auth: oauth2 auth setting refreshTokenUrl was not imported (tokens are "
        "refreshed at the token URL)",
        "item[4].request.auth: the implicit grant is not supported",
        "item[5].request.auth: digest auth setting disableRetryRequest was not imported",
        "item[6].request.auth: awsv4 auth setting addAuthDataToQuery was not imported",
    ):
        assert needle in warnings, needle
    for quiet in ("useBrowser", "tokenName", "tokenType", "challengeAlgorithm", "cannot send"):
        assert quiet not in warnings, quiet


def test_postman_export_uses_postman_names_and_reads_back_the_same() -> None:
    first = import_postman((DATA / "grants.postman_collection.json").read_text())
    text = export_postman(first.collection)
    data = json.loads(text)
    items = {item["name"]: item for item in data["item"]}
    code = rows(items["Authorization code"]["request"]["auth"])
    assert code["grant_type"] == "authorization_code"
    assert "challengeAlgorithm" not in code
    assert (code["accessTokenUrl"], code["authUrl"], code["clientId"]) == (
        "https://id.example.com/oauth/token",
        "https://id.example.com/oauth/authorize",
        "code-app",
    )
    assert code["client_authentication"] == "header"
    pkce = rows(items["Authorization code with PKCE"]["request"]["auth"])
    assert (pkce["grant_type"], pkce["challengeAlgorithm"]) == (
        "authorization_code_with_pkce",
        "S256",
    )
    assert pkce["client_authentication"] == "body"
    assert pkce["tokenRequestParams"] == [
        {"key": "resource_hint", "value": "orders", "enabled": True, "send_as": "request_body"}
    ]
    assert rows(items["Password"]["request"]["auth"])["grant_type"] == "password_credentials"
    assert rows(items["Digest"]["request"]["auth"])["nonceCount"] == ""
    aws = rows(items["AWS"]["request"]["auth"])
    assert (aws["accessKey"], aws["secretKey"], aws["region"]) == (
        "AKIDEXAMPLE",
        "{{awsv4_secret_key}}",
        "eu-west-3",
    )

    again = import_postman(text)
    assert again.collection == first.collection
    assert again.secrets == {}
    assert not [w for w in again.warnings if "script" in w]


def test_a_client_credentials_auth_gets_the_token_script_newman_needs() -> None:
    """newman sends an OAuth2 auth's ``accessToken`` but never fetches one: the folder holding
    the auth gets a pre-request script that fetches it into a collection variable the auth
    names; an authorization code auth (it needs a user) gets none."""
    first = import_postman((DATA / "grants.postman_collection.json").read_text())
    data = json.loads(export_postman(first.collection))
    machine = next(item for item in data["item"] if item["name"] == "Machine")
    settings = rows(machine["auth"])
    token = settings["accessToken"].strip("{}")
    assert token.startswith("oauth2_token_")
    assert (settings["addTokenTo"], settings["headerPrefix"]) == ("queryParams", "Token")
    [event] = machine["event"]
    lines = event["script"]["exec"]
    assert lines[0] == AUTH_SCRIPT
    grant = json.loads(lines[1].removeprefix("const GRANT = ").removesuffix(";"))
    assert grant["token_url"] == "{{base_url}}/oauth/token"
    assert grant["fields"] == [["grant_type", "client_credentials"], ["scope", "reports.read"]]
    assert grant["client"] == ["svc", "{{oauth2_client_secret_2}}"]
    assert f'const TOKEN = "{token}";' in lines
    declared = {v["key"]: v["type"] for v in data["variable"]}
    assert declared[token] == "secret"
    assert declared[f"{token}_expires"] == "string"
    password = next(item for item in data["item"] if item["name"] == "Password")
    assert password["event"][0]["script"]["exec"][0] == AUTH_SCRIPT
    code = next(item for item in data["item"] if item["name"] == "Authorization code")
    assert "event" not in code
    assert rows(code["request"]["auth"])["accessToken"] == ""


def test_a_cookie_api_key_is_a_cookie_header_key_in_postman() -> None:
    auth = AuthSpec("api-key", (("key", "SESSIONID"), ("value", "{{sid}}"), ("in", "cookie")))
    tree = Folder("c", auth=auth)
    data = json.loads(export_postman(tree))
    assert data["auth"] == {
        "type": "apikey",
        "apikey": [
            {"key": "key", "value": "Cookie", "type": "string"},
            {"key": "value", "value": "SESSIONID={{sid}}", "type": "string"},
            {"key": "in", "value": "header", "type": "string"},
        ],
    }
    assert import_postman(json.dumps(data)).collection.auth == auth


def test_postman_values_outside_the_schema_are_reported_and_the_default_kept() -> None:
    auth = {
        "type": "oauth2",
        "oauth2": [
            {"key": "grant_type", "value": "urn:ietf:params:oauth:grant-type:jwt-bearer"},
            {"key": "client_authentication", "value": "mtls"},
            {"key": "grant_type_note", "value": ["not", "text"]},
        ],
    }
    collection = {"info": {"name": "x"}, "item": [], "auth": auth}
    result = import_postman(json.dumps(collection))
    assert result.collection.auth == oauth2()
    warnings = "\n".join(result.warnings)
    assert "OAuth2 grant_type 'urn:ietf:params:oauth:grant-type:jwt-bearer' is not supported; " in (
        warnings
    )
    assert "OAuth2 client_auth 'mtls' is not supported; 'client_secret_basic' is used" in warnings
    assert "oauth2 auth setting grant_type_note was not imported (they are not text)" in warnings


# -- OpenAPI ---------------------------------------------------------------------------------
def test_openapi_flows_and_openid_connect_become_oauth2_with_urls_and_required_scopes() -> None:
    result = import_openapi((DATA / "flows.openapi.yaml").read_text())
    client = {"client_id": "{{client_id}}", "client_secret": "{{client_secret}}"}
    assert result.collection.auth == oauth2(
        grant_type="client_credentials",
        token_url="https://api.example.com/oauth/token",  # relative to the server (RFC 3986)
        scope="reports.read",  # the required scope, not every scope the flow offers
        **client,
    )
    specs = by_name(result.collection)
    assert specs["Reports"].auth is None
    assert specs["Me"].auth == oauth2(
        grant_type="authorization_code",
        auth_url="https://id.example.com/authorize",
        token_url="https://id.example.com/token",
        scope="openid profile",
        **client,
    )
    assert specs["Place order"].auth == oauth2(
        grant_type="password",
        token_url="https://id.example.com/token",
        scope="orders.write",
        username="{{username}}",
        password="{{password}}",
        **client,
    )
    assert specs["Legacy"].auth == oauth2(
        grant_type="authorization_code", auth_url="https://id.example.com/authorize", **client
    )
    both = specs["Both"].auth
    assert both is not None
    assert (both.get("grant_type"), both.get("token_url")) == (
        "authorization_code",
        "https://id.example.com/token",
    )
    assert specs["Device"].auth == oauth2(
        grant_type="device_code",
        token_url="https://id.example.com/token",
        device_url="https://id.example.com/device",
        **client,
    )
    assert specs["OpenID"].auth == oauth2(
        grant_type="authorization_code",
        issuer="https://id.example.com/realms/shop",
        scope="openid email",
        **client,
    )
    assert specs["Digest"].auth == complete(
        "digest", {"username": "{{username}}", "password": "{{password}}"}
    )
    assert specs["Session"].auth == AuthSpec(
        "api-key", (("key", "SESSIONID"), ("value", "{{api_key}}"), ("in", "cookie"))
    )
    assert specs["Public"].auth == AuthSpec("none")
    assert {"client_secret", "password", "api_key"} <= set(result.collection.secret_names())
    assert result.warnings == (
        "the OAuth2 scheme 'code': its refresh URL 'https://id.example.com/refresh' was not "
        "imported (tokens are refreshed at the token URL)",
        "the OAuth2 scheme 'implicitOnly': the implicit grant is not supported (OAuth 2.1 drops "
        "it): it was imported as authorization code with PKCE, which also needs the token URL",
        "the OAuth2 scheme 'implicitAndCode' also offers the flows implicit; its "
        "authorizationCode flow was imported",
    )


def test_swagger_flows_and_an_openid_url_without_the_well_known_path() -> None:
    doc = {
        "swagger": "2.0",
        "info": {"title": "Old", "version": "1"},
        "host": "api.example.com",
        "securityDefinitions": {
            "code": {
                "type": "oauth2",
                "flow": "accessCode",
                "authorizationUrl": "https://id.example.com/auth",
                "tokenUrl": "https://id.example.com/token",
                "scopes": {"read": "", "write": ""},
            },
            "app": {"type": "oauth2", "flow": "application", "tokenUrl": "https://id/t"},
        },
        "paths": {
            "/a": {"get": {"summary": "A", "security": [{"code": ["read"]}]}},
            "/b": {"get": {"summary": "B", "security": [{"app": [], "code": []}]}},
        },
    }
    result = import_openapi(json.dumps(doc))
    specs = by_name(result.collection)
    a, b = specs["A"].auth, specs["B"].auth
    assert a is not None
    assert b is not None
    assert (a.get("grant_type"), a.get("auth_url"), a.get("scope")) == (
        "authorization_code",
        "https://id.example.com/auth",
        "read",
    )
    assert (b.get("grant_type"), b.get("token_url")) == ("client_credentials", "https://id/t")
    assert "the schemes 'app', 'code' are required together; only 'app' was mapped" in (
        result.warnings
    )
    oidc = {
        "openapi": "3.0.3",
        "info": {"title": "O", "version": "1"},
        "components": {
            "securitySchemes": {"o": {"type": "openIdConnect", "openIdConnectUrl": "https://x/"}}
        },
        "security": [{"o": []}],
        "paths": {},
    }
    result = import_openapi(json.dumps(oidc))
    assert result.collection.auth is not None
    assert result.collection.auth.get("issuer") == ""
    assert any("does not end in /.well-known/openid-configuration" in w for w in result.warnings)


# -- .http (httpyac) -------------------------------------------------------------------------
HTTPYAC_FILE = """\
@oauth2_tokenEndpoint = https://id.example.com/token
@oauth2_clientId = svc
@oauth2_clientSecret = Lit3ral-Secret-Value-9x
@oauth2_scope = read write
@oauth2_useAuthorizationHeader = false
@kc_tokenEndpoint = https://kc.example.com/token
@kc_authorizationEndpoint = https://kc.example.com/auth
@kc_clientId = app
@kc_usePkce = true
@kc_responseType = code
@page = 1

### cc
GET https://api.example.com/a?page={{page}}
Authorization: oauth2 client_credentials

### code
GET https://api.example.com/b
Authorization: oauth2 authorization_code kc

### implicit
GET https://api.example.com/c
Authorization: openid implicit kc

### digest
GET https://api.example.com/d
Authorization: Digest dora:{{digest_password}}

### aws
GET https://api.example.com/e
Authorization: AWS AKIDEXAMPLE {{aws_secret}} token:{{aws_session}} region:eu-west-3 service:s3

### computed digest
GET https://api.example.com/f
Authorization: Digest username="x", realm="r", response="abc"
"""


def test_httpyac_oauth2_variables_digest_and_aws_headers_become_auth() -> None:
    result = import_http(HTTPYAC_FILE)
    specs = by_name(result.collection)
    assert specs["cc"].auth == oauth2(
        grant_type="client_credentials",
        token_url="https://id.example.com/token",
        client_id="svc",
        client_secret="{{oauth2_client_secret}}",
        scope="read write",
        client_auth="client_secret_post",
    )
    code = oauth2(
        grant_type="authorization_code",
        token_url="https://kc.example.com/token",
        auth_url="https://kc.example.com/auth",
        client_id="app",
        pkce="S256",
        # what kc_ lacks comes from oauth2_, as httpyac reads it
        client_secret="{{oauth2_client_secret}}",
        scope="read write",
        client_auth="client_secret_post",
    )
    assert specs["code"].auth == code
    assert specs["implicit"].auth == code
    assert specs["digest"].auth == complete(
        "digest", {"username": "dora", "password": "{{digest_password}}"}
    )
    assert specs["aws"].auth == complete(
        "awsv4",
        {
            "access_key": "AKIDEXAMPLE",
            "secret_key": "{{aws_secret}}",
            "session_token": "{{aws_session}}",
            "region": "eu-west-3",
            "service": "s3",
        },
    )
    computed = specs["computed digest"]
    assert computed.auth is None
    assert computed.headers[0].value.startswith("Digest ")
    assert [v.name for v in result.collection.variables if not v.secret] == ["page"]
    assert result.secrets["oauth2_client_secret"] == "Lit3ral-Secret-Value-9x"
    warnings = "\n".join(result.warnings)
    assert "oauth2 auth setting responseType was not imported" in warnings
    assert "the implicit grant is not supported" in warnings


def _one(auth: AuthSpec | None, name: str = "r") -> SavedRequest:
    return SavedRequest(
        RequestSpec(method="GET", url="https://api.example.com/x", name=name, auth=auth), 1
    )


def test_http_export_writes_httpyac_oauth2_or_a_token_request_and_reads_back_whole() -> None:
    cc = oauth2(
        grant_type="client_credentials",
        token_url="{{base_url}}/token",
        client_id="svc",
        client_secret="{{client_secret}}",
        scope="read",
    )
    code = oauth2(
        grant_type="authorization_code",
        auth_url="https://id/auth",
        token_url="https://id/token",
        redirect_uri="http://127.0.0.1:8765/cb",
        client_id="app",
        client_auth="none",
        pkce="off",
    )
    extra = oauth2(
        grant_type="client_credentials",
        token_url="https://id/token",
        client_id="svc",
        client_secret="{{client_secret}}",
        extra_params="audience=api",
        add_token_to="query",
    )
    jwt = oauth2(
        grant_type="client_credentials",
        token_url="https://id/token",
        client_id="svc",
        client_auth="private_key_jwt",
        private_key="{{private_key}}",
    )
    items = tuple(
        SavedRequest(RequestSpec(method="GET", url="https://api/x", name=n, auth=a), i)
        for i, (n, a) in enumerate((("cc", cc), ("code", code), ("extra", extra), ("jwt", jwt)), 1)
    )
    tree = Folder("c", items=items)
    text = export_http(tree)
    head = text.split("###")[0].splitlines()
    assert head == [
        "# @collection c",  # two configurations: neither on httpyac's default oauth2_*
        "@oauth2_1_tokenEndpoint = {{base_url}}/token",
        "@oauth2_1_clientId = svc",
        "@oauth2_1_clientSecret = {{client_secret}}",
        "@oauth2_1_scope = read",
        "@oauth2_1_usePkce = true",
        "@oauth2_1_useAuthorizationHeader = true",
        "@oauth2_2_tokenEndpoint = https://id/token",
        "@oauth2_2_authorizationEndpoint = https://id/auth",
        "@oauth2_2_clientId = app",
        "@oauth2_2_redirectUri = http://127.0.0.1:8765/cb",
        "@oauth2_2_usePkce = false",
        "@oauth2_2_useAuthorizationHeader = false",
        "",
    ]
    blocks = {b.split("\n", 1)[0].strip(): b for b in text.split("###")[1:]}
    assert "Authorization: oauth2 client_credentials oauth2_1\n" in blocks["cc"]
    assert '# @auth oauth2 {"client_auth": "none"}' in blocks["code"]
    assert "Authorization: oauth2 authorization_code oauth2_2\n" in blocks["code"]
    [token] = [name for name in blocks if name.startswith("oauth2_token_")]
    assert "# @token-request\nPOST https://id/token\n" in blocks[token]
    assert "grant_type=client_credentials&audience=api" in blocks[token]
    assert f"?access_token={{{{{token}.access_token}}}}" in blocks["extra"]
    assert f"# @ref {token}" in blocks["extra"]
    assert "Authorization: Bearer {{access_token}}" in blocks["jwt"]

    back = import_http(text)
    assert back.collection == tree
    assert back.warnings == ()


def test_http_cookie_api_key_takes_its_pair_out_of_the_cookie_header() -> None:
    text = """\
# @auth api-key {"key": "sid", "in": "cookie"}
GET https://api.example.com/x
Cookie: theme={{theme}}; sid={{sid}}
"""
    [(_, saved)] = import_http(text).collection.requests()
    assert saved.spec.auth == AuthSpec(
        "api-key", (("key", "sid"), ("value", "{{sid}}"), ("in", "cookie"))
    )
    assert saved.spec.headers == (KeyValue("Cookie", "theme={{theme}}"),)


def test_one_oauth2_configuration_uses_httpyacs_default_variables() -> None:
    auth = oauth2(
        grant_type="password",
        token_url="https://id/token",
        client_id="cli",
        client_auth="client_secret_post",
        username="{{username}}",
        password="{{password}}",
    )
    tree = Folder("c", auth=auth, items=(_one(None), _one(None, "s")))
    text = export_http(tree)
    assert text.startswith(
        "# @collection c\n"
        "@oauth2_tokenEndpoint = https://id/token\n"
        "@oauth2_clientId = cli\n"
        "@oauth2_username = {{username}}\n"
        "@oauth2_password = {{password}}\n"
        "@oauth2_usePkce = true\n"
        "@oauth2_useAuthorizationHeader = false\n"
    )
    assert text.count("Authorization: oauth2 password\n") == 2
    back = import_http(text).collection
    assert [s.spec.auth for _, s in back.requests()] == [auth, auth]
