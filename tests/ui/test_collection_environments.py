"""A collection bound to no provider (an OpenAPI import) is sent without one, whatever the
provider bar showed, and to the server of the saved environment chosen for it ("Server 1",
"Server 2" ...): the bar says so, lists those environments, and gives the provider selection
back for the next provider-bound or ad-hoc request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QTreeView

from explorer.core.formats import service
from explorer.core.models import RequestSpec
from explorer.core.workspace.store import WorkspaceStore
from explorer.services.api import Services
from explorer.ui.auth_tab import NO_INHERITED
from tests.support.recording import Recorded, RecordingServer
from tests.ui.conftest import OFFSCREEN_NOISE, open_window

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

SPEC = """\
openapi: 3.0.3
info: {{title: Petstore, version: "1"}}
servers:
  - url: {first}/v1
  - url: {second}/v2
paths:
  /pets:
    get:
      summary: List pets
"""


@pytest.fixture
def servers() -> Iterator[tuple[RecordingServer, RecordingServer]]:
    first, second = RecordingServer(), RecordingServer()
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture
def imported(tmp_path: Path, servers: tuple[RecordingServer, RecordingServer]) -> Path:
    """The spec imported as ``api-explorer import openapi`` does, before the window (and its
    core) opens the workspace; returns the request file."""
    store = WorkspaceStore(tmp_path / "workspace")
    source = tmp_path / "petstore.yaml"
    source.write_text(SPEC.format(first=servers[0].base_url, second=servers[1].base_url))
    applied = service.apply(
        service.read("openapi", source), store.collections_dir / "petstore", store.root
    )
    assert applied.collection_dir is not None
    (request,) = (p for p in applied.collection_dir.glob("*.yaml") if p.name != "collection.yaml")
    return request


@pytest.fixture
def win(qtbot, imported: Path, demo_services: Services):  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo_services)
    qtbot.waitUntil(lambda: window.provider_bar.provider() is not None, timeout=20_000)
    qtbot.waitUntil(lambda: tree(window).index_of(imported).isValid(), timeout=10_000)
    yield window
    window.close()


def tree(window) -> QTreeView:  # type: ignore[no-untyped-def]
    found = window.findChild(QTreeView, "collectionTree")
    assert found is not None
    return found


def click(qtbot, window, path: Path) -> None:  # type: ignore[no-untyped-def]
    view = tree(window)
    index = view.index_of(path)
    view.scrollTo(index)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )


def combo(window, name: str) -> QComboBox:  # type: ignore[no-untyped-def]
    found = window.findChild(QComboBox, name)
    assert found is not None
    return found


def items(box: QComboBox) -> list[str]:
    return [box.itemText(i) for i in range(box.count())]


def send(qtbot, window, server: RecordingServer) -> Recorded:  # type: ignore[no-untyped-def]
    mark = server.mark()
    with qtbot.waitSignal(window.request_finished, timeout=20_000):
        window.editor.send_button.click()
    (arrived,) = server.since(mark)
    return arrived


def open_imported(qtbot, window, imported: Path) -> None:  # type: ignore[no-untyped-def]
    click(qtbot, window, imported)
    assert window.editor.to_spec().name == "List pets"
    qtbot.waitUntil(lambda: combo(window, "environmentCombo").count() == 3, timeout=10_000)


def test_an_imported_collection_goes_to_its_chosen_server_without_the_vendor(
    qtbot, win, imported: Path, servers: tuple[RecordingServer, RecordingServer]
) -> None:
    first, second = servers
    vendor = win.provider_bar.provider()
    vendor_environment = combo(win, "environmentCombo").currentText()
    open_imported(qtbot, win, imported)

    providers, environments = combo(win, "providerCombo"), combo(win, "environmentCombo")
    assert not providers.isEnabled()
    assert providers.currentText() == "No provider (collection Petstore)"
    assert items(environments) == ["No environment", "Server 1", "Server 2"]
    assert (
        win.findChild(QLabel, "tokenStatus")
        .toolTip()
        .startswith("This collection is bound to no provider")
    )

    environments.setCurrentText("Server 2")
    assert win.editor.url._scope.lookup("base_url") == (f"{second.base_url}/v2", False)
    arrived = send(qtbot, win, second)
    assert (arrived.method, arrived.target) == ("GET", "/v2/pets")
    assert arrived.header("Authorization") is None
    assert first.since(0) == []

    # a provider-bound request gets the vendor back, as it was selected
    win.workspace.open_first(vendor.id)
    assert providers.isEnabled()
    assert win.provider_bar.provider() == vendor
    assert environments.currentText() == vendor_environment

    # back in the collection, its environment is still the one chosen for it
    open_imported(qtbot, win, imported)
    assert environments.currentText() == "Server 2"
    environments.setCurrentText("No environment")
    arrived = send(qtbot, win, first)  # the collection's own base_url: the first server
    assert arrived.target == "/v1/pets"
    assert arrived.header("Authorization") is None


def test_an_ad_hoc_request_keeps_the_provider_selection(qtbot, win, imported: Path) -> None:
    vendor = win.provider_bar.provider()
    open_imported(qtbot, win, imported)
    assert win.provider_bar.provider() is None
    win.workspace.open_unsaved(RequestSpec("GET", "{{base_url}}/anything", name="Ad hoc"))
    assert combo(win, "providerCombo").isEnabled()
    assert win.provider_bar.provider() == vendor
    assert win.editor.url.variables() == [("base_url", True)]


def test_the_auth_tab_says_what_inherit_means_for_the_open_request(
    qtbot, win, imported: Path
) -> None:
    """A provider-less collection's request inherits nothing from the vendor shown before: the
    Auth tab says so, and a sample of a vendor collection says it uses that vendor's auth."""
    open_imported(qtbot, win, imported)
    hint = win.editor.auth.hint
    assert hint.text() == NO_INHERITED  # the spec declares no security scheme
    win.workspace.open_first("flexiti")
    qtbot.waitUntil(lambda: "Flexiti's auth" in hint.text(), timeout=10_000)


def test_the_left_pane_keeps_its_width_when_the_credentials_panel_changes(
    qtbot, win, imported: Path
) -> None:
    win.workspace.open_first("flexiti")
    qtbot.waitUntil(lambda: "Flexiti's auth" in win.editor.auth.hint.text(), timeout=10_000)
    before = win.main_splitter.sizes()[0]
    open_imported(qtbot, win, imported)
    qtbot.waitUntil(lambda: win.editor.auth.hint.text() == NO_INHERITED, timeout=10_000)
    assert win.main_splitter.sizes()[0] == before
    # longer slot labels wrap, they do not widen the pane
    for vendor, slot in (("pce", "static_token"), ("priceedge", "username")):
        win.workspace.open_first(vendor)
        qtbot.waitUntil(
            lambda s=slot: win.findChild(QLabel, f"slotState_{s}") is not None, timeout=10_000
        )
        QApplication.processEvents()  # the new rows' layout pass
        assert win.main_splitter.sizes()[0] == before, vendor
