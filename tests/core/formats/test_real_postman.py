"""Real Postman collections (``data/postman``; origins and licences in its README.md): each
imports without an unexpected structure, is saved into a workspace and loaded back unchanged,
exports to Postman and imports again to the same requests on the wire; literal secrets reach
neither the saved files nor the export, and what cannot be mapped is reported."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from explorer.core.errors import FormatError
from explorer.core.formats import service
from explorer.core.formats.common import ImportResult, UnexpectedStructure
from explorer.core.formats.postman import export_postman, import_postman
from explorer.core.models import BodyMode, KeyValue, RequestSpec
from explorer.core.workspace.collections import load_collection
from explorer.core.workspace.model import Folder, SavedRequest

DATA = Path(__file__).parent / "data" / "postman"

CASES: dict[str, tuple[int, tuple[str, ...]]] = {
    "conduit.postman_collection.json": (6, ("scripts are not imported",)),
    "postman-echo.postman_collection.json": (
        9,
        (
            "cannot send oauth1 auth",
            "header Authorization was moved",
            "the digest password was moved",
            "the form field client_secret was moved",
            "Postman sends no body with GET",
        ),
    ),
    "whatwg-url.postman_collection.json": (8, ("the password in the URL was moved",)),
    "inherited-entities.postman_collection.json": (
        8,
        ("collection: scripts are not imported", "the basic password was moved"),
    ),
    "protocol-profile-behavior.postman_collection.json": (
        8,
        ("protocolProfileBehavior followOriginalHttpMethod was not imported",),
    ),
    "request-body-with-get.postman_collection.json": (3, ("Postman sends no body with GET",)),
    "custom-http-method.postman_collection.json": (3, ("sends the local file",)),
}
"""Each collection: how many requests it holds, and what its import must report."""


def read(name: str) -> ImportResult:
    try:
        return service.read("postman", DATA / name)
    except UnexpectedStructure as exc:  # a FormatError too: only a missed check raises it
        pytest.fail(f"a check is missing: {exc}")


def specs(result: ImportResult) -> list[RequestSpec]:
    return [saved.spec for _, saved in result.collection.requests()]


def on_the_wire(spec: RequestSpec) -> tuple[object, ...]:
    """What a request sends: the query as written in the URL or as parameter rows is the
    same target (an export writes every query as Postman's parsed rows)."""
    rows = [f"{p.name}={p.value}" for p in spec.params if p.enabled]
    url = spec.url + ("&" if "?" in spec.url else "?") + "&".join(rows) if rows else spec.url
    disabled = tuple(p for p in spec.params if not p.enabled)
    return (spec.method, url, disabled, spec.headers, spec.body, spec.auth, spec.follow_redirects)


def plain_values(node: object, skipped: frozenset[str]) -> Iterator[str]:
    """Every string value of a parsed document, but under the ``skipped`` keys (prose)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in skipped:
                yield from plain_values(value, skipped)
    elif isinstance(node, list):
        for value in node:
            yield from plain_values(value, skipped)
    elif isinstance(node, str):
        yield re.sub(r"\{\{[^{}]*\}\}", "", node)  # a {{variable}} may be named like its value


def leaked(secrets: dict[str, str], documents: list[object], skipped: frozenset[str]) -> set[str]:
    """The secrets whose value is written in ``documents`` (a list of secret variables' names,
    ``- digest_password``, is no leak of the value ``password``)."""
    values = [v for doc in documents for v in plain_values(doc, skipped) if v not in secrets]
    return {name for name, secret in secrets.items() if any(secret in v for v in values)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_real_collection_imports_saves_exports_and_comes_back(name: str, tmp_path: Path) -> None:
    count, reported = CASES[name]
    result = read(name)
    assert len(specs(result)) == count
    for needle in reported:
        assert any(needle in w for w in result.warnings), (needle, result.warnings)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    applied = service.apply(result, workspace / "collections" / "real", workspace)
    assert applied.collection_dir is not None
    loaded = load_collection(applied.collection_dir)
    assert loaded.errors == ()
    assert loaded.collection is not None
    assert [s.spec for _, s in loaded.collection.requests()] == specs(result)
    saved = [yaml.safe_load(p.read_text()) for p in applied.collection_dir.rglob("*.yaml")]
    assert leaked(result.secrets, saved, frozenset({"docs", "description"})) == set()

    text = service.export("postman", applied.collection_dir)
    exported = json.loads(text)
    assert leaked(result.secrets, [exported], frozenset({"description", "key"})) == set()
    again = import_postman(text, "export")
    assert [on_the_wire(s) for s in specs(again)] == [on_the_wire(s) for s in specs(result)]
    assert set(again.secrets) <= set(result.secrets)


def by_name(result: ImportResult) -> dict[str, RequestSpec]:
    return {spec.name: spec for spec in specs(result)}


def test_query_keys_without_values_are_sent_as_postman_sends_them() -> None:
    requests = by_name(read("whatwg-url.postman_collection.json"))
    assert requests["multiple ???"].url == (
        "https://postman-echo.com/get???&hl=en&src=api&x=2&y=2&z=3&s="
    )
    assert requests["multiple &&&"].url == "https://postman-echo.com/get?foo=bar&&&bar=baz"
    assert requests["retain foo& in query param"].url == "https://postman-echo.com/get?foo&"
    disabled = requests["disabled query param"]
    assert (disabled.url, disabled.params) == (
        "https://postman-echo.com/get",
        (KeyValue("foo", "", enabled=False),),
    )
    cookies = by_name(read("postman-echo.postman_collection.json"))["Delete Cookies"]
    again = by_name(import_postman(export_of(cookies), "export"))["Delete Cookies"]
    assert again.url == "https://postman-echo.com/cookies/delete?foo1&foo2"


def export_of(spec: RequestSpec) -> str:
    """One request exported alone."""
    return export_postman(Folder("one", items=(SavedRequest(spec, 1),)))


def test_a_password_in_the_url_becomes_a_secret_and_a_blank_raw_url_is_built() -> None:
    result = read("whatwg-url.postman_collection.json")
    requests = by_name(result)
    at = requests["multiple : and @ in auth"]
    assert at.url == "https://us@r:{{url_password}}@postman-echo.com/get"
    assert result.secrets["url_password"] == "p@ssword"
    assert requests["\\\\ in path"].url == "https://httpbin.org//get"


def test_protocol_profile_behavior_is_inherited_from_folders_and_the_collection() -> None:
    requests = by_name(read("protocol-profile-behavior.postman_collection.json"))
    assert requests["followRedirects: true"].follow_redirects is True  # from its folder
    assert requests["followRedirects: false"].follow_redirects is False
    assert requests["maxRedirects"].max_redirects == 11
    assert requests["followOriginalHttpMethod: false"].max_redirects == 10  # the collection's


def test_a_get_body_is_imported_only_when_postman_sends_it_and_exported_so() -> None:
    requests = by_name(read("request-body-with-get.postman_collection.json"))
    assert requests["default"].body.mode is BodyMode.NONE
    assert requests["form-data"].body.mode is BodyMode.MULTIPART
    assert requests["raw"].body.mode is BodyMode.RAW
    item = json.loads(export_of(requests["raw"]))["item"][0]
    assert item["protocolProfileBehavior"] == {"disableBodyPruning": True}


def test_a_collection_without_info_takes_its_name_from_the_top() -> None:
    result = read("inherited-entities.postman_collection.json")
    assert result.collection.name == "Inherited Entities"
    auth = result.collection.auth
    assert auth is not None
    assert auth.type == "basic"
    username, (_, password) = auth.params
    assert username == ("username", "postman")
    assert result.secrets[password.strip("{}")] == "password"


def test_a_v1_collection_is_refused_with_what_to_do() -> None:
    with pytest.raises(FormatError, match=r"Collection v1 file.*export it as Collection v2\.1"):
        service.read("postman", DATA / "v1.postman_collection.json")
