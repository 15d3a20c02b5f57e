"""Collections on disk: byte-identical reopen, broken files reported and left alone."""

from __future__ import annotations

from pathlib import Path

from explorer.core.errors import FormatError
from explorer.core.models import AuthSpec, Body, BodyMode, KeyValue, RequestSpec
from explorer.core.workspace.collections import load_collection, save_collection
from explorer.core.workspace.model import Folder, SavedRequest, Variable


def sample_tree() -> Folder:
    login = RequestSpec(
        method="POST",
        url="{{base_url}}/login",
        name="Log in",
        headers=(KeyValue("Accept", "application/json"), KeyValue("X-Debug", "1", False)),
        body=Body(BodyMode.JSON, '{\n  "user": "{{username}}"\n}\n'),
    )
    items = SavedRequest(
        RequestSpec(url="{{base_url}}/items", name="List items", params=(KeyValue("page", "1"),)),
        2,
    )
    nested = Folder(
        "Admin",
        seq=3,
        headers=(KeyValue("X-Role", "admin"),),
        auth=AuthSpec("bearer", (("token", "{{admin_token}}"),)),
        items=(SavedRequest(RequestSpec(method="DELETE", url="{{base_url}}/x", name="Drop"), 1),),
    )
    return Folder(
        "Shop API",
        description="Everything the shop does.\nSecond line.\n",
        provider="priceedge",
        variables=(Variable("base_url", "http://127.0.0.1:1"), Variable("token", secret=True)),
        items=(SavedRequest(login, 1), items, nested),
    )


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_save_close_reopen_is_byte_identical_and_touches_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "shop"
    save_collection(sample_tree(), directory)
    before = files(directory)
    mtimes = {p: p.stat().st_mtime_ns for p in directory.rglob("*.yaml")}
    result = load_collection(directory)
    assert result.errors == ()
    assert result.collection == sample_tree()
    save_collection(result.collection, directory)
    assert files(directory) == before
    assert {p: p.stat().st_mtime_ns for p in directory.rglob("*.yaml")} == mtimes
    assert sorted(before) == [
        "admin/drop.request.yaml",
        "admin/folder.yaml",
        "collection.yaml",
        "list-items.request.yaml",
        "log-in.request.yaml",
    ]


def test_files_are_minimal_and_bodies_are_block_literals(tmp_path: Path) -> None:
    save_collection(sample_tree(), tmp_path / "shop")
    assert (tmp_path / "shop" / "log-in.request.yaml").read_text() == (
        "name: Log in\n"
        "seq: 1\n"
        "method: POST\n"
        "url: '{{base_url}}/login'\n"
        "headers:\n"
        "  - name: Accept\n"
        "    value: application/json\n"
        "  - name: X-Debug\n"
        "    value: '1'\n"
        "    enabled: false\n"
        "body:\n"
        "  mode: json\n"
        "  text: |\n"
        "    {\n"
        '      "user": "{{username}}"\n'
        "    }\n"
    )
    collection = (tmp_path / "shop" / "collection.yaml").read_text()
    assert "secret_variables:\n  - token\n" in collection
    assert "token:" not in collection.replace("- token", "")


def test_an_edit_changes_only_its_lines(tmp_path: Path) -> None:
    directory = tmp_path / "shop"
    save_collection(sample_tree(), directory)
    path = directory / "log-in.request.yaml"
    before = path.read_text().splitlines()
    tree = load_collection(directory).collection
    assert tree is not None
    first = tree.items[0]
    assert isinstance(first, SavedRequest)
    edited_spec = first.spec.__class__(
        **{
            **{f: getattr(first.spec, f) for f in first.spec.__dataclass_fields__},
            "body": Body(BodyMode.JSON, '{\n  "user": "{{login}}"\n}\n'),
        }
    )
    save_collection(
        Folder(
            **{
                **{f: getattr(tree, f) for f in tree.__dataclass_fields__},
                "items": (SavedRequest(edited_spec, 1, first.path), *tree.items[1:]),
            }
        ),
        directory,
    )
    after = path.read_text().splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1
    assert after[changed[0]] == '      "user": "{{login}}"'


def test_a_broken_file_is_reported_left_untouched_and_the_rest_loads(tmp_path: Path) -> None:
    directory = tmp_path / "shop"
    save_collection(sample_tree(), directory)
    broken = directory / "list-items.request.yaml"
    broken.write_text("name: List items\nseq: 2\nurl: [unclosed\n")
    bad_folder = directory / "admin" / "folder.yaml"
    bad_folder.write_text("name: Admin\nseq: {{ nope\n")
    damaged = {broken: broken.read_bytes(), bad_folder: bad_folder.read_bytes()}
    result = load_collection(directory)
    assert result.collection is not None
    located = {(Path(e.path or ""), e.line) for e in result.errors}
    assert (broken, 4) in located
    assert any(path == bad_folder and line is not None for path, line in located)
    names = [item.name for item in result.collection.items]
    assert sorted(names) == ["Log in", "admin"]
    save_collection(result.collection, directory)
    assert {p: p.read_bytes() for p in damaged} == damaged


def test_a_wrong_type_names_the_key(tmp_path: Path) -> None:
    directory = tmp_path / "shop"
    save_collection(sample_tree(), directory)
    (directory / "log-in.request.yaml").write_text("name: x\nheaders: nope\n")
    errors = load_collection(directory).errors
    assert len(errors) == 1
    assert "'headers' must be a list" in str(errors[0])


def test_a_folder_without_collection_yaml_is_not_a_collection(tmp_path: Path) -> None:
    result = load_collection(tmp_path)
    assert result.collection is None
    assert isinstance(result.errors[0], FormatError)


def test_writes_are_atomic_and_leave_no_temp_files(tmp_path: Path) -> None:
    directory = tmp_path / "shop"
    save_collection(sample_tree(), directory)
    assert not [p for p in directory.rglob("*") if p.name.startswith(".")]


def test_threads_creating_one_workspace_agree_on_its_id(tmp_path: Path) -> None:
    """The window's core and a workspace store may create the same new workspace at once:
    one marker is written, and every opener gets its id."""
    from concurrent.futures import ThreadPoolExecutor

    from explorer.core.workspace.marker import open_workspace

    root = tmp_path / "new-workspace"
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda _: open_workspace(root).id, range(32)))
    assert len(ids) == 1
    assert (root / "workspace.yaml").read_text().endswith(f"id: {ids.pop()}\n")
    assert [p.name for p in root.iterdir()] == ["workspace.yaml"]
