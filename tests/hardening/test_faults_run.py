"""A 1,000-request collection run through the real runner, a PriceEdge ``ApiSession`` (demo
credentials in a session-only store) and the embedded sandbox while it injects latency, 5xx
answers, malformed JSON and dropped connections into a fraction of the traffic: the run
finishes in bounded time, every request has exactly one result, each injected failure is a
failed result whose reason says what happened in one sentence, the rest pass, the totals add
up against the sandbox's own counts, both reports list every result, and no thread survives."""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from explorer.core.http import HttpClient
from explorer.core.runner.engine import Runner, RunOptions
from explorer.core.runner.model import Outcome, RequestResult, RunResult
from explorer.core.runner.plan import plan_collection
from explorer.core.runner.reports import to_json, to_junit, write_report
from explorer.core.runner.senders import SessionSender
from tests.core.runner.helpers import jsonpath, request, status, write
from tests.core.test_pipeline_sandbox import RESOURCE, Sandbox, session

REQUESTS = 1000
CONCURRENCY = 8
DEADLINE_S = 60.0  # the run takes a few seconds; a hang fails here instead of stalling CI
FAULTS = {
    "provider": "priceedge",
    "latency_ms": 2,
    "error_rate": 0.08,
    "error_status": 503,
    "malformed_rate": 0.08,
    "drop_rate": 0.08,
}


def reason(result: RequestResult) -> str:
    """Which injected fault a result reports, from its reason alone."""
    if result.outcome == Outcome.ERROR:
        assert result.status is None
        return "dropped"
    if result.outcome == Outcome.PASSED:
        return "passed"
    assert result.outcome == Outcome.FAILED
    if result.status is not None and result.status >= 500:
        return "5xx"
    assert result.status == 200
    return "malformed"


