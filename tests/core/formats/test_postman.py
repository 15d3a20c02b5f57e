"""Postman import and export without the node tools: mapping, round trips, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.core.errors import FormatError
from explorer.core.formats.postman import (
    export_postman,
    export_postman_environment,
    import_postman,
)
from explorer.core.models import AuthSpec, BodyMode, KeyValue
from explorer.core.workspace.model import Folder, SavedRequest
from tests.core.formats.samples import native_tree

DATA = Path(__file__).parent / "data"


def strip_seq(tree: Folder) -> Folder:
    """Import numbers items 1, 2, 3 in file order; compare trees without our seq values."""
    from dataclasses import replace

    items = tuple(
        replace(i, seq=0) if isinstance(i, SavedRequest) else replace(strip_seq(i), seq=0)
        for i in tree.items
    )
    return replace(tree, items=items, seq=0)


def test_import_export_of_our_collection_round_trips() -> None:
    tree = native_tree()
    result = import_postman(export_postman(tree))
    assert strip_seq(result.collection) == strip_seq(tree)
    assert result.secrets == {}
    assert result.warnings == ()


def test_export_never_contains_secret_values_and_is_deterministic() -> None:
    text = export_postman(native_tree())
    assert text == export_postman(native_tree())
    variables = {v["key"]: v for v in json.loads(text)["variable"]}
    assert variables["token"] == {"key": "token", "value": "", "type": "secret"}


def test_import_v21_maps_folders_rows_bodies_and_auth() -> None:
    result = import_postman((DATA / "shop.postman_collection.json").read_text())
    tree = result.collection
    assert tree.name == "Shop API"
    assert tree.auth == AuthSpec("bearer", (("token", "{{token}}"),))
    assert tree.secret_names() == ["token", "api_key"]
    items = tree.items[0]
    assert isinstance(items, Folder)
    listing = items.items[0]
    assert isinstance(listing, SavedRequest)
    assert listing.spec.url == "{{base_url}}/anything/items"
    assert listing.spec.params[2] == KeyValue("debug", "1", False)
    assert listing.spec.headers[1] == KeyValue("X-Trace", "off", False)
    assert listing.spec.docs == "Lists items, one page at a time."
    create = items.items[1]
    assert isinstance(create, SavedRequest)
    assert create.spec.body.mode is BodyMode.JSON
    assert create.spec.headers == ()
    login = tree.items[1]
    assert isinstance(login, SavedRequest)
    assert login.spec.auth == AuthSpec("none")
    assert login.spec.body.fields[1].enabled is False
    delete = tree.items[2]
    assert isinstance(delete, SavedRequest)
    assert delete.spec.auth is not None
    assert delete.spec.auth.type == "api-key"


def test_import_v20_moves_literal_secrets_out_and_reports_scripts() -> None:
    result = import_postman((DATA / "legacy.postman_collection_v2.0.json").read_text())
    upload = result.collection.items[1]
    assert isinstance(upload, SavedRequest)
    assert upload.spec.auth == AuthSpec(
        "basic", (("username", "bob"), ("password", "{{basic_password}}"))
    )
    assert result.secrets == {"basic_password": "pa55word"}
    assert "pa55word" not in export_postman(result.collection)
    assert upload.spec.headers == (KeyValue("Accept", "text/plain"), KeyValue("X-Client", "legacy"))
    assert upload.spec.body.fields[1].is_file
    assert any("scripts" in w for w in result.warnings)


def test_environment_import_and_export_keep_secrets_out() -> None:
    result = import_postman((DATA / "shop.postman_environment.json").read_text())
    (env,) = result.environments
    assert env.values == {"base_url": "https://staging.shop.example.com"}
    assert env.secret_names == ("token",)
    assert result.secrets == {"token": "tok-live-123"}
    exported = json.loads(export_postman_environment(env))
    assert exported["values"][1] == {"key": "token", "value": "", "type": "secret", "enabled": True}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{", "not valid JSON"),
        ("[]", "must be an object"),
        ('{"info": {"schema": "https://schema.getpostman.com/json/collection/v1.0.0/"}}', "v2.1"),
        (
            '{"info": {}, "item": [{"name": "x", "request": {"url": 5, "header": 3}}]}',
            r"item\[0\]\.request\.url",
        ),
        ('{"info": {}, "item": {"name": "x"}}', "item must be an array"),
    ],
)
def test_malformed_files_are_located_format_errors(text: str, needle: str) -> None:
    with pytest.raises(FormatError, match=needle) as caught:
        import_postman(text, "bad.json")
    assert caught.value.path == "bad.json"
