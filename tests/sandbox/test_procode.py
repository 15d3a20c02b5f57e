"""Procode: the APIM subscription-key gate, TokenRequest/RefreshToken, the SendOTP step, RFC 9457
errors and the energy-domain paths (PROVIDERS.md §6, Procode)."""

from __future__ import annotations

from typing import Any

import requests

from tests.sandbox.conftest import Sim

KEY = "Ocp-Apim-Subscription-Key"


class Procode:
    def __init__(self, sim: Sim, env: str = "dev1") -> None:
        self.sim = sim
        self.info = sim.env("procode", env)
        self.creds = self.info["credentials"]
        self.base = self.info["base_url"]

    def post(self, path: str, body: Any, **headers: str) -> requests.Response:
        return self.sim.http.post(
            self.base + path,
            json=body,
            timeout=5,
            headers={KEY: self.creds["subscription_key"], **headers},
        )

    def get(self, path: str, token: str | None = None, **headers: str) -> requests.Response:
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        return self.sim.http.get(
            self.base + path,
            timeout=5,
            headers={KEY: self.creds["subscription_key"], **auth, **headers},
        )

    def login(self, **extra: str) -> requests.Response:
        c = self.creds
        return self.post(
            "/api/auth/TokenRequest",
            {
                "grant_type": "password",
                "username": c["username"],
                "password": c["password"],
                "client_id": c["client_id"],
                "client_secret": c["client_secret"],
                **extra,
            },
        )


def test_missing_subscription_key_is_apim_401(sim: Sim) -> None:
    p = Procode(sim)
    response = sim.http.get(p.base + "/api/premises/premises", timeout=5)
    assert response.status_code == 401
    body = response.json()
    assert body["statusCode"] == 401
    assert "missing subscription key" in body["message"]


def test_invalid_subscription_key_is_apim_401(sim: Sim) -> None:
    p = Procode(sim)
    response = sim.http.get(p.base + "/api/premises/premises", headers={KEY: "nope"}, timeout=5)
    assert response.status_code == 401
    assert "invalid subscription key" in response.json()["message"]


def test_key_in_query_string_is_accepted(sim: Sim) -> None:
    p = Procode(sim)
    response = sim.http.get(
        p.base + "/api/premises/premises",
        params={"subscription-key": p.creds["subscription_key"]},
        timeout=5,
    )
    assert response.status_code == 401  # passed the gateway; now the bearer is missing
    assert response.headers["Content-Type"] == "application/problem+json"


def test_keys_are_per_environment(sim: Sim) -> None:
    dev2 = Procode(sim, "dev2")
    response = sim.http.get(
        dev2.base + "/api/premises/premises",
        headers={KEY: Procode(sim).creds["subscription_key"]},
        timeout=5,
    )
    assert "invalid subscription key" in response.json()["message"]


def test_token_request_gives_a_one_hour_bearer(sim: Sim) -> None:
    p = Procode(sim)
    token = p.login().json()
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    premises = p.get("/api/premises/premises", token["access_token"])
    assert premises.status_code == 200
    assert len(premises.json()["items"]) == 5


def test_bearer_errors_are_rfc9457_problems(sim: Sim) -> None:
    p = Procode(sim)
    token = p.login().json()["access_token"]
    sim.advance(3601)
    response = p.get("/api/premises/premises", token)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert set(problem) >= {"type", "title", "status", "detail", "instance"}
    assert problem["status"] == 401
    assert problem["detail"] == "Bearer token has expired."
    assert problem["instance"] == "/procode/dev1/api/premises/premises"


def test_refresh_gives_a_new_token_and_the_same_refresh_token(sim: Sim) -> None:
    p = Procode(sim)
    first = p.login().json()
    sim.advance(3601)
    refreshed = p.post(
        "/api/auth/RefreshToken",
        {"refresh_token": first["refresh_token"], "client_id": p.creds["client_id"]},
    ).json()
    assert refreshed["refresh_token"] == first["refresh_token"]
    assert refreshed["access_token"] != first["access_token"]
    assert refreshed["expires_in"] == 3600
    assert p.get("/api/premises/premises", refreshed["access_token"]).status_code == 200
    stats = sim.stats("procode", "dev1")["token_requests"]
    assert stats == {"password": 1, "refresh_token": 1}


