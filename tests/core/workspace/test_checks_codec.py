"""``assert:`` and ``capture:`` in request files: exact text, hand-typed values, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.core.errors import FormatError
from explorer.core.models import Assertion, Capture, CheckKind, RequestSpec
from explorer.core.workspace.collections import load_request, save_request
from explorer.core.workspace.model import SavedRequest

TEXT = """\
name: Create customer
seq: 1
method: POST
url: '{{base_url}}/v1/customer'
assert:
  - status: 201
  - max_ms: 500
  - header: Location
  - header: Content-Type
    equals: application/json
  - jsonpath: $.id
  - jsonpath: $.business
    equals:
      legalName: Acme
      tags:
        - 1
        - true
capture:
  - name: customer_id
    jsonpath: $.id
  - name: location
    header: Location
"""


def test_file_loads_to_the_model_and_saves_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "create.request.yaml"
    path.write_text(TEXT, encoding="utf-8")
    saved = load_request(path)
    assert saved.spec.assertions == (
        Assertion(CheckKind.STATUS, expected="201"),
        Assertion(CheckKind.MAX_MS, expected="500"),
        Assertion(CheckKind.HEADER, "Location"),
        Assertion(CheckKind.HEADER, "Content-Type", "application/json"),
        Assertion(CheckKind.JSONPATH, "$.id"),
        Assertion(CheckKind.JSONPATH, "$.business", '{"legalName": "Acme", "tags": [1, true]}'),
    )
    assert saved.spec.captures == (
        Capture("customer_id", "jsonpath", "$.id"),
        Capture("location", "header", "Location"),
    )
    path.write_text("", encoding="utf-8")
    save_request(path, saved)
    assert path.read_text(encoding="utf-8") == TEXT


def test_a_request_without_checks_writes_no_new_keys(tmp_path: Path) -> None:
    path = tmp_path / "plain.request.yaml"
    save_request(path, SavedRequest(RequestSpec(url="http://x/"), 0))
    assert path.read_text(encoding="utf-8") == "name: ''\nseq: 0\nmethod: GET\nurl: http://x/\n"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("- status: 999", "'assert[0].status' must be an HTTP status code"),
        ("- status: ok", "'assert[0].status' must be a whole number"),
        ("- max_ms: -1", "'assert[0].max_ms' must be a positive number"),
        ("- jsonpath: ''", "'assert[0].jsonpath' must be a JSONPath"),
        ("- {status: 200, header: X}", "'assert[0]' must name one check"),
        ("- nothing: 1", "'assert[0]' must name one check"),
        ("- jsonpath: $.d\n    equals: 2024-01-01", "must be a JSON value (quote dates"),
        ("status: 200", "'assert' must be a list"),
    ],
)
def test_broken_assertions_are_located(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "bad.request.yaml"
    path.write_text(f"name: x\nseq: 0\nmethod: GET\nurl: u\nassert:\n  {entry}\n", "utf-8")
    with pytest.raises(FormatError) as raised:
        load_request(path)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("- jsonpath: $.id", "'capture[0].name' must be the variable"),
        ("- name: a", "'capture[0]' must take its value from one jsonpath or one header"),
        ("- {name: a, header: ''}", "'capture[0].header' must be a name"),
    ],
)
def test_broken_captures_are_located(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "bad.request.yaml"
    path.write_text(f"name: x\nseq: 0\nmethod: GET\nurl: u\ncapture:\n  {entry}\n", "utf-8")
    with pytest.raises(FormatError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_request(path)