def run_bounded(runner: Runner) -> RunResult:
    """``runner.run()`` on its own thread, failing (after cancelling) if it outlives the
    deadline."""
    box: list[RunResult | BaseException] = []

    def target() -> None:
        try:
            box.append(runner.run())
        except BaseException as exc:  # re-raised on the test's thread
            box.append(exc)

    thread = threading.Thread(target=target, name="fault-run")
    thread.start()
    thread.join(DEADLINE_S)
    if thread.is_alive():
        runner.cancel()
        thread.join(10)
        raise AssertionError(f"the run did not finish within {DEADLINE_S:g} s")
    outcome = box[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def test_a_thousand_requests_under_injected_faults(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    sb = Sandbox()
    client = HttpClient()
    try:
        priceedge = session(sb, client, "priceedge")
        directory = write(
            tmp_path,
            request(
                "items",
                RESOURCE["priceedge"],
                0,
                assertions=(status(200), jsonpath("$")),
            ),
        )
        warm = Runner(plan_collection(directory), SessionSender(priceedge)).run()
        assert warm.ok, warm.results[0].failures  # the token is granted before the faults
        sb.call("faults", FAULTS)
        runner = Runner(
            plan_collection(directory),
            SessionSender(priceedge),
            RunOptions(iterations=REQUESTS, concurrency=CONCURRENCY),
        )
        result = run_bounded(runner)
        assert not any(t.name.startswith("explorer-run") for t in threading.enumerate())
        stats = sb.stats("priceedge")
        log = sb.call("log", query=f"?limit={REQUESTS}")["entries"]
        write_report(result, tmp_path / "report.json")
        write_report(result, tmp_path / "report.xml")
    finally:
        client.close()
        sb.server.stop()

    # Every request has exactly one result, and the run was neither cut short nor cancelled.
    assert len(result.results) == REQUESTS
    assert sorted(r.iteration for r in result.results) == list(range(REQUESTS))
    assert not result.cancelled
    assert not result.bailed

    # Each result's reason is one sentence naming what happened.
    dropped = (
        f"{urlsplit(sb.url).netloc} closed the connection without answering; try again, and "
        "check that the address points at an HTTP server."
    )
    kinds = Counter(reason(r) for r in result.results)
    for r in result.results:
        kind = reason(r)
        if kind == "passed":
            assert r.failures == []
            assert [c.passed for c in r.checks] == [True, True]
            continue
        assert r.failures, r
        for line in r.failures:
            assert line.strip(), r
            assert "\n" not in line, line
            assert "Traceback" not in line, line
        first = r.failures[0]
        if kind == "dropped":
            assert first == dropped, first
        elif kind == "5xx":
            assert first == "status == 200: got 503", first
        else:
            assert r.failures == ["$ exists: the body is not JSON"], r.failures

    # Failures are certain but not total: every fault kind occurred and most requests passed.
    assert set(kinds) == {"passed", "5xx", "malformed", "dropped"}, kinds
    assert kinds["passed"] > REQUESTS // 2, kinds
    assert sum(kinds.values()) == REQUESTS
    assert result.count(Outcome.PASSED) == kinds["passed"]
    assert result.count(Outcome.FAILED) == kinds["5xx"] + kinds["malformed"]
    assert result.count(Outcome.ERROR) == kinds["dropped"]
    assert not result.ok

    # The sandbox saw each request once (no silent retry) and injected exactly what we report.
    assert stats["api_calls"] == REQUESTS + 1  # and the warm-up call
    assert stats["token_requests_total"] == 1
    assert stats["status_5xx"] == kinds["5xx"]
    run_log = [e for e in log if e["provider"] == "priceedge"]
    assert len(run_log) == REQUESTS
    rules = Counter(
        "dropped"
        if e["rule"] == "fault.drop_connection"
        else "5xx"
        if e["rule"].startswith("fault.error")
        else "malformed"
        if e["rule"].endswith("+fault.malformed_json")
        else "passed"
        for e in run_log
    )
    assert rules == kinds

    # The JSON report lists every result with its reason and the same totals.
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report == json.loads(to_json(result))
    assert report["summary"]["requests"] == REQUESTS
    assert report["summary"]["passed"] == kinds["passed"]
    assert report["summary"]["failed"] == kinds["5xx"] + kinds["malformed"]
    assert report["summary"]["errors"] == kinds["dropped"]
    assert len(report["results"]) == REQUESTS
    by_iteration = {r.iteration + 1: r for r in result.results}
    for row in report["results"]:
        source = by_iteration[row["iteration"]]
        assert row["outcome"] == source.outcome.value
        assert row["status"] == source.status
        assert row["error"] == source.error
        failed = [f"{a['assertion']}: {a['detail']}" for a in row["assertions"] if not a["passed"]]
        assert ([row["error"]] if row["error"] else failed) == source.failures

    # The JUnit report: one testcase per request, a failure or error element per failed one.
    junit = ET.fromstring((tmp_path / "report.xml").read_text(encoding="utf-8"))
    assert (tmp_path / "report.xml").read_text(encoding="utf-8") == to_junit(result)
    assert junit.get("tests") == str(REQUESTS)
    assert junit.get("failures") == str(kinds["5xx"] + kinds["malformed"])
    assert junit.get("errors") == str(kinds["dropped"])
    cases = junit.findall("./testsuite/testcase")
    assert len(cases) == REQUESTS
    suites = junit.findall("./testsuite")
    assert len(suites) == REQUESTS
    for suite in suites:
        iteration = int(suite.get("name", "").rsplit(" ", 1)[1].rstrip(")"))
        source = by_iteration[iteration]
        (case,) = suite.findall("testcase")
        failure, error = case.find("failure"), case.find("error")
        if source.outcome == Outcome.PASSED:
            assert failure is None
            assert error is None
        elif source.outcome == Outcome.ERROR:
            assert failure is None
            assert error is not None
            assert error.get("message") == source.error
        else:
            assert error is None
            assert failure is not None
            assert failure.get("message") == source.failures[0]

    # No thread outlives the run: the pool's workers are gone, and once the client and the
    # sandbox are closed, so is every connection handler.
    for thread in set(threading.enumerate()) - before:
        thread.join(10)
        assert not thread.is_alive(), thread.name
