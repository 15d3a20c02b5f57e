"""PriceEdge ``papi``: an OWIN-style ``/token`` endpoint, bearer calls that need a ``client_id``
header, ``ApiKey user:pass`` auth and the ``{Data, Errors, Succeeded}`` envelope (PROVIDERS.md §3).

Sourced: form-only password and refresh grants, the OWIN response fields, 403 on bad
credentials, the ``client_id`` header, case-sensitive ``ApiKey user:pass``, the envelope, the
``Item`` column metadata, body paging (``page``/``nrOfRecords``/``filters``). GUESS: error bodies,
refresh rotation (on by default), 401 for a missing or wrong ``client_id`` header, the row data.
"""

from __future__ import annotations

from typing import Any

from explorer.sandbox.kit import (
    Grant,
    Setting,
    SimRequest,
    SimResponse,
    TokenStore,
    json_response,
)
from explorer.sandbox.priceedge_columns import ITEM_COLUMNS
from explorer.sandbox.vendor import Vendor

DENIED = {"Message": "Authorization has been denied for this request."}
SUGGESTED = "Item_PriceList_SuggestedPrices_Suggested_Price"
ALIASES = {"cd_ItemNumber": "Number"}
OPS = ("containsAny", "contains", "equals", "startsWith")
AFFINITY = "ARRAffinity"
"""GUESS: the instance-affinity cookie Azure App Service's front end (ARR) sets on every
response to a client that did not send it back, so a client's next request reaches the same
instance."""


def _items() -> list[dict[str, Any]]:
    groups = ("PG-A", "PG-B", "PG-C")
    return [
        {
            "Number": f"ITEM{n:03d}",
            "Name": f"Demo item {n}",
            "SearchName": f"DEMO ITEM {n}",
            "Description": f"Seeded item {n}",
            "cd_PriceGroup": groups[n % 3],
            "CostForPricing": round(2.5 + n * 1.75, 4),
            "NeedsPrice": n % 4 == 0,
            "ImageUrl": None,
            "Url": None,
            "InsertDate": "2024-01-01T00:00:00",
            "_dtLastModifiedDate": "2024-06-01T12:00:00",
        }
        for n in range(1, 121)
    ]


def _suggested() -> list[dict[str, Any]]:
    return [
        {
            "cd_ItemNumber": f"ITEM{n:03d}",
            "cd_PriceList": "PL-STANDARD",
            "Suggested_Price": round(4.99 + n * 2.1, 2),
            "Currency": "EUR",
        }
        for n in range(1, 41)
    ]


def _pricelists() -> list[dict[str, Any]]:
    return [
        {"Code": code, "Name": name, "Currency": "EUR", "IsActive": True}
        for code, name in (
            ("PL-STANDARD", "Standard"),
            ("PL-WHOLESALE", "Wholesale"),
            ("PL-PROMO", "Promotions"),
        )
    ]


