"""The parity matrix: every auth type by every front end puts the same request on the wire.

Each front end runs all cells in one batch (one collection run, one snippet interpreter, one
newman run per collection) and the recording server's log is split by the cells' paths; each
test then compares one cell's delivery with what ``cells.Cell.expected`` says must arrive.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.core.snippets import runner as snippet_runner
from tests.parity import cells
from tests.parity.conftest import CliRun, only, window_run, window_send
from tests.support.programs import require
from tests.support.recording import Recorded, RecordingServer

INTEROP = Path(__file__).parent.parent / "interop"
NEWMAN = INTEROP / "node_modules" / "newman" / "bin" / "newman.js"
HTTPYAC = INTEROP / "node_modules" / "httpyac" / "bin" / "httpyac.js"
FRONT_ENDS = (
    "window-send",
    "cli-send",
    "cli-run",
    "window-run",
    "snippet-curl",
    "snippet-python",
    "newman",
    "httpyac",
)
NODE_TOOLS = {"newman", "httpyac"}
#: What a user gives a Postman or httpyac run of an exported provider collection: the
#: environment's base URL and variables and the stored credential slots.
TOOL_VARIABLES = {
    "tenant": "acme",
    **{k: v for _, (_, s) in cells.PRESETS.items() for k, v in s.items()},
}

Delivery = dict[str, "list[Recorded] | str"]


def request_file(workspace: Path, cell: cells.Cell) -> Path:
    return workspace / "collections" / cell.collection / f"{cell.id}.request.yaml"


def collections(workspace: Path) -> dict[str, tuple[Path, str]]:
    """Each collection folder with its provider ('' for the plain one)."""
    return {
        c.collection: (workspace / "collections" / c.collection, c.provider) for c in cells.CELLS
    }


def _per_cell(records: list[Recorded], failure: str = "") -> Delivery:
    return {cell.id: only(records, f"/parity/{cell.id}") or failure for cell in cells.CELLS}


class Drivers:
    """One method per front end; each sends every cell and returns what arrived per cell."""

    def __init__(
        self,
        recorder: RecordingServer,
        workspace: Path,
        cli: CliRun,
        services: Any,
        tmp: Path,
        nodeid: str,
    ) -> None:
        self.recorder, self.workspace, self.cli = recorder, workspace, cli
        self.services, self.tmp, self.nodeid = services, tmp, nodeid

    def window_send(self) -> Delivery:
        out: Delivery = {}
        for cell in cells.CELLS:
            mark = self.recorder.mark()
            try:
                window_send(self.services, request_file(self.workspace, cell))
            except Exception as exc:  # the cell fails with the product's own sentence
                out[cell.id] = f"{type(exc).__name__}: {exc}"
                continue
            out[cell.id] = only(self.recorder.since(mark), f"/parity/{cell.id}")
        return out

    def cli_send(self) -> Delivery:
        out: Delivery = {}
        for cell in cells.CELLS:
            args = ["send", "POST", "-H", ": ".join(cells.CUSTOM), "--json", cells.BODY]
            if cell.provider:
                args += [cell.target, "--provider", cell.provider, "--env", cells.ENV]
                args += ["--workspace", str(self.workspace)]
            else:
                args += [self.recorder.base_url + cell.target]
                args += [
                    x for name, value in cell.headers.items() for x in ("-H", f"{name}: {value}")
                ]
            out[cell.id] = self._cli_cell(cell, args)
        return out

    def _cli_cell(self, cell: cells.Cell, args: list[str]) -> list[Recorded] | str:
        mark = self.recorder.mark()
        done = self.cli(*args)
        if done.returncode != 0:
            return f"exit {done.returncode}: {done.stderr.strip()[-600:]}"
        return only(self.recorder.since(mark), f"/parity/{cell.id}")

    def cli_run(self) -> Delivery:
        mark, failures = self.recorder.mark(), []
        for directory, provider in collections(self.workspace).values():
            args = ["run", str(directory)] + (["--env", cells.ENV] if provider else [])
            done = self.cli(*args)
            if done.returncode != 0:
                failures.append(f"{directory.name}: exit {done.returncode}: {done.stdout[-600:]}")
        return _per_cell(self.recorder.since(mark), "; ".join(failures))

    def window_run(self) -> Delivery:
        mark, failures = self.recorder.mark(), []
        for directory, provider in collections(self.workspace).values():
            try:
                window_run(self.services, directory, provider or None)
            except Exception as exc:
                failures.append(f"{directory.name}: {type(exc).__name__}: {exc}")
        return _per_cell(self.recorder.since(mark), "; ".join(failures))

    def snippet(self, lang: str) -> Delivery:
        texts: dict[str, str] = {}
        out: Delivery = {}
        for cell in cells.CELLS:
            args = ["snippet", "--lang", lang, str(request_file(self.workspace, cell))]
            done = self.cli(*args + (["--env", cells.ENV] if cell.provider else []))
            if done.returncode != 0:
                out[cell.id] = f"snippet exit {done.returncode}: {done.stderr.strip()}"
            else:
                texts[cell.id.replace("-", "_")] = done.stdout
        mark = self.recorder.mark()
        outputs = snippet_runner.run(lang, self.tmp / lang, texts, cells.SNIPPET_SECRETS)
        records = self.recorder.since(mark)
        for cell in cells.CELLS:
            name = cell.id.replace("-", "_")
            if name in texts:
                out[cell.id] = only(records, f"/parity/{cell.id}") or (
                    f"nothing arrived; snippet:\n{texts[name]}\noutput:\n{outputs[name][-800:]}"
                )
        return out

    def newman(self) -> Delivery:
        node = require("node", self.nodeid)
        return self._exported(
            "postman",
            lambda path, provider: [
                node,
                str(NEWMAN),
                "run",
                str(path),
                "--env-var",
                f"base_url={self.recorder.base_url}",
                *[x for k, v in TOOL_VARIABLES.items() for x in ("--env-var", f"{k}={v}")],
            ],
        )

    def httpyac(self) -> Delivery:
        node = require("node", self.nodeid)
        # Our client keeps no cookie jar (a request sends the cookies it names, nothing more);
        # httpyac's would carry the key-cookie cell's Cookie into the next requests.
        (self.tmp / ".httpyac.json").write_text('{"cookieJarEnabled": false}\n')
        return self._exported(
            "http",
            lambda path, provider: [
                node,
                str(HTTPYAC),
                "send",
                path.name,
                "--all",
                "--var",
                f"base_url={self.recorder.base_url}",
                *[x for k, v in TOOL_VARIABLES.items() for x in ("--var", f"{k}={v}")],
            ],
        )

    def _exported(self, kind: str, command: Callable[[Path, str], list[str]]) -> Delivery:
        mark, failures = self.recorder.mark(), []
        for name, (directory, provider) in collections(self.workspace).items():
            path = self.tmp / f"{name}.{'postman_collection.json' if kind == 'postman' else 'http'}"
            done = self.cli("export", kind, str(directory), "-o", str(path))
            if done.returncode != 0:
                failures.append(f"export {name}: {done.stderr.strip()}")
                continue
            ran = subprocess.run(
                command(path, provider),
                cwd=self.tmp,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if ran.returncode != 0:
                failures.append(
                    f"{kind} {name}: exit {ran.returncode}: {(ran.stdout + ran.stderr)[-400:]}"
                )
        return _per_cell(self.recorder.since(mark), "; ".join(failures))


@pytest.fixture(scope="module")
def delivered(
    request: pytest.FixtureRequest,
    recorder: RecordingServer,
    workspace: Path,
    cli: CliRun,
    services: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], Delivery]:
    """``delivered(front_end)``: per cell, the requests that reached the server (or why none),
    computed once per front end. Front ends run one after another, so the log slices cleanly."""
    cache: dict[str, Delivery] = {}
    tmp = tmp_path_factory.mktemp("parity-runs")

    def get(front_end: str) -> Delivery:
        if front_end not in cache:
            drivers = Drivers(recorder, workspace, cli, services, tmp, request.node.nodeid)
            if front_end.startswith("snippet-"):
                cache[front_end] = drivers.snippet(front_end.removeprefix("snippet-"))
            else:
                cache[front_end] = getattr(drivers, front_end.replace("-", "_"))()
        return cache[front_end]

    return get


@pytest.mark.parametrize("cell_id", [cell.id for cell in cells.CELLS])
@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_the_same_request_reaches_the_server(
    front_end: str,
    cell_id: str,
    delivered: Callable[[str], Delivery],
    request: pytest.FixtureRequest,
) -> None:
    if front_end in NODE_TOOLS:
        require("node", request.node.nodeid)
    got = delivered(front_end)[cell_id]
    assert not isinstance(got, str), f"{front_end} did not deliver {cell_id}: {got}"
    assert len(got) == 1, f"{front_end} sent {cell_id} {len(got)} times"
    assert cells.seen(got[0]) == cells.BY_ID[cell_id].expected()
