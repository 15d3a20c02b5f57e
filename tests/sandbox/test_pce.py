"""PCE: out-of-band tokens with kinds and roles, EC-AUTH-0001, isolation, the 1,000/10 s limit,
CRUD conventions and paging (PROVIDERS.md §6, PCE)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from tests.sandbox.conftest import Sim

AUTH = "EC-AUTH-0001"


def tokens(sim: Sim, env: str = "sandbox") -> dict[str, str]:
    listed = sim.env("pce", env)["credentials"]["static_tokens"]
    return {t["name"]: t["token"] for t in listed}


def call(
    sim: Sim, method: str, path: str, token: str | None, env: str = "sandbox", **kwargs: Any
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(kwargs.pop("headers", {}))
    return sim.http.request(
        method, f"{sim.url}/pce/{env}{path}", headers=headers, timeout=5, **kwargs
    )


def test_info_lists_both_token_kinds_with_roles_and_expiry(sim: Sim) -> None:
    listed = sim.env("pce", "sandbox")["credentials"]["static_tokens"]
    kinds = {t["kind"] for t in listed}
    assert kinds == {"program_manager", "customer"}
    customer = next(t for t in listed if t["name"] == "customer-1001")
    assert customer["customer_id"] == 1001
    assert {"resource": "customer", "access": "write"} in customer["roles"]
    assert all(t["expires_at"].endswith("Z") for t in listed)


def test_missing_invalid_and_expired_tokens_get_401_ec_auth(sim: Sim) -> None:
    for token in (None, "not-a-token", tokens(sim)["expired"]):
        response = call(sim, "GET", "/v1/customer/1001", token)
        assert response.status_code == 401
        assert response.json()["errorCode"] == AUTH


def test_tokens_expire_when_the_clock_passes_their_lifetime(sim: Sim) -> None:
    token = tokens(sim)["program-manager-write"]
    assert call(sim, "GET", "/v1/customer/1001", token).status_code == 200
    sim.advance(31 * 86400)
    assert call(sim, "GET", "/v1/customer/1001", token).status_code == 401


def test_customer_token_sees_only_its_own_customer(sim: Sim) -> None:
    token = tokens(sim)["customer-1001"]
    assert call(sim, "GET", "/v1/customer/1001", token).json()["id"] == 1001
    other = call(sim, "GET", "/v1/customer/1002", token)
    assert other.status_code == 401
    assert other.json()["errorCode"] == AUTH
    listed = call(sim, "GET", "/v1/customer", token).json()
    assert [c["id"] for c in listed["data"]] == [1001]
    payments = call(sim, "GET", "/v1/payments", token, params={"limit": 100}).json()["data"]
    assert payments
    assert {p["customerId"] for p in payments} == {1001}


def test_read_role_cannot_write(sim: Sim) -> None:
    token = tokens(sim)["program-manager-read"]
    assert call(sim, "GET", "/v1/customer/1003", token).status_code == 200
    response = call(sim, "POST", "/v1/customer/1003", token, json={"metaData": {}})
    assert response.status_code == 401
    assert sim.last_rule() == "pce.auth.role"


def test_violation_status_is_configurable(sim: Sim) -> None:
    sim.config("pce", scope_violation_status=403)
    response = call(sim, "GET", "/v1/customer/1002", tokens(sim)["customer-1001"])
    assert response.status_code == 403


def test_create_gives_201_location_and_url_headers(sim: Sim) -> None:
    token = tokens(sim)["program-manager-write"]
    response = call(
        sim,
        "POST",
        "/v1/customer",
        token,
        json={"externalId": "NEW-1", "business": {"legalName": "New LLC"}},
    )
    assert response.status_code == 201
    location = response.headers["Location"]
    assert location == response.headers["url"]
    assert location.startswith("/pce/sandbox/v1/customer/")
    created = sim.http.get(
        sim.url + location, headers={"Authorization": f"Bearer {token}"}, timeout=5
    ).json()
    assert created["externalId"] == "NEW-1"
    assert {"createdOn", "createdBy", "lastUpdatedOn", "lastUpdatedBy"} <= created.keys()


def test_update_by_post_is_partial_204_and_null_clears(sim: Sim) -> None:
    token = tokens(sim)["program-manager-write"]
    response = call(
        sim,
        "POST",
        "/v1/customer/1001",
        token,
        json={"business": {"legalName": "Renamed"}, "metaData": None},
    )
    assert response.status_code == 204
    assert response.content == b""
    record = call(sim, "GET", "/v1/customer/externalId/CUST-0001", token).json()
    assert record["business"]["legalName"] == "Renamed"
    assert "metaData" not in record
    assert record["account"] == {"url": "/v1/account/4000"}


def test_delete_gives_204_then_404(sim: Sim) -> None:
    token = tokens(sim)["program-manager-write"]
    assert call(sim, "DELETE", "/v1/customer/1005", token).status_code == 204
    assert call(sim, "GET", "/v1/customer/1005", token).status_code == 404


def test_metadata_over_50_keys_is_ec_va_0005(sim: Sim) -> None:
    token = tokens(sim)["program-manager-write"]
    meta = {f"k{n}": "v" for n in range(51)}
    response = call(sim, "POST", "/v1/customer", token, json={"metaData": meta})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "EC-VA-0005"


def test_duplicate_external_id_is_422_business_rule(sim: Sim) -> None:
    token = tokens(sim)["program-manager-write"]
    response = call(sim, "POST", "/v1/customer", token, json={"externalId": "CUST-0001"})
    assert response.status_code == 422
    assert response.json()["errorCode"].startswith("EC-BL-")


def test_wrong_content_type_is_415(sim: Sim) -> None:
    token = tokens(sim)["program-manager-write"]
    response = call(
        sim,
        "POST",
        "/v1/customer",
        token,
        data="x=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415


def test_limit_offset_paging_walks_every_payment_once(sim: Sim) -> None:
    token = tokens(sim)["program-manager-read"]
    seen: list[int] = []
    offset = 0
    while True:
        page = call(
            sim, "GET", "/v1/payments", token, params={"limit": 25, "offset": offset}
        ).json()
        seen += [p["id"] for p in page["data"]]
        if len(page["data"]) < 25:
            break
        offset += 25
    assert len(seen) == len(set(seen)) == page["total"] == 60


def test_list_by_post_filters(sim: Sim) -> None:
    token = tokens(sim)["program-manager-read"]
    response = call(
        sim, "POST", "/v1/customer/list", token, json={"filters": {"externalId": "CUST-0003"}}
    )
    assert [c["id"] for c in response.json()["data"]] == [1003]


def test_simulate_exists_only_in_the_sandbox_environment(sim: Sim) -> None:
    sandbox = call(sim, "POST", "/v1/simulate/declined", tokens(sim)["program-manager-write"])
    assert sandbox.json()["status"] == "DECLINED"
    live = call(
        sim,
        "POST",
        "/v1/simulate/declined",
        tokens(sim, "live")["program-manager-write"],
        env="live",
    )
    assert live.status_code == 404


def test_environments_have_separate_tokens(sim: Sim) -> None:
    live_token = tokens(sim, "live")["program-manager-write"]
    assert call(sim, "GET", "/v1/customer/1001", live_token).status_code == 401
    assert call(sim, "GET", "/v1/customer/1001", live_token, env="live").status_code == 200


def test_rate_limit_drops_calls_until_the_window_resets(sim: Sim) -> None:
    sim.config("pce", rate_limit_requests=5)
    token = tokens(sim)["program-manager-read"]
    statuses = [call(sim, "GET", "/v1/customer/1001", token).status_code for _ in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    limited = call(sim, "GET", "/v1/customer/1001", token)
    assert int(limited.headers["Retry-After"]) in range(1, 11)
    assert call(sim, "GET", "/v1/customer/1001", token, env="live").status_code == 401  # own bucket
    sim.advance(10)
    assert call(sim, "GET", "/v1/customer/1001", token).status_code == 200


def test_the_real_limit_is_1000_per_10_seconds(sim: Sim) -> None:
    token = tokens(sim)["program-manager-read"]
    url = f"{sim.url}/pce/sandbox/v1/customer/1001"
    started = time.monotonic()

    def burst(n: int) -> list[int]:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            return [session.get(url, timeout=5).status_code for _ in range(n)]

    with ThreadPoolExecutor(4) as pool:
        statuses = [s for chunk in pool.map(burst, [250] * 4) for s in chunk]
    assert time.monotonic() - started < 10, "the burst must fit in one window"
    assert statuses.count(200) == 1000
    extra = call(sim, "GET", "/v1/customer/1001", token)
    assert extra.status_code == 429
    assert sim.stats("pce", "sandbox")["status_429"] == 1


def test_reporting_pages_with_size_and_from(sim: Sim) -> None:
    token = tokens(sim)["program-manager-read"]
    first = call(sim, "GET", "/v1/reports/payments", token, params={"size": 40, "from": 0}).json()
    rest = call(sim, "GET", "/v1/reports/payments", token, params={"size": 40, "from": 40}).json()
    assert (len(first["data"]), len(rest["data"])) == (40, 20)
    assert first["total"] == 60
    assert {p["id"] for p in first["data"]}.isdisjoint(p["id"] for p in rest["data"])


def test_promise_mode_answers_202_with_location(sim: Sim) -> None:
    token = tokens(sim)["program-manager-write"]
    response = call(
        sim,
        "POST",
        "/v1/customer",
        token,
        headers={"Prefer": "respond-async"},
        json={"business": {"legalName": "Later LLC"}},
    )
    assert response.status_code == 202
    assert response.json()["status"] == "PENDING"
    follow = sim.http.get(
        sim.url + response.headers["Location"],
        timeout=5,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert follow.json()["business"]["legalName"] == "Later LLC"


def test_processed_with_a_warning_is_299(sim: Sim) -> None:
    token = tokens(sim)["program-manager-write"]
    response = call(sim, "POST", "/v1/customer", token, json={"externalId": "NO-NAME"})
    assert response.status_code == 299
    assert response.headers["Warning"].startswith("299 ")
    assert response.json()["externalId"] == "NO-NAME"


def test_unsupported_method_is_405(sim: Sim) -> None:
    token = tokens(sim)["program-manager-write"]
    assert call(sim, "PUT", "/v1/customer/1001", token, json={}).status_code == 405
    assert call(sim, "DELETE", "/v1/customer", token).status_code == 405
