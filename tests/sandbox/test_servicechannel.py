"""ServiceChannel: login/API prefixes, Basic client auth, the token-endpoint limit, 401/504,
app and company throttles, /v3 routing and OData (PROVIDERS.md §6, ServiceChannel)."""

from __future__ import annotations

from typing import Any

import requests

from tests.sandbox.conftest import Sim

LOGIN_LIMIT = "Rejected by security reason: Login attempts limit exceed."


class SC:
    def __init__(self, sim: Sim, env: str = "sb2") -> None:
        self.sim = sim
        info = sim.env("servicechannel", env)
        self.creds = info["credentials"]
        self.base = info["base_url"]
        self.token_url = info["token_url"]

    def token(self, auth: tuple[str, str] | None = None, **form: str) -> requests.Response:
        c = self.creds
        data = {
            "grant_type": "password",
            "username": c["username"],
            "password": c["password"],
            **form,
        }
        return self.sim.http.post(
            self.token_url,
            data=data,
            timeout=5,
            allow_redirects=False,
            auth=auth or (c["client_id"], c["client_secret"]),
        )

    def access(self, **form: str) -> str:
        response = self.token(**form)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def get(self, path: str, token: str, **params: Any) -> requests.Response:
        return self.sim.http.get(
            self.base + path, params=params, timeout=5, headers={"Authorization": f"Bearer {token}"}
        )


