"""Hostile nesting and alias bombs (docs/security.md, "Parsers"): a server answer, a collection,
a data file or a typed argument nested thousands deep, and YAML whose aliases expand a billion
times, each end in one sentence or a bounded result, never a traceback or a memory blow-up."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.cli import main
from explorer.core import safe_parse, safe_yaml
from explorer.core.auth import TokenError
from explorer.core.auth.grants import GrantSettings, TokenEndpoint
from explorer.core.auth.jwt import decode_jwt
from explorer.core.errors import FormatError
from explorer.core.formatting import pretty
from explorer.core.http import HttpClient
from explorer.core.json_template import json_problem
from explorer.core.models import Body, BodyMode
from explorer.core.problems import normalise
from explorer.core.provider_loader import builtin_providers_dir, load_providers
from explorer.core.workspace.collections import load_request
from tests.core.runner.helpers import capture, jsonpath, request, write
from tests.support.servers import WsgiServer

DEEP_LIST = b"[" * 100_000 + b"]" * 100_000  # 195 KB
DEEP_OBJECT = b'{"a":' * 5_000 + b"1" + b"}" * 5_000  # 25 KB
TOO_DEEP = "nested deeper than 128 levels"


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def bomb(levels: int = 6, width: int = 9) -> str:
    """A flow-style billion-laughs value: ``width ** levels`` strings from about 200 bytes."""
    parts = ["&a0 [" + ", ".join(["lol"] * width) + "]"]
    parts += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    return "[" + ", ".join(parts) + "]"


def _app(environ: dict[str, Any], start: Any) -> list[bytes]:
    body = DEEP_OBJECT if environ["PATH_INFO"] == "/object" else DEEP_LIST
    start("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture(scope="module")
def deep_server() -> Iterator[WsgiServer]:
    server = WsgiServer(_app)
    yield server
    server.stop()


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# -- deeply nested JSON ------------------------------------------------------------------------


def test_run_over_deeply_nested_answers_finishes_with_summary_and_report(
    deep_server: WsgiServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = write(
        tmp_path,
        request(
            "list",
            f"{deep_server.base_url}/list",
            1,
            assertions=(jsonpath("$[0]"),),
            captures=(capture("first", "$[0]"),),
        ),
        request("object", f"{deep_server.base_url}/object", 2, assertions=(jsonpath("$.a", "1"),)),
    )
    report = tmp_path / "report.json"
    status, out, _ = cli(
        capsys, "--workspace", str(tmp_path / "ws"), "run", str(directory), "--report", str(report)
    )
    assert status == 1
    assert "2 requests, 0 passed, 2 failed" in out
    assert out.count(f"the body is {TOO_DEEP}") == 3  # two assertions and the capture
    assert json.loads(report.read_text())["summary"]["failed"] == 2


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT], ids=["list", "object"])
@pytest.mark.parametrize("status", [200, 500])
def test_problem_normaliser_never_raises_on_deep_json(body: bytes, status: int) -> None:
    problem = normalise(status, None, body)
    assert (problem is None) == (status == 200)
    if problem is not None:
        assert problem.summary().startswith("500 ")


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT, deep(900).encode()])
def test_pretty_printing_falls_back_to_the_raw_text(body: bytes) -> None:
    text = body.decode()
    assert pretty(text, "json") == text


def test_a_deep_json_argument_to_send_is_one_sentence(
    deep_server: WsgiServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, err = cli(
        capsys,
        *("--workspace", str(tmp_path), "send", "POST", f"{deep_server.base_url}/list"),
        *("--json", deep(1_000)),
    )
    assert status == 1
    assert TOO_DEEP in err
    assert len(err.strip().splitlines()) == 1


def test_a_deep_body_in_a_collection_fails_its_request_not_the_run_nor_snippet(
    deep_server: WsgiServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = write(
        tmp_path,
        request(
            "deep",
            f"{deep_server.base_url}/list",
            1,
            method="POST",
            body=Body(BodyMode.JSON, deep(3_000)),
        ),
        request("after", f"{deep_server.base_url}/list", 2),
    )
    workspace = ("--workspace", str(tmp_path / "ws"))
    status, out, _ = cli(capsys, *workspace, "run", str(directory))
    assert status == 1
    assert f"The JSON body is {TOO_DEEP}" in out
    assert "2 requests, 1 passed, 0 failed, 1 errors" in out
    saved = str(next(directory.glob("deep*.yaml")))
    for lang in ("curl", "python", "httpie", "fetch", "powershell", "go"):
        status, _, err = cli(capsys, *workspace, "snippet", "--lang", lang, saved)
        assert status == 1
        assert TOO_DEEP in err
        assert len(err.strip().splitlines()) == 1


def test_a_deep_data_rows_file_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = write(tmp_path, request("a", "http://127.0.0.1:9/", 1))
    rows = tmp_path / "rows.json"
    rows.write_text("[" + deep(2_000) + "]")
    status, _, err = cli(capsys, "run", str(directory), "--data", str(rows))
    assert status == 2
    assert f"{rows}: is {TOO_DEEP}" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("path", ["/list", "/object"])
def test_a_deep_token_answer_is_one_token_error(deep_server: WsgiServer, path: str) -> None:
    settings = GrantSettings("Vendor", "Live", deep_server.base_url + path, "cid", "secret")
    client = HttpClient()
    try:
        with pytest.raises(TokenError, match="answered 200 without an access_token"):
            TokenEndpoint(settings, client).password("alice", "pa55word")
    finally:
        client.close()


def test_deep_jwt_claims_and_a_deep_body_in_the_editor_are_soft_results() -> None:
    def part(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    assert decode_jwt(f"{part(b'{}')}.{part(DEEP_OBJECT)}.sig") is None
    assert str(json_problem(deep(3_000))) == f"Line 1, column 1: {TOO_DEEP}."


def test_the_depth_scan_skips_brackets_inside_strings() -> None:
    assert pretty('{"a": [1, {"b": "[[[["}]}', "json").splitlines()[1] == '  "a": ['
    text = json.dumps({"s": "[" * 500 + '\\"' + "{" * 500, "t": ["]" * 300, [[1]]]})
    assert safe_parse.loads(text)["t"][1] == [[1]]
    hidden = json.dumps(["]" * 200]) + deep(200)  # closers in a string hide no depth
    assert safe_parse.json_depth(hidden) == 200


# -- YAML alias bombs --------------------------------------------------------------------------


def test_alias_bomb_in_a_user_provider_is_refused_naming_the_file(tmp_path: Path) -> None:
    providers = tmp_path / "providers"
    providers.mkdir()
    preset = providers / "bombed.yaml"
    text = (builtin_providers_dir() / "procode.yaml").read_text()
    text = text.replace("id: procode", "id: bombed", 1)
    preset.write_text(text.replace("json: {amount: 25.0}", f"json: {bomb()}"))
    profiles, errors = load_providers(tmp_path)
    assert "procode" in profiles  # the rest of the presets still load
    assert "bombed" not in profiles
    assert [str(e).split(": ", 1)[0] for e in errors] == [str(preset)]
    assert "has too many aliases" in str(errors[0])


def _bombed_request(tmp_path: Path) -> Path:
    directory = write(
        tmp_path,
        request("bombed", "http://127.0.0.1:9/", 1, assertions=(jsonpath("$.a", "1"),)),
        request("fine", "http://127.0.0.1:9/", 2),
    )
    path = next(directory.glob("bombed*.yaml"))
    path.write_text(path.read_text().replace("equals: 1", f"equals: {bomb()}"))
    return path


def test_alias_bomb_in_an_assertion_is_refused_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _bombed_request(tmp_path)
    with pytest.raises(FormatError, match="has too many aliases") as info:
        load_request(path)
    assert info.value.path == str(path)
    status, _, err = cli(capsys, "snippet", "--lang", "curl", str(path))
    assert status != 0
    assert f"{path}: has too many aliases" in err
    assert len(err.strip().splitlines()) == 1


def test_alias_bomb_in_an_openapi_example_is_refused_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "bomb.openapi.yaml"
    spec.write_text(
        "openapi: 3.0.0\ninfo: {title: Bomb, version: '1'}\npaths:\n  /x:\n    post:\n"
        "      requestBody:\n        content:\n          application/json:\n"
        f"            example: {bomb()}\n      responses: {{'200': {{description: ok}}}}\n"
    )
    status, _, err = cli(
        capsys, "--workspace", str(tmp_path / "ws"), "import", "openapi", str(spec), "--into", "b"
    )
    assert status != 0
    assert f"{spec}: has too many aliases" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "ws" / "collections" / "b").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &a [1, *a]\n", "an alias that refers to itself"),
        ("a: " + deep(500) + "\n", TOO_DEEP),
        ("".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n", TOO_DEEP),
    ],
    ids=["self-reference", "deep flow", "deep block"],
)
def test_other_hostile_yaml_is_one_sentence(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.request.yaml"
    path.write_text(text)
    with pytest.raises(FormatError, match=message):
        load_request(path)


def test_aliases_within_the_budget_still_load() -> None:
    assert safe_yaml.load_yaml("a: &x {b: 1}\nc: *x\nd:\n  <<: *x\n  e: 2\n") == {
        "a": {"b": 1},
        "c": {"b": 1},
        "d": {"b": 1, "e": 2},
    }
    assert safe_yaml.load_yaml(f"v: {bomb(levels=4)}\n")["v"][4][0][0][0][0][0] == "lol"
