"""Flexiti POS API v2.5: three environments with separate keys, a form-only ``oauth/token`` with
merchant/customer scopes and 1,200 s tokens that cannot be refreshed once expired, the required
``x-reference-id`` header, scope enforcement and the ``{url, message, error, field_errors}``
error body (PROVIDERS.md §5, §6).

Sourced: environments and per-environment keys, form-only token requests, the grant types and
scopes, ``expires_in: 1200``, no refresh after expiry, the customer-scope endpoint list, the error
body, the customer search/lookup fixtures and ``account_status`` values. GUESS: 409
``wrong_inputs`` for a non-form token request and a missing ``x-reference-id``, 403 for scope and
trust violations, the exact error for refresh after expiry, 409 for authorizing a non-N account.
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
    secret,
)
from explorer.sandbox.vendor import Vendor

CUSTOMER_SCOPE = (
    "i18n",
    "terms-and-conditions",
    "driverslicense",
    "widget",
    "apply",
    "authorization",
    "account",
)
GRANTS = ("client_credentials", "password", "refresh_token")


def _customers() -> list[dict[str, Any]]:
    people = [
        ("123321", "John", "Smith", "1900-01-01", "N", "NNOR", 123456789, "5941"),
        ("223344", "Jane", "Doe", "1985-04-12", "A", "APRO", 223344556, "1234"),
        ("334455", "Frank", "Frozen", "1970-07-07", "F", "FFRZ", 334455667, "2345"),
        ("445566", "Zed", "Chargeoff", "1965-02-02", "Z", "ZCHG", 445566778, "3456"),
        ("556677", "Clara", "Closed", "1990-12-31", "C", "CCLS", 556677889, "4567"),
    ]
    return [
        {
            "customer_id": cid,
            "account_status": status,
            "account_status_reason_code": reason,
            "tos_agreement": True,
            "risk_rating": "H",
            "account_number": account,
            "customer_account_type": "consumer",
            "credit_limit": "1000.00",
            "available_credit": "659.51",
            "originating_merchant_id": "12345",
            "originating_merchant_name": "ACME Jewellers",
            "creation_date": "2019-05-15",
            "first_name": first,
            "last_name": last,
            "dob": dob,
            "postal_code": "M5V 2T6",
            "card_ending_in": card,
            "vcc_number": f"4111111111{card}00",
            "preferred_language": "fr-CA" if n % 2 == 0 else "en-CA",
        }
        for n, (cid, first, last, dob, status, reason, account, card) in enumerate(people)
    ]


class Flexiti(Vendor):
    id = "flexiti"
    name = "Flexiti"
    prefixes = {"training": "training", "mi": "mi", "production": "production"}
    demo_env = "training"
    settings_spec = {
        "access_ttl_s": Setting(1200.0, "access-token lifetime"),
        "refresh_after_expiry": Setting(False, "allow refresh once the token expired (no)"),
        "scope_violation_status": Setting(403, "403, or 401 invalid_token per older docs"),
        "trust_loopback": Setting(True, "loopback is in the client's trusted IP list"),
        "mi_maintenance": Setting(False, "merchant integration is in its Mon/Wed maintenance"),
    }
    plain_http = {
        "status": None,
        "behaviour": "HTTPS endpoints only; plain HTTP is undocumented",
        "source": "GUESS",
    }

    def seed(self) -> None:
        self.stores = {env: TokenStore(f"flexiti:{env}") for env in self.environments}
        self.customers = {env: _customers() for env in self.environments}
        self.applications = 0

    def creds(self, env: str) -> dict[str, Any]:
        return {
            "client_id": f"flexitidemo-{env}",
            "client_secret": secret(f"flexiti:{env}:secret", 32),
            "username": "merchant@flexiti.example",
            "password": f"Demo-{env}-merchant",
            "scopes": ["merchant", "customer"],
        }

    def _error(  # noqa: PLR0917 - mirrors the vendor's error fields
        self,
        status: int,
        error: str,
        message: str,
        request: SimRequest,
        rule: str,
        field_errors: list[dict[str, Any]] | None = None,
        grant: str | None = None,
    ) -> SimResponse:
        response = json_response(
            status,
            {
                "url": request.full_path,
                "message": message,
                "error": error,
                "field_errors": field_errors or [],
            },
            rule,
        )
        response.grant = grant
        return response

    def handle(self, env: str, prefix: str, request: SimRequest) -> SimResponse:
        if request.client_ip in ("127.0.0.1", "::1") and not self.settings["trust_loopback"]:
            return self._error(
                403,
                "untrusted_origin",
                "This IP is not in the client's trusted URL/IP list.",
                request,
                "flexiti.trust",
            )
        if env == "mi" and self.settings["mi_maintenance"]:
            return self._error(
                503,
                "general_error",
                "Merchant integration is under maintenance; try again later.",
                request,
                "flexiti.mi_maintenance",
            )
        path = request.path.rstrip("/")
        if path == "/oauth/token":
            return self._token(env, request)
        grant, reason = self.stores[env].check(request.bearer(), self.now())
        if grant is None:
            message = (
                "The access token provided has expired."
                if reason == "expired"
                else "The access token provided is invalid."
            )
            return self._error(401, "invalid_token", message, request, f"flexiti.auth.{reason}")
        reference = request.header("x-reference-id")
        if not reference or len(reference) > 32:
            return self._error(
                409,
                "wrong_inputs",
                "Some inputs are wrong!",
                request,
                "flexiti.reference_id",
                [{"param": "x-reference-id", "msg": "required" if not reference else "invalid"}],
            )
        parts = [p for p in path.split("/") if p]
        if len(parts) < 3 or parts[0] != "client-id":
            return self._error(404, "not_found", "Not found.", request, "flexiti.not_found")
        if parts[1] != grant.client:
            return self._error(
                403,
                "forbidden",
                "The client id in the path does not match the token.",
                request,
                "flexiti.client_mismatch",
            )
        endpoint = parts[2:]
        if (
            grant.scope == "customer"
            and endpoint[0] not in CUSTOMER_SCOPE
            and not (endpoint[0] == "accounts" and endpoint[-1] in ("close", "calculate-interest"))
        ):
            status = int(self.settings["scope_violation_status"])
            error = "forbidden" if status == 403 else "invalid_token"
            return self._error(
                status,
                error,
                "A customer-scope token cannot call this merchant endpoint.",
                request,
                "flexiti.scope",
            )
        return self._endpoint(env, endpoint, request)

    def _token(self, env: str, request: SimRequest) -> SimResponse:
        form = request.form()
        query_grant = request.query.get("grant_type")
        if request.method != "POST" or form is None or query_grant:
            return self._error(
                409,
                "wrong_inputs",
                "Send the token request as "
                "application/x-www-form-urlencoded, not in the query string.",
                request,
                "flexiti.token.not_form",
                grant=query_grant or "unknown",
            )
        grant_type = form.get("grant_type") or "client_credentials"
        creds = self.creds(env)
        if (form.get("client_id"), form.get("client_secret")) != (
            creds["client_id"],
            creds["client_secret"],
        ):
            return self._error(
                400,
                "invalid_client",
                "The client credentials are invalid.",
                request,
                "flexiti.token.bad_client",
                grant=grant_type,
            )
        if grant_type not in GRANTS:
            return self._error(
                400,
                "invalid_request",
                f"grant_type must be one of {', '.join(GRANTS)}.",
                request,
                "flexiti.token.bad_grant",
                grant=grant_type,
            )
        now, store = self.now(), self.stores[env]
        ttl = self.rt.ttl(float(self.settings["access_ttl_s"]))
        if grant_type == "refresh_token":
            token = form.get("refresh_token", "")
            old = store.by_refresh(token, now)
            if old is None:
                return self._error(
                    400,
                    "invalid_grant",
                    "The refresh token is invalid.",
                    request,
                    "flexiti.token.bad_refresh",
                    grant=grant_type,
                )
            if now >= old.expires and not self.settings["refresh_after_expiry"]:
                return self._error(
                    400,
                    "invalid_grant",
                    "The access token has expired and cannot be refreshed; request a new one.",
                    request,
                    "flexiti.token.refresh_after_expiry",
                    grant=grant_type,
                )
            store.retire_refresh(token)
            grant = store.issue(
                old.subject, old.client, old.scope, now=now, ttl=ttl, refresh_ttl=14 * 86400.0
            )
            return self._token_response(grant, grant_type)
        scope = form.get("scope") or "merchant"
        if scope not in ("merchant", "customer"):
            return self._error(
                400,
                "invalid_scope",
                "scope must be merchant or customer.",
                request,
                "flexiti.token.bad_scope",
                grant=grant_type,
            )
        subject = creds["client_id"]
        if grant_type == "password":
            if (form.get("username"), form.get("password")) != (
                creds["username"],
                creds["password"],
            ):
                return self._error(
                    409,
                    "authentication_failure",
                    "Wrong username or password.",
                    request,
                    "flexiti.token.bad_user",
                    grant=grant_type,
                )
            subject = creds["username"]
        grant = store.issue(
            subject, creds["client_id"], scope, now=now, ttl=ttl, refresh_ttl=14 * 86400.0
        )
        return self._token_response(grant, grant_type)

    def _token_response(self, grant: Grant, grant_type: str) -> SimResponse:
        response = json_response(
            200,
            {
                "token_type": "bearer",
                "access_token": grant.access,
                "expires_in": round(grant.expires - grant.issued),
                "refresh_token": grant.refresh,
                "scope": grant.scope,
            },
            f"flexiti.token.{grant_type}",
        )
        response.grant = grant_type
        return response

    def _endpoint(self, env: str, endpoint: list[str], request: SimRequest) -> SimResponse:
        customers = self.customers[env]
        query, method = request.query, request.method
        if endpoint == ["customers", "search"] and method == "GET":
            missing = [p for p in ("first_name", "last_name", "dob") if not query.get(p)]
            if missing:
                return self._error(
                    409,
                    "wrong_inputs",
                    "Some inputs are wrong!",
                    request,
                    "flexiti.search.invalid",
                    [{"param": p, "msg": "required"} for p in missing],
                )
            found = [
                c
                for c in customers
                if (c["first_name"].lower(), c["last_name"].lower(), c["dob"])
                == (query["first_name"].lower(), query["last_name"].lower(), query["dob"])
                and (not query.get("postal_code") or c["postal_code"] == query["postal_code"])
            ]
            return json_response(200, [_public(c) for c in found], "flexiti.customers.search")
        if endpoint == ["customers", "lookup"] and method == "GET":
            key = "vcc_number" if "vcc_number" in query else "account_number"
            if key not in query:
                return self._error(
                    409,
                    "wrong_inputs",
                    "Some inputs are wrong!",
                    request,
                    "flexiti.lookup.invalid",
                    [{"param": "vcc_number|account_number", "msg": "required"}],
                )
            match = next((c for c in customers if str(c[key]) == query[key]), None)
            if match is None:
                return self._error(
                    404,
                    "customer_not_found",
                    "No customer matches.",
                    request,
                    "flexiti.lookup.not_found",
                )
            return json_response(200, _public(match), "flexiti.customers.lookup")
        if endpoint == ["authorization"] and method == "POST":
            return self._authorize(customers, request)
        if len(endpoint) == 3 and endpoint[0] == "accounts" and endpoint[2] == "close":
            return json_response(200, {}, "flexiti.accounts.close")
        if endpoint == ["i18n"] and method == "GET":
            lang = query.get("lang", "en")
            greeting = {"en": "Welcome", "fr": "Bienvenue"}.get(lang)
            if greeting is None:
                return self._error(
                    409,
                    "wrong_inputs",
                    "Some inputs are wrong!",
                    request,
                    "flexiti.i18n.invalid",
                    [{"param": "lang", "msg": "invalid", "value": lang}],
                )
            return json_response(200, {"lang": lang, "welcome": greeting}, "flexiti.i18n")
        if endpoint == ["apply"] and method == "POST":
            self.applications += 1
            return json_response(
                200,
                {"application_id": f"APP-{self.applications:05d}", "status": "pending"},
                "flexiti.apply",
            )
        return self._error(404, "not_found", "Not found.", request, "flexiti.not_found")

    def _authorize(self, customers: list[dict[str, Any]], request: SimRequest) -> SimResponse:
        try:
            body = (
                request.json()
                if request.content_type == "application/json"
                else (request.form() or {})
            )
        except ValueError:
            body = None
        if not isinstance(body, dict) or "account_number" not in body or "amount" not in body:
            return self._error(
                409,
                "wrong_inputs",
                "Some inputs are wrong!",
                request,
                "flexiti.authorization.invalid",
                [
                    {"param": "account_number", "msg": "required"},
                    {"param": "amount", "msg": "required"},
                ],
            )
        account = next(
            (c for c in customers if str(c["account_number"]) == str(body["account_number"])), None
        )
        if account is None:
            return self._error(
                404,
                "account_not_found",
                "No such account.",
                request,
                "flexiti.authorization.not_found",
            )
        if account["account_status"] != "N":
            return self._error(
                409,
                "account_not_in_good_standing",
                f"Purchases need account status N; this account is {account['account_status']}.",
                request,
                "flexiti.authorization.status",
            )
        return json_response(
            200,
            {
                "authorization_id": secret(f"auth:{body['account_number']}", 16),
                "approved": True,
                "amount": body["amount"],
            },
            "flexiti.authorization",
        )

    def describe(self, env: str, base: str) -> dict[str, Any]:
        return {
            "base_url": f"{base}/{env}",
            "token_url": f"{base}/{env}/oauth/token",
            "auth_kind": "oauth2-client-credentials",
            "required_headers": ["x-reference-id"],
            "credentials": self.creds(env),
            "refresh_after_expiry": bool(self.settings["refresh_after_expiry"]),
        }

    def demo_slots(self, env: str, base: str) -> dict[str, str]:
        """The preset uses client credentials; the password-grant user is for manual tries."""
        creds = self.creds(env)
        return {"client_id": creds["client_id"], "client_secret": creds["client_secret"]}

    def revoke(self, env: str, *, refresh: bool) -> int:
        return self.stores[env].revoke(refresh=refresh)


def _public(customer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in customer.items() if k not in ("dob", "postal_code", "vcc_number")}
