"""A request opened from a collection is sent (and turned into a snippet) with what its folders
give it, as ``api-explorer run`` and ``snippet`` do: inherited headers (its own win), the nearest
folder's auth when it has none, and folder variables (nearest folder first)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeView

from explorer.core.models import AuthSpec, KeyValue, RequestSpec
from explorer.core.workspace.collections import save_collection
from explorer.core.workspace.model import Folder, SavedRequest, Variable
from explorer.core.workspace.store import WorkspaceStore
from explorer.services.api import Services
from tests.ui.conftest import OFFSCREEN_NOISE, open_window

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def request_path(tmp_path: Path, edge) -> Path:  # type: ignore[no-untyped-def]
    store = WorkspaceStore(tmp_path / "workspace")
    tree = Folder(
        "Team",
        variables=(Variable("root", edge.base_url), Variable("who", "collection")),
        headers=(KeyValue("X-Team", "blue"), KeyValue("X-Mine", "from the collection")),
        items=(
            Folder(
                "Admin",
                variables=(Variable("who", "folder"),),
                auth=AuthSpec("basic", (("username", "ann"), ("password", "pw"))),
                headers=(KeyValue("X-Folder", "admin"),),
                items=(
                    SavedRequest(
                        RequestSpec(
                            "GET",
                            "{{root}}/echo?who={{who}}",
                            name="Who am I",
                            headers=(KeyValue("X-Mine", "own"),),
                        )
                    ),
                ),
            ),
        ),
    )
    saved = save_collection(tree, store.collections_dir / "team")
    return saved.requests()[0][1].path  # type: ignore[return-value]


@pytest.fixture
def win(qtbot, request_path: Path, services: Services):  # type: ignore[no-untyped-def]
    window = open_window(qtbot, services)
    tree = window.findChild(QTreeView, "collectionTree")
    qtbot.waitUntil(lambda: tree.index_of(request_path).isValid(), timeout=10_000)
    index = tree.index_of(request_path)
    tree.scrollTo(index)
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(index).center()
    )
    assert window.editor.to_spec().name == "Who am I"
    yield window
    window.close()


def test_a_collection_request_is_sent_with_what_its_folders_give_it(qtbot, win) -> None:
    with qtbot.waitSignal(win.request_finished, timeout=20_000):
        win.editor.send_button.click()
    echoed = json.loads(win.response.exchange.response.body.read_bytes())
    headers = dict(echoed["headers"])
    assert echoed["path"] == "/echo?who=folder"  # the nearest folder's variable wins
    assert headers["X-Team"] == "blue"
    assert headers["X-Folder"] == "admin"
    assert headers["X-Mine"] == "own"  # the request's own header wins
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"ann:pw").decode()


def test_the_snippet_of_a_collection_request_has_the_inherited_parts(qtbot, win) -> None:
    from explorer.services.api import SnippetChoice

    future = win.services.snippets.generate(
        win.editor.to_spec(), win._context(), SnippetChoice("curl", "as-sent", False)
    )
    qtbot.waitUntil(future.done, timeout=20_000)
    text = future.result()
    assert "X-Team: blue" in text
    assert "who=folder" in text
    assert "X-Mine: own" in text
