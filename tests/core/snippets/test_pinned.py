"""Exact text of a few snippets, so a formatting change is a deliberate diff here.

What these snippets do is proven by execution elsewhere (``test_execution``, ``test_flow``,
``test_tls``); these pins are about how they read. The PowerShell pin is the only check of that
target where ``pwsh`` is missing.
"""

from __future__ import annotations

import pytest

from explorer.core.models import AuthSpec, Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.provider_loader import load_providers
from explorer.core.snippets import SnippetOptions, generate
from explorer.core.templating import Layer, Scope

SANDBOX = Scope((Layer("request", {"sandbox_url": "http://127.0.0.1:8400"}),))
SCOPE = Scope(
    (
        Layer(
            "env",
            {
                "base": "https://api.example.com",
                "token": "t0ken-value",
                "user": "alice",
                "pw": "pa55word",
            },
            secret=frozenset({"token", "pw"}),
        ),
    )
)
ITEMS = RequestSpec(
    method="POST",
    url="/api/tables/item",
    body=Body(BodyMode.JSON, '{"page": 1, "nrOfRecords": 50}'),
)
FORM = RequestSpec(
    method="POST",
    url="{{base}}/login",
    body=Body(
        BodyMode.FORM,
        fields=(
            FormField("user", "{{user}}"),
            FormField("password", "{{pw}}"),
            FormField("note", "a b&c"),
        ),
    ),
)
SEARCH = RequestSpec(
    url="{{base}}/search",
    params=(KeyValue("q", "Jörg & co"), KeyValue("page", "2")),
    headers=(KeyValue("Accept", "application/json"),),
)
BASIC = RequestSpec(
    method="PUT",
    url="{{base}}/items/7",
    body=Body(BodyMode.JSON, '{"name": "x"}'),
    auth=AuthSpec("basic", (("username", "{{user}}"), ("password", "{{pw}}"))),
    read_timeout=30,
)
BEARER = RequestSpec(
    url="{{base}}/me",
    headers=(KeyValue("Authorization", "Bearer {{token}}"),),
    follow_redirects=False,
)

CURL_PRICEEDGE = r"""# Set these environment variables first:
#   PRICEEDGE_CLIENT_ID: your PriceEdge unique client id (stored with api-explorer
#     credentials set)
#   PRICEEDGE_TOKEN: a PriceEdge access token, from the password grant at
#     http://127.0.0.1:8400/priceedge/sandbox/token; or export with --flow and the snippet
#     fetches one itself
: "${PRICEEDGE_CLIENT_ID:?is not set; see the comment above}"
: "${PRICEEDGE_TOKEN:?is not set; see the comment above}"
curl \
  --url http://127.0.0.1:8400/priceedge/sandbox/api/tables/item \
  --header 'client_id: '"$PRICEEDGE_CLIENT_ID" \
  --header 'Authorization: Bearer '"$PRICEEDGE_TOKEN" \
  --header 'Content-Type: application/json' \
  --data-raw '{"page": 1, "nrOfRecords": 50}' \
  --connect-timeout 10 \
  --speed-limit 1 --speed-time 60 \
  --location --max-redirs 10
"""

PYTHON_PRICEEDGE = r"""# Set these environment variables first:
#   PRICEEDGE_CLIENT_ID: your PriceEdge unique client id (stored with api-explorer
#     credentials set)
#   PRICEEDGE_TOKEN: a PriceEdge access token, from the password grant at
#     http://127.0.0.1:8400/priceedge/sandbox/token; or export with --flow and the snippet
#     fetches one itself

import os

import requests

priceedge_client_id = os.environ["PRICEEDGE_CLIENT_ID"]
priceedge_token = os.environ["PRICEEDGE_TOKEN"]

response = requests.post(
    "http://127.0.0.1:8400/priceedge/sandbox/api/tables/item",
    headers={
        "client_id": priceedge_client_id,
        "Authorization": "Bearer " + priceedge_token,
        "Content-Type": "application/json",
    },
    data='{"page": 1, "nrOfRecords": 50}',
    timeout=(10, 60),
    allow_redirects=True,
)
print(response.text)
"""

