"""Load → save is byte-identical and save → load returns the same model, for any request."""

from __future__ import annotations

from hypothesis import given, settings

from explorer.core.workspace import codec, yamlio
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
