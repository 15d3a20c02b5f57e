"""Other people's files: real HAR recordings, Insomnia exports and Bruno collections from public
repositories (each data folder's README.md names their origin and licence). Each one is
recognised by content, imports without an unexpected-structure error, keeps no literal secret
in the saved files, and saves and loads back to the same requests; the broken ones (``broken/``
in each folder) are one located ``FormatError``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from explorer.core.errors import FormatError
from explorer.core.formats import service
from explorer.core.formats.common import ImportResult, UnexpectedStructure
from explorer.core.formats.detect import detect
from explorer.core.models import BodyMode, RequestSpec
from explorer.core.workspace.collections import create_collection, load_collection
from explorer.core.workspace.model import Folder

DATA = Path(__file__).parent / "data"
HAR = DATA / "har"
INSOMNIA = DATA / "insomnia"
BRUNO = DATA / "bruno"
METHOD = re.compile(r"^[A-Z][A-Z-]*$")
#: A URL as the tools send it: absolute, or starting with a variable; empty where the file's
#: request has none (Insomnia's and Bruno's "New Request").
#: Moved values at least this long must not be left in an auth setting or header (a short one,
#: such as an API key ``bar``, may also be an ordinary header's value).
DISTINCT = 6
URL = re.compile(r"^(https?://|\{\{|$)", re.IGNORECASE)


def files(folder: Path, *patterns: str) -> list[Path]:
    return sorted(path for pattern in patterns for path in folder.glob(pattern))


def bruno_collections() -> list[Path]:
    folders = [p for p in sorted(BRUNO.iterdir()) if (p / "bruno.json").is_file()]
    return folders + files(BRUNO, "*.json")


REAL = (
    [("har", p) for p in files(HAR, "*.har", "*.json")]
    + [("insomnia", p) for p in files(INSOMNIA, "*.yaml", "*.json")]
    + [("bruno", p) for p in bruno_collections()]
)
BROKEN = (
    [("har", p) for p in files(HAR / "broken", "*")]
    + [("insomnia", p) for p in files(INSOMNIA / "broken", "*")]
    + [("bruno", p) for p in sorted((BRUNO / "broken").iterdir())]
)


def ids(cases: list[tuple[str, Path]]) -> list[str]:
    return [f"{kind}:{path.relative_to(DATA / kind).as_posix()}" for kind, path in cases]


def specs(tree: Folder) -> list[RequestSpec]:
    return [saved.spec for _, saved in tree.requests()]


def real(kind: str, name: str) -> ImportResult:
    folder = {"har": HAR, "insomnia": INSOMNIA, "bruno": BRUNO}[kind]
    return service.read(kind, folder / name)


def test_at_least_fifteen_real_files_per_the_acceptance() -> None:
    counts = {kind: sum(1 for k, _ in REAL if k == kind) for kind in ("har", "insomnia", "bruno")}
    assert sum(counts.values()) >= 15
    assert min(counts.values()) >= 5


@pytest.mark.parametrize(("kind", "path"), REAL, ids=ids(REAL))
def test_each_real_file_is_recognised_by_content(kind: str, path: Path) -> None:
    assert detect(path) == kind


@pytest.mark.parametrize(("kind", "path"), REAL, ids=ids(REAL))
def test_each_real_file_imports_saves_and_loads_back(kind: str, path: Path, tmp_path: Path) -> None:
    try:
        result = service.read(kind, path)
    except UnexpectedStructure as exc:  # pragma: no cover - the failure message is the point
        pytest.fail(f"an importer check is missing: {exc}")
    imported = specs(result.collection)
    for spec in imported:
        assert METHOD.match(spec.method), spec
        assert URL.match(spec.url), spec.url
    assert all(isinstance(w, str) and w.strip() for w in result.warnings)

    target = tmp_path / "collection"
    create_collection(result.collection, target)
    loaded = load_collection(target)
    assert loaded.errors == ()
    assert loaded.collection is not None
    back = specs(loaded.collection)
    assert sorted((s.method, s.url) for s in back) == sorted((s.method, s.url) for s in imported)

    assert_secrets_moved(result, loaded.collection, target)


def assert_secrets_moved(result: ImportResult, tree: Folder, saved: Path) -> None:
    """Each secret is referenced where its value was (``{{name}}`` in the saved files, or a
    variable of an imported environment), and no auth setting or header holds a value moved."""
    written = "\n".join(p.read_text(encoding="utf-8") for p in saved.rglob("*") if p.is_file())
    in_environments = {
        name for env in result.environments for name in (*env.values, *env.secret_names)
    }
    for name in result.secrets:
        assert f"{{{{{name}}}}}" in written or name in in_environments, name
    moved = {value for value in result.secrets.values() if len(value) >= DISTINCT}
    holders: list[Folder | RequestSpec] = [*folders(tree), *specs(tree)]
    for holder in holders:
        literal = [value for _, value in holder.auth.params] if holder.auth else []
        literal += [header.value for header in holder.headers]
        assert not moved.intersection(literal), holder


def folders(tree: Folder) -> list[Folder]:
    found = [tree]
    for item in tree.items:
        if isinstance(item, Folder):
            found += folders(item)
    return found


@pytest.mark.parametrize(("kind", "path"), BROKEN, ids=ids(BROKEN))
def test_broken_real_files_are_one_located_format_error(kind: str, path: Path) -> None:
    with pytest.raises(FormatError) as caught:
        service.read(kind, path)
    assert not isinstance(caught.value, UnexpectedStructure)
    assert path.name in str(caught.value)


# -- what these files showed -------------------------------------------------------------------
def test_a_bare_har_request_imports_as_one_request() -> None:
    """Insomnia's HAR importer takes one request object without a log around it."""
    (spec,) = specs(real("har", "kong-minimal-input.json").collection)
    assert (spec.method, spec.url, spec.docs) == (
        "GET",
        "https://insomnia.rest/foo/bar",
        "My Request",
    )


