"""The /_sandbox control plane: info, clock, reset, log, faults, revoke, stats, config, and the
in-process ``start_sandbox`` contract."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from explorer.sandbox import start_sandbox
from tests.sandbox.conftest import Sim

PROVIDERS = {
    "pce": {"sandbox", "live"},
    "procode": {"dev1", "dev2"},
    "priceedge": {"sandbox"},
    "servicechannel": {"sb2", "production"},
    "flexiti": {"training", "mi", "production"},
}


def flexiti_token(sim: Sim) -> str:
    creds = sim.env("flexiti", "training")["credentials"]
    response = sim.http.post(
        sim.env("flexiti", "training")["token_url"],
        timeout=5,
        data={"client_id": creds["client_id"], "client_secret": creds["client_secret"]},
    )
    return str(response.json()["access_token"])


def flexiti_get(sim: Sim, token: str) -> requests.Response:
    env = sim.env("flexiti", "training")
    return sim.http.get(
        f"{env['base_url']}/client-id/{env['credentials']['client_id']}/i18n",
        headers={"Authorization": f"Bearer {token}", "x-reference-id": "r1"},
        timeout=5,
    )


def test_info_describes_every_provider_and_environment(sim: Sim) -> None:
    info = sim.info()
    assert info["sandbox"]["base_url"] == sim.url
    assert {p: set(v["environments"]) for p, v in info["providers"].items()} == PROVIDERS
    for provider_id, provider in info["providers"].items():
        assert "behaviour" in provider["plain_http"]
        for env in provider["environments"].values():
            assert env["base_url"].startswith(f"{sim.url}/{provider_id}/")
            assert env["auth_kind"]
            assert env["credentials"]
            assert "token_url" in env


def test_info_method_matches_the_endpoint(sim: Sim) -> None:
    assert sim.sandbox.info() == sim.info()


def test_demo_credentials_are_the_same_on_every_start(sim: Sim) -> None:
    with start_sandbox() as other:
        theirs = other.info()["providers"]
    ours = sim.info()["providers"]
    for provider in ("procode", "servicechannel", "flexiti", "priceedge"):
        for env in PROVIDERS[provider]:
            assert (
                theirs[provider]["environments"][env]["credentials"]
                == ours[provider]["environments"][env]["credentials"]
            )


def test_context_manager_stops_the_server() -> None:
    with start_sandbox(token_ttl=5) as sandbox:
        url = sandbox.base_url
        assert requests.get(f"{url}/_sandbox/info", timeout=5).json()["sandbox"]["token_ttl_s"] == 5
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_sandbox/info", timeout=2)


def test_token_ttl_shortens_every_access_token() -> None:
    with start_sandbox(token_ttl=7) as sandbox:
        env = sandbox.info()["providers"]["flexiti"]["environments"]["training"]
        creds = env["credentials"]
        body = requests.post(
            env["token_url"],
            timeout=5,
            data={"client_id": creds["client_id"], "client_secret": creds["client_secret"]},
        ).json()
        assert body["expires_in"] == 7


def test_clock_advances_and_rejects_going_back(sim: Sim) -> None:
    before = sim.http.get(f"{sim.url}/_sandbox/clock", timeout=5).json()
    after = sim.http.post(f"{sim.url}/_sandbox/clock", json={"advance": 3600}, timeout=5).json()
    assert after["offset_s"] == before["offset_s"] + 3600
    assert after["now"] > before["now"]
    for bad in ({"advance": -1}, {"advance": "soon"}, {}, {"advance": 1e300}):
        response = sim.http.post(f"{sim.url}/_sandbox/clock", json=bad, timeout=5)
        assert response.status_code == 400
        assert response.json()["error"].endswith(".")


def test_reset_reseeds_data_and_forgets_tokens(sim: Sim) -> None:
    token = flexiti_token(sim)
    assert flexiti_get(sim, token).status_code == 200
    sim.advance(100)
    assert sim.http.post(f"{sim.url}/_sandbox/reset", timeout=5).status_code == 200
    assert flexiti_get(sim, token).status_code == 401
    assert sim.http.get(f"{sim.url}/_sandbox/clock", timeout=5).json()["offset_s"] == 0
    assert sim.stats("flexiti", "training")["token_requests_total"] == 0


def test_log_names_the_rule_that_answered(sim: Sim) -> None:
    flexiti_get(sim, "bogus")
    entry = sim.http.get(f"{sim.url}/_sandbox/log?limit=1", timeout=5).json()["entries"][-1]
    assert entry["rule"] == "flexiti.auth.invalid"
    assert entry["status"] == 401
    assert entry["provider"] == "flexiti"
    assert entry["environment"] == "training"
    assert entry["path"].endswith("/i18n")


def test_fault_next_n_5xx_then_normal(sim: Sim) -> None:
    sim.http.post(
        f"{sim.url}/_sandbox/faults",
        json={"provider": "flexiti", "error_next": 2, "error_status": 502},
        timeout=5,
    )
    token_urls = [flexiti_token_status(sim) for _ in range(3)]
    assert token_urls == [502, 502, 200]
    assert sim.stats("flexiti", "training")["status_5xx"] == 2


def flexiti_token_status(sim: Sim) -> int:
    env = sim.env("flexiti", "training")
    creds = env["credentials"]
    return sim.http.post(
        env["token_url"],
        timeout=5,
        data={"client_id": creds["client_id"], "client_secret": creds["client_secret"]},
    ).status_code


def test_fault_error_rate_hits_some_but_not_all(sim: Sim) -> None:
    sim.http.post(
        f"{sim.url}/_sandbox/faults", json={"provider": "flexiti", "error_rate": 0.5}, timeout=5
    )
    statuses = [flexiti_token_status(sim) for _ in range(40)]
    assert 5 < statuses.count(503) < 35
    assert statuses.count(200) == 40 - statuses.count(503)


def test_fault_malformed_json(sim: Sim) -> None:
    sim.http.post(
        f"{sim.url}/_sandbox/faults",
        json={"provider": "flexiti", "malformed_json": True},
        timeout=5,
    )
    env = sim.env("flexiti", "training")
    creds = env["credentials"]
    response = sim.http.post(
        env["token_url"],
        timeout=5,
        data={"client_id": creds["client_id"], "client_secret": creds["client_secret"]},
    )
    assert response.status_code == 200
    with pytest.raises(requests.JSONDecodeError):
        response.json()


def test_fault_dropped_connection(sim: Sim) -> None:
    sim.http.post(
        f"{sim.url}/_sandbox/faults", json={"provider": "pce", "drop_connection": True}, timeout=5
    )
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{sim.url}/pce/sandbox/v1/customer/1", timeout=5)
    sim.http.post(f"{sim.url}/_sandbox/faults", json={"provider": "pce", "clear": True}, timeout=5)
    assert requests.get(f"{sim.url}/pce/sandbox/v1/customer/1", timeout=5).status_code == 401


def test_fault_drop_and_malformed_rates_hit_a_fraction(sim: Sim) -> None:
    faults = {"provider": "pce", "drop_rate": 0.3, "malformed_rate": 0.3}
    sim.http.post(f"{sim.url}/_sandbox/faults", json=faults, timeout=5)
    dropped = malformed = answered = 0
    for _ in range(60):
        try:
            response = requests.get(f"{sim.url}/pce/sandbox/v1/customer/1", timeout=5)
        except requests.ConnectionError:
            dropped += 1
            continue
        answered += 1
        malformed += "+fault.malformed_json" in response.headers["X-Sandbox-Rule"]
    assert 5 < dropped < 40
    assert 3 < malformed < answered


def test_fault_latency(sim: Sim) -> None:
    sim.http.post(
        f"{sim.url}/_sandbox/faults", json={"provider": "pce", "latency_ms": 300}, timeout=5
    )
    started = time.monotonic()
    requests.get(f"{sim.url}/pce/sandbox/v1/customer/1", timeout=5)
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    requests.get(f"{sim.url}/_sandbox/info", timeout=5)
    assert time.monotonic() - started < 0.3, "faults apply to their provider only"


def test_faults_reject_unknown_options(sim: Sim) -> None:
    for bad in (
        {"provider": "nope"},
        {"provider": "pce", "explode": True},
        {"provider": "pce", "error_rate": 2},
        {"provider": "pce", "drop_rate": -0.1},
        {"provider": "pce", "malformed_rate": 1.5},
        {"provider": "pce", "latency_ms": "x"},
    ):
        response = sim.http.post(f"{sim.url}/_sandbox/faults", json=bad, timeout=5)
        assert response.status_code == 400, bad


def test_revoke_access_keeps_refresh_working(sim: Sim) -> None:
    env = sim.env("flexiti", "training")
    creds = env["credentials"]
    body = sim.http.post(
        env["token_url"],
        timeout=5,
        data={"client_id": creds["client_id"], "client_secret": creds["client_secret"]},
    ).json()
    revoked = sim.http.post(
        f"{sim.url}/_sandbox/revoke",
        timeout=5,
        json={"provider": "flexiti", "environment": "training"},
    )
    assert revoked.json()["revoked"] == 1
    assert flexiti_get(sim, body["access_token"]).status_code == 401
    refreshed = sim.http.post(
        env["token_url"],
        timeout=5,
        data={
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
        },
    )
    assert refreshed.status_code == 200
    assert flexiti_get(sim, refreshed.json()["access_token"]).status_code == 200


def test_revoke_with_refresh_kills_refresh_tokens_too(sim: Sim) -> None:
    env = sim.env("priceedge", "sandbox")
    c = env["credentials"]
    body = sim.http.post(
        env["token_url"],
        timeout=5,
        data={
            "grant_type": "password",
            "username": c["username"],
            "password": c["password"],
            "client_id": c["client_id"],
        },
    ).json()
    sim.http.post(
        f"{sim.url}/_sandbox/revoke",
        timeout=5,
        json={"provider": "priceedge", "environment": "sandbox", "refresh": True},
    )
    again = sim.http.post(
        env["token_url"],
        timeout=5,
        data={
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": c["client_id"],
        },
    )
    assert again.status_code == 400


def test_revoke_pce_static_tokens(sim: Sim) -> None:
    token = sim.env("pce", "live")["credentials"]["static_tokens"][0]["token"]
    url = f"{sim.url}/pce/live/v1/customer/1001"
    assert sim.http.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5).ok
    sim.http.post(
        f"{sim.url}/_sandbox/revoke", json={"provider": "pce", "environment": "live"}, timeout=5
    )
    assert (
        sim.http.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code
        == 401
    )
    bad = sim.http.post(
        f"{sim.url}/_sandbox/revoke", json={"provider": "pce", "environment": "mars"}, timeout=5
    )
    assert bad.status_code == 400


def test_stats_are_exact_under_concurrency(sim: Sim) -> None:
    token = flexiti_token(sim)

    env = sim.env("flexiti", "training")
    url = f"{env['base_url']}/client-id/{env['credentials']['client_id']}/i18n"
    headers = {"Authorization": f"Bearer {token}", "x-reference-id": "r1"}

    def one(_: int) -> int:
        return requests.get(url, headers=headers, timeout=10).status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(one, range(200)))
    assert statuses == [200] * 200
    stats = sim.stats("flexiti", "training")
    assert stats["api_calls"] == 200
    assert stats["token_requests"] == {"client_credentials": 1}
    assert stats["status_401"] == 0
    flexiti_get(sim, "bogus")
    assert sim.stats("flexiti", "training")["status_401"] == 1


def test_config_validates_names_and_types(sim: Sim) -> None:
    listed = sim.http.get(f"{sim.url}/_sandbox/config", timeout=5).json()
    assert listed["pce"]["rate_limit_requests"]["value"] == 1000
    for bad in (
        {"provider": "pce", "settings": {"nope": 1}},
        {"provider": "pce", "settings": {"retry_after": "yes"}},
        {"provider": "pce", "settings": []},
    ):
        response = sim.http.post(f"{sim.url}/_sandbox/config", json=bad, timeout=5)
        assert response.status_code == 400, bad


def test_unknown_routes_answer_404_json(sim: Sim) -> None:
    for path in ("/nope/x", "/pce/mars/v1/customer/1", "/_sandbox/nope", "/"):
        response = sim.http.get(sim.url + path, timeout=5)
        assert response.status_code == 404
        assert response.json()


def test_stop_ends_idle_keep_alive_connections() -> None:
    import threading

    sandbox = start_sandbox()
    session = requests.Session()
    assert session.get(f"{sandbox.base_url}/_sandbox/info", timeout=5).ok
    name = f"api-explorer-sandbox-{sandbox.port}-connection"
    handlers = [t for t in threading.enumerate() if t.name == name]
    assert handlers
    sandbox.stop()
    for thread in handlers:
        thread.join(5)
    assert not any(t.is_alive() for t in handlers)
    session.close()


def test_a_bad_content_length_is_400(sim: Sim) -> None:
    import socket

    host, port = sim.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(
            b"POST /pce/sandbox/v1/customer HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n"
        )
        reply = conn.recv(4096)
    assert reply.startswith(b"HTTP/1.1 400")
