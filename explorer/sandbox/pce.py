"""PCE (Priority Passport): out-of-band bearer tokens, roles, customer isolation, the
1,000 requests / 10 s per client IP limit, and PCE's CRUD conventions (PROVIDERS.md §1, §6).

Sourced: Bearer on every call, 401 for missing/invalid/expired tokens with ``EC-AUTH-0001``,
program-manager vs customer tokens with read/write roles, 1,000/10 s → 429 and calls dropped until
the window resets, create → 201 + ``Location``, update by POST → 204, ``limit``/``offset`` paging,
``metaData`` ≤ 50 keys. GUESS: role and customer-scope violations answer 401 (configurable),
token lifetimes, the ``url`` header next to ``Location``, the error JSON, the simulate endpoint,
what triggers 202 "Promise Mode" (``Prefer: respond-async``) and 299 (a customer without a name).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
from dataclasses import dataclass
from typing import Any

from explorer.sandbox.kit import (
    FixedWindow,
    Setting,
    SimRequest,
    SimResponse,
    empty,
    json_response,
    secret,
)
from explorer.sandbox.vendor import Vendor

AUTH_FAILED = "User authorization attempt failed. User needs to confirm their credentials."
DAY = 86400.0
ENTITIES = ("customer", "payments")
NAMES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli")
SCENARIOS = ("authorised", "captured", "declined", "timeout", "voided", "refunded")


@dataclass(slots=True)
class StaticToken:
    token: str
    name: str
    kind: str  # program_manager | customer
    roles: dict[str, str]  # resource → read | write
    expires_at: float
    customer_id: int | None = None
    revoked: bool = False


def _jwt(claims: dict[str, Any]) -> str:
    """A JWT-shaped token (HS256 over a fixed demo key) so the token inspector can decode it."""

    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    head = part({"alg": "HS256", "typ": "JWT"}) + "." + part(claims)
    mac = hmac.new(b"api-explorer-sandbox-pce", head.encode(), hashlib.sha256).digest()
    return head + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


class Pce(Vendor):
    id = "pce"
    name = "PCE (Priority Passport)"
    prefixes = {"sandbox": "sandbox", "live": "live"}
    demo_env = "sandbox"
    settings_spec = {
        "rate_limit_requests": Setting(1000, "requests allowed per window per client IP"),
        "rate_limit_window_s": Setting(10.0, "length of the fixed rate window"),
        "retry_after": Setting(True, "send Retry-After with 429 (optional in the docs)"),
        "scope_violation_status": Setting(401, "status for role/customer violations (GUESS)"),
        "token_lifetime_s": Setting(30 * DAY, "lifetime of the seeded tokens (GUESS)"),
    }
    plain_http = {
        "status": None,
        "behaviour": "HTTPS only; plain HTTP fails, the exact status is not documented",
        "source": "sourced (HTTPS only); status GUESS",
    }

    def seed(self) -> None:
        now = self.now()
        lifetime = float(self.settings["token_lifetime_s"])
        self.tokens: dict[str, dict[str, StaticToken]] = {}
        self.limiters: dict[str, FixedWindow] = {}
        self.data: dict[str, dict[str, dict[int, dict[str, Any]]]] = {}
        self.next_id: dict[str, int] = {}
        for env in self.environments:
            full = {"customer": "write", "payments": "write"}
            seeds = [
                ("program-manager-write", "program_manager", full, None, lifetime),
                (
                    "program-manager-read",
                    "program_manager",
                    {"customer": "read", "payments": "read"},
                    None,
                    lifetime,
                ),
                ("customer-1001", "customer", full, 1001, lifetime),
                (
                    "customer-1002-read",
                    "customer",
                    {"customer": "read", "payments": "read"},
                    1002,
                    lifetime,
                ),
                ("expired", "program_manager", full, None, -3600.0),
            ]
            store: dict[str, StaticToken] = {}
            for name, kind, roles, customer, ttl in seeds:
                claims = {
                    "sub": f"{env}:{name}",
                    "kind": kind,
                    "roles": [{"resource": r, "access": a} for r, a in roles.items()],
                    "exp": int(now + ttl),
                    "jti": secret(f"pce:{env}:{name}", 12),
                }
                if customer is not None:
                    claims["customerId"] = customer
                token = _jwt(claims)
                store[token] = StaticToken(token, name, kind, roles, now + ttl, customer)
            self.tokens[env] = store
            self.limiters[env] = FixedWindow(
                int(self.settings["rate_limit_requests"]),
                float(self.settings["rate_limit_window_s"]),
            )
            self.data[env] = self._seed_data(env, now)
            self.next_id[env] = 5000

    def apply_settings(self) -> None:
        for limiter in self.limiters.values():
            limiter.limit = int(self.settings["rate_limit_requests"])
            limiter.window = float(self.settings["rate_limit_window_s"])

    def _seed_data(self, env: str, now: float) -> dict[str, dict[int, dict[str, Any]]]:
        stamp = self.rt.clock.iso(now - 30 * DAY)
        audit = {
            "createdOn": stamp,
            "createdBy": "api-user",
            "lastUpdatedOn": stamp,
            "lastUpdatedBy": "api-user",
        }
        customers = {}
        for n in range(25):
            cid = 1001 + n
            customers[cid] = {
                "id": cid,
                "externalId": f"CUST-{n + 1:04d}",
                "metaData": {"partnerId": f"p-{n % 7}"},
                "business": {"legalName": f"{NAMES[n % 5]} {env.title()} {n + 1} LLC"},
                "account": {"url": f"/v1/account/{4000 + n}"},
                **audit,
            }
        payments = {}
        for n in range(60):
            pid = 9001 + n
            payments[pid] = {
                "id": pid,
                "externalId": f"PAY-{n + 1:04d}",
                "customer": {"url": f"/v1/customer/{1001 + n % 3}"},
                "customerId": 1001 + n % 3,
                "amount": round(10 + n * 3.25, 2),
                "currency": "USD",
                "status": ["CAPTURED", "AUTHORISED", "DECLINED"][n % 3],
                "metaData": {},
                **audit,
            }
        return {"customer": customers, "payments": payments}

    # -- dispatch ----------------------------------------------------------------------------

    def handle(self, env: str, prefix: str, request: SimRequest) -> SimResponse:
        wait = self.limiters[env].hit(request.client_ip, self.now())
        if wait is not None:
            headers = (
                [("Retry-After", str(max(1, math.ceil(wait))))]
                if self.settings["retry_after"]
                else []
            )
            return self._error(
                429,
                "EC-RL-0001",
                "Too many requests: the rate limit is "
                f"{self.limiters[env].limit} per {self.limiters[env].window:g} s.",
                "pce.rate_limit",
                headers,
            )
        token = self._auth(env, request)
        if token is None:
            return self._error(401, "EC-AUTH-0001", AUTH_FAILED, "pce.auth.rejected")
        parts = [p for p in request.path.split("/") if p]
        if len(parts) < 2 or parts[0] != "v1":
            return self._error(404, "EC-NF-0001", "Resource not found.", "pce.not_found")
        writes = request.method in ("POST", "PUT", "PATCH") and request.body
        if writes and request.content_type != "application/json":
            return self._error(
                415,
                "EC-VA-0002",
                "Invalid header param: Content-Type must be application/json.",
                "pce.content_type",
            )
        entity = "customer" if parts[1] in ("customer", "customers") else parts[1]
        if entity == "simulate":
            return self._simulate(env, token, parts[2:], request)
        if entity == "reports" and parts[2:] == ["payments"] and request.method == "GET":
            return self._report(env, token, request)
        if entity not in ENTITIES:
            return self._error(404, "EC-NF-0001", "Resource not found.", "pce.not_found")
        return self._entity(env, token, entity, parts[2:], request)

    def _auth(self, env: str, request: SimRequest) -> StaticToken | None:
        value = request.bearer()
        token = self.tokens[env].get(value or "")
        if token is None or token.revoked or self.now() >= token.expires_at:
            return None
        return token

    def _error(  # noqa: PLR0917 - mirrors the vendor's error fields
        self,
        status: int,
        code: str,
        message: str,
        rule: str,
        headers: list[tuple[str, str]] | None = None,
        details: Any = None,
    ) -> SimResponse:
        return json_response(
            status,
            {"errorCode": code, "message": message, "details": details},
            rule,
            headers=headers,
        )

    def _denied(self, rule: str) -> SimResponse:
        return self._error(
            int(self.settings["scope_violation_status"]), "EC-AUTH-0001", AUTH_FAILED, rule
        )

    # -- entities ----------------------------------------------------------------------------

    def _owns(self, token: StaticToken, entity: str, record: dict[str, Any]) -> bool:
        if token.kind != "customer":
            return True
        owner = record["id"] if entity == "customer" else record.get("customerId")
        return owner == token.customer_id

    def _entity(
        self, env: str, token: StaticToken, entity: str, rest: list[str], request: SimRequest
    ) -> SimResponse:
        method = request.method
        needed = "read" if method == "GET" or rest == ["list"] else "write"
        access = token.roles.get(entity)
        if access is None or (needed == "write" and access != "write"):
            return self._denied("pce.auth.role")
        table = self.data[env][entity]
        if not rest or rest == ["list"]:
            return self._collection(env, token, entity, request, listing=bool(rest))
        if rest[0] == "externalId" and len(rest) == 2:
            record = next((r for r in table.values() if r["externalId"] == rest[1]), None)
        elif len(rest) == 1 and rest[0].isdigit():
            record = table.get(int(rest[0]))
        else:
            return self._error(404, "EC-NF-0001", "Resource not found.", "pce.not_found")
        if record is None:
            return self._error(404, "EC-NF-0001", f"No {entity} with that id.", "pce.not_found")
        if not self._owns(token, entity, record):
            return self._denied("pce.auth.customer_isolation")
        if method == "GET":
            return json_response(200, record, f"pce.{entity}.get")
        if method == "POST":
            return self._update(entity, record, request)
        if method == "DELETE":
            del table[record["id"]]
            return empty(204, f"pce.{entity}.delete")
        return self._error(405, "EC-VA-0003", "Method not allowed.", "pce.method")

    def _collection(
        self, env: str, token: StaticToken, entity: str, request: SimRequest, *, listing: bool
    ) -> SimResponse:
        """``/v1/{entity}``: GET lists, POST creates; ``/v1/{entity}/list``: POST filters."""
        if listing and request.method == "POST":
            return self._list(env, token, entity, request, filters=True)
        if not listing and request.method == "GET":
            return self._list(env, token, entity, request)
        if not listing and request.method == "POST":
            return self._create(env, token, entity, request)
        return self._error(405, "EC-VA-0003", "Method not allowed.", "pce.method")

    def _list(
        self,
        env: str,
        token: StaticToken,
        entity: str,
        request: SimRequest,
        *,
        filters: bool = False,
    ) -> SimResponse:
        rows = [r for r in self.data[env][entity].values() if self._owns(token, entity, r)]
        if filters:
            try:
                body = request.json() or {}
            except ValueError:
                return self._error(
                    400, "EC-VA-0005", "Validation failed: body is not JSON.", "pce.list.invalid"
                )
            for key, wanted in (body.get("filters") or body).items():
                rows = [r for r in rows if _dig(r, key) == wanted]
        try:
            limit = int(request.query.get("limit", "50"))
            offset = int(request.query.get("offset", "0"))
        except ValueError:
            return self._error(
                400,
                "EC-VA-0005",
                "Validation failed: limit and offset are integers.",
                "pce.list.invalid",
            )
        if limit < 1 or offset < 0:
            return self._error(
                400, "EC-VA-0005", "Validation failed: limit ≥ 1, offset ≥ 0.", "pce.list.invalid"
            )
        page = rows[offset : offset + limit]
        payload = {"data": page, "limit": limit, "offset": offset, "total": len(rows)}
        return json_response(200, payload, f"pce.{entity}.list")

    def _report(self, env: str, token: StaticToken, request: SimRequest) -> SimResponse:
        """Reporting GETs page with ``size``/``from`` instead of ``limit``/``offset``."""
        if "payments" not in token.roles:
            return self._denied("pce.auth.role")
        rows = [r for r in self.data[env]["payments"].values() if self._owns(token, "payments", r)]
        try:
            size = int(request.query.get("size", "50"))
            start = int(request.query.get("from", "0"))
        except ValueError:
            return self._error(
                400, "EC-VA-0005", "Validation failed: size and from are integers.", "pce.report"
            )
        page = rows[max(start, 0) : max(start, 0) + max(size, 0)]
        payload = {"data": page, "size": size, "from": start, "total": len(rows)}
        return json_response(200, payload, "pce.report.payments")

    def _body(self, request: SimRequest) -> dict[str, Any] | SimResponse:
        try:
            body = request.json()
        except ValueError:
            return self._error(
                400, "EC-VA-0005", "Validation failed: body is not JSON.", "pce.invalid_json"
            )
        if not isinstance(body, dict):
            return self._error(
                400, "EC-VA-0005", "Validation failed: body must be an object.", "pce.invalid_json"
            )
        meta = body.get("metaData")
        if isinstance(meta, dict) and len(meta) > 50:
            return self._error(
                400,
                "EC-VA-0005",
                "Validation failed: metaData holds at most 50 keys.",
                "pce.metadata_cap",
                details=[{"field": "metaData", "count": len(meta)}],
            )
        return body

    def _create(
        self, env: str, token: StaticToken, entity: str, request: SimRequest
    ) -> SimResponse:
        body = self._body(request)
        if isinstance(body, SimResponse):
            return body
        table = self.data[env][entity]
        external = body.get("externalId")
        if external and any(r["externalId"] == external for r in table.values()):
            return self._error(
                422,
                "EC-BL-0001",
                f"A {entity} with externalId '{external}' already exists.",
                "pce.business_rule",
            )
        if token.kind == "customer":
            if entity == "customer":
                return self._denied("pce.auth.customer_isolation")
            body["customerId"] = token.customer_id
        self.next_id[env] += 1
        new_id = self.next_id[env]
        stamp = self.rt.clock.iso()
        who = token.name
        record = {
            "metaData": {},
            **body,
            "id": new_id,
            "externalId": external or f"EXT-{new_id}",
            "createdOn": stamp,
            "createdBy": who,
            "lastUpdatedOn": stamp,
            "lastUpdatedBy": who,
        }
        table[new_id] = record
        location = f"/{self.id}/{env}/v1/{entity}/{new_id}"
        headers = [("Location", location), ("url", location)]
        if "respond-async" in (request.header("prefer") or ""):
            return json_response(
                202, {"id": new_id, "status": "PENDING"}, "pce.promise_mode", headers=headers
            )
        if entity == "customer" and not _dig(record, "business.legalName"):
            warning = "Processed with a warning: business.legalName is empty."
            return json_response(
                299, record, "pce.warning", headers=[*headers, ("Warning", f'299 - "{warning}"')]
            )
        return json_response(201, record, f"pce.{entity}.create", headers=headers)

    def _update(self, entity: str, record: dict[str, Any], request: SimRequest) -> SimResponse:
        body = self._body(request)
        if isinstance(body, SimResponse):
            return body
        for key, value in body.items():
            if key in ("id", "createdOn", "createdBy"):
                continue
            if value is None:
                if key == "externalId":
                    return self._error(
                        400,
                        "EC-VA-0005",
                        "Validation failed: externalId cannot be cleared.",
                        "pce.update.invalid",
                    )
                record.pop(key, None)
            else:
                record[key] = value
        record["lastUpdatedOn"] = self.rt.clock.iso()
        return empty(204, f"pce.{entity}.update")

    def _simulate(
        self, env: str, token: StaticToken, rest: list[str], request: SimRequest
    ) -> SimResponse:
        if env != "sandbox" or request.method != "POST" or len(rest) != 1:
            return self._error(404, "EC-NF-0001", "Resource not found.", "pce.not_found")
        if rest[0] not in SCENARIOS:
            return self._error(
                422,
                "EC-BL-0002",
                f"Unknown scenario '{rest[0]}'; use one of {', '.join(SCENARIOS)}.",
                "pce.simulate.unknown",
            )
        if token.roles.get("payments") != "write":
            return self._denied("pce.auth.role")
        status = "TIMEOUT" if rest[0] == "timeout" else rest[0].upper()
        code = 202 if rest[0] == "timeout" else 200
        return json_response(code, {"scenario": rest[0], "status": status}, "pce.simulate")

    # -- info and control ------------------------------------------------------------------

    def describe(self, env: str, base: str) -> dict[str, Any]:
        return {
            "base_url": f"{base}/{env}",
            "token_url": None,
            "auth_kind": "bearer",
            "credentials": {
                "static_tokens": [
                    {
                        "name": t.name,
                        "token": t.token,
                        "kind": t.kind,
                        "customer_id": t.customer_id,
                        "roles": [{"resource": r, "access": a} for r, a in t.roles.items()],
                        "expires_at": self.rt.clock.iso(t.expires_at),
                    }
                    for t in self.tokens[env].values()
                ]
            },
            "rate_limit": {
                "requests": self.limiters[env].limit,
                "per_seconds": self.limiters[env].window,
                "scope": "client_ip",
            },
        }

    def demo_slots(self, env: str, base: str) -> dict[str, str]:
        """The write-capable program-manager token fills the preset's ``static_token`` slot."""
        token = next(t for t in self.tokens[env].values() if t.name == "program-manager-write")
        return {"static_token": token.token}

    def revoke(self, env: str, *, refresh: bool) -> int:
        for token in self.tokens[env].values():
            token.revoked = True
        return len(self.tokens[env])


def _dig(record: dict[str, Any], dotted: str) -> Any:
    value: Any = record
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
