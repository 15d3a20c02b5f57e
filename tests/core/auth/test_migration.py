"""Request and folder files written with the old API-key vocabulary are read in the new one and
written back in it; files already in the new vocabulary are left alone."""

from __future__ import annotations

from pathlib import Path

from explorer.core.models import AuthSpec
from explorer.core.workspace.store import WorkspaceStore

OLD_REQUEST = """\
name: Prices
seq: 1
method: GET
url: https://api.example/prices
auth:
  type: api-key
  header: Authorization
  format: ApiKey {username}:{password}
  username: alice
  password: '{{pw}}'
"""
OLD_FOLDER = """\
name: Shop
seq: 0
auth:
  type: api-key
  api_key: '{{apim_key}}'
  query: subscription-key
"""


def test_old_api_key_files_migrate_when_read_and_are_saved_in_the_new_form(
    tmp_path: Path,
) -> None:
    (tmp_path / "workspace.yaml").write_text("format_version: 1\nid: ws-1\n")
    collection = tmp_path / "collections" / "shop"
    collection.mkdir(parents=True)
    (collection / "collection.yaml").write_text(OLD_FOLDER)
    request = collection / "prices.request.yaml"
    request.write_text(OLD_REQUEST)

    store = WorkspaceStore(tmp_path)
    tree, errors = store.load(collection)
    assert errors == ()
    assert tree is not None
    assert tree.auth == AuthSpec(
        "api-key", (("key", "subscription-key"), ("value", "{{apim_key}}"), ("in", "query"))
    )
    (saved,) = [s for _, s in tree.requests()]
    assert saved.spec.auth == AuthSpec(
        "api-key",
        (("key", "Authorization"), ("value", "ApiKey alice:{{pw}}"), ("in", "header")),
    )
    assert request.read_text() == OLD_REQUEST  # reading alone rewrites nothing

    store.save_request(request, saved.spec)
    text = request.read_text()
    assert "key: Authorization\n  value: ApiKey alice:{{pw}}\n  in: header\n" in text
    assert "format:" not in text
    assert store.load(collection)[0] == tree


def test_run_and_snippet_read_an_old_workspace_in_the_new_vocabulary(tmp_path: Path) -> None:
    """``api-explorer run`` plans and ``snippet`` reads request files with the workspace's own
    format version, so an old API-key file is upgraded there too, not rejected."""
    from explorer.core.context import placement_of
    from explorer.core.runner.plan import plan_collection

    (tmp_path / "workspace.yaml").write_text("format_version: 1\nid: ws-1\n")
    collection = tmp_path / "collections" / "shop"
    collection.mkdir(parents=True)
    (collection / "collection.yaml").write_text(OLD_FOLDER)
    request = collection / "prices.request.yaml"
    request.write_text(OLD_REQUEST)
    expected = AuthSpec(
        "api-key", (("key", "Authorization"), ("value", "ApiKey alice:{{pw}}"), ("in", "header"))
    )

    (planned,) = plan_collection(collection).requests
    assert planned.spec.auth == expected
    spec, placement = placement_of(request)
    assert spec.auth == expected
    assert placement.collection is not None
    assert placement.collection.auth is not None
    assert placement.collection.auth.get("in") == "query"
