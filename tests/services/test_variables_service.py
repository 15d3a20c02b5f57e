"""The environments and variables editor's service (``explorer/services/variables.py``) over the
real core: variables written where they live (collection and folder files, saved environments),
secret values only in the credential store (the session store here, the Secret Service keyring
in the last test), the resolved preview from the workbench's own layers, and where-used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.core.context import placement_of
from explorer.core.errors import UsageError
from explorer.core.models import KeyValue, RequestSpec
from explorer.core.workspace.store import WorkspaceStore
from explorer.services.api import SendContext, Services
from explorer.services.compose import Executors, build_services
from explorer.services.variables import (
    ENVIRONMENT,
    FOLDER,
    MASK,
    PROVIDER,
    VariableEdit,
    VariableScope,
    VariablesService,
)
from tests.support.recording import RecordingServer

TIMEOUT = 30
SECRET = "s3cret-VALUE-42"


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    recording = RecordingServer()
    yield recording
    recording.stop()


@pytest.fixture
def shop(tmp_path: Path, server: RecordingServer) -> tuple[Path, Path, Path]:
    """A provider-less collection with a folder and two requests, written before the services
    open the workspace: (collection, folder, request in the folder)."""
    store = WorkspaceStore(tmp_path / "workspace")
    collection = store.create_collection("Shop")
    folder = store.create_folder(collection, "Orders")
    store.create_request(collection, RequestSpec(name="home", url="{{base_url}}/"))
    request = store.create_request(
        folder,
        RequestSpec(
            name="list",
            url="{{base_url}}/orders",
            headers=(KeyValue("X-Token", "{{token}}"),),
        ),
    )
    return collection, folder, request


def variables_of(services: Services) -> VariablesService:
    assert services.variables is not None
    return services.variables


def file_text(root: Path) -> str:
    return "".join(
        p.read_text(encoding="utf-8", errors="replace") for p in root.rglob("*") if p.is_file()
    )


def send(services: Services, request: Path, environment: str | None = None):  # type: ignore[no-untyped-def]
    spec, placement = placement_of(request)
    context = SendContext(None, environment, placement.folders, request)
    return services.sender.start(spec, context).future.result(TIMEOUT)


def test_collection_and_secret_variables_round_trip_and_reach_the_send(
    services: Services, shop: tuple[Path, Path, Path], server: RecordingServer, tmp_path: Path
) -> None:
    collection, folder, request = shop
    service = variables_of(services)
    scope = VariableScope(FOLDER, collection)
    sheet = service.save(
        scope,
        [VariableEdit("base_url", server.base_url), VariableEdit("token", SECRET, secret=True)],
    ).result(TIMEOUT)
    assert [(r.name, r.value, r.secret, r.stored) for r in sheet.rows] == [
        ("base_url", server.base_url, False, False),
        ("token", "", True, True),
    ]
    assert "collection.yaml" in sheet.where
    again = service.read(scope).result(TIMEOUT)
    assert again.rows == sheet.rows
    assert service.reveal(scope, "token").result(TIMEOUT) == SECRET
    assert SECRET not in file_text(tmp_path / "workspace")
    text = (collection / "collection.yaml").read_text()
    assert "base_url" in text
    assert "token" in text

    mark = server.mark()
    send(services, request)
    (arrived,) = server.since(mark)
    assert (arrived.path, arrived.header("X-Token")) == ("/orders", SECRET)

    preview = {
        v.name: v for v in service.resolved(VariableScope(FOLDER, folder), (None, None)).result()
    }
    assert preview["base_url"].value == server.base_url
    assert preview["base_url"].layer == "folder Shop"
    assert (preview["token"].value, preview["token"].secret) == (MASK, True)
    assert preview["token"].layer == "collection secrets shop"
    shown = service.resolved(scope, (None, None), reveal=True).result(TIMEOUT)
    assert {v.name: v.value for v in shown}["token"] == SECRET


def test_a_folder_variable_overrides_and_renames_keep_or_move_values(
    services: Services, shop: tuple[Path, Path, Path], server: RecordingServer
) -> None:
    collection, folder, _request = shop
    service = variables_of(services)
    top, below = VariableScope(FOLDER, collection), VariableScope(FOLDER, folder)
    service.save(
        top, [VariableEdit("base_url", "http://unused.test"), VariableEdit("key", SECRET, True)]
    ).result(TIMEOUT)
    service.save(below, [VariableEdit("base_url", server.base_url)]).result(TIMEOUT)
    preview = {v.name: v for v in service.resolved(below, (None, None)).result(TIMEOUT)}
    assert (preview["base_url"].value, preview["base_url"].layer) == (
        server.base_url,
        "folder Orders",
    )

    # renamed: the stored value follows; made plain: the value comes into the file
    service.save(top, [VariableEdit("token", None, True, was="key")]).result(TIMEOUT)
    assert service.reveal(top, "token").result(TIMEOUT) == SECRET
    assert service.reveal(top, "key").result(TIMEOUT) is None
    sheet = service.save(top, [VariableEdit("token", None, False, was="token")]).result(TIMEOUT)
    assert [(r.name, r.value, r.secret) for r in sheet.rows] == [("token", SECRET, False)]
    assert service.reveal(top, "token").result(TIMEOUT) is None

    # made secret again, then removed: the store forgets it
    service.save(top, [VariableEdit("token", SECRET, True, was="token")]).result(TIMEOUT)
    assert SECRET not in (collection / "collection.yaml").read_text()
    service.save(top, []).result(TIMEOUT)
    assert service.reveal(top, "token").result(TIMEOUT) is None


def test_a_bad_name_is_one_sentence_and_changes_nothing(
    services: Services, shop: tuple[Path, Path, Path]
) -> None:
    collection, _folder, _request = shop
    service = variables_of(services)
    before = (collection / "collection.yaml").read_bytes()
    for edits, words in (
        ([VariableEdit("has space", "x")], "cannot be a variable name"),
        ([VariableEdit("$guid", "x")], "dynamic values"),
        ([VariableEdit("a", "1"), VariableEdit("a", "2")], "listed twice"),
        ([VariableEdit("", "x")], "needs a name"),
    ):
        with pytest.raises(UsageError, match=words):
            service.save(VariableScope(FOLDER, collection), edits).result(TIMEOUT)
    assert (collection / "collection.yaml").read_bytes() == before


def test_collection_environments_are_created_filled_renamed_and_deleted(
    services: Services, shop: tuple[Path, Path, Path], server: RecordingServer, tmp_path: Path
) -> None:
    collection, _folder, request = shop
    service = variables_of(services)
    scope = service.add_environment(collection, "Server 1").result(TIMEOUT)
    assert scope == VariableScope(ENVIRONMENT, collection, "shop", "Server 1")
    with pytest.raises(UsageError, match="already an environment"):
        service.add_environment(collection, "server 1").result(TIMEOUT)
    service.save(
        scope, [VariableEdit("base_url", server.base_url), VariableEdit("token", SECRET, True)]
    ).result(TIMEOUT)
    mark = server.mark()
    send(services, request, "Server 1")
    assert [r.header("X-Token") for r in server.since(mark)] == [SECRET]

    renamed = service.rename_environment(scope, "Staging").result(TIMEOUT)
    assert renamed.environment == "Staging"
    assert service.reveal(renamed, "token").result(TIMEOUT) == SECRET
    assert service.reveal(scope, "token").result(TIMEOUT) is None
    tree = service.scopes().result(TIMEOUT)
    (shop_node,) = (n for n in tree if n.label == "Shop")
    assert [c.label for c in shop_node.children[1].children] == ["Staging"]
    assert SECRET not in file_text(tmp_path / "workspace")

    used = service.where_used(renamed, ["base_url", "token"]).result(TIMEOUT)
    assert sorted((u.name, u.request, u.places) for u in used) == [
        ("base_url", "home", ("url",)),
        ("base_url", "list", ("url",)),
        ("token", "list", ("headers",)),
    ]

    service.delete_environment(renamed).result(TIMEOUT)
    assert service.reveal(renamed, "token").result(TIMEOUT) is None
    assert "Staging" not in (tmp_path / "workspace" / "environments" / "shop.yaml").read_text()


def test_a_provider_environment_keeps_saved_values_and_secrets(
    demo_services: Services, tmp_path: Path
) -> None:
    service = variables_of(demo_services)
    tree = service.scopes().result(TIMEOUT)
    (providers,) = (n for n in tree if n.label == "Providers")
    first = providers.children[0].children[0].scope
    assert first is not None
    assert first.kind == PROVIDER
    service.save(
        first, [VariableEdit("tenant", "acme"), VariableEdit("api_pin", SECRET, True)]
    ).result(TIMEOUT)
    preview = {v.name: v for v in service.resolved(first, (None, None)).result(TIMEOUT)}
    assert preview["tenant"].value == "acme"
    assert preview["tenant"].layer == f"saved {first.environment}"
    assert preview["api_pin"].value == MASK
    assert "base_url" in preview
    assert SECRET not in file_text(tmp_path / "workspace")
    sheet = service.read(first).result(TIMEOUT)
    assert ("api_pin", True, True) in [(r.name, r.secret, r.stored) for r in sheet.rows]


@pytest.fixture
def keyring_services(  # type: ignore[no-untyped-def]
    secret_service_keyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    """The window's services over the Secret Service keyring (a private daemon)."""
    monkeypatch.setenv("API_EXPLORER_HOME", str(tmp_path / "home"))
    monkeypatch.setattr("keyring.core._keyring_backend", secret_service_keyring)
    pools = Executors()
    services = build_services(pools, workspace=tmp_path / "workspace")
    yield services
    services.sender.shutdown()
    for stop in services.on_shutdown:
        stop()
    pools.shutdown()


