"""State that every front end must agree on: which variable wins, where a relative body file
is, whether provider credentials may leave the provider's origins, an imported OpenAPI API key,
templated assertion values, and ``import --dry-run`` against the import."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.core.snippets import runner as snippet_runner
from tests.parity import cells
from tests.parity.conftest import CliRun, only, window_run, window_send
from tests.support.recording import Recorded, RecordingServer

ORDER = "parity-order"
BLOB = bytes(range(256)) + b"\r\n\x00 end"


def _request(name: str, url: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "seq": 1, "method": "POST", "url": url, **extra}


def write_state(workspace: Path, recorder: RecordingServer, foreign: RecordingServer) -> None:
    """This module's collections in the shared workspace (written with it, before the window's
    core loads the providers):

    - ``order`` (bound to ``parity-order``): ``region`` is defined by the provider environment,
      the saved environment values and the collection; ``zone`` by the last two; ``shelf`` by
      the collection only. Documented order: environment, saved values, folders.
    - ``files-plain`` / ``files-provider``: a ``binary-file`` body ``data/x.bin`` beside the file.
    - ``parity-cc/foreign``: a request under the OAuth2 provider to another origin.
    """
    collections = workspace / "collections"
    cells.dump(
        workspace / "providers" / f"{ORDER}.yaml",
        {
            "id": ORDER,
            "name": "Parity Order",
            "auth": {"kind": "none", "extra_headers": {cells.TENANT[0]: "{{tenant}}"}},
            "environments": [
                {
                    "name": cells.ENV,
                    "base_url": recorder.base_url,
                    "variables": {"tenant": "acme", "region": "from-provider"},
                }
            ],
        },
    )
    cells.dump(
        workspace / "environments" / f"{ORDER}.yaml",
        {
            "environments": [
                {
                    "name": cells.ENV,
                    "variables": {"region": "from-saved", "zone": "from-saved"},
                }
            ],
        },
    )
    cells.dump(
        collections / "order" / "collection.yaml",
        {
            "name": "order",
            "seq": 10,
            "provider": ORDER,
            "variables": {"region": "from-folder", "zone": "from-folder", "shelf": "from-folder"},
        },
    )
    order_headers = [
        {"name": "X-Region", "value": "{{region}}"},
        {"name": "X-Zone", "value": "{{zone}}"},
        {"name": "X-Shelf", "value": "{{shelf}}"},
    ]
    cells.dump(
        collections / "order" / "order.request.yaml",
        _request("order", "{{base_url}}/state/order", headers=order_headers),
    )
    body = {"mode": "binary-file", "file": "data/x.bin", "content_type": "application/octet-stream"}
    for name, provider in (("files-plain", ""), ("files-provider", ORDER)):
        meta: dict[str, Any] = {"name": name, "seq": 11}
        if provider:
            meta["provider"] = provider
        else:
            meta["variables"] = {"base_url": recorder.base_url}
        cells.dump(collections / name / "collection.yaml", meta)
        cells.dump(
            collections / name / "upload.request.yaml",
            _request("upload", "{{base_url}}/state/" + name, body=body),
        )
        (collections / name / "data").mkdir()
        (collections / name / "data" / "x.bin").write_bytes(BLOB)
    cells.dump(
        collections / "parity-cc" / "foreign.request.yaml",
        _request(
            "foreign", f"{foreign.base_url}/state/foreign", body={"mode": "json", "text": "{}"}
        ),
    )


@pytest.fixture(scope="module")
def state(workspace: Path) -> Path:
    """The shared workspace, which holds this module's collections too."""
    return workspace


def _header(records: list[Recorded], name: str) -> str | None:
    assert len(records) == 1, f"{len(records)} requests arrived, expected one"
    return records[0].header(name)


def _snippet_records(
    cli: CliRun, recorder: RecordingServer, tmp: Path, path: Path, lang: str, *args: str
) -> tuple[str, list[Recorded]]:
    """Generate the snippet with the CLI, execute it (cwd: not the request's folder) and return
    its text and what it delivered to ``recorder``."""
    done = cli("snippet", "--lang", lang, str(path), *args)
    assert done.returncode == 0, done.stderr
    mark = recorder.mark()
    output = snippet_runner.run(lang, tmp, {"s": done.stdout}, cells.SNIPPET_SECRETS)["s"]
    records = recorder.since(mark)
    assert records, f"the snippet delivered nothing:\n{done.stdout}\n{output}"
    return done.stdout, records


# -- variable order -----------------------------------------------------------------------------

WINNERS = {"X-Region": "from-provider", "X-Zone": "from-saved", "X-Shelf": "from-folder"}


def _winners(records: list[Recorded]) -> dict[str, str | None]:
    return {name: _header(records, name) for name in WINNERS}


