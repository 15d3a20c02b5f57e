"""ServiceChannel v3: separate login and API hosts (prefixes here), Basic client auth at
``/oauth/token``, the one-POST-per-5-s token limit, 401 + ``ErrorCode 504`` permission failures,
app and company throttles, ``/v3`` routing and OData on work orders and locations (PROVIDERS.md §4).

Sourced: hosts per environment, 600 s access and 30-day refresh tokens, 302 on bad client
credentials, 400 on bad user credentials, 429 + ``Error-Message`` on the token limit, 401/504,
40/80 per minute in SB2 and 300/600 in production with ``Retry-After`` and the ``Reason`` body,
``UnsupportedApiVersion``, OData and the clamped REST paging, replica lag in production, plain
HTTP → 400. GUESS: refresh rotation (off by default), error body details, seed data.
"""

from __future__ import annotations

import base64
import math
from typing import Any

from explorer.sandbox import odata
from explorer.sandbox.kit import (
    FixedWindow,
    Grant,
    Setting,
    SimRequest,
    SimResponse,
    TokenStore,
    json_response,
    secret,
)
from explorer.sandbox.vendor import Vendor

DENIED = {"Message": "Authorization has been denied for this request."}
LOGIN_LIMIT = "Rejected by security reason: Login attempts limit exceed."
SUBSCRIBER = 2014917243
PROVIDER_ID = 2000090311
LIMITS = {"sb2": (40, 80), "production": (300, 600)}
REQUIRED = ("ContractInfo", "Category", "Priority", "Nte", "CallDate", "Description")


def _seed_locations() -> list[dict[str, Any]]:
    cities = ("Austin", "Boston", "Chicago", "Denver", "Miami", "Seattle")
    return [
        {
            "Id": 2006071467 + n,
            "StoreId": f"S{100 + n}",
            "Name": f"Store {100 + n}",
            "City": cities[n % 6],
            "State": "US",
            "SubscriberId": SUBSCRIBER,
        }
        for n in range(12)
    ]