def test_har_params_naming_a_file_are_a_multipart_body_even_without_a_type() -> None:
    result = real("har", "kong-form-data-input.json")
    (spec,) = specs(result.collection)
    assert spec.body.mode is BodyMode.MULTIPART
    parts = [(f.name, f.value, f.is_file) for f in spec.body.fields]
    assert parts == [("file", "test.txt", True), ("foo", "bar", False)]
    assert any("choose the files before sending" in w for w in result.warnings)


def test_websocket_handshakes_in_a_recording_are_skipped_and_counted() -> None:
    with pytest.raises(FormatError, match=r"WebSocket handshakes \(3\)"):
        real("har", "broken/mitm-websocket.har")


def test_a_har_file_with_a_byte_order_mark_imports() -> None:
    assert (HAR / "mitm-with-bom.har").read_bytes().startswith(b"\xef\xbb\xbf")
    (spec,) = specs(real("har", "mitm-with-bom.har").collection)
    assert spec.url.startswith("https://")


def test_a_flow_style_yaml_insomnia_export_imports() -> None:
    """Insomnia 2020 wrote YAML exports as one flow mapping, ``{_type: export, ...}``."""
    assert (INSOMNIA / "kong-insomnia_v4.yaml").read_text(encoding="utf-8").startswith("{_type")
    result = real("insomnia", "kong-insomnia_v4.yaml")
    assert len(specs(result.collection)) == 13
    assert "password" in result.secrets


def test_an_empty_bruno_file_part_is_reported_not_dropped_silently() -> None:
    result = real("bruno", "altinn-dialogporten")
    policy = next(s for s in specs(result.collection) if s.name == "Create Policy")
    assert policy.body.mode is BodyMode.MULTIPART
    assert policy.body.fields == ()
    assert any(
        "Create Policy" in w and "file part policyFile has no file chosen" in w
        for w in result.warnings
    )


def test_the_legacy_bruno_query_block_is_read_as_the_query_table() -> None:
    result = real("bruno", "bruno-collection-oauth2")
    assert not any("blocks query" in w for w in result.warnings)
    resource = [
        s
        for s in specs(result.collection)
        if s.url.endswith("?token={{client_credentials_access_token}}")
    ]
    assert len(resource) == 1
    assert resource[0].params == ()


def test_a_bruno_yaml_collection_beside_a_bruno_json_is_refused_in_one_sentence() -> None:
    with pytest.raises(FormatError, match="YAML format"):
        real("bruno", "broken/bruno-yaml-collection")