def test_login_and_api_are_separate_prefixes(sim: Sim) -> None:
    sc = SC(sim)
    assert sc.token_url.endswith("/servicechannel/sb2login/oauth/token")
    assert sc.base.endswith("/servicechannel/sb2api")
    prod = SC(sim, "production")
    assert prod.token_url.endswith("/servicechannel/login/oauth/token")
    assert prod.base.endswith("/servicechannel/api")
    token = sc.access()
    on_login_host = sim.http.get(
        sc.token_url.replace("/oauth/token", "/v3/workorders"),
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert on_login_host.status_code == 404


def test_password_grant_lifetimes(sim: Sim) -> None:
    sc = SC(sim)
    body = sc.token().json()
    assert body["expires_in"] == 600
    assert body["token_type"] == "bearer"
    token, refresh = body["access_token"], body["refresh_token"]
    sim.advance(601)
    assert sc.get("/v3/workorders", token).status_code == 401
    sim.advance(29 * 86400)
    assert sc.token(grant_type="refresh_token", refresh_token=refresh).status_code == 200
    sim.advance(2 * 86400)
    assert sc.token(grant_type="refresh_token", refresh_token=refresh).status_code == 400


def test_bad_client_credentials_redirect_to_a_login_page(sim: Sim) -> None:
    response = SC(sim).token(auth=("SB.1.nope", "wrong"))
    assert response.status_code == 302
    assert "/Account/Login" in response.headers["Location"]
    assert response.headers["Content-Type"].startswith("text/html")


def test_bad_user_credentials_are_400_invalid_grant(sim: Sim) -> None:
    response = SC(sim).token(password="wrong")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_one_token_post_per_user_per_five_seconds(sim: Sim) -> None:
    sc = SC(sim)
    first = sc.token().json()
    again = sc.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert again.status_code == 429
    assert again.headers["Error-Message"] == LOGIN_LIMIT
    other_user = sc.token(
        username=sc.creds["readonly_username"], password=sc.creds["readonly_password"]
    )
    assert other_user.status_code == 200
    sim.advance(5)
    assert (
        sc.token(grant_type="refresh_token", refresh_token=first["refresh_token"]).status_code
        == 200
    )
    assert sim.stats("servicechannel", "sb2")["token_requests"] == {
        "password": 2,
        "refresh_token": 2,
    }


def test_refresh_keeps_the_refresh_token_unless_rotation_is_on(sim: Sim) -> None:
    sc = SC(sim)
    first = sc.token().json()
    sim.advance(5)
    kept = sc.token(grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert kept["refresh_token"] == first["refresh_token"]
    sim.config("servicechannel", refresh_rotates=True)
    sim.advance(5)
    rotated = sc.token(grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert rotated["refresh_token"] != first["refresh_token"]


def test_permission_failure_is_401_with_error_code_504(sim: Sim) -> None:
    sc = SC(sim)
    token = sc.access(
        username=sc.creds["readonly_username"], password=sc.creds["readonly_password"]
    )
    response = sim.http.post(
        sc.base + "/v3/workorders", json={}, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert response.status_code == 401
    body = response.json()
    assert body["ErrorCodes"] == [504]
    assert body["ErrorCode"] == "504"
    assert body["ErrorMessage"] == "API call rejected by security permissions"


def test_application_throttle_is_40_per_minute_in_sb2(sim: Sim) -> None:
    sc = SC(sim)
    token = sc.access()
    statuses = [sc.get("/v3/workorders/180000001", token).status_code for _ in range(41)]
    assert statuses == [200] * 40 + [429]
    limited = sc.get("/v3/workorders/180000001", token)
    assert limited.json()["Reason"] == (
        "Request has been throttled. Your current Application limit is [40] per [1] minute"
    )
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    sim.advance(60)
    assert sc.get("/v3/workorders/180000001", token).status_code == 200


def test_company_throttle_trips_independently(sim: Sim) -> None:
    sim.config("servicechannel", app_limit_per_min=1000, company_limit_per_min=3)
    sc = SC(sim)
    token = sc.access()
    statuses = [sc.get("/v3/workorders", token).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Company limit is [3]" in sc.get("/v3/workorders", token).json()["Reason"]


def test_legacy_throttle_status_503(sim: Sim) -> None:
    sim.config("servicechannel", company_limit_per_min=1, throttle_status=503)
    sc = SC(sim)
    token = sc.access()
    assert [sc.get("/v3/workorders", token).status_code for _ in range(2)] == [200, 503]


def test_version_routing(sim: Sim) -> None:
    sc = SC(sim)
    token = sc.access()
    assert sc.get("/v3/workorders/180000001", token).json()["Id"] == 180000001
    assert sc.get("/workorders/180000001", token).json()["Id"] == 180000001
    unknown = sc.get("/v9/workorders/180000001", token)
    assert unknown.status_code == 400
    assert unknown.json()["Error"]["Code"] == "UnsupportedApiVersion"
    assert sc.get("/v3/nosuchresource", token).json()["Error"]["Code"] == "UnsupportedApiVersion"


def test_odata_filter_select_top_skip_count(sim: Sim) -> None:
    sc = SC(sim)
    token = sc.access()
    body = sc.get(
        "/v3/odata/workorders",
        token,
        **{
            "$filter": "Status/Primary eq 'Open' and contains(Description,'order')",
            "$select": "Id,Nte",
            "$top": "5",
            "$skip": "2",
            "$count": "true",
            "$orderby": "Nte desc",
        },
    ).json()
    assert body["@odata.context"].endswith("$metadata#workorders(Id,Nte)")
    assert body["@odata.count"] == 20
    assert len(body["value"]) == 5
    assert all(set(row) == {"Id", "Nte"} for row in body["value"])
    ntes = [row["Nte"] for row in body["value"]]
    assert ntes == sorted(ntes, reverse=True)


def test_odata_locations_and_count_only(sim: Sim) -> None:
    sc = SC(sim)
    token = sc.access()
    ids = sc.get("/v3/odata/locations", token, **{"$select": "Id"}).json()
    assert ids["value"][0] == {"Id": 2006071467}
    assert "@odata.count" not in ids
    counted = sc.get(
        "/v3/odata/workorders", token, **{"$top": "0", "$count": "true", "$filter": "Nte ge 700"}
    ).json()
    assert counted["value"] == []
    assert counted["@odata.count"] == 15


def test_unsupported_odata_is_400(sim: Sim) -> None:
    sc = SC(sim)
    response = sc.get("/v3/odata/workorders", sc.access(), **{"$filter": "Nte between 1"})
    assert response.status_code == 400


def test_rest_list_clamps_page_size_to_50(sim: Sim) -> None:
    sc = SC(sim)
    token = sc.access()
    assert len(sc.get("/v3/workorders", token, page=1, pageSize=500).json()) == 50
    assert len(sc.get("/v3/workorders", token, page=2, pageSize=50).json()) == 10


def test_create_then_replica_lag_in_production_only(sim: Sim) -> None:
    order = {
        "ContractInfo": {
            "SubscriberId": 2014917243,
            "LocationId": 2006071467,
            "TradeName": "HVAC",
            "ProviderId": 2000090311,
        },
        "Category": "MAINTENANCE",
        "Priority": "P2 - Urgent",
        "Nte": 300,
        "CallDate": "2025-06-01T09:00:00",
        "Description": "No cooling",
    }
    for env, lagged in (("sb2", False), ("production", True)):
        sc = SC(sim, env)
        token = sc.access()
        created = sim.http.post(
            sc.base + "/v3/workorders",
            json=order,
            timeout=5,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201
        wid = created.json()["id"]
        first = sc.get(f"/v3/workorders/{wid}", token).status_code
        assert first == (404 if lagged else 200)
    sim.advance(31)
    assert sc.get(f"/v3/workorders/{wid}", token).status_code == 200


def test_create_validates_required_fields(sim: Sim) -> None:
    sc = SC(sim)
    response = sim.http.post(
        sc.base + "/v3/workorders",
        json={"Category": "X"},
        timeout=5,
        headers={"Authorization": f"Bearer {sc.access()}"},
    )
    assert response.status_code == 400
    assert "ContractInfo" in response.json()["ErrorMessage"]


def test_info_reports_plain_http_400_and_tls_12(sim: Sim) -> None:
    plain = sim.info()["providers"]["servicechannel"]["plain_http"]
    assert plain["status"] == 400
    assert plain["min_tls"] == "1.2"


def test_a_call_refused_by_the_company_limit_does_not_use_the_app_quota(sim: Sim) -> None:
    sim.config("servicechannel", app_limit_per_min=3, company_limit_per_min=2)
    sc = SC(sim)
    token = sc.access()
    statuses = [sc.get("/v3/workorders", token).status_code for _ in range(5)]
    assert statuses == [200, 200, 429, 429, 429]
    sim.config("servicechannel", company_limit_per_min=100)
    assert sc.get("/v3/workorders", token).status_code == 200  # the app's third call
    assert "Application limit is [3]" in sc.get("/v3/workorders", token).json()["Reason"]
