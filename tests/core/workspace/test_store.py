"""Tree operations the collection view uses, on a real workspace folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.core.errors import UsageError
from explorer.core.models import Body, BodyMode, RequestSpec
from explorer.core.workspace.model import SavedRequest
from explorer.core.workspace.store import WorkspaceStore


@pytest.fixture
def store(tmp_path: Path) -> WorkspaceStore:
    return WorkspaceStore(tmp_path / "ws")


def names(store: WorkspaceStore, directory: Path) -> list[str]:
    tree, errors = store.load(directory)
    assert errors == ()
    assert tree is not None
    return [item.name for item in tree.items]


def test_create_rename_duplicate_reorder(store: WorkspaceStore) -> None:
    shop = store.create_collection("Shop")
    first = store.create_request(shop, RequestSpec(url="http://h/a", name="Alpha"))
    store.create_request(shop, RequestSpec(url="http://h/b", name="Beta"))
    folder = store.create_folder(shop, "Admin")
    assert names(store, shop) == ["Alpha", "Beta", "Admin"]
    renamed = store.rename(first, "Zeta")
    assert renamed.name == "zeta.request.yaml"
    assert not first.exists()
    copy = store.duplicate(renamed)
    assert names(store, shop) == ["Zeta", "Beta", "Admin", "Zeta copy"]
    store.reorder([folder, copy, shop / "beta.request.yaml", renamed])
    assert names(store, shop) == ["Admin", "Zeta copy", "Beta", "Zeta"]
    assert store.rename(folder, "Operators").name == "operators"
    assert names(store, shop)[0] == "Operators"
    with pytest.raises(UsageError):
        store.rename(renamed, "  ")


def test_move_and_refuse_moving_into_itself(store: WorkspaceStore) -> None:
    shop = store.create_collection("Shop")
    folder = store.create_folder(shop, "Admin")
    inner = store.create_folder(folder, "Inner")
    request = store.create_request(shop, RequestSpec(url="http://h/a", name="A"))
    moved = store.move(request, folder)
    assert moved.parent == folder
    assert not request.exists()
    assert names(store, folder) == ["Inner", "A"]
    with pytest.raises(UsageError):
        store.move(folder, inner)


def test_delete_goes_to_trash_and_restores(store: WorkspaceStore) -> None:
    shop = store.create_collection("Shop")
    folder = store.create_folder(shop, "Admin")
    store.create_request(folder, RequestSpec(url="http://h/a", name="A"))
    entry = store.delete(folder)
    assert not folder.exists()
    assert names(store, shop) == []
    assert [e.name for e in store.trash()] == ["admin"]
    restored = store.restore(store.trash()[0])
    assert restored == folder
    assert names(store, folder) == ["A"]
    assert store.trash() == []
    assert entry.origin == folder


def test_search_across_collections(store: WorkspaceStore) -> None:
    shop = store.create_collection("Shop")
    billing = store.create_collection("Billing")
    store.create_request(shop, RequestSpec(url="http://h/items", name="Items"))
    sub = store.create_folder(billing, "Invoices")
    store.create_request(
        sub,
        RequestSpec(
            method="POST",
            url="http://h/inv",
            name="Create",
            body=Body(BodyMode.JSON, '{"sku": "ITEMS-1"}'),
        ),
    )
    hits = store.search("items")
    assert {(h.name, h.field, h.trail) for h in hits} == {
        ("Items", "name", ("Shop",)),
        ("Create", "body", ("Billing", "Invoices")),
    }
    assert store.search("   ") == []


def test_save_request_keeps_order(store: WorkspaceStore) -> None:
    shop = store.create_collection("Shop")
    store.create_request(shop, RequestSpec(url="http://h/a", name="A"))
    second = store.create_request(shop, RequestSpec(url="http://h/b", name="B"))
    store.save_request(second, RequestSpec(url="http://h/b2", name="B"))
    tree, _ = store.load(shop)
    assert tree is not None
    last = tree.items[-1]
    assert isinstance(last, SavedRequest)
    assert last.seq == 2
    assert last.spec.url == "http://h/b2"


def test_own_writes_are_not_reported_as_external_changes(store: WorkspaceStore) -> None:
    from explorer.core.workspace.watcher import WorkspaceWatcher

    shop = store.create_collection("Shop")
    watcher = WorkspaceWatcher(store.root, debounce=0.0)
    store.write_listeners.append(watcher.acknowledge)
    folder = store.create_folder(shop, "Admin")
    request = store.create_request(folder, RequestSpec(url="http://h/a", name="A"))
    renamed = store.rename(folder, "Operators")
    store.duplicate(renamed)
    store.delete(renamed)
    assert watcher.poll(now=1.0) is None
    assert watcher.poll(now=2.0) is None
    (shop / "external.request.yaml").write_text("name: from git\n")
    assert watcher.poll(now=3.0) is None
    changes = watcher.poll(now=4.0)
    assert changes is not None
    assert changes.added == {shop / "external.request.yaml"}
    assert not request.exists()
