"""Where a variable is used: requests, and also a collection's or folder's own auth and headers,
which every request below inherits (a Postman collection's bearer ``{{token}}``)."""

from __future__ import annotations

from pathlib import Path

from explorer.core.models import AuthSpec, KeyValue, RequestSpec
from explorer.core.workspace.model import Folder, SavedRequest
from explorer.core.workspace.variables import usages


def test_folder_auth_and_headers_count_as_usages() -> None:
    spec = RequestSpec(name="List orders", url="{{baseUrl}}/orders")
    request = SavedRequest(spec, path=Path("r"))
    inner = Folder(
        "Admin", headers=(KeyValue("X-Trace", "{{trace}}"),), items=(request,), path=Path("a")
    )
    root = Folder(
        "Shop API",
        auth=AuthSpec("bearer", (("token", "{{token}}"),)),
        items=(inner,),
        path=Path("."),
    )
    found = {(u.name, u.request, u.places) for u in usages([root], ["token", "trace", "baseUrl"])}
    assert found == {
        ("token", "Shop API (folder, for every request in it)", ("auth",)),
        ("trace", "Admin (folder, for every request in it)", ("headers",)),
        ("baseUrl", "List orders", ("url",)),
    }
    assert usages([root], ["nothing"]) == []
