"""The runner against the local httpbin: order, iterations, data, captures, every assertion kind,
failures that do not stop the run, bail, cancel, reports and masking."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from explorer.core.errors import ExplorerError, UsageError
from explorer.core.http import HttpClient
from explorer.core.models import AuthSpec, Body, BodyMode, KeyValue
from explorer.core.runner.engine import Runner, RunOptions
from explorer.core.runner.model import Outcome, Progress
from explorer.core.runner.plan import load_data, plan_collection
from explorer.core.runner.reports import to_json, to_junit, write_report
from explorer.core.runner.senders import ClientSender
from explorer.core.templating import Layer
from explorer.core.workspace.model import Folder, Variable
from tests.core.runner.helpers import (
    capture,
    header,
    jsonpath,
    max_ms,
    request,
    run,
    status,
    write,
)


@pytest.fixture
def sender(tmp_path: Path) -> Iterator[ClientSender]:
    client = HttpClient()
    yield ClientSender(client, tmp_path)
    client.close()


def test_seq_order_with_folders_depth_first(tmp_path, sender, httpbin_url) -> None:
    url = httpbin_url + "/anything/{{$uuid}}"
    folder = Folder(
        name="Folder",
        seq=1,
        items=(request("f-second", url, 2), request("f-first", url, 1)),
    )
    directory = write(tmp_path, request("last", url, 2), folder, request("first", url, 0))
    result = run(directory, sender)
    assert [r.name for r in result.results] == ["first", "f-first", "f-second", "last"]
    assert [r.folder for r in result.results] == [(), ("Folder",), ("Folder",), ()]
    assert result.ok


def test_iterations_and_inherited_variables_and_headers(tmp_path, sender, httpbin_url) -> None:
    folder = Folder(
        name="Inner",
        variables=(Variable("who", "inner"),),
        headers=(KeyValue("X-Folder", "inherited"),),
        items=(
            request(
                "echo",
                "{{base}}/anything?who={{who}}",
                0,
                assertions=(
                    jsonpath("$.args.who", '"inner"'),
                    jsonpath("$.headers.X-Folder", '"inherited"'),
                    header("Content-Type"),
                ),
            ),
        ),
    )
    directory = write(
        tmp_path,
        folder,
        variables=(Variable("base", httpbin_url), Variable("who", "root")),
    )
    result = run(directory, sender, iterations=3)
    assert [r.iteration for r in result.results] == [0, 1, 2]
    assert result.ok, [r.failures for r in result.results]


def test_an_auth_set_by_a_folder_is_sent_without_a_provider(tmp_path, sender, httpbin_url) -> None:
    folder = Folder(
        name="Private",
        auth=AuthSpec("basic", (("username", "ann"), ("password", "{{pw}}"))),
        items=(request("me", f"{httpbin_url}/basic-auth/ann/s3cret", 0),),
    )
    directory = write(tmp_path, folder, variables=(Variable("pw", "s3cret", secret=False),))
    result = run(directory, sender)
    assert result.ok, [r.failures for r in result.results]
    assert result.results[0].status == 200


def test_data_rows_become_variables(tmp_path, sender, httpbin_url) -> None:
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text("user,n\nann,1\nbob,2\n", encoding="utf-8")
    json_file = tmp_path / "rows.json"
    json_file.write_text('[{"user": "cy", "n": 3}]', encoding="utf-8")
    directory = write(
        tmp_path,
        request("echo", httpbin_url + "/anything?user={{user}}&n={{n}}", 0),
    )
    for data, expected in ((csv_file, ["ann&n=1", "bob&n=2"]), (json_file, ["cy&n=3"])):
        result = run(directory, sender, data=tuple(load_data(data)))
        assert [r.url.split("user=")[1] for r in result.ordered] == expected
        assert result.ok


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,b\n1,2,3\n", "more values than there are columns"),
        ("a,b\n", "has no rows"),
        ('{"a": 1}', "must be a JSON list of objects"),
        ("[{]", "not valid JSON"),
    ],
)
def test_bad_data_files_are_one_sentence(tmp_path, content: str, message: str) -> None:
    path = tmp_path / ("d.json" if content.startswith(("[", "{")) else "d.csv")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExplorerError, match=message):
        load_data(path)


def test_captures_feed_later_requests_per_iteration(tmp_path, sender, httpbin_url) -> None:
    create = request(
        "create",
        httpbin_url + "/response-headers?Location={{row}}",
        0,
        captures=(capture("loc", "Location", "header"), capture("same", "$.Location")),
    )
    follow = request(
        "follow",
        httpbin_url + "/anything?got={{loc}}&same={{same}}",
        1,
        assertions=(jsonpath("$.args.got"),),
    )
    directory = write(tmp_path, create, follow)
    rows = tuple({"row": f"item-{n}"} for n in range(6))
    result = run(directory, sender, data=rows, concurrency=4)
    assert result.ok, [r.failures for r in result.results]
    follows = [r for r in result.ordered if r.name == "follow"]
    assert [r.url.split("got=")[1] for r in follows] == [
        f"item-{n}&same=item-{n}" for n in range(6)
    ]
    assert all(r.captured == ("loc", "same") for r in result.ordered if r.name == "create")


def test_a_capture_that_finds_nothing_fails_its_request(tmp_path, sender, httpbin_url) -> None:
    directory = write(
        tmp_path,
        request("c", httpbin_url + "/json", 0, captures=(capture("x", "$.nothing"),)),
    )
    result = run(directory, sender)
    only = result.results[0]
    assert only.outcome == Outcome.FAILED
    assert only.failures == ["capture x: $.nothing matched nothing"]


def test_each_assertion_kind_passes_and_fails(tmp_path, sender, httpbin_url) -> None:
    url = httpbin_url + "/response-headers?X-Test=yes"
    checks = (
        status(200),
        status(201),
        header("X-Test"),
        header("X-Missing"),
        header("X-Test", "yes"),
        header("X-Test", "no"),
        jsonpath("$['X-Test']", '"yes"'),
        jsonpath("$.X-Test", '"no"'),
        jsonpath("$.X-Test"),
        jsonpath("$.nothing"),
        jsonpath("$..bad"),
        max_ms(30_000),
    )
    body = Body(BodyMode.JSON, '{"n": 1, "b": true, "list": [1, 2]}')
    typed = (
        jsonpath("$.json.n", "1.0"),
        jsonpath("$.json.b", "1"),
        jsonpath("$.json.list", "[1, 2]"),
        jsonpath("$.json.list[*]", "[1, 2]"),
    )
    directory = write(
        tmp_path,
        request("headers", url, 0, assertions=checks),
        request("typed", httpbin_url + "/anything", 1, "POST", body=body, assertions=typed),
        request("slow", httpbin_url + "/delay/1", 2, assertions=(max_ms(100),)),
    )
    result = run(directory, sender)
    first, second, slow = result.ordered
    assert [(c.description, c.passed) for c in first.checks] == [
        ("status == 200", True),
        ("status == 201", False),
        ("header X-Test present", True),
        ("header X-Missing present", False),
        ("header X-Test == yes", True),
        ("header X-Test == no", False),
        ("$['X-Test'] == \"yes\"", True),
        ('$.X-Test == "no"', False),
        ("$.X-Test exists", True),
        ("$.nothing exists", False),
        ("$..bad exists", False),
        ("time <= 30000 ms", True),
    ]
    details = [c.detail for c in first.checks if not c.passed]
    assert details[:4] == ["got 200", "absent", "got 'yes'", 'got "yes"']
    assert details[4] == "no match"
    assert "is not understood at '..bad'" in details[5]
    assert [c.passed for c in second.checks] == [True, True, False, True, True]
    assert slow.outcome == Outcome.FAILED
    assert slow.checks[-1].description == "time <= 100 ms"
    assert slow.checks[-1].detail.startswith("took ")
    assert result.assertions == (11, 19)


def test_failures_are_reported_and_the_run_goes_on(tmp_path, sender, httpbin_url) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    directory = write(
        tmp_path,
        request("server error", httpbin_url + "/status/503", 0),
        request("refused", f"http://127.0.0.1:{closed}/", 1),
        request("undefined", "{{nowhere}}/x", 2),
        request("expected 404", httpbin_url + "/status/404", 3, assertions=(status(404),)),
        request("fine", httpbin_url + "/get", 4),
    )
    result = run(directory, sender)
    outcomes = [(r.name, r.outcome, r.status) for r in result.ordered]
    assert outcomes == [
        ("server error", Outcome.FAILED, 503),
        ("refused", Outcome.ERROR, None),
        ("undefined", Outcome.ERROR, None),
        ("expected 404", Outcome.PASSED, 404),
        ("fine", Outcome.PASSED, 200),
    ]
    assert result.ordered[0].failures == ["status < 400: got 503"]
    assert "refused" in result.ordered[1].error.lower()
    assert "{{nowhere}}" in result.ordered[2].error
    assert not result.ok


def test_bail_stops_at_the_first_failure(tmp_path, sender, httpbin_url) -> None:
    directory = write(
        tmp_path,
        request("ok", httpbin_url + "/get", 0),
        request("bad", httpbin_url + "/status/500", 1),
        request("never", httpbin_url + "/get", 2),
    )
    result = run(directory, sender, bail=True, iterations=2)
    assert [r.name for r in result.results] == ["ok", "bad"]
    assert result.bailed
    assert not result.ok


def test_cancel_stops_the_run_and_progress_reports_each_request(
    tmp_path, sender, httpbin_url
) -> None:
    directory = write(
        tmp_path,
        request("quick", httpbin_url + "/get", 0),
        request("slow", httpbin_url + "/delay/2", 1),
        request("never", httpbin_url + "/get", 2),
    )
    seen: list[Progress] = []
    slow_started = threading.Event()

    def on_progress(progress: Progress) -> None:
        seen.append(progress)
        slow_started.set()

    runner = Runner(plan_collection(directory), sender, RunOptions(), on_progress)
    outcome: list[object] = []
    worker = threading.Thread(target=lambda: outcome.append(runner.run()))
    worker.start()
    assert slow_started.wait(10)
    runner.cancel()
    worker.join(10)
    assert not worker.is_alive()
    result = outcome[0]
    assert result.cancelled  # type: ignore[attr-defined]
    # The request in flight ends with its answer (or its body is cut); nothing starts after it.
    assert "never" not in [r.name for r in result.results]  # type: ignore[attr-defined]
    assert (seen[0].done, seen[0].total, seen[0].passed) == (1, 3, 1)


def test_concurrency_runs_everything_once(tmp_path, sender, httpbin_url) -> None:
    items = [request(f"r{n:02d}", httpbin_url + f"/anything/{n}", n) for n in range(12)]
    directory = write(tmp_path, *items)
    result = run(directory, sender, concurrency=5, iterations=2)
    assert len(result.results) == 24
    assert [(r.iteration, r.name) for r in result.ordered] == [
        (i, f"r{n:02d}") for i in range(2) for n in range(12)
    ]
    assert result.ok


def test_reports_are_valid_json_and_junit_and_mask_secrets(tmp_path, httpbin_url) -> None:
    secret = "s3cr3t-value-123"
    client = HttpClient()
    sender = ClientSender(
        client, tmp_path, (Layer("keyring", {"api_key": secret}, frozenset({"api_key"})),)
    )
    directory = write(
        tmp_path,
        request(
            "leaky",
            httpbin_url + "/anything?key={{api_key}}",
            0,
            assertions=(jsonpath("$.args.key", '"other"'),),
        ),
        request("ok", httpbin_url + "/get", 1, assertions=(status(200),)),
        request("broken", "http://127.0.0.1:1/", 2),
        name="Report & <Co>",
    )
    try:
        result = run(directory, sender, iterations=2)
    finally:
        client.close()
    xml_text, json_text = to_junit(result), to_json(result)
    assert secret not in xml_text
    assert secret not in json_text
    root = ET.fromstring(xml_text)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "2", "2")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "Report & <Co> (iteration 1)",
        "Report & <Co> (iteration 2)",
    ]
    cases = suites[0].findall("testcase")
    assert [c.get("name") for c in cases] == ["leaky", "ok", "broken"]
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("message") == '$.args.key == "other": got "••••••"'
    assert cases[1].find("failure") is None
    assert cases[2].find("error") is not None
    data = json.loads(json_text)
    assert data["summary"] == {
        "requests": 6,
        "passed": 2,
        "failed": 2,
        "errors": 2,
        "assertions": 6,
        "assertions_failed": 2,
        "cancelled": False,
        "bailed": False,
    }
    assert data["results"][0]["url"].endswith("key=••••••")
    write_report(result, tmp_path / "out" / "r.xml")
    assert ET.parse(tmp_path / "out" / "r.xml").getroot().tag == "testsuites"
    with pytest.raises(UsageError, match=r"\.json or \.xml"):
        write_report(result, tmp_path / "r.txt")
