"""``explorer.core.context``: the pure rules every front end shares (binding, file anchoring,
the preview of the layer order)."""

from __future__ import annotations

from pathlib import Path

from explorer.core.context import STORED, Binding, Placement, anchor_files, bind, preview_scope
from explorer.core.models import Body, BodyMode, FormField, RequestSpec
from explorer.core.providers import AuthConfig, CredentialSlot, Environment, ProviderProfile
from explorer.core.workspace.environments import EnvironmentValues
from explorer.core.workspace.model import Folder, Variable

VENDOR = ProviderProfile(
    "vendor",
    "Vendor",
    auth=AuthConfig("bearer", credentials=(CredentialSlot("static_token", secret=True),)),
    environments=(Environment("Live", "https://api.vendor.example", variables={"x": "env"}),),
)


def test_a_collections_provider_wins_and_a_provider_less_one_never_gets_the_selected() -> None:
    bound = Placement((Folder("c", provider="vendor"),))
    unbound = Placement((Folder("c"),))
    selected = Binding("other", "Sandbox")
    assert bind(Placement(), selected) == selected
    assert bind(bound, Binding("vendor", "Live")) == Binding("vendor", "Live")
    assert bind(bound, selected) == Binding("vendor", None)
    assert bind(unbound, selected) == Binding(None, None)
    assert bind(unbound, Binding(None, "Server 1")) == Binding(None, "Server 1")


def test_relative_body_files_point_into_the_request_files_folder(tmp_path: Path) -> None:
    spec = RequestSpec(body=Body(BodyMode.BINARY_FILE, file="data/x.bin"))
    assert anchor_files(spec, tmp_path).body.file == str(tmp_path / "data" / "x.bin")
    templated = RequestSpec(body=Body(BodyMode.BINARY_FILE, file="{{dir}}/x.bin"))
    assert anchor_files(templated, tmp_path) == templated
    parts = (FormField("f", "a.txt", is_file=True), FormField("n", "a.txt"))
    multipart = RequestSpec(body=Body(BodyMode.MULTIPART, fields=parts))
    fields = anchor_files(multipart, tmp_path).body.fields
    assert [f.value for f in fields] == [str(tmp_path / "a.txt"), "a.txt"]


def test_the_preview_resolves_in_the_order_a_send_does_with_stored_values_hidden() -> None:
    folder = Folder("f", variables=(Variable("x", "folder"), Variable("key", secret=True)))
    saved = EnvironmentValues("Live", {"x": "saved", "y": "saved"}, ("pw",))
    scope = preview_scope(VENDOR, VENDOR.environments[0], (folder,), saved=saved)
    assert [layer.name for layer in scope.layers] == [
        "request",
        "environment Live",
        "credentials",
        "saved Live",
        "keyring",
        "folder f",
    ]
    assert scope.lookup("x") == ("env", False)  # the environment wins over saved and folders
    assert scope.lookup("y") == ("saved", False)
    assert scope.lookup("static_token") == (STORED, True)
    assert scope.lookup("key") == (STORED, True)
    assert scope.lookup("pw") == (STORED, True)
