"""A collection that uses every feature the exporters map, shared by format and interop tests."""

from __future__ import annotations

from explorer.core.models import AuthSpec, Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.workspace.model import Folder, SavedRequest, Variable


def native_tree() -> Folder:
    """Requests aimed at httpbin's echo endpoints through ``{{base_url}}``."""
    get = RequestSpec(
        method="GET",
        url="{{base_url}}/anything/items",
        name="List items",
        params=(
            KeyValue("page", "2"),
            KeyValue("size", "{{page_size}}"),
            KeyValue("x", "1", False),
        ),
        headers=(KeyValue("Accept", "application/json"), KeyValue("X-Off", "1", False)),
        docs="Lists items.\nOne page at a time.",
    )
    post_json = RequestSpec(
        method="POST",
        url="{{base_url}}/anything/items",
        name="Create item",
        headers=(KeyValue("X-Request-Id", "r-1"),),
        body=Body(BodyMode.JSON, '{\n  "sku": "A-1",\n  "qty": 3\n}'),
    )
    put_raw = RequestSpec(
        method="PUT",
        url="{{base_url}}/anything/notes/7",
        name="Replace note",
        body=Body(BodyMode.RAW, "line one\nline two\n", content_type="text/plain"),
    )
    form = RequestSpec(
        method="POST",
        url="{{base_url}}/post",
        name="Log in",
        body=Body(BodyMode.FORM, fields=(FormField("user", "{{user}}"), FormField("keep", "yes"))),
        auth=AuthSpec("none"),
    )
    delete = RequestSpec(
        method="DELETE",
        url="{{base_url}}/anything/orders/42",
        name="Delete order",
        headers=(KeyValue("X-Reason", "duplicate"),),
        auth=AuthSpec(
            "api-key", (("key", "X-Api-Key"), ("value", "{{api_key}}"), ("in", "header"))
        ),
    )
    orders = Folder(
        "Orders",
        seq=3,
        auth=AuthSpec("basic", (("username", "{{user}}"), ("password", "{{password}}"))),
        items=(SavedRequest(delete, 1),),
    )
    items = Folder(
        "Items",
        seq=1,
        items=(SavedRequest(get, 1), SavedRequest(post_json, 2), SavedRequest(put_raw, 3)),
    )
    return Folder(
        "Shop API",
        description="Orders and items.",
        variables=(
            Variable("base_url", "http://127.0.0.1:9"),
            Variable("page_size", "20"),
            Variable("user", "alice"),
            Variable("token", secret=True),
            Variable("api_key", secret=True),
            Variable("password", secret=True),
        ),
        auth=AuthSpec("bearer", (("token", "{{token}}"),)),
        items=(items, SavedRequest(form, 2), orders),
    )


def http_tree() -> Folder:
    """What a .http file can say exactly: no disabled rows, no inherited auth or headers, bodies
    without trailing line breaks, seq numbers in file order."""
    listing = RequestSpec(
        url="{{base_url}}/anything/items",
        name="List items",
        params=(KeyValue("page", "2"), KeyValue("size", "{{page_size}}")),
        headers=(KeyValue("Accept", "application/json"),),
        auth=AuthSpec("bearer", (("token", "{{token}}"),)),
        docs="Lists items.\n\nOne page at a time.",
    )
    create = RequestSpec(
        method="POST",
        url="{{base_url}}/anything/items?v=1",
        name="Create item",
        body=Body(BodyMode.JSON, '{\n  "sku": "A-1",\n  "tags": ["x", "y"]\n}'),
        auth=AuthSpec("basic", (("username", "{{user}}"), ("password", "{{password}}"))),
        follow_redirects=False,
    )
    login = RequestSpec(
        method="POST",
        url="{{base_url}}/post",
        name="Log in",
        body=Body(BodyMode.FORM, fields=(FormField("user", "{{user}}"), FormField("q", "a&b c"))),
    )
    note = RequestSpec(
        method="PUT",
        url="{{base_url}}/anything/notes/7",
        name="Replace note",
        headers=(KeyValue("X-Note", "yes"),),
        body=Body(BodyMode.RAW, "line one\n\nline three", content_type="text/plain"),
        verify_tls=False,
    )
    upload = RequestSpec(
        method="POST",
        url="{{base_url}}/anything/upload",
        name="Upload",
        body=Body(
            BodyMode.MULTIPART,
            fields=(
                FormField("note", "hello"),
                FormField("file", "report.csv", is_file=True, content_type="text/csv"),
            ),
        ),
    )
    drop = RequestSpec(method="DELETE", url="{{base_url}}/anything/orders/42", name="Delete")
    return Folder(
        "Shop API",
        description="Orders and items.",
        variables=(
            Variable("base_url", "http://127.0.0.1:9"),
            Variable("page_size", "20"),
            Variable("user", "alice"),
            Variable("token", secret=True),
            Variable("password", secret=True),
        ),
        items=(
            Folder("Items", seq=1, items=(SavedRequest(listing, 1), SavedRequest(create, 2))),
            SavedRequest(login, 2),
            SavedRequest(note, 3),
            SavedRequest(upload, 4),
            Folder("Orders", seq=5, items=(Folder("Old", seq=1, items=(SavedRequest(drop, 1),)),)),
        ),
    )
