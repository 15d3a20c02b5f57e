"""Assertions expand their ``{{variables}}`` in the scope the request was resolved with: the
iteration's data row, the run's variables, captured values, saved values and folders, and the
provider environment through a session. Secret values stay masked in what a failure says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.core.http import HttpClient
from explorer.core.models import Body, BodyMode, KeyValue
from explorer.core.runner.model import Outcome
from explorer.core.runner.senders import ClientSender, SessionSender
from explorer.core.templating import Layer
from explorer.core.workspace.model import Variable
from tests.core.runner.helpers import capture, header, jsonpath, request, run, write
from tests.core.test_pipeline_sandbox import RESOURCE, session


@pytest.fixture
def sender(tmp_path: Path) -> Iterator[ClientSender]:
    client = HttpClient()
    yield ClientSender(client, tmp_path)
    client.close()


def test_expected_values_come_from_each_data_row(tmp_path, sender, httpbin_url) -> None:
    echo = request(
        "echo",
        httpbin_url + "/response-headers?X-Name={{name}}&name={{name}}",
        0,
        assertions=(
            jsonpath("$.name", '"{{name}}"'),
            header("X-{{header}}", "{{name}}"),
        ),
    )
    rows = ({"name": "Alice", "header": "Name"}, {"name": "Bob", "header": "Name"})
    result = run(write(tmp_path, echo), sender, data=rows)
    assert result.ok, [r.failures for r in result.ordered]
    assert [c.description for c in result.ordered[1].checks] == [
        "status < 400",
        '$.name == "Bob"',
        "header X-Name == Bob",
    ]


def test_a_row_whose_expectation_differs_fails_with_the_expanded_value(
    tmp_path, sender, httpbin_url
) -> None:
    echo = request(
        "echo",
        httpbin_url + "/anything?name={{name}}",
        0,
        assertions=(jsonpath("$.args.name", '"{{expected}}"'),),
    )
    rows = ({"name": "Alice", "expected": "Alice"}, {"name": "Bob", "expected": "Robert"})
    result = run(write(tmp_path, echo), sender, data=rows)
    assert [r.outcome for r in result.ordered] == [Outcome.PASSED, Outcome.FAILED]
    assert result.ordered[1].failures == ['$.args.name == "Robert": got "Bob"']


def test_a_templated_value_matches_a_number_by_its_text(tmp_path, sender, httpbin_url) -> None:
    """A data row is text; ``'{{qty}}'`` matches the number 3 as a capture would store it."""
    create = request(
        "post",
        httpbin_url + "/anything",
        0,
        "POST",
        headers=(KeyValue("Content-Type", "application/json"),),
        body=Body(BodyMode.JSON, '{"qty": {{qty}}, "tags": ["{{tag}}"]}'),
        assertions=(
            jsonpath("$.json.qty", '"{{qty}}"'),
            jsonpath("$.json.tags", '["{{tag}}"]'),
            jsonpath("$.json.qty", '"{{other}}"'),
        ),
    )
    result = run(write(tmp_path, create), sender, data=({"qty": "3", "tag": "a", "other": "4"},))
    assert result.ordered[0].failures == ['$.json.qty == "4": got 3']


def test_captured_run_and_folder_values_expand(tmp_path, sender, httpbin_url) -> None:
    first = request(
        "first",
        httpbin_url + "/anything?id=abc-{{suffix}}",
        0,
        captures=(capture("captured", "$.args.id"),),
    )
    second = request(
        "second",
        httpbin_url + "/anything?id={{captured}}&who={{who}}",
        1,
        assertions=(
            jsonpath("$.args.id", '"{{captured}}"'),
            jsonpath("$.args.who", '"{{who}}"'),
            jsonpath("$.url", '"{{base}}/anything?id=abc-{{suffix}}&who={{who}}"'),
        ),
    )
    directory = write(
        tmp_path,
        first,
        second,
        variables=(Variable("who", "folder"), Variable("base", httpbin_url)),
    )
    result = run(directory, sender, variables={"suffix": "7"})
    assert result.ok, [r.failures for r in result.ordered]


def test_an_undefined_variable_fails_its_check_and_the_run_goes_on(
    tmp_path, sender, httpbin_url
) -> None:
    items = (
        request("undefined", httpbin_url + "/get", 0, assertions=(header("Server", "{{nope}}"),)),
        request("fine", httpbin_url + "/get", 1),
    )
    result = run(write(tmp_path, *items), sender)
    assert [r.outcome for r in result.ordered] == [Outcome.FAILED, Outcome.PASSED]
    (reason,) = result.ordered[0].failures
    assert reason.startswith("header Server == {{nope}}: Undefined variable {{nope}}")


def test_secret_values_stay_masked_in_descriptions_and_details(tmp_path, httpbin_url) -> None:
    secret = "s3cr3t-value-123"
    client = HttpClient()
    keyring = Layer(
        "keyring", {"api_key": secret, "hidden": "h1dden-v4lue"}, frozenset({"api_key", "hidden"})
    )
    sender = ClientSender(client, tmp_path, (keyring,))
    leaky = request(
        "leaky",
        httpbin_url + "/anything?key={{api_key}}",
        0,
        assertions=(
            jsonpath("$.args.key", '"{{api_key}}-other"'),
            jsonpath("$.args.key", '"{{hidden}}"'),
        ),
    )
    try:
        result = run(write(tmp_path, leaky), sender)
    finally:
        client.close()
    text = " ".join(result.ordered[0].failures)
    assert secret not in text
    assert "h1dden-v4lue" not in text
    assert result.ordered[0].failures == [
        '$.args.key == "••••••-other": got "••••••"',
        '$.args.key == "••••••": got "••••••"',
    ]


def test_the_provider_environment_expands_through_a_session(sb, client, tmp_path) -> None:
    pce = session(sb, client, "pce")
    directory = write(
        tmp_path,
        request(
            "customer",
            RESOURCE["pce"],
            0,
            assertions=(jsonpath("$.id", '"{{id}}"'), header("Content-Type", "{{ctype}}")),
        ),
    )
    result = run(
        directory,
        SessionSender(pce, (Layer("saved", {"ctype": "application/json; charset=utf-8"}),)),
        variables={"id": RESOURCE["pce"].rsplit("/", 1)[1]},
    )
    assert result.ok, [r.failures for r in result.ordered]
