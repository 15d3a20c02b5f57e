"""Load → save is byte-identical and save → load returns the same model, for any request."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core.workspace import codec, yamlio
from explorer.core.workspace.collections import load_collection, save_collection
from explorer.core.workspace.model import Folder, SavedRequest
from tests.core.workspace.strategies import folders, saved


@settings(max_examples=150, deadline=None)
@given(saved)
def test_request_file_round_trips_byte_for_byte(item: SavedRequest) -> None:
    text = yamlio.dump(codec.request_to_data(item.spec, item.seq))
    spec, seq = codec.request_from_data(yamlio.loads(text, "x"), "x")
    assert (spec, seq) == (item.spec, item.seq)
    assert yamlio.dump(codec.request_to_data(spec, seq)) == text


@settings(max_examples=100, deadline=None)
@given(folders)
def test_folder_file_round_trips_byte_for_byte(folder: Folder) -> None:
    text = yamlio.dump(codec.folder_to_data(folder, root=True))
    loaded = codec.folder_from_data(yamlio.loads(text, "x"), "x")
    assert loaded == folder
    assert yamlio.dump(codec.folder_to_data(loaded, root=True)) == text


def _tree(folder: Folder, items: list[Folder | SavedRequest]) -> Folder:
    from dataclasses import replace

    return replace(folder, items=tuple(items))


trees = st.recursive(
    st.builds(_tree, folders, st.lists(saved, max_size=3)),
    lambda inner: st.builds(_tree, folders, st.lists(saved | inner, max_size=3)),
    max_leaves=5,
)


@settings(max_examples=40, deadline=None)
@given(trees)
def test_a_collection_on_disk_reopens_byte_for_byte(tree: Folder) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "c"
        save_collection(tree, directory)
        before = {p: p.read_bytes() for p in directory.rglob("*") if p.is_file()}
        result = load_collection(directory)
        assert result.errors == ()
        assert result.collection is not None
        assert sorted(_specs(result.collection)) == sorted(_specs(tree))
        save_collection(result.collection, directory)
        assert {p: p.read_bytes() for p in directory.rglob("*") if p.is_file()} == before


def _specs(tree: Folder) -> list[str]:
    return [repr((trail, item.spec, item.seq)) for trail, item in tree.requests()]