def test_variable_order_in_the_window_send(
    state: Path, services: Any, recorder: RecordingServer
) -> None:
    mark = recorder.mark()
    window_send(services, state / "collections" / "order" / "order.request.yaml")
    assert _winners(only(recorder.since(mark), "/state/order")) == WINNERS


def test_variable_order_in_run(state: Path, cli: CliRun, recorder: RecordingServer) -> None:
    mark = recorder.mark()
    done = cli("run", str(state / "collections" / "order"), "--env", cells.ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _winners(only(recorder.since(mark), "/state/order")) == WINNERS


def test_variable_order_in_the_window_run(
    state: Path, services: Any, recorder: RecordingServer
) -> None:
    mark = recorder.mark()
    window_run(services, state / "collections" / "order", ORDER)
    assert _winners(only(recorder.since(mark), "/state/order")) == WINNERS


def test_variable_order_in_the_snippet(
    state: Path, cli: CliRun, recorder: RecordingServer, tmp_path: Path
) -> None:
    path = state / "collections" / "order" / "order.request.yaml"
    _, records = _snippet_records(cli, recorder, tmp_path, path, "curl", "--env", cells.ENV)
    assert _winners(only(records, "/state/order")) == WINNERS


def test_variable_order_in_send(state: Path, cli: CliRun, recorder: RecordingServer) -> None:
    """``send`` has no folders: the environment beats the saved values, which fill the rest."""
    mark = recorder.mark()
    done = cli(
        "send",
        "POST",
        "/state/order",
        "--provider",
        ORDER,
        "--env",
        cells.ENV,
        "--workspace",
        str(state),
        "-H",
        "X-Region: {{region}}",
        "-H",
        "X-Zone: {{zone}}",
    )
    assert done.returncode == 0, done.stderr
    records = only(recorder.since(mark), "/state/order")
    assert (_header(records, "X-Region"), _header(records, "X-Zone")) == (
        "from-provider",
        "from-saved",
    )


# -- relative body files ------------------------------------------------------------------------


@pytest.mark.parametrize("collection", ["files-plain", "files-provider"])
def test_run_anchors_body_files_at_the_request_file(
    collection: str, state: Path, cli: CliRun, recorder: RecordingServer
) -> None:
    mark = recorder.mark()
    directory = state / "collections" / collection
    done = cli(
        "run", str(directory), *(["--env", cells.ENV] if collection == "files-provider" else [])
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [record] = only(recorder.since(mark), f"/state/{collection}")
    assert record.body == BLOB


@pytest.mark.parametrize("collection", ["files-plain", "files-provider"])
def test_the_window_anchors_body_files_at_the_request_file(
    collection: str, state: Path, services: Any, recorder: RecordingServer
) -> None:
    mark = recorder.mark()
    window_send(services, state / "collections" / collection / "upload.request.yaml")
    window_run(
        services,
        state / "collections" / collection,
        ORDER if collection == "files-provider" else None,
    )
    records = only(recorder.since(mark), f"/state/{collection}")
    assert [r.body == BLOB for r in records] == [True, True]


@pytest.mark.parametrize("lang", ["curl", "python"])
def test_the_snippet_anchors_body_files_at_the_request_file(
    lang: str, state: Path, cli: CliRun, recorder: RecordingServer, tmp_path: Path
) -> None:
    path = state / "collections" / "files-plain" / "upload.request.yaml"
    _, records = _snippet_records(cli, recorder, tmp_path, path, lang)
    assert [r.body for r in only(records, "/state/files-plain")] == [BLOB]


# -- provider credentials stay on the provider's origins ---------------------------------------

PROVIDER_HEADERS = ("authorization", "x-tenant")


def _carried(records: list[Recorded]) -> dict[str, str]:
    assert records, "nothing reached the foreign origin"
    return {n: v for r in records for n in PROVIDER_HEADERS if (v := r.header(n)) is not None}


def test_the_window_keeps_provider_credentials_off_a_foreign_origin(
    state: Path, services: Any, foreign: RecordingServer
) -> None:
    mark = foreign.mark()
    outcome = window_send(services, state / "collections" / "parity-cc" / "foreign.request.yaml")
    assert _carried(foreign.since(mark)) == {}
    origin = f"http://127.0.0.1:{foreign.port}"
    assert [note for note in outcome.notes if origin in note] != [], outcome.notes
    assert sum(origin in note for note in outcome.notes) == 1, outcome.notes


def test_send_and_run_keep_provider_credentials_off_a_foreign_origin(
    state: Path, cli: CliRun, foreign: RecordingServer
) -> None:
    mark = foreign.mark()
    sent = cli(
        "send",
        "POST",
        f"{foreign.base_url}/state/foreign",
        "--provider",
        "parity-cc",
        "--env",
        cells.ENV,
        "--workspace",
        str(state),
        "--json",
        "{}",
    )
    assert sent.returncode == 0, sent.stderr
    ran = cli("run", str(state / "collections" / "parity-cc"), "--env", cells.ENV)
    assert ran.returncode == 0, ran.stdout
    records = only(foreign.since(mark), "/state/foreign")
    assert len(records) == 2
    assert _carried(records) == {}


def test_the_snippet_omits_provider_credentials_for_a_foreign_origin(
    state: Path, cli: CliRun, foreign: RecordingServer, tmp_path: Path
) -> None:
    path = state / "collections" / "parity-cc" / "foreign.request.yaml"
    text, records = _snippet_records(cli, foreign, tmp_path, path, "curl", "--env", cells.ENV)
    assert not re.search(r"Authorization|X-Tenant|PARITY_CC_TOKEN", text), text
    assert _carried(only(records, "/state/foreign")) == {}


# -- an imported OpenAPI API key ------------------------------------------------------------------

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Keyed", "version": "1"},
    "servers": [{"url": "BASE"}],
    "components": {
        "securitySchemes": {"PartnerKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}
    },
    "security": [{"PartnerKey": []}],
    "paths": {
        "/state/keyed": {
            "get": {"operationId": "listKeyed", "responses": {"200": {"description": "ok"}}}
        }
    },
}


def _secret_variable(directory: Path) -> str:
    """The variable the imported API key refers to (``{{NAME}}`` in the collection's or the
    request's auth)."""
    texts = [p.read_text() for p in sorted(directory.glob("*.yaml"))]
    names: list[str] = [n for t in texts for n in re.findall(r"\{\{\s*([\w.-]+)\s*\}\}", t)]
    wanted = [n for n in names if n != "base_url"]
    assert wanted, "the import names no key variable:\n" + "\n".join(texts)
    return wanted[0]


def test_an_imported_openapi_api_key_is_sendable_with_the_secret_given(
    state: Path, cli: CliRun, services: Any, recorder: RecordingServer, tmp_path: Path
) -> None:
    spec = tmp_path / "keyed.json"
    spec.write_text(json.dumps(OPENAPI).replace("BASE", recorder.base_url))
    into = state / "collections" / "keyed"
    done = cli("import", "openapi", str(spec), "--into", str(into))
    assert done.returncode == 0, done.stderr
    name = _secret_variable(into)
    mark = recorder.mark()
    ran = cli("run", str(into), "--var", f"{name}=key-from-var")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    [request] = into.glob("*.request.yaml")
    window_send(
        services,
        request,
        variables={name: "key-from-var"},
    )
    records = only(recorder.since(mark), "/state/keyed")
    assert [r.header("X-Api-Key") for r in records] == ["key-from-var", "key-from-var"]
    assert [r.header("Authorization") for r in records] == [None, None]


# -- templated assertion values -------------------------------------------------------------------


def test_run_templates_assertion_values_from_data_rows(
    state: Path, cli: CliRun, recorder: RecordingServer, tmp_path: Path
) -> None:
    directory = state / "collections" / "rows"
    cells.dump(
        directory / "collection.yaml",
        {"name": "rows", "seq": 12, "variables": {"base_url": recorder.base_url}},
    )
    cells.dump(
        directory / "echo.request.yaml",
        {
            "name": "echo",
            "seq": 1,
            "method": "GET",
            "url": "{{base_url}}/state/rows",
            "params": [{"name": "name", "value": "{{name}}"}],
            "assert": [{"status": 200}, {"jsonpath": "$.args.name", "equals": "{{name}}"}],
        },
    )
    data = tmp_path / "rows.csv"
    data.write_text("name\nalpha\nbeta\n")
    mark = recorder.mark()
    done = cli("run", str(directory), "--data", str(data))
    assert done.returncode == 0, done.stdout + done.stderr
    targets = [r.target for r in only(recorder.since(mark), "/state/rows")]
    assert targets == ["/state/rows?name=alpha", "/state/rows?name=beta"]


# -- import --dry-run agrees with the import ------------------------------------------------------


@pytest.mark.parametrize("into", ["plain", "fresh-import"])
def test_import_dry_run_fails_exactly_when_the_import_fails(
    into: str, state: Path, cli: CliRun, recorder: RecordingServer, tmp_path: Path
) -> None:
    spec = tmp_path / "keyed.json"
    spec.write_text(json.dumps(OPENAPI).replace("BASE", recorder.base_url))
    target = str(state / "collections" / into)
    dry = cli("import", "openapi", str(spec), "--into", target, "--dry-run")
    real = cli("import", "openapi", str(spec), "--into", target)
    assert (dry.returncode, dry.stderr) == (real.returncode, real.stderr)
    assert real.returncode == (0 if into == "fresh-import" else 2), real.stderr
