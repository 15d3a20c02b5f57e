"""Generated snippets, run once per language and session, and what our own client sent."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.core.auth.registry import build_auth
from explorer.core.http import HttpClient
from explorer.core.snippets import SnippetOptions, generate
from explorer.core.templating import resolve
from tests.core.snippets import cases as table
from tests.core.snippets import runner
from tests.support.programs import require

PROGRAMS = {
    "curl": "curl",
    "httpie": "http",
    "python": "python",
    "fetch": "node",
    "powershell": "pwsh",
    "go": "go",
}


def program_for(lang: str, nodeid: str) -> None:
    """Skip (and record) when the language's program is missing; the venv's own are found."""
    name = PROGRAMS[lang]
    if name == "python" or (Path(sys.executable).parent / name).exists():
        return
    require(name, nodeid)


@pytest.fixture(scope="session")
def snippet_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return table.files(tmp_path_factory.mktemp("snippet files"))


@pytest.fixture(scope="session")
def case_table(snippet_files: dict[str, Path]) -> dict[str, table.Case]:
    return {case.id: case for case in table.build_cases(snippet_files)}


@pytest.fixture(scope="session")
def references(httpbin_url: str, case_table: dict[str, table.Case]) -> Iterator[dict[str, str]]:
    """What httpbin echoed for each case when our ``HttpClient`` sent it."""
    client = HttpClient()
    scope = table.scope(httpbin_url)
    out = {}
    for case in case_table.values():
        resolved = resolve(case.spec, scope)
        auth = resolved.auth
        with_auth = build_auth(auth.type, dict(auth.params)) if auth is not None else None
        exchange = client.send(resolved, auth=with_auth)
        out[case.id] = exchange.response.body.text()
    yield out
    client.close()


def snippet_for(case: table.Case, lang: str, base: str) -> str:
    options = SnippetOptions(scope=table.scope(base), keep_variables=case.keep)
    return generate(case.spec, lang, options)


@pytest.fixture(scope="session")
def executed(
    httpbin_url: str, case_table: dict[str, table.Case], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], dict[str, tuple[str, str]]]:
    """``executed(lang)``: every case's (snippet, output), run in one batch per language."""
    cache: dict[str, dict[str, tuple[str, str]]] = {}

    def run(lang: str) -> dict[str, tuple[str, str]]:
        if lang not in cache:
            snippets = {cid: snippet_for(c, lang, httpbin_url) for cid, c in case_table.items()}
            directory = tmp_path_factory.mktemp(f"run-{lang}")
            outputs = runner.run(lang, directory, snippets, table.SECRETS)
            cache[lang] = {cid: (snippets[cid], outputs[cid]) for cid in snippets}
        return cache[lang]

    return run


def received(echo_text: str, case: table.Case, names: set[str]) -> dict[str, Any]:
    """What the server saw, reduced to what a request decides (not the tool's own defaults)."""
    if "raw" in case.tags:
        return {"raw": echo_text.strip()}
    try:
        echo = json.loads(echo_text)
    except json.JSONDecodeError:
        return {"unparsable output": echo_text[-3000:]}
    headers = {k.lower(): v for k, v in echo["headers"].items()}
    picked = {n: headers.get(n) for n in sorted(names)}
    if str(picked.get("content-type", "")).startswith("multipart/form-data"):
        picked["content-type"] = "multipart/form-data"
    path = echo["url"].split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]
    return {
        "method": echo["method"],
        "path": "/" + path,
        "args": echo["args"],
        "headers": picked,
        "data": echo["data"],
        "form": echo["form"],
        "files": echo["files"],
        "json": echo["json"],
    }