def test_wrong_password_is_a_problem(sim: Sim) -> None:
    p = Procode(sim)
    response = p.login(password="wrong")
    assert response.status_code == 401
    assert response.json()["type"].endswith("invalid-credentials")


def test_2fa_user_needs_send_otp_then_the_otp(sim: Sim) -> None:
    p = Procode(sim)
    c = p.creds
    body = {
        "username": c["username_2fa"],
        "password": c["password_2fa"],
        "client_id": c["client_id"],
    }
    refused = p.post("/api/auth/TokenRequest", body)
    assert refused.status_code == 401
    assert refused.json()["type"].endswith("/otp-required")
    sent = p.post("/api/authorisation/SendOTP", {"username": c["username_2fa"], "channel": "sms"})
    assert sent.status_code == 202
    pending = sim.env("procode", "dev1")["pending_otps"]
    assert [o["username"] for o in pending] == [c["username_2fa"]]
    otp = pending[0]["otp"]
    assert any(otp in note for note in sim.info()["sandbox"]["notes"])
    wrong = p.post("/api/auth/TokenRequest", {**body, "otp": "000000" if otp != "000000" else "1"})
    assert wrong.json()["type"].endswith("/otp-invalid")
    token = p.post("/api/auth/TokenRequest", {**body, "otp": otp})
    assert token.status_code == 200
    assert sim.env("procode", "dev1")["pending_otps"] == []


def test_otp_expires_on_the_simulated_clock(sim: Sim) -> None:
    p = Procode(sim)
    c = p.creds
    p.post("/api/authorisation/SendOTP", {"username": c["username_2fa"]})
    otp = sim.env("procode", "dev1")["pending_otps"][0]["otp"]
    sim.advance(301)
    response = p.post(
        "/api/auth/TokenRequest",
        {
            "username": c["username_2fa"],
            "password": c["password_2fa"],
            "client_id": c["client_id"],
            "otp": otp,
        },
    )
    assert response.status_code == 401


def test_registration_needs_no_bearer(sim: Sim) -> None:
    response = Procode(sim).post("/api/registration/Register", {"email": "new@example.com"})
    assert response.status_code == 201


def test_energy_domain_paths_with_sub_resources(sim: Sim) -> None:
    p = Procode(sim)
    token = p.login().json()["access_token"]
    feature = p.get("/api/premises/premises/PR-1/features/F-10", token).json()
    assert feature == {"id": "F-10", "kind": "smart-meter"}
    devices = p.get("/api/network/servicepoints/SP-2/devices", token).json()["items"]
    assert len(devices) == 2
    assert p.get("/api/premises/premises/PR-9", token).status_code == 404


def test_payment_changes_the_balance(sim: Sim) -> None:
    p = Procode(sim)
    token = p.login().json()["access_token"]
    before = p.get("/api/billing/accounts/AC-1/balances/current", token).json()["amount"]
    paid = p.post(
        "/api/billing/accounts/AC-1/payments", {"amount": 10}, Authorization=f"Bearer {token}"
    )
    assert paid.status_code == 201
    after = p.get("/api/billing/accounts/AC-1/balances/current", token).json()["amount"]
    assert after == round(before + 10, 2)
    bad = p.post(
        "/api/billing/accounts/AC-1/payments", {"amount": -1}, Authorization=f"Bearer {token}"
    )
    assert bad.status_code == 422
    assert bad.headers["Content-Type"] == "application/problem+json"


def test_required_headers_are_configurable(sim: Sim) -> None:
    sim.config("procode", required_headers=["X-Correlation-Id"])
    p = Procode(sim)
    token = p.login().json()["access_token"]
    missing = p.get("/api/premises/premises", token)
    assert missing.status_code == 400
    assert missing.json()["missing"] == ["X-Correlation-Id"]
    ok = p.get("/api/premises/premises", token, **{"X-Correlation-Id": "abc"})
    assert ok.status_code == 200


def test_optional_apim_rate_limit(sim: Sim) -> None:
    sim.config("procode", rate_limit_requests=2, rate_limit_window_s=30.0)
    p = Procode(sim)
    statuses = [p.get("/api/premises/premises").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    limited = p.get("/api/premises/premises")
    assert limited.json()["message"].startswith("Rate limit is exceeded. Try again in")
    assert int(limited.headers["Retry-After"]) <= 30