class PriceEdge(Vendor):
    id = "priceedge"
    name = "PriceEdge"
    prefixes = {"sandbox": "sandbox"}
    demo_env = "sandbox"
    settings_spec = {
        "access_ttl_s": Setting(1200.0, "access-token lifetime per client (docs: 20 min)"),
        "refresh_ttl_s": Setting(5 * 86400.0, "refresh-token lifetime (suggested 5 days)"),
        "refresh_rotates": Setting(True, "a refresh returns a new refresh token (GUESS)"),
        "bad_credentials_status": Setting(403, "status for wrong credentials at /token (seed 403)"),
    }
    plain_http = {
        "status": None,
        "behaviour": "the API works only on HTTPS; what plain HTTP returns is not documented",
        "source": "sourced (HTTPS only); status GUESS",
    }
    tenant = "demo"

    def seed(self) -> None:
        self.stores = {env: TokenStore(f"priceedge:{env}") for env in self.environments}
        self.tables = {
            env: {"item": _items(), SUGGESTED.lower(): _suggested(), "pricelists": _pricelists()}
            for env in self.environments
        }

    def creds(self, env: str) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "username": "pricing@example.com",
            "password": "MYPASSWORD123",
            "client_id": "explorer-demo",
            "client_secret": "",
            "api_key": "ApiKey pricing@example.com:MYPASSWORD123",
        }

    def handle(self, env: str, prefix: str, request: SimRequest) -> SimResponse:
        response = self._route(env, request)
        cookies = request.header("cookie") or ""
        if f"{AFFINITY}=" not in cookies:
            value = f"{AFFINITY}=5d1c0ffee{env}; Path=/; HttpOnly"
            response.headers.append(("Set-Cookie", value))
        return response

    def _route(self, env: str, request: SimRequest) -> SimResponse:
        path = request.path.rstrip("/")
        if path == "/token":
            return self._token(env, request)
        who = self._authenticate(env, request)
        if isinstance(who, SimResponse):
            return who
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["api", "tables"] and len(parts) == 3:
            table = parts[2]
            if request.method == "GET":
                return self._columns(table)
            if request.method == "POST":
                return self._rows(env, table, request)
        if parts == ["api", "PriceObjects", "pricelists"] and request.method == "POST":
            return self._rows(env, "pricelists", request)
        if parts == ["api", "data", "search"] and request.method == "POST":
            return self._search(env, request)
        if parts[:3] == ["api", "misc", "SystemSettings"] and len(parts) == 4:
            return self._envelope(
                200, f'{{"name":"{parts[3]}","value":"demo"}}', "priceedge.settings"
            )
        return json_response(
            404,
            {
                "Message": f"No HTTP resource was found that matches the "
                f"request URI '{request.full_path}'."
            },
            "priceedge.not_found",
        )

    # -- token endpoint ----------------------------------------------------------------------

    def _oauth_error(
        self, status: int, error: str, description: str, rule: str, grant: str
    ) -> SimResponse:
        response = json_response(status, {"error": error, "error_description": description}, rule)
        response.grant = grant
        return response

    def _token(self, env: str, request: SimRequest) -> SimResponse:
        form = request.form()
        if request.method != "POST" or form is None:
            return self._oauth_error(
                400,
                "invalid_request",
                "POST the token request as application/x-www-form-urlencoded.",
                "priceedge.token.not_form",
                "unknown",
            )
        grant_type = form.get("grant_type", "")
        creds = self.creds(env)
        if form.get("client_id") != creds["client_id"]:
            return self._oauth_error(
                400,
                "invalid_clientId",
                "client_id is not set or unknown.",
                "priceedge.token.bad_client",
                grant_type or "unknown",
            )
        now, store = self.now(), self.stores[env]
        ttl = self.rt.ttl(float(self.settings["access_ttl_s"]))
        refresh_ttl = float(self.settings["refresh_ttl_s"])
        if grant_type == "password":
            if (form.get("username"), form.get("password")) != (
                creds["username"],
                creds["password"],
            ):
                return self._oauth_error(
                    int(self.settings["bad_credentials_status"]),
                    "invalid_grant",
                    "The user name or password is incorrect.",
                    "priceedge.token.bad_credentials",
                    grant_type,
                )
            grant = store.issue(
                creds["username"], creds["client_id"], "", now=now, ttl=ttl, refresh_ttl=refresh_ttl
            )
            return self._token_response(grant, "priceedge.token.password", grant_type)
        if grant_type == "refresh_token":
            old = store.by_refresh(form.get("refresh_token", ""), now)
            if old is None or old.client != form.get("client_id"):
                return self._oauth_error(
                    400,
                    "invalid_grant",
                    "The refresh token is invalid or expired.",
                    "priceedge.token.bad_refresh",
                    grant_type,
                )
            rotate = bool(self.settings["refresh_rotates"])
            grant = store.renew(old, rotate=rotate, now=now, ttl=ttl, refresh_ttl=refresh_ttl)
            return self._token_response(grant, "priceedge.token.refresh", grant_type)
        return self._oauth_error(
            400,
            "unsupported_grant_type",
            "Use grant_type password or refresh_token.",
            "priceedge.token.bad_grant",
            grant_type or "unknown",
        )

    def _token_response(self, grant: Grant, rule: str, kind: str) -> SimResponse:
        clock = self.rt.clock
        response = json_response(
            200,
            {
                "access_token": grant.access,
                "token_type": "bearer",
                "expires_in": round(grant.expires - grant.issued),
                "refresh_token": grant.refresh,
                "as:client_id": grant.client,
                "userName": grant.subject,
                ".issued": clock.http_date(grant.issued),
                ".expires": clock.http_date(grant.expires),
            },
            rule,
        )
        response.grant = kind
        return response

    # -- API calls ---------------------------------------------------------------------------

    def _authenticate(self, env: str, request: SimRequest) -> str | SimResponse:
        value = request.header("authorization") or ""
        scheme, _, rest = value.partition(" ")
        creds = self.creds(env)
        if scheme == "ApiKey":
            user, colon, password = rest.strip().partition(":")
            if colon and (user, password) == (creds["username"], creds["password"]):
                return user
            return json_response(401, DENIED, "priceedge.auth.apikey_rejected")
        if scheme.lower() != "bearer":
            return json_response(401, DENIED, "priceedge.auth.missing")
        grant, reason = self.stores[env].check(rest.strip(), self.now())
        if grant is None:
            return json_response(401, DENIED, f"priceedge.auth.{reason}")
        if request.header("client_id") != grant.client:
            return json_response(401, DENIED, "priceedge.auth.client_id_header")
        return grant.subject

    def _envelope(
        self, status: int, data: Any, rule: str, errors: list[str] | None = None
    ) -> SimResponse:
        return json_response(
            status, {"Data": data, "Errors": errors or [], "Succeeded": not errors}, rule
        )

    def _columns(self, table: str) -> SimResponse:
        if table.lower() != "item":
            return self._envelope(
                400, None, "priceedge.table.unknown", [f"Table '{table}' does not exist."]
            )
        return self._envelope(200, ITEM_COLUMNS, "priceedge.table.columns")

    def _rows(self, env: str, table: str, request: SimRequest) -> SimResponse:
        rows = self.tables[env].get(table.lower())
        if rows is None:
            return self._envelope(
                400, None, "priceedge.table.unknown", [f"Table '{table}' does not exist."]
            )
        try:
            body = request.json() or {}
            page = int(body.get("page", 1))
            size = int(body.get("nrOfRecords", 50))
            filters = list(body.get("filters") or [])
        except (ValueError, TypeError, AttributeError):
            return self._envelope(
                400,
                None,
                "priceedge.rows.invalid",
                ["The body must be JSON with page, nrOfRecords and filters."],
            )
        if page < 1 or size < 1:
            return self._envelope(
                400, None, "priceedge.rows.invalid", ["page and nrOfRecords start at 1."]
            )
        matched = rows
        for flt in filters:
            problem = _filter_problem(flt)
            if problem:
                return self._envelope(400, None, "priceedge.rows.bad_filter", [problem])
            matched = [r for r in matched if _matches(r, flt)]
        chunk = matched[(page - 1) * size : page * size]
        fields = body.get("fields")
        if fields:
            chunk = [{f: r.get(f) for f in fields} for r in chunk]
        total = None if body.get("bypassTotalCount") else len(matched)
        return self._envelope(
            200, {"data": chunk, "totalRecords": total, "page": page}, "priceedge.table.rows"
        )

    def _search(self, env: str, request: SimRequest) -> SimResponse:
        try:
            body = request.json() or {}
            needle = str(body.get("searchValue", "")).lower()
            limit = int(body.get("maxRows", 100))
        except (ValueError, TypeError, AttributeError):
            return self._envelope(400, None, "priceedge.search.invalid", ["Invalid search body."])
        rows = self.tables[env].get(str(body.get("resource", "")).lower(), [])
        found = [r for r in rows if any(needle in str(v).lower() for v in r.values())]
        return self._envelope(200, found[:limit], "priceedge.search")

    def describe(self, env: str, base: str) -> dict[str, Any]:
        return {
            "base_url": f"{base}/{env}",
            "token_url": f"{base}/{env}/token",
            "auth_kind": "oauth2-password",
            "alternative_auth": "Authorization: ApiKey {username}:{password} (case-sensitive)",
            "required_headers": ["client_id"],
            "credentials": self.creds(env),
        }

    def revoke(self, env: str, *, refresh: bool) -> int:
        return self.stores[env].revoke(refresh=refresh)


def _filter_problem(flt: Any) -> str | None:
    if not isinstance(flt, dict) or not {"columnName", "op", "value"} <= flt.keys():
        return "Each filter needs columnName, op and value."
    if flt["op"] not in OPS:
        return f"Unknown filter op '{flt['op']}'; use one of {', '.join(OPS)}."
    return None


def _matches(row: dict[str, Any], flt: dict[str, Any]) -> bool:
    column = flt["columnName"]
    if column not in row:
        column = ALIASES.get(column, column)
    value = str(row.get(column, ""))
    wanted = flt["value"]
    if flt["op"] == "equals":
        return value == str(wanted)
    if flt["op"] == "startsWith":
        return value.startswith(str(wanted))
    options = wanted if isinstance(wanted, list) else str(wanted).split(",")
    return any(str(option).strip().lower() in value.lower() for option in options)
