"""Smaller import, URL and data-file cases of issue 18 (docs/security.md, "Formats, URLs and data
files"): each odd input ends in the request the user meant, a warning naming the line, or one
sentence and a failing exit code, never a silent guess."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from explorer.core.errors import ConnectError, FormatError, IncompleteResponse
from explorer.core.formats import service
from explorer.core.formats.curl import import_curl, parse_pasted_curl
from explorer.core.formats.http_file import import_http
from explorer.core.http import HttpClient
from explorer.core.models import RequestSpec
from explorer.core.runner.plan import load_data
from explorer.core.templating import Layer, Scope, join_base_url, resolve
from explorer.core.workspace.collections import load_collection
from tests.hardening.hostile import HostileServer
from tests.support.cli import run_cli

CLOSED = "http://127.0.0.1:9/"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, timeout=60)


# -- e. a relative URL with a URL in its query -------------------------------------------------


def test_a_relative_url_with_a_url_in_its_query_goes_under_base_url(
    hostile: HostileServer,
) -> None:
    spec = RequestSpec(url=join_base_url("/echo?next=https://x.example/a"))
    request = resolve(spec, Scope((Layer("env", {"base_url": hostile.base_url}),)))
    client = HttpClient()
    try:
        assert client.send(request).response.status == 200
    finally:
        client.close()
    assert "/echo?next=https://x.example/a" in [path for path, _ in hostile.requests]


# -- f. errors after a redirect ----------------------------------------------------------------


def test_an_error_after_a_redirect_names_the_host_that_failed(hostile: HostileServer) -> None:
    target = HostileServer()
    client = HttpClient()
    try:
        for to, error in (
            (CLOSED, ConnectError),
            (f"{target.base_url}/close-mid-body", IncompleteResponse),
        ):
            start = f"{hostile.base_url}/redirect?to={quote(to, safe='')}"
            with pytest.raises(error) as caught:
                client.send(resolve(RequestSpec(url=start), Scope(())))
            failed_host = to.split("/")[2]
            assert failed_host in str(caught.value)
            assert f":{hostile.port}" not in str(caught.value)
    finally:
        client.close()
        target.stop()


# -- j. many requests of one name --------------------------------------------------------------


def test_thousands_of_same_named_postman_requests_import_in_linear_time(tmp_path: Path) -> None:
    items = [{"name": "Get thing", "request": {"method": "GET", "url": "https://h/a"}}] * 3000
    source = tmp_path / "big.postman_collection.json"
    source.write_text(json.dumps({"info": {"name": "Big"}, "item": items}), encoding="utf-8")
    started = time.monotonic()
    result = cli("import", "postman", str(source), "--into", str(tmp_path / "big"), cwd=tmp_path)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 10, f"3,000 same-named requests took {elapsed:.1f} s (quadratic numbering)"
    names = {p.name for p in (tmp_path / "big").glob("*.request.yaml")}
    assert len(names) == 3000
    assert {"get-thing.request.yaml", "get-thing-3000.request.yaml"} <= names


# -- k, l. .http files ---------------------------------------------------------------------------


def test_http_lines_that_are_not_requests_are_warnings_with_their_line() -> None:
    result = import_http("Meeting notes\nTODO\nGET https://h/a\n", "notes.http")
    (item,) = result.collection.items
    assert item.spec.url == "https://h/a"  # type: ignore[union-attr]
    assert any(w.startswith("line 1: 'Meeting notes' is not a request") for w in result.warnings)
    assert any(w.startswith("line 2: 'TODO' is not a request") for w in result.warnings)


def test_an_http_file_of_garbage_is_an_error_naming_its_first_line() -> None:
    with pytest.raises(FormatError, match="holds no request") as caught:
        import_http("\nTODO\nbuy milk\n", "notes.http")
    assert caught.value.line == 2


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
def test_a_utf16_http_file_with_or_without_bom_is_decoded(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "win.http"
    path.write_bytes("### Tëst\nGET https://h/a\nAccept: */*\n".encode(encoding))
    (item,) = service.read("http", path).collection.items
    assert (item.name, item.spec.url) == ("Tëst", "https://h/a")  # type: ignore[union-attr]


def test_text_with_nul_bytes_is_refused_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "binary.http"
    path.write_bytes(b"GET https://h/a\n\x00\x01\x02\x00\x00\x00")
    with pytest.raises(FormatError, match="holds NUL bytes, so it is binary"):
        service.read("http", path)
    with pytest.raises(FormatError, match="holds NUL bytes"):  # stdin reaches the importer
        import_http("G\0E\0T\0 \0h\0t\0t\0p\0", "<stdin>")


# -- m. several curl commands on one line ------------------------------------------------------


def test_curl_commands_split_on_shell_control_operators() -> None:
    text = (
        "curl https://h/a ; curl -X POST https://h/b -H 'X-A: 1; 2' && curl https://h/c | jq .\n"
        "curl -X DELETE https://h/d || echo failed"
    )
    result = import_curl(text)
    specs = [item.spec for item in result.collection.items]  # type: ignore[union-attr]
    assert [(s.method, s.url) for s in specs] == [
        ("GET", "https://h/a"),
        ("POST", "https://h/b"),
        ("GET", "https://h/c"),
        ("DELETE", "https://h/d"),
    ]
    assert [(h.name, h.value) for h in specs[1].headers] == [("X-A", "1; 2")]  # quoted ';' kept
    assert "line 1: 'jq .' is not a curl command; skipped" in result.warnings
    assert "line 2: 'echo failed' is not a curl command; skipped" in result.warnings
    spec, notes = parse_pasted_curl("curl https://h/a; curl https://h/b")
    assert spec.url == "https://h/a"
    assert "only the first of 2 commands was used" in notes


# -- n. OpenAPI paths that are not a mapping ---------------------------------------------------


def test_openapi_paths_that_are_a_list_fail_in_one_sentence(tmp_path: Path) -> None:
    source = tmp_path / "api.yaml"
    source.write_text("openapi: 3.0.0\ninfo: {title: x}\npaths: [1, 2]\n", encoding="utf-8")
    result = cli("import", "openapi", str(source), "--into", str(tmp_path / "api"), cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "has 'paths' as a list, not a mapping of paths to operations" in result.stderr
    assert load_collection(tmp_path / "api").collection is None


# -- o. malformed CSV data files ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("a,b\n1,2\n3\n", 3, "fewer values than there are columns"),
        ('a,b\n1,2\n3,"4\n5,6\n', 3, "not valid CSV from this row on"),
        ('a,b\n"1"x,2\n', 2, "not valid CSV from this row on"),
    ],
    ids=["short row", "unterminated quote", "text after a quote"],
)
def test_a_malformed_csv_data_file_names_the_line(
    tmp_path: Path, content: str, line: int, message: str
) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match=message) as caught:
        load_data(path)
    assert caught.value.line == line
