"""PriceEdge: the OWIN-style /token, the client_id header, ApiKey auth, the envelope and body
paging (PROVIDERS.md §6, PriceEdge)."""

from __future__ import annotations

import requests

from tests.sandbox.conftest import Sim

DENIED = "Authorization has been denied for this request."


class PriceEdge:
    def __init__(self, sim: Sim) -> None:
        self.sim = sim
        info = sim.env("priceedge", "sandbox")
        self.creds = info["credentials"]
        self.base = info["base_url"]
        self.token_url = info["token_url"]

    def token(self, **form: str) -> requests.Response:
        c = self.creds
        data = {
            "grant_type": "password",
            "username": c["username"],
            "password": c["password"],
            "client_id": c["client_id"],
            **form,
        }
        return self.sim.http.post(self.token_url, data=data, timeout=5)

    def bearer(self, token: str, client_id: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        headers["client_id"] = self.creds["client_id"] if client_id is None else client_id
        return headers


def test_password_grant_returns_owin_fields(sim: Sim) -> None:
    p = PriceEdge(sim)
    body = p.token().json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1200
    assert body["as:client_id"] == p.creds["client_id"]
    assert body["userName"] == p.creds["username"]
    assert body[".issued"].endswith("GMT")
    assert body[".expires"].endswith("GMT")
    assert body["refresh_token"]


def test_token_endpoint_is_form_only(sim: Sim) -> None:
    p = PriceEdge(sim)
    c = p.creds
    response = sim.http.post(
        p.token_url,
        json={
            "grant_type": "password",
            "username": c["username"],
            "password": c["password"],
            "client_id": c["client_id"],
        },
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_bad_credentials_are_403(sim: Sim) -> None:
    response = PriceEdge(sim).token(password="wrong")
    assert response.status_code == 403
    assert response.json()["error"] == "invalid_grant"


def test_bad_credentials_status_can_mimic_owin_400(sim: Sim) -> None:
    sim.config("priceedge", bad_credentials_status=400)
    assert PriceEdge(sim).token(password="wrong").status_code == 400


def test_refresh_rotates_and_the_old_refresh_token_dies(sim: Sim) -> None:
    p = PriceEdge(sim)
    first = p.token().json()
    second = p.token(grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    replay = p.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_refresh_without_rotation_when_configured(sim: Sim) -> None:
    sim.config("priceedge", refresh_rotates=False)
    p = PriceEdge(sim)
    first = p.token().json()
    second = p.token(grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] == first["refresh_token"]


def test_refresh_token_lives_five_days(sim: Sim) -> None:
    p = PriceEdge(sim)
    refresh = p.token().json()["refresh_token"]
    sim.advance(5 * 86400 + 1)
    assert p.token(grant_type="refresh_token", refresh_token=refresh).status_code == 400


def test_bearer_call_needs_the_matching_client_id_header(sim: Sim) -> None:
    p = PriceEdge(sim)
    token = p.token().json()["access_token"]
    ok = sim.http.get(p.base + "/api/tables/item", headers=p.bearer(token), timeout=5)
    assert ok.status_code == 200
    for client_id in ("", "someone-else"):
        headers = p.bearer(token, client_id)
        if not client_id:
            del headers["client_id"]
        denied = sim.http.get(p.base + "/api/tables/item", headers=headers, timeout=5)
        assert denied.status_code == 401
        assert denied.json() == {"Message": DENIED}


def test_expired_bearer_is_401_with_the_web_api_message(sim: Sim) -> None:
    p = PriceEdge(sim)
    token = p.token().json()["access_token"]
    sim.advance(1201)
    response = sim.http.get(p.base + "/api/tables/item", headers=p.bearer(token), timeout=5)
    assert response.status_code == 401
    assert response.json()["Message"] == DENIED


def test_apikey_scheme_is_case_sensitive_and_needs_the_colon(sim: Sim) -> None:
    p = PriceEdge(sim)
    c = p.creds
    url = p.base + "/api/tables/item"
    good = sim.http.get(
        url, headers={"Authorization": f"ApiKey {c['username']}:{c['password']}"}, timeout=5
    )
    assert good.status_code == 200
    for value in (
        f"apikey {c['username']}:{c['password']}",
        f"ApiKey {c['username']}{c['password']}",
        f"ApiKey {c['username']}:wrong",
    ):
        assert sim.http.get(url, headers={"Authorization": value}, timeout=5).status_code == 401


def test_item_metadata_comes_from_the_seed_in_the_envelope(sim: Sim) -> None:
    p = PriceEdge(sim)
    token = p.token().json()["access_token"]
    body = sim.http.get(p.base + "/api/tables/item", headers=p.bearer(token), timeout=5).json()
    assert body["Succeeded"] is True
    assert body["Errors"] == []
    names = [c["name"] for c in body["Data"]]
    assert "CostForPricing" in names
    assert "cd_PriceGroup" in names
    assert all(c["table_name"] == "Item" for c in body["Data"])


def test_unknown_table_is_a_business_failure(sim: Sim) -> None:
    p = PriceEdge(sim)
    token = p.token().json()["access_token"]
    body = sim.http.get(p.base + "/api/tables/nope", headers=p.bearer(token), timeout=5).json()
    assert body["Succeeded"] is False
    assert body["Data"] is None
    assert body["Errors"]


def test_table_rows_page_with_filters_and_total(sim: Sim) -> None:
    p = PriceEdge(sim)
    headers = p.bearer(p.token().json()["access_token"])
    url = p.base + "/api/tables/item"
    pages = []
    page = 1
    while True:
        data = sim.http.post(
            url, json={"page": page, "nrOfRecords": 50}, headers=headers, timeout=5
        ).json()["Data"]
        pages.append(data)
        if len(data["data"]) < 50:
            break
        page += 1
    assert [len(d["data"]) for d in pages] == [50, 50, 20]
    assert pages[0]["totalRecords"] == 120
    assert pages[2]["page"] == 3
    filtered = sim.http.post(
        url,
        headers=headers,
        timeout=5,
        json={
            "page": 1,
            "nrOfRecords": 50,
            "bypassTotalCount": True,
            "fields": ["Number"],
            "filters": [
                {"columnName": "cd_ItemNumber", "op": "containsAny", "value": "ITEM001,ITEM002"}
            ],
        },
    ).json()["Data"]
    assert filtered["data"] == [{"Number": "ITEM001"}, {"Number": "ITEM002"}]
    assert filtered["totalRecords"] is None


def test_bad_filter_op_is_reported_in_errors(sim: Sim) -> None:
    p = PriceEdge(sim)
    headers = p.bearer(p.token().json()["access_token"])
    body = sim.http.post(
        p.base + "/api/tables/item",
        headers=headers,
        timeout=5,
        json={"filters": [{"columnName": "Number", "op": "like", "value": "x"}]},
    ).json()
    assert body["Succeeded"] is False
    assert "like" in body["Errors"][0]


def test_price_lists_page_like_tables(sim: Sim) -> None:
    p = PriceEdge(sim)
    headers = p.bearer(p.token().json()["access_token"])
    data = sim.http.post(
        p.base + "/api/PriceObjects/pricelists",
        headers=headers,
        timeout=5,
        json={"page": 1, "nrOfRecords": 2},
    ).json()["Data"]
    assert [row["Code"] for row in data["data"]] == ["PL-STANDARD", "PL-WHOLESALE"]
    assert data["totalRecords"] == 3
