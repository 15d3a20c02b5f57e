"""Procode: an Azure API Management gateway (subscription key) in front of OAuth2-protected
energy APIs, with a ``SendOTP`` step for users that need 2FA (PROVIDERS.md §2, §6).

Sourced: two development environments and no sandbox, the subscription-key gate, APIM's 401
bodies, ``TokenRequest``/``RefreshToken`` (a new 1-hour token and the *same* refresh token),
``SendOTP``, RFC 9457 problem bodies, paths ``/api/{service}/{resource}/{id}/{sub}/{subId}``,
registration without a bearer. GUESS: the header name ``Ocp-Apim-Subscription-Key``, every
request/response field name, the OTP flow details, the required-header list, the rate limit.
"""

from __future__ import annotations

import math
from typing import Any

from explorer.sandbox.kit import (
    PROBLEM,
    FixedWindow,
    Setting,
    SimRequest,
    SimResponse,
    TokenStore,
    json_response,
    secret,
)
from explorer.sandbox.vendor import Vendor

KEY_HEADER = "Ocp-Apim-Subscription-Key"
KEY_QUERY = "subscription-key"
MISSING_KEY = (
    "Access denied due to missing subscription key. Make sure to include subscription "
    "key when making requests to an API."
)
INVALID_KEY = (
    "Access denied due to invalid subscription key. Make sure to provide a valid key "
    "for an active subscription."
)
PROBLEM_BASE = "https://developer.procode.example/problems/"
HOUR = 3600.0


def _domain() -> dict[str, dict[str, dict[str, Any]]]:
    """A small energy domain: ``service → resource → id → record`` with sub-resources."""
    premises = {
        f"PR-{n}": {
            "id": f"PR-{n}",
            "address": f"{10 + n} Grid Street, Leeds",
            "type": "domestic",
            "features": {
                f"F-{n}{k}": {"id": f"F-{n}{k}", "kind": kind}
                for k, kind in enumerate(("smart-meter", "solar", "ev-charger"))
            },
            "servicepoints": {
                f"SP-{n}": {"id": f"SP-{n}", "url": f"/api/network/servicepoints/SP-{n}"}
            },
        }
        for n in range(1, 6)
    }
    servicepoints = {
        f"SP-{n}": {
            "id": f"SP-{n}",
            "premiseId": f"PR-{n}",
            "mpan": f"1{n:012d}",
            "devices": {
                f"DV-{n}{k}": {
                    "id": f"DV-{n}{k}",
                    "serial": f"SN{n}{k}00{k}",
                    "kind": "meter" if k == 0 else "display",
                }
                for k in range(2)
            },
        }
        for n in range(1, 6)
    }
    accounts = {
        f"AC-{n}": {
            "id": f"AC-{n}",
            "premiseId": f"PR-{n}",
            "holder": f"Customer {n}",
            "balances": {
                "current": {
                    "id": "current",
                    "amount": round(-42.5 + n * 17.25, 2),
                    "currency": "GBP",
                }
            },
            "payments": {
                f"PM-{n}1": {
                    "id": f"PM-{n}1",
                    "amount": 25.0,
                    "currency": "GBP",
                    "status": "settled",
                }
            },
        }
        for n in range(1, 6)
    }
    return {
        "premises": {"premises": premises},
        "network": {"servicepoints": servicepoints},
        "billing": {"accounts": accounts},
    }


