"""Flexiti: per-environment keys, the form-only token endpoint with scopes, no refresh after
expiry, x-reference-id, scope enforcement, error bodies and fixtures (PROVIDERS.md §6, Flexiti)."""

from __future__ import annotations

from typing import Any

import requests

from tests.sandbox.conftest import Sim

REF = {"x-reference-id": "0123456789abcdef0123456789abcdef"}


class Fx:
    def __init__(self, sim: Sim, env: str = "training") -> None:
        self.sim = sim
        info = sim.env("flexiti", env)
        self.creds = info["credentials"]
        self.base = info["base_url"]
        self.token_url = info["token_url"]

    def token(self, creds: dict[str, Any] | None = None, **form: str) -> requests.Response:
        c = creds or self.creds
        data = {"client_id": c["client_id"], "client_secret": c["client_secret"], **form}
        return self.sim.http.post(self.token_url, data=data, timeout=5)

    def access(self, **form: str) -> str:
        response = self.token(**form)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def call(
        self,
        method: str,
        path: str,
        token: str,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        url = f"{self.base}/client-id/{self.creds['client_id']}{path}"
        return self.sim.http.request(
            method,
            url,
            timeout=5,
            **kwargs,
            headers={"Authorization": f"Bearer {token}", **(REF if headers is None else headers)},
        )


def test_client_credentials_default_grant_and_scope(sim: Sim) -> None:
    body = Fx(sim).token().json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1200
    assert body["scope"] == "merchant"
    assert sim.stats("flexiti", "training")["token_requests"] == {"client_credentials": 1}


def test_token_request_must_be_form_encoded(sim: Sim) -> None:
    fx = Fx(sim)
    c = fx.creds
    as_json = sim.http.post(
        fx.token_url,
        json={"client_id": c["client_id"], "client_secret": c["client_secret"]},
        timeout=5,
    )
    assert as_json.status_code == 409
    assert as_json.json()["error"] == "wrong_inputs"
    in_query = sim.http.post(
        fx.token_url,
        params={"grant_type": "client_credentials", "client_id": c["client_id"]},
        timeout=5,
    )
    assert in_query.status_code == 409


def test_keys_from_another_environment_are_invalid_client(sim: Sim) -> None:
    production_keys = Fx(sim, "production").creds
    response = Fx(sim).token(creds=production_keys)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"
    assert Fx(sim, "mi").token().status_code == 200


def test_password_grant_and_bad_grant_type(sim: Sim) -> None:
    fx = Fx(sim)
    ok = fx.token(
        grant_type="password", username=fx.creds["username"], password=fx.creds["password"]
    )
    assert ok.status_code == 200
    bad = fx.token(grant_type="magic")
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_request"


def test_refresh_works_before_expiry_only(sim: Sim) -> None:
    fx = Fx(sim)
    first = fx.token().json()
    sim.advance(600)
    second = fx.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200
    sim.advance(1201)
    late = fx.token(grant_type="refresh_token", refresh_token=second.json()["refresh_token"])
    assert late.status_code == 400
    assert late.json()["error"] == "invalid_grant"
    assert set(late.json()) == {"url", "message", "error", "field_errors"}


def test_expired_token_message(sim: Sim) -> None:
    fx = Fx(sim)
    token = fx.access()
    sim.advance(1200)
    response = fx.call("GET", "/customers/lookup", token, params={"account_number": "123456789"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert response.json()["message"] == "The access token provided has expired."


def test_x_reference_id_is_required_and_at_most_32_chars(sim: Sim) -> None:
    fx = Fx(sim)
    token = fx.access()
    missing = fx.call(
        "GET", "/customers/lookup", token, headers={}, params={"account_number": "123456789"}
    )
    assert missing.status_code == 409
    assert missing.json()["field_errors"] == [{"param": "x-reference-id", "msg": "required"}]
    too_long = fx.call(
        "GET",
        "/customers/lookup",
        token,
        headers={"x-reference-id": "x" * 33},
        params={"account_number": "123456789"},
    )
    assert too_long.json()["field_errors"][0]["msg"] == "invalid"


def test_customer_scope_is_refused_on_merchant_endpoints(sim: Sim) -> None:
    fx = Fx(sim)
    token = fx.access(scope="customer")
    search = fx.call(
        "GET",
        "/customers/search",
        token,
        params={"first_name": "John", "last_name": "Smith", "dob": "1900-01-01"},
    )
    assert search.status_code == 403
    assert fx.call("GET", "/i18n", token, params={"lang": "fr"}).json()["welcome"] == "Bienvenue"
    assert fx.call("POST", "/accounts/123456789/close", token).json() == {}


def test_scope_violation_can_be_401_invalid_token(sim: Sim) -> None:
    sim.config("flexiti", scope_violation_status=401)
    fx = Fx(sim)
    response = fx.call(
        "GET",
        "/customers/lookup",
        fx.access(scope="customer"),
        params={"account_number": "123456789"},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_customer_search_fixture(sim: Sim) -> None:
    fx = Fx(sim)
    found = fx.call(
        "GET",
        "/customers/search",
        fx.access(),
        params={"first_name": "John", "last_name": "Smith", "dob": "1900-01-01"},
    )
    assert found.status_code == 200
    [john] = found.json()
    assert john["customer_id"] == "123321"
    assert john["account_status"] == "N"
    assert john["available_credit"] == "659.51"
    missing = fx.call("GET", "/customers/search", fx.access(), params={"first_name": "John"})
    assert missing.status_code == 409
    assert {e["param"] for e in missing.json()["field_errors"]} == {"last_name", "dob"}


def test_lookup_covers_every_account_status(sim: Sim) -> None:
    fx = Fx(sim)
    token = fx.access()
    statuses = set()
    for account in ("123456789", "223344556", "334455667", "445566778", "556677889"):
        statuses.add(
            fx.call("GET", "/customers/lookup", token, params={"account_number": account}).json()[
                "account_status"
            ]
        )
    assert statuses == {"N", "A", "F", "Z", "C"}
    assert (
        fx.call("GET", "/customers/lookup", token, params={"account_number": "1"}).status_code
        == 404
    )


def test_authorization_needs_an_account_in_good_standing(sim: Sim) -> None:
    fx = Fx(sim)
    token = fx.access()
    ok = fx.call("POST", "/authorization", token, json={"account_number": 123456789, "amount": 50})
    assert ok.json()["approved"] is True
    frozen = fx.call(
        "POST", "/authorization", token, json={"account_number": 334455667, "amount": 50}
    )
    assert frozen.status_code == 409
    assert frozen.json()["error"] == "account_not_in_good_standing"


def test_path_client_id_must_match_the_token(sim: Sim) -> None:
    fx = Fx(sim)
    url = f"{fx.base}/client-id/someone-else/customers/lookup"
    response = sim.http.get(
        url,
        params={"account_number": "123456789"},
        timeout=5,
        headers={"Authorization": f"Bearer {fx.access()}", **REF},
    )
    assert response.status_code == 403


def test_untrusted_origin_when_loopback_is_removed_from_the_list(sim: Sim) -> None:
    sim.config("flexiti", trust_loopback=False)
    response = Fx(sim).token()
    assert response.status_code == 403
    assert response.json()["error"] == "untrusted_origin"


def test_environments_keep_tokens_apart(sim: Sim) -> None:
    training_token = Fx(sim).access()
    production = Fx(sim, "production")
    url = f"{production.base}/client-id/{production.creds['client_id']}/i18n"
    response = sim.http.get(
        url, headers={"Authorization": f"Bearer {training_token}", **REF}, timeout=5
    )
    assert response.status_code == 401


def test_merchant_integration_maintenance_window(sim: Sim) -> None:
    sim.config("flexiti", mi_maintenance=True)
    assert Fx(sim, "mi").token().status_code == 503
    assert Fx(sim).token().status_code == 200