def _seed_workorders(locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    statuses = ("Open", "In Progress", "Completed")
    trades = ("PLUMBING", "HVAC", "ELECTRICAL", "DOORS")
    rows = []
    for n in range(60):
        day = f"2025-0{1 + n % 9}-{10 + n % 18:02d}T09:00:00"
        rows.append(
            {
                "Id": 180000001 + n,
                "Number": f"{85000 + n}",
                "PurchaseNumber": f"PO-{85000 + n}",
                "SubscriberId": SUBSCRIBER,
                "ProviderId": PROVIDER_ID,
                "LocationId": locations[n % len(locations)]["Id"],
                "Status": {"Primary": statuses[n % 3], "Extended": None},
                "Caller": "Demo Caller",
                "CreatedBy": "demo.admin",
                "CallDate": day,
                "CallDate_DTO": day + "-05:00",
                "Priority": ["P1 - Emergency", "P2 - Urgent", "P3 - Normal"][n % 3],
                "Trade": trades[n % 4],
                "Category": "MAINTENANCE",
                "Nte": 250 + n * 10,
                "CurrencyAlphabeticalCode": "USD",
                "Description": f"Seeded work order {n + 1}",
                "ProblemCode": "LEAK" if n % 4 == 0 else "BROKEN",
                "Notes": [],
            }
        )
    return rows


class ServiceChannel(Vendor):
    id = "servicechannel"
    name = "ServiceChannel"
    prefixes = {"sb2login": "sb2", "sb2api": "sb2", "login": "production", "api": "production"}
    demo_env = "sb2"
    settings_spec = {
        "access_ttl_s": Setting(600.0, "access-token lifetime"),
        "refresh_ttl_s": Setting(30 * 86400.0, "refresh-token lifetime"),
        "refresh_rotates": Setting(False, "a refresh returns a new refresh token (unknown)"),
        "token_window_s": Setting(5.0, "one token POST per user per this many seconds"),
        "throttle_status": Setting(429, "status of throttled calls (older docs: 503)"),
        "replica_lag_s": Setting(30.0, "production: GET after create gives 404 this long"),
        "app_limit_per_min": Setting(0, "override the per-app limit (0: the environment's)"),
        "company_limit_per_min": Setting(0, "override the per-company limit (0: the env's)"),
    }
    plain_http = {
        "status": 400,
        "behaviour": "plain HTTP → 400 Bad Request; only TLS 1.2",
        "min_tls": "1.2",
        "source": "sourced (SC-req, S3)",
    }

    def seed(self) -> None:
        self.stores = {env: TokenStore(f"servicechannel:{env}") for env in self.environments}
        self.login_windows = {env: FixedWindow(1, 5.0) for env in self.environments}
        self.app_windows = {env: FixedWindow(LIMITS[env][0], 60.0) for env in self.environments}
        self.company_windows = {env: FixedWindow(LIMITS[env][1], 60.0) for env in self.environments}
        self.locations = {env: _seed_locations() for env in self.environments}
        self.workorders = {env: _seed_workorders(self.locations[env]) for env in self.environments}
        self.created_at: dict[tuple[str, int], float] = {}
        self.apply_settings()

    def apply_settings(self) -> None:
        for env in self.environments:
            self.login_windows[env].window = float(self.settings["token_window_s"])
            app = int(self.settings["app_limit_per_min"]) or LIMITS[env][0]
            company = int(self.settings["company_limit_per_min"]) or LIMITS[env][1]
            self.app_windows[env].limit = app
            self.company_windows[env].limit = company

    def creds(self, env: str) -> dict[str, Any]:
        guid = secret(f"servicechannel:{env}:client", 32)
        guid = f"{guid[:8]}-{guid[8:12]}-{guid[12:16]}-{guid[16:20]}-{guid[20:]}".upper()
        return {
            "client_id": f"SB.{SUBSCRIBER}.{guid}",
            "client_secret": secret(f"servicechannel:{env}:secret", 24),
            "username": "demo.admin",
            "password": f"Demo-{env}-Admin1",
            "readonly_username": "demo.viewer",
            "readonly_password": f"Demo-{env}-View1",
            "subscriber_id": SUBSCRIBER,
        }

    def handle(self, env: str, prefix: str, request: SimRequest) -> SimResponse:
        if prefix.endswith("login"):
            return self._login_host(env, prefix, request)
        return self._api_host(env, prefix, request)

    # -- login host --------------------------------------------------------------------------

    def _login_host(self, env: str, prefix: str, request: SimRequest) -> SimResponse:
        path = request.path.rstrip("/")
        if path == "/oauth/token" and request.method == "POST":
            return self._token(env, prefix, request)
        if path in ("/oauth/authorize", "/Account/Login") and request.method == "GET":
            page = b"<html><body><h1>ServiceChannel login (sandbox)</h1></body></html>"
            return SimResponse(
                200,
                page,
                [("Content-Type", "text/html; charset=utf-8")],
                "servicechannel.login_page",
            )
        return json_response(404, {"Message": "Not found."}, "servicechannel.not_found")

    def _token(self, env: str, prefix: str, request: SimRequest) -> SimResponse:
        creds = self.creds(env)
        form = request.form()
        grant_type = (form or {}).get("grant_type", "unknown") or "unknown"
        if _basic(request) != (creds["client_id"], creds["client_secret"]):
            login = f"/{self.id}/{prefix}/Account/Login?ReturnUrl=%2Foauth%2Ftoken"
            response = SimResponse(
                302,
                b"<html><body>Object moved</body></html>",
                [("Location", login), ("Content-Type", "text/html")],
                "servicechannel.token.bad_client",
                grant_type,
            )
            return response
        if form is None:
            return self._oauth_error(
                400,
                "invalid_request",
                "Send the token request as application/x-www-form-urlencoded.",
                "servicechannel.token.not_form",
                grant_type,
            )
        now, store = self.now(), self.stores[env]
        users = {
            creds["username"]: creds["password"],
            creds["readonly_username"]: creds["readonly_password"],
        }
        old: Grant | None = None
        if grant_type == "password":
            user = form.get("username", "")
        elif grant_type == "refresh_token":
            old = store.by_refresh(form.get("refresh_token", ""), now)
            user = old.subject if old is not None else ""
        else:
            return self._oauth_error(
                400,
                "unsupported_grant_type",
                "Use grant_type password or refresh_token.",
                "servicechannel.token.bad_grant",
                grant_type,
            )
        if user and self.login_windows[env].hit(user, now) is not None:
            response = json_response(
                int(self.settings["throttle_status"]),
                {"Message": LOGIN_LIMIT},
                "servicechannel.token.login_limit",
                headers=[("Error-Message", LOGIN_LIMIT)],
            )
            response.grant = grant_type
            return response
        ttl = self.rt.ttl(float(self.settings["access_ttl_s"]))
        refresh_ttl = float(self.settings["refresh_ttl_s"])
        if grant_type == "password":
            if users.get(user) != form.get("password"):
                return self._oauth_error(
                    400,
                    "invalid_grant",
                    "The user name or password is incorrect.",
                    "servicechannel.token.bad_user",
                    grant_type,
                )
            grant = store.issue(
                user,
                creds["client_id"],
                "",
                now=now,
                ttl=ttl,
                refresh_ttl=refresh_ttl,
                prefix="AAEAA",
            )
        else:
            if old is None:
                return self._oauth_error(
                    400,
                    "invalid_grant",
                    "The refresh token is invalid or expired.",
                    "servicechannel.token.bad_refresh",
                    grant_type,
                )
            rotate = bool(self.settings["refresh_rotates"])
            grant = store.renew(
                old, rotate=rotate, now=now, ttl=ttl, refresh_ttl=refresh_ttl, prefix="AAEAA"
            )
        response = json_response(
            200,
            {
                "access_token": grant.access,
                "token_type": "bearer",
                "expires_in": round(grant.expires - grant.issued),
                "refresh_token": grant.refresh,
            },
            f"servicechannel.token.{grant_type}",
            headers=[("Cache-Control", "no-store")],
        )
        response.grant = grant_type
        return response

    def _oauth_error(
        self, status: int, error: str, description: str, rule: str, grant: str
    ) -> SimResponse:
        response = json_response(status, {"error": error, "error_description": description}, rule)
        response.grant = grant
        return response

    # -- API host ----------------------------------------------------------------------------

    def _api_host(self, env: str, prefix: str, request: SimRequest) -> SimResponse:
        grant, reason = self.stores[env].check(request.bearer(), self.now())
        if grant is None:
            return json_response(401, DENIED, f"servicechannel.auth.{reason}")
        throttled = self._throttle(env, grant)
        if throttled is not None:
            return throttled
        parts = [p for p in request.path.split("/") if p]
        if parts and parts[0][:1] in ("v", "V") and parts[0][1:].isdigit():
            version = parts[0][1:]
            parts = parts[1:]
        else:
            version = "3"
        routed = self._route(env, prefix, parts, request, grant) if version == "3" else None
        if routed is None:
            return json_response(
                400,
                {
                    "Error": {
                        "Code": "UnsupportedApiVersion",
                        "Message": f"The HTTP resource that matches the request URI "
                        f"'{request.full_path}' does not support the API version "
                        f"'{version}'.",
                    }
                },
                "servicechannel.unsupported_version",
            )
        return routed

    def _throttle(self, env: str, grant: Grant) -> SimResponse | None:
        """Both counters must allow the call before either is charged (a call refused by the
        company limit does not use up the application's)."""
        now = self.now()
        checks = (
            ("Application", self.app_windows[env], grant.client),
            ("Company", self.company_windows[env], str(SUBSCRIBER)),
        )
        for label, window, key in checks:
            wait = window.hit(key, now, count=False)
            if wait is not None:
                return json_response(
                    int(self.settings["throttle_status"]),
                    {
                        "Reason": f"Request has been throttled. Your current {label} limit is "
                        f"[{window.limit}] per [1] minute"
                    },
                    f"servicechannel.throttle.{label.lower()}",
                    headers=[("Retry-After", str(max(1, math.ceil(wait))))],
                )
        for _, window, key in checks:
            window.hit(key, now)
        return None

    def _route(
        self, env: str, prefix: str, parts: list[str], request: SimRequest, grant: Grant
    ) -> SimResponse | None:
        method = request.method
        if parts[:1] == ["odata"] and len(parts) == 2 and method == "GET":
            entity = parts[1].lower()
            rows = {"workorders": self.workorders[env], "locations": self.locations[env]}.get(
                entity
            )
            return None if rows is None else self._odata(env, prefix, entity, rows, request)
        if parts[:1] != ["workorders"]:
            return None
        if len(parts) == 1 and method == "GET":
            return self._rest_list(env, request)
        if len(parts) == 1 and method == "POST":
            return self._create(env, request, grant)
        if len(parts) in (2, 3) and parts[1].isdigit() and method == "GET":
            wid = int(parts[1])
            order = next((w for w in self.workorders[env] if w["Id"] == wid), None)
            created = self.created_at.get((env, wid))
            lag = float(self.settings["replica_lag_s"]) if env == "production" else 0.0
            if order is None or (created is not None and self.now() - created < lag):
                return _sc_error(404, 404, "Work order not found.", "servicechannel.wo.not_found")
            if len(parts) == 2:
                return json_response(200, order, "servicechannel.wo.get")
            if parts[2].lower() == "notes":
                notes = order["Notes"]
                return json_response(
                    200,
                    {
                        "Notes": notes,
                        "AllNotesCount": len(notes),
                        "UserNotesCount": len(notes),
                        "SystemNotesCount": 0,
                    },
                    "servicechannel.wo.notes",
                )
        return None

    def _odata(
        self, env: str, prefix: str, entity: str, rows: list[dict[str, Any]], request: SimRequest
    ) -> SimResponse:
        try:
            page, total = odata.apply(rows, request.query)
        except odata.ODataError as exc:
            return json_response(
                400, {"error": {"code": "", "message": str(exc)}}, "servicechannel.odata.invalid"
            )
        select = request.query.get("$select")
        context = f"http://{prefix}.servicechannel.com/v3/odata/$metadata#{entity}" + (
            f"({select})" if select else ""
        )
        payload: dict[str, Any] = {"@odata.context": context}
        if request.query.get("$count", "").lower() == "true":
            payload["@odata.count"] = total
        payload["value"] = page
        return json_response(200, payload, f"servicechannel.odata.{entity}")

    def _rest_list(self, env: str, request: SimRequest) -> SimResponse:
        try:
            page = max(1, int(request.query.get("page", "1")))
            size = min(50, max(1, int(request.query.get("pageSize", "50"))))
        except ValueError:
            return _sc_error(
                400, 400, "page and pageSize must be integers.", "servicechannel.wo.list_invalid"
            )
        rows = self.workorders[env][(page - 1) * size : page * size]
        return json_response(200, rows, "servicechannel.wo.list")

    def _create(self, env: str, request: SimRequest, grant: Grant) -> SimResponse:
        if grant.subject == self.creds(env)["readonly_username"]:
            return _sc_error(
                401, 504, "API call rejected by security permissions", "servicechannel.permission"
            )
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return _sc_error(
                400, 400, "The request body must be a JSON object.", "servicechannel.wo.invalid"
            )
        missing = [name for name in REQUIRED if name not in body]
        if missing:
            return _sc_error(
                400,
                400,
                f"Missing required field(s): {', '.join(missing)}.",
                "servicechannel.wo.invalid",
            )
        contract = body["ContractInfo"] if isinstance(body["ContractInfo"], dict) else {}
        if contract.get("SubscriberId") != SUBSCRIBER:
            return _sc_error(400, 401, "Invalid subscriber ID", "servicechannel.wo.subscriber")
        orders = self.workorders[env]
        wid = max(w["Id"] for w in orders) + 1
        order = {
            "Id": wid,
            "Number": str(wid - 180000001 + 85000),
            "PurchaseNumber": f"PO-{wid}",
            "SubscriberId": SUBSCRIBER,
            "ProviderId": contract.get("ProviderId", PROVIDER_ID),
            "LocationId": contract.get("LocationId"),
            "Status": {"Primary": "Open", "Extended": None},
            "Caller": body.get("Caller", grant.subject),
            "CreatedBy": grant.subject,
            "CallDate": body["CallDate"],
            "CallDate_DTO": body["CallDate"],
            "Priority": body["Priority"],
            "Trade": contract.get("TradeName"),
            "Category": body["Category"],
            "Nte": body["Nte"],
            "CurrencyAlphabeticalCode": "USD",
            "Description": body["Description"],
            "ProblemCode": body.get("ProblemCode"),
            "Notes": [],
        }
        orders.append(order)
        self.created_at[(env, wid)] = self.now()
        return json_response(
            201, {"id": wid, "purchaseNumber": order["PurchaseNumber"]}, "servicechannel.wo.create"
        )

    def describe(self, env: str, base: str) -> dict[str, Any]:
        login, api = ("sb2login", "sb2api") if env == "sb2" else ("login", "api")
        app, company = LIMITS[env]
        return {
            "base_url": f"{base}/{api}",
            "login_url": f"{base}/{login}",
            "token_url": f"{base}/{login}/oauth/token",
            "auth_kind": "oauth2-password",
            "client_auth": "basic",
            "credentials": self.creds(env),
            "rate_limits": [
                {"scope": "client_id", "requests": app, "per_seconds": 60},
                {"scope": "company", "requests": company, "per_seconds": 60},
                {"scope": "token_endpoint_user", "requests": 1, "per_seconds": 5},
            ],
        }

    def revoke(self, env: str, *, refresh: bool) -> int:
        return self.stores[env].revoke(refresh=refresh)


def _basic(request: SimRequest) -> tuple[str, str] | None:
    value = request.header("authorization") or ""
    scheme, _, encoded = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded.strip()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password


def _sc_error(status: int, code: int, message: str, rule: str) -> SimResponse:
    return json_response(
        status,
        {"ErrorCodes": [code], "ErrorCode": str(code), "ErrorMessage": message, "Data": None},
        rule,
    )