class Procode(Vendor):
    id = "procode"
    name = "Procode"
    prefixes = {"dev1": "dev1", "dev2": "dev2"}
    demo_env = "dev1"
    settings_spec = {
        "access_ttl_s": Setting(HOUR, "access-token lifetime (RefreshToken gives one hour)"),
        "required_headers": Setting([], "extra headers every API call must carry (GUESS)"),
        "rate_limit_requests": Setting(0, "APIM rate-limit per subscription key; 0 is off"),
        "rate_limit_window_s": Setting(60.0, "APIM rate-limit renewal period"),
        "otp_ttl_s": Setting(300.0, "how long a sent OTP stays valid (GUESS)"),
    }
    plain_http = {
        "status": None,
        "behaviour": "all traffic must use HTTPS; how the gateway answers plain HTTP is unknown",
        "source": "sourced (HTTPS only); status GUESS",
    }

    def seed(self) -> None:
        self.stores = {env: TokenStore(f"procode:{env}") for env in self.environments}
        self.limiters = {env: FixedWindow(1, 60.0) for env in self.environments}
        self.data = {env: _domain() for env in self.environments}
        self.otps: dict[str, dict[str, tuple[str, float]]] = {e: {} for e in self.environments}
        self.otp_count = 0
        self.registrations = 0

    def creds(self, env: str) -> dict[str, Any]:
        return {
            "subscription_key": secret(f"procode:{env}:subscription", 32),
            "client_id": f"explorer-demo-{env}",
            "client_secret": secret(f"procode:{env}:client-secret", 24),
            "username": "demo@procode.example",
            "password": f"Demo-{env}-pass",
            "username_2fa": "demo-2fa@procode.example",
            "password_2fa": f"Demo-{env}-2fa",
        }

    def _problem(  # noqa: PLR0917 - mirrors the vendor's error fields
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        request: SimRequest,
        rule: str,
        **extra: Any,
    ) -> SimResponse:
        payload = {
            "type": PROBLEM_BASE + slug if slug else "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": request.full_path,
            **extra,
        }
        return json_response(status, payload, rule, content_type=PROBLEM)

    def handle(self, env: str, prefix: str, request: SimRequest) -> SimResponse:
        creds = self.creds(env)
        gate = self._gateway(env, request, creds)
        if gate is not None:
            return gate
        return self._operation(env, request, creds)

    def _gateway(self, env: str, request: SimRequest, creds: dict[str, Any]) -> SimResponse | None:
        """APIM's checks before any backend runs: the subscription key, then the rate limit."""
        key = request.header(KEY_HEADER)
        if key is None:
            key = request.query.get(KEY_QUERY)
        if not key:
            return json_response(
                401, {"statusCode": 401, "message": MISSING_KEY}, "procode.gateway.missing_key"
            )
        if key != creds["subscription_key"]:
            return json_response(
                401, {"statusCode": 401, "message": INVALID_KEY}, "procode.gateway.invalid_key"
            )
        if self.settings["rate_limit_requests"] > 0:
            limiter = self.limiters[env]
            limiter.limit = int(self.settings["rate_limit_requests"])
            limiter.window = float(self.settings["rate_limit_window_s"])
            wait = limiter.hit(key, self.now())
            if wait is not None:
                seconds = max(1, math.ceil(wait))
                return json_response(
                    429,
                    {
                        "statusCode": 429,
                        "message": f"Rate limit is exceeded. Try again in {seconds} seconds.",
                    },
                    "procode.gateway.rate_limit",
                    headers=[("Retry-After", str(seconds))],
                )
        return None

    def _operation(self, env: str, request: SimRequest, creds: dict[str, Any]) -> SimResponse:
        parts = [p for p in request.path.split("/") if p]
        if len(parts) < 3 or parts[0] != "api":
            return self._problem(
                404,
                "",
                "Not Found",
                "No operation matches this path.",
                request,
                "procode.not_found",
            )
        service, resource = parts[1].lower(), parts[2]
        if request.method == "POST" and request.body and request.content_type != "application/json":
            return self._problem(
                415,
                "unsupported-media-type",
                "Unsupported Media Type",
                "Send JSON with Content-Type: application/json.",
                request,
                "procode.content_type",
            )
        if service == "auth" and request.method == "POST":
            if resource == "TokenRequest":
                return self._token(env, request, creds)
            if resource == "RefreshToken":
                return self._refresh(env, request, creds)
        if service == "authorisation" and resource == "SendOTP" and request.method == "POST":
            return self._send_otp(env, request, creds)
        if service == "registration" and resource == "Register" and request.method == "POST":
            self.registrations += 1
            return json_response(
                201,
                {"registrationId": f"RG-{self.registrations:05d}", "status": "pending"},
                "procode.register",
            )
        missing = [h for h in self.settings["required_headers"] if request.header(h) is None]
        if missing:
            return self._problem(
                400,
                "missing-header",
                "Bad Request",
                f"Missing required header(s): {', '.join(missing)}.",
                request,
                "procode.headers",
                missing=missing,
            )
        grant, reason = self.stores[env].check(request.bearer(), self.now())
        if grant is None:
            detail = {
                "missing": "A bearer token is required.",
                "expired": "Bearer token has expired.",
            }.get(reason, "Bearer token is invalid.")
            return self._problem(401, "", "Unauthorized", detail, request, f"procode.auth.{reason}")
        return self._resource(env, parts[1:], request)

    def _json_body(self, request: SimRequest) -> dict[str, Any] | None:
        try:
            body = request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _token(self, env: str, request: SimRequest, creds: dict[str, Any]) -> SimResponse:
        """``TokenRequest``: the password grant (plus ``otp`` for 2FA users); a body with
        ``grant_type: refresh_token`` is served like ``RefreshToken`` so one token URL works."""
        body = self._json_body(request)
        if body is None:
            return self._grant_error(
                request,
                "invalid-request",
                "The body must be a JSON object.",
                "procode.token.invalid",
                400,
                "password",
            )
        if body.get("grant_type") == "refresh_token":
            return self._refresh(env, request, creds)
        if (
            body.get("client_id") != creds["client_id"]
            or body.get("client_secret", creds["client_secret"]) != creds["client_secret"]
        ):
            return self._grant_error(
                request,
                "invalid-client",
                "Unknown application credentials.",
                "procode.token.bad_client",
                401,
                "password",
            )
        user, password = str(body.get("username", "")), body.get("password")
        users = {
            creds["username"]: (creds["password"], False),
            creds["username_2fa"]: (creds["password_2fa"], True),
        }
        if user not in users or users[user][0] != password:
            return self._grant_error(
                request,
                "invalid-credentials",
                "Wrong username or password.",
                "procode.token.bad_user",
                401,
                "password",
            )
        if users[user][1]:
            pending = self.otps[env].get(user)
            otp = body.get("otp")
            if not otp:
                return self._grant_error(
                    request,
                    "otp-required",
                    "This user needs a one-time password: call SendOTP, then repeat with 'otp'.",
                    "procode.token.otp_required",
                    401,
                    "password",
                )
            if pending is None or pending[0] != otp or self.now() >= pending[1]:
                return self._grant_error(
                    request,
                    "otp-invalid",
                    "The one-time password is wrong or has expired.",
                    "procode.token.otp_invalid",
                    401,
                    "password",
                )
            del self.otps[env][user]
        grant = self.stores[env].issue(
            user,
            creds["client_id"],
            "",
            now=self.now(),
            ttl=self.rt.ttl(float(self.settings["access_ttl_s"])),
            refresh_ttl=30 * 86400.0,
        )
        return self._token_response(grant, "procode.token.issued", "password")

    def _refresh(self, env: str, request: SimRequest, creds: dict[str, Any]) -> SimResponse:
        body = self._json_body(request) or {}
        old = self.stores[env].by_refresh(str(body.get("refresh_token", "")), self.now())
        if old is None:
            return self._grant_error(
                request,
                "invalid-refresh-token",
                "The refresh token is unknown, revoked or expired.",
                "procode.refresh.invalid",
                401,
                "refresh_token",
            )
        grant = self.stores[env].issue(
            old.subject,
            old.client,
            "",
            now=self.now(),
            ttl=self.rt.ttl(HOUR),
            refresh_ttl=None,
            keep_refresh=old,
        )
        return self._token_response(grant, "procode.refresh.issued", "refresh_token")

    def _grant_error(  # noqa: PLR0917 - mirrors the vendor's error fields
        self, request: SimRequest, slug: str, detail: str, rule: str, status: int, grant: str
    ) -> SimResponse:
        title = "Unauthorized" if status == 401 else "Bad Request"
        response = self._problem(status, slug, title, detail, request, rule)
        response.grant = grant
        return response

    def _token_response(self, grant: Any, rule: str, kind: str) -> SimResponse:
        response = json_response(
            200,
            {
                "access_token": grant.access,
                "token_type": "Bearer",
                "expires_in": round(grant.expires - grant.issued),
                "refresh_token": grant.refresh,
            },
            rule,
            headers=[("Cache-Control", "no-store")],
        )
        response.grant = kind
        return response

    def _send_otp(self, env: str, request: SimRequest, creds: dict[str, Any]) -> SimResponse:
        body = self._json_body(request) or {}
        user = body.get("username")
        channel = body.get("channel", "email")
        if user != creds["username_2fa"] or channel not in ("email", "sms"):
            return self._problem(
                400,
                "invalid-request",
                "Bad Request",
                "SendOTP needs the username of a 2FA user and channel email or sms.",
                request,
                "procode.otp.invalid",
            )
        self.otp_count += 1
        otp = str(int(secret(f"procode:{env}:otp:{self.otp_count}", 12), 16) % 1_000_000).zfill(6)
        expires = self.now() + float(self.settings["otp_ttl_s"])
        self.otps[env][user] = (otp, expires)
        self.rt.note(
            f"procode/{env}: OTP for {user} by {channel} is {otp} "
            "(shown here instead of being sent)"
        )
        return json_response(
            202,
            {"sent": True, "channel": channel, "expires_in": round(expires - self.now())},
            "procode.otp.sent",
        )

    def _resource(self, env: str, parts: list[str], request: SimRequest) -> SimResponse:
        service, resource, *rest = parts
        table = self.data[env].get(service.lower(), {}).get(resource.lower())
        if table is None:
            return self._problem(
                404,
                "",
                "Not Found",
                f"No API '{service}/{resource}'.",
                request,
                "procode.not_found",
            )
        if not rest:
            if request.method != "GET":
                return self._problem(
                    405, "", "Method Not Allowed", "Use GET.", request, "procode.method"
                )
            return json_response(
                200,
                {"items": [_flat(r) for r in table.values()]},
                f"procode.{service}.{resource}.list",
            )
        record = table.get(rest[0])
        if record is None:
            return self._problem(
                404, "", "Not Found", f"No {resource} '{rest[0]}'.", request, "procode.not_found"
            )
        if len(rest) == 1:
            return json_response(200, _flat(record), f"procode.{service}.{resource}.get")
        sub = record.get(rest[1].lower())
        if not isinstance(sub, dict):
            return self._problem(
                404, "", "Not Found", f"No sub-resource '{rest[1]}'.", request, "procode.not_found"
            )
        if len(rest) == 2:
            if request.method == "POST" and rest[1].lower() == "payments":
                return self._pay(record, sub, request)
            return json_response(
                200, {"items": list(sub.values())}, f"procode.{resource}.{rest[1]}.list"
            )
        item = sub.get(rest[2])
        if item is None or len(rest) > 3:
            return self._problem(
                404, "", "Not Found", f"No {rest[1]} '{rest[2]}'.", request, "procode.not_found"
            )
        return json_response(200, item, f"procode.{resource}.{rest[1]}.get")

    def _pay(
        self, record: dict[str, Any], payments: dict[str, Any], request: SimRequest
    ) -> SimResponse:
        body = self._json_body(request) or {}
        amount = body.get("amount")
        if not isinstance(amount, int | float) or isinstance(amount, bool) or amount <= 0:
            return self._problem(
                422,
                "invalid-amount",
                "Unprocessable Content",
                "'amount' must be a positive number.",
                request,
                "procode.payment.invalid",
                errors=[{"pointer": "/amount"}],
            )
        pid = f"PM-{record['id']}-{len(payments) + 1}"
        payments[pid] = {"id": pid, "amount": amount, "currency": "GBP", "status": "pending"}
        record["balances"]["current"]["amount"] = round(
            record["balances"]["current"]["amount"] + amount, 2
        )
        return json_response(
            201,
            payments[pid],
            "procode.payment.created",
            headers=[("Location", f"{request.full_path.rstrip('/')}/{pid}")],
        )

    def describe(self, env: str, base: str) -> dict[str, Any]:
        creds = self.creds(env)
        return {
            "base_url": f"{base}/{env}",
            "token_url": f"{base}/{env}/api/auth/TokenRequest",
            "refresh_url": f"{base}/{env}/api/auth/RefreshToken",
            "otp_url": f"{base}/{env}/api/authorisation/SendOTP",
            "auth_kind": "oauth2-password",
            "subscription_key_header": KEY_HEADER,
            "credentials": creds,
            "pending_otps": [
                {"username": user, "otp": otp, "expires_at": self.rt.clock.iso(expires)}
                for user, (otp, expires) in self.otps[env].items()
            ],
        }

    def revoke(self, env: str, *, refresh: bool) -> int:
        return self.stores[env].revoke(refresh=refresh)


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    """A record with its sub-resources shown as links, the way list views show them."""
    return {
        k: ({"count": len(v)} if isinstance(v, dict) and k != "id" else v)
        for k, v in record.items()
    }
