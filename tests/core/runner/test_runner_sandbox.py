"""The runner against the embedded sandbox through ``ApiSession``: PCE's 1,000 per 10 s limit
under concurrency with zero 429s, one token request for a pool on an expired token, an id
captured from a create, and 5xx faults reported while the run goes on."""

from __future__ import annotations

from pathlib import Path

from explorer.core.models import Body, BodyMode, KeyValue
from explorer.core.providers import RateLimit
from explorer.core.runner.model import Outcome
from explorer.core.runner.senders import SessionSender
from tests.core.runner.helpers import capture, jsonpath, request, run, status, write
from tests.core.test_pipeline_sandbox import RESOURCE, Clock, session


def test_pce_limit_holds_under_concurrency_with_zero_429s(sb, client, tmp_path: Path) -> None:
    pce = session(sb, client, "pce", rate_limits=(RateLimit(1000, 10.0),))
    directory = write(tmp_path, request("customer", RESOURCE["pce"], 0, assertions=(status(200),)))
    result = run(directory, SessionSender(pce), iterations=1100, concurrency=8)
    stats = sb.stats("pce")
    assert stats["status_429"] == 0
    assert stats["api_calls"] == 1100
    assert result.count(Outcome.PASSED) == 1100
    assert result.ok


def test_a_pool_on_an_expired_token_makes_one_token_request(sb, client, tmp_path) -> None:
    clock = Clock(sb)
    priceedge = session(sb, client, "priceedge", clock=clock)
    directory = write(tmp_path, request("items", RESOURCE["priceedge"], 0))
    run(directory, SessionSender(priceedge))
    assert sb.stats("priceedge")["token_requests_total"] == 1
    clock.advance(4000)  # past the one-hour lifetime: every worker finds the token stale
    result = run(directory, SessionSender(priceedge), iterations=60, concurrency=16)
    assert result.ok, [r.failures for r in result.results][:3]
    stats = sb.stats("priceedge")
    assert stats["token_requests_total"] == 2
    assert stats["status_401"] == 0


def test_an_id_captured_from_a_create_feeds_the_next_request(sb, client, tmp_path) -> None:
    pce = session(sb, client, "pce")
    body = Body(BodyMode.JSON, '{"externalId": "RUN-{{n}}", "business": {"legalName": "Run"}}')
    create = request(
        "create",
        "/v1/customer",
        0,
        "POST",
        headers=(KeyValue("Content-Type", "application/json"),),
        body=body,
        assertions=(status(201),),
        captures=(capture("customer_id", "$.id"),),
    )
    fetch = request(
        "fetch",
        "/v1/customer/{{customer_id}}",
        1,
        assertions=(status(200), jsonpath("$.business.legalName", '"Run"')),
    )
    rows = tuple({"n": str(n)} for n in range(4))
    result = run(write(tmp_path, create, fetch), SessionSender(pce), data=rows, concurrency=3)
    assert result.ok, [r.failures for r in result.results]
    fetched = [r.url.rsplit("/", 1)[1] for r in result.ordered if r.name == "fetch"]
    assert len(set(fetched)) == 4
    assert all(n.isdigit() for n in fetched)


def test_5xx_faults_are_reported_and_the_run_goes_on(sb, client, tmp_path) -> None:
    sb.call("faults", {"provider": "pce", "error_next": 2, "error_status": 503})
    pce = session(sb, client, "pce")
    directory = write(tmp_path, request("customer", RESOURCE["pce"], 0))
    result = run(directory, SessionSender(pce), iterations=5)
    assert [r.status for r in result.ordered] == [503, 503, 200, 200, 200]
    assert [r.outcome for r in result.ordered][:3] == [
        Outcome.FAILED,
        Outcome.FAILED,
        Outcome.PASSED,
    ]
    assert not result.ok