def test_a_secret_goes_to_the_os_keyring_and_into_no_file(  # type: ignore[no-untyped-def]
    keyring_services: Services,
    shop: tuple[Path, Path, Path],
    server: RecordingServer,
    secret_service_keyring,
    tmp_path: Path,
) -> None:
    collection, _folder, request = shop
    service = variables_of(keyring_services)
    scope = VariableScope(FOLDER, collection)
    sheet = service.save(
        scope, [VariableEdit("base_url", server.base_url), VariableEdit("token", SECRET, True)]
    ).result(TIMEOUT)
    assert "SecretService" in sheet.where
    assert secret_service_keyring.get_password(_service_name(tmp_path), "token") == SECRET
    mark = server.mark()
    send(keyring_services, request)
    assert [r.header("X-Token") for r in server.since(mark)] == [SECRET]
    assert SECRET not in file_text(tmp_path / "workspace")
    assert SECRET not in file_text(tmp_path / "home")


def _service_name(tmp_path: Path) -> str:
    """The keyring service name of the shop collection's secrets (``CredentialKey.service``)."""
    from explorer.core.secret_variables import collection_key
    from explorer.core.workspace.marker import open_workspace

    workspace_id = open_workspace(tmp_path / "workspace", create=False).id
    return collection_key(workspace_id, "shop", "token").service