CURL_PRICEEDGE_FLOW = r"""set -euo pipefail
# Set these environment variables first:
#   PRICEEDGE_CLIENT_ID: your PriceEdge unique client id (stored with api-explorer
#     credentials set)
#   PRICEEDGE_CLIENT_SECRET: your PriceEdge client secret (stored with api-explorer
#     credentials set) (optional: may be empty)
#   PRICEEDGE_USERNAME: your PriceEdge username (e-mail) (stored with api-explorer
#     credentials set)
#   PRICEEDGE_PASSWORD: your PriceEdge password (stored with api-explorer credentials set)
: "${PRICEEDGE_CLIENT_ID:?is not set; see the comment above}"
: "${PRICEEDGE_USERNAME:?is not set; see the comment above}"
: "${PRICEEDGE_PASSWORD:?is not set; see the comment above}"
# 1. PriceEdge: password grant for an access token
token_response=$(curl --silent --show-error --fail \
  --url http://127.0.0.1:8400/priceedge/sandbox/token \
  --data-urlencode grant_type=password \
  --data-urlencode username="$PRICEEDGE_USERNAME" \
  --data-urlencode password="$PRICEEDGE_PASSWORD" \
  --data-urlencode client_id="$PRICEEDGE_CLIENT_ID" \
  --data-urlencode client_secret="${PRICEEDGE_CLIENT_SECRET-}")
access_token=$(printf '%s' "$token_response" | jq --raw-output .access_token)
# 2. The request itself
curl \
  --url http://127.0.0.1:8400/priceedge/sandbox/api/tables/item \
  --header 'client_id: '"$PRICEEDGE_CLIENT_ID" \
  --header 'Authorization: Bearer '"$access_token" \
  --header 'Content-Type: application/json' \
  --data-raw '{"page": 1, "nrOfRecords": 50}' \
  --connect-timeout 10 \
  --speed-limit 1 --speed-time 60 \
  --location --max-redirs 10
"""

HTTPIE_FORM = r"""# Set these environment variables first:
#   PW: the value of the secret variable {{pw}}
: "${PW:?is not set; see the comment above}"
http --ignore-stdin \
  --form \
  POST https://api.example.com/login \
  Content-Type:application/x-www-form-urlencoded \
  user=alice \
  password="$PW" \
  'note=a b&c' \
  --timeout 60 \
  --follow --max-redirects 10
"""

FETCH_KEPT = r"""// Node 18+: save as snippet.mjs, run `node snippet.mjs`. In a browser, run it
// as a module script (process.env and node:fs are Node's).

const base = "https://api.example.com";
const url = base + "/search?q=J%C3%B6rg+%26+co&page=2";
const response = await fetch(url, {
  method: "GET",
  headers: {
    "Accept": "application/json",
  },
  redirect: "follow",
  signal: AbortSignal.timeout(70000),
});
console.log(await response.text());
"""

POWERSHELL_BASIC = r"""# Set these environment variables first:
#   $env:PW: the value of the secret variable {{pw}}
$uri = 'https://api.example.com/items/7'
$pair = [Text.Encoding]::UTF8.GetBytes(('alice:' + $env:PW))
$headers = [ordered]@{
    'Authorization' = 'Basic ' + [Convert]::ToBase64String($pair)
}
$body = [Text.Encoding]::UTF8.GetBytes('{"name": "x"}')
$response = Invoke-RestMethod -Method Put `
    -Uri $uri `
    -Headers $headers `
    -ContentType 'application/json' `
    -Body $body `
    -TimeoutSec 40 `
    -MaximumRedirection 10
if ($response -is [string]) { $response } else { $response | ConvertTo-Json -Depth 32 }
"""

GO_BEARER = r"""// Set these environment variables first:
//   TOKEN: the value of the secret variable {{token}}

package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	token_value := os.Getenv("TOKEN")
	target := "https://api.example.com/me"
	req, err := http.NewRequest("GET", target, nil)
	if err != nil {
		panic(err)
	}
	req.Header["Authorization"] = []string{"Bearer " + token_value}
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		ResponseHeaderTimeout: 60 * time.Second,
	}
	client := &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	resp, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
}
"""


def _priceedge(mode: str = "as-sent") -> SnippetOptions:
    profiles, _ = load_providers()
    return SnippetOptions(
        scope=SANDBOX, provider=profiles["priceedge"], environment="Sandbox (local)", auth_mode=mode
    )


@pytest.mark.parametrize(
    ("spec", "lang", "options", "expected"),
    [
        (ITEMS, "curl", _priceedge(), CURL_PRICEEDGE),
        (ITEMS, "python", _priceedge(), PYTHON_PRICEEDGE),
        (ITEMS, "curl", _priceedge("flow"), CURL_PRICEEDGE_FLOW),
        (FORM, "httpie", SnippetOptions(scope=SCOPE), HTTPIE_FORM),
        (SEARCH, "fetch", SnippetOptions(scope=SCOPE, keep_variables=True), FETCH_KEPT),
        (BASIC, "powershell", SnippetOptions(scope=SCOPE), POWERSHELL_BASIC),
        (BEARER, "go", SnippetOptions(scope=SCOPE), GO_BEARER),
    ],
    ids=["curl", "python", "curl-flow", "httpie-form", "fetch-kept", "powershell", "go"],
)
def test_pinned_text(spec: RequestSpec, lang: str, options: SnippetOptions, expected: str) -> None:
    assert generate(spec, lang, options) == expected
