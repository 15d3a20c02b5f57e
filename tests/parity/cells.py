"""The parity matrix's rows: one saved request per auth type, and what must reach the server.

Every cell sends the same request (``POST {{base_url}}/parity/<cell>?q=1``, a custom header, a
JSON body) and differs only in its auth: request-level auth saved in the request file (the
``plain`` collection, bound to no provider) or inherited from a user-defined provider preset
(one collection per preset, bound to it). ``expected`` is the wire truth each front end must
produce; the workspace writer below lays the cells out on disk.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

WORKSPACE_ID = "7a1d1c3e-5f0b-4c55-9d8e-0a11e2f3a4b5"
ENV = "Local"
BODY = '{"item": "A-1", "qty": 3}'
CUSTOM = ("X-Custom", "parity")
TENANT = ("X-Tenant", "acme")
#: Header names whose values decide a request; tools' own defaults (agent, encodings) do not.
COMPARED = (
    "authorization",
    "x-api-key",
    "x-partner-key",
    "content-type",
    "x-custom",
    "x-tenant",
    "cookie",
)

#: Every secret a cell uses, by the environment-variable name a snippet reads it from.
SNIPPET_SECRETS = {
    "PASSWORD": "wonderland",
    "TOKEN": "bearer-123",
    "API_KEY": "k-123",
    "PARITY_KEY_PARTNER": "acme",
    "PARITY_KEY_API_KEY": "k-777",
    "PARITY_CC_TOKEN": "tok-client-credentials",
    "PARITY_PW_TOKEN": "tok-password",
    "PARITY_CC_CLIENT_SECRET": "parity-secret",
    "PARITY_PW_CLIENT_SECRET": "parity-secret",
    "PARITY_PW_PASSWORD": "wonderland",
    "ACCESS_TOKEN": "tok-client-credentials",  # a request's own OAuth2 token (as sent)
}


@dataclass(frozen=True)
class Cell:
    """One auth type: where its request lives and what the server must see."""

    id: str
    provider: str = ""
    auth: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    query: str = "q=1"

    @property
    def collection(self) -> str:
        return self.provider or "plain"

    @property
    def target(self) -> str:
        return f"/parity/{self.id}?{self.query}"

    def expected(self) -> dict[str, Any]:
        """Method, target, the compared headers and the body, as ``seen`` reduces a record."""
        headers = {"content-type": "application/json", CUSTOM[0].lower(): CUSTOM[1]}
        headers.update({k.lower(): v for k, v in self.headers.items()})
        if self.provider:
            headers[TENANT[0].lower()] = TENANT[1]
        return {"method": "POST", "target": self.target, "headers": headers, "body": BODY}


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


CELLS = (
    Cell("none", auth={"type": "none"}),
    Cell(
        "basic",
        auth={"type": "basic", "username": "alice", "password": "wonderland"},
        headers={"Authorization": _basic("alice", "wonderland")},
    ),
    Cell(
        "bearer",
        auth={"type": "bearer", "token": "bearer-123"},
        headers={"Authorization": "Bearer bearer-123"},
    ),
    Cell(
        "key-header",
        auth={"type": "api-key", "key": "X-Api-Key", "value": "k-123", "in": "header"},
        headers={"X-Api-Key": "k-123"},
    ),
    Cell(
        "key-query",
        auth={"type": "api-key", "key": "api_key", "value": "k-123", "in": "query"},
        query="q=1&api_key=k-123",
    ),
    Cell(
        "key-cookie",
        auth={"type": "api-key", "key": "session_key", "value": "k-123", "in": "cookie"},
        headers={"Cookie": "session_key=k-123"},
    ),
    Cell(
        "oauth2-request",
        auth={
            "type": "oauth2",
            "grant_type": "client_credentials",
            "token_url": "{{base_url}}/token",
            "client_id": "parity-client",
            "client_secret": "parity-secret",
        },
        headers={"Authorization": "Bearer tok-client-credentials"},
    ),
    Cell(
        "oauth2-client-credentials",
        provider="parity-cc",
        headers={"Authorization": "Bearer tok-client-credentials"},
    ),
    Cell("oauth2-password", provider="parity-pw", headers={"Authorization": "Bearer tok-password"}),
    Cell("key-template", provider="parity-key", headers={"X-Partner-Key": "Partner acme:k-777"}),
)
BY_ID = {cell.id: cell for cell in CELLS}
PLAIN = tuple(cell for cell in CELLS if not cell.provider)
PROVIDED = tuple(cell for cell in CELLS if cell.provider)

#: Each preset's auth block and the credential slots stored for its ``Local`` environment.
PRESETS: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "parity-cc": (
        {"kind": "oauth2-client-credentials", "client_auth": "basic"},
        {"client_id": "parity-client", "client_secret": "parity-secret"},
    ),
    "parity-pw": (
        {"kind": "oauth2-password"},
        {
            "username": "alice",
            "password": "wonderland",
            "client_id": "parity-client",
            "client_secret": "parity-secret",
        },
    ),
    "parity-key": (
        {
            "kind": "api-key",
            "api_key_header": "X-Partner-Key",
            "api_key_format": "Partner {partner}:{api_key}",
            "credentials": [
                {"name": "partner", "label": "Partner"},
                {"name": "api_key", "label": "API key", "secret": True},
            ],
        },
        {"partner": "acme", "api_key": "k-777"},
    ),
}


def seen(record: Any) -> dict[str, Any]:
    """A recorded request reduced to what parity compares."""
    headers = {}
    for name in COMPARED:
        value = record.header(name)
        if value is not None:
            headers[name] = value.split(";")[0] if name == "content-type" else value
    return {
        "method": record.method,
        "target": record.target,
        "headers": headers,
        "body": record.body.decode("utf-8", "replace"),
    }


def dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def request_data(cell: Cell, seq: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": cell.id,
        "seq": seq,
        "method": "POST",
        "url": "{{base_url}}/parity/" + cell.id,
        "params": [{"name": "q", "value": "1"}],
        "headers": [{"name": CUSTOM[0], "value": CUSTOM[1]}],
        "body": {"mode": "json", "text": BODY},
    }
    if cell.auth is not None:
        data["auth"] = cell.auth
    return data


def preset(provider: str, base_url: str) -> dict[str, Any]:
    auth, _ = PRESETS[provider]
    return {
        "id": provider,
        "name": provider.replace("-", " ").title(),
        "auth": {
            **auth,
            "token_url": f"{base_url}/token" if auth["kind"].startswith("oauth2") else "",
            "extra_headers": {TENANT[0]: "{{tenant}}"},
        },
        "environments": [{"name": ENV, "base_url": base_url, "variables": {"tenant": "acme"}}],
    }


def write_workspace(root: Path, base_url: str) -> None:
    """The workspace every parity test shares: presets, the cells' collections."""
    dump(root / "workspace.yaml", {"format_version": 1, "id": WORKSPACE_ID})
    collections = root / "collections"
    dump(
        collections / "plain" / "collection.yaml",
        {
            "name": "plain",
            "seq": 1,
            "variables": {"base_url": base_url},
        },
    )
    for seq, cell in enumerate(PLAIN, 1):
        dump(collections / "plain" / f"{cell.id}.request.yaml", request_data(cell, seq))
    for seq, cell in enumerate(PROVIDED, 2):
        dump(root / "providers" / f"{cell.provider}.yaml", preset(cell.provider, base_url))
        folder = collections / cell.provider
        dump(
            folder / "collection.yaml",
            {"name": cell.provider, "seq": seq, "provider": cell.provider},
        )
        dump(folder / f"{cell.id}.request.yaml", request_data(cell, 1))
