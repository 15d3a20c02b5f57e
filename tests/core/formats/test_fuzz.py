"""Hostile input: every importer answers random and mutated files with a result or a located
``FormatError``, never a crash, and never by the last-resort guard (a missed check)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.core.errors import FormatError
from explorer.core.formats.bruno import import_bru_text
from explorer.core.formats.common import ImportResult, UnexpectedStructure
from explorer.core.formats.curl import import_curl
from explorer.core.formats.har import import_har
from explorer.core.formats.http_file import export_http, import_http
from explorer.core.formats.insomnia import import_insomnia
from explorer.core.formats.openapi import import_openapi
from explorer.core.formats.postman import import_postman
from tests.core.formats.samples import http_tree
from tests.support.fuzz import bounded

DATA = Path(__file__).parent / "data"
Importer = Callable[[str, str], ImportResult]
IMPORTERS: dict[str, Importer] = {
    "postman": import_postman,
    "curl": import_curl,
    "http": import_http,
    "openapi": import_openapi,
    "har": import_har,
    "insomnia": import_insomnia,
    "bruno": import_bru_text,
}
SEEDS: dict[str, list[str]] = {
    "postman": [
        (DATA / "shop.postman_collection.json").read_text(),
        (DATA / "legacy.postman_collection_v2.0.json").read_text(),
        (DATA / "shop.postman_environment.json").read_text(),
    ],
    "curl": [
        "curl -X POST 'https://h/a?x=1' -H 'A: b' -d '{\"a\":1}' -u u:p -F f=@x -G -sSLk",
        "curl --data-urlencode 'q=a b' -b 'c=1' --json '[]' https://h",
    ],
    "http": [export_http(http_tree())],
    "openapi": [
        (DATA / "shop.openapi.yaml").read_text(),
        (DATA / "legacy.swagger.json").read_text(),
    ],
    "har": [(DATA / "har" / name).read_text() for name in ("chrome-post.har", "firefox.har")],
    "insomnia": [
        (DATA / "insomnia" / name).read_text()
        for name in ("httpbin.insomnia.json", "kong-insomnia_v4.json", "kong-oauth.yaml")
    ],
    "bruno": [
        *(path.read_text() for path in sorted((DATA / "bruno" / "httpbin").glob("*.bru"))[:3]),
        (DATA / "bruno" / "lang" / "request.bru").read_text(),
        (DATA / "bruno" / "testbench.json").read_text(),
    ],
}
#: Seeds that parse as JSON or YAML, for the structural mutations (Bruno's one-file export).
STRUCTURED = {
    kind: [s for s in seeds if s.lstrip()[:1] in "{[" or kind != "bruno"]
    for kind, seeds in SEEDS.items()
}
FAST = bounded(60)  # HYPOTHESIS_PROFILE=long multiplies it


def check(kind: str, text: str) -> None:
    outcome: ImportResult | FormatError
    try:
        outcome = IMPORTERS[kind](text, f"fuzz.{kind}")
    except FormatError as exc:
        outcome = exc
    if isinstance(outcome, FormatError):
        assert outcome.path == f"fuzz.{kind}"
        assert not isinstance(outcome, UnexpectedStructure), repr(outcome.__cause__)
    else:
        assert isinstance(outcome, ImportResult)


@pytest.mark.parametrize("kind", IMPORTERS)
@FAST
@given(text=st.text(max_size=300))
def test_random_text(kind: str, text: str) -> None:
    check(kind, text)


@pytest.mark.parametrize("kind", IMPORTERS)
@FAST
@given(data=st.data())
def test_mutated_files(kind: str, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(SEEDS[kind]))
    start = data.draw(st.integers(0, len(seed)))
    end = data.draw(st.integers(start, min(len(seed), start + 40)))
    insert = data.draw(st.text(alphabet=st.sampled_from("{}[]\":,\n #@?&=-\\'x0"), max_size=8))
    check(kind, seed[:start] + insert + seed[end:])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, trail: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [trail]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*trail, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*trail, index))
    return found


@pytest.mark.parametrize("kind", ["postman", "openapi", "har", "insomnia", "bruno"])
@FAST
@given(data=st.data())
def test_structurally_mutated_documents(kind: str, data: st.DataObject) -> None:
    import yaml

    seed = data.draw(st.sampled_from(STRUCTURED[kind]))
    doc = json.loads(seed) if seed.lstrip().startswith("{") else yaml.safe_load(seed)
    trail = data.draw(st.sampled_from(_paths(doc)[1:]))
    target = doc
    for key in trail[:-1]:
        target = target[key]
    target[trail[-1]] = data.draw(json_values)
    check(kind, json.dumps(doc, default=str))  # YAML seeds may hold timestamps
