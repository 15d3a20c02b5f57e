"""``for_environment``: the provider environment's share of a snippet, as the CLI and the window
both build it: saved values layered in, stored values read only to reveal them."""

from __future__ import annotations

import pytest

from explorer.core.errors import UsageError
from explorer.core.models import KeyValue, RequestSpec
from explorer.core.provider_loader import load_providers
from explorer.core.snippets import SnippetOptions, generate
from explorer.core.snippets.environment import for_environment
from explorer.core.templating import Layer, Scope
from explorer.core.workspace.environments import EnvironmentValues

PROFILES, _ = load_providers()
PCE = PROFILES["pce"]
TOKEN = "pce-static-Token-9"
SAVED = [EnvironmentValues("sandbox", {"customer": "1001"}, ("webhook_secret",))]
SPEC = RequestSpec(
    url="{{base_url}}/v1/customer/{{customer}}",
    headers=(KeyValue("X-Hook", "{{webhook_secret}}"),),
)


def test_saved_values_apply_and_nothing_stored_is_read_without_reveal() -> None:
    def read_stored(names: list[str]) -> dict[str, str]:
        raise AssertionError(f"read {names} although nothing is revealed")

    options = for_environment(
        SnippetOptions(), PCE, "Sandbox", saved=SAVED, read_stored=read_stored
    )
    text = generate(SPEC, "curl", options)
    assert "https://api.sandbox.prioritypassport.com/v1/customer/1001" in text
    assert "$PCE_STATIC_TOKEN" in text
    assert "$PCE_WEBHOOK_SECRET" in text
    assert options.environment == "Sandbox"
    assert options.credentials == {}


def test_reveal_reads_slots_and_secret_variables_once_and_writes_them() -> None:
    asked: list[list[str]] = []

    def read_stored(names: list[str]) -> dict[str, str]:
        asked.append(names)
        return {"static_token": TOKEN, "webhook_secret": "hook-Secret-3"}

    options = for_environment(
        SnippetOptions(auth_mode="reveal"), PCE, "Sandbox", saved=SAVED, read_stored=read_stored
    )
    text = generate(SPEC, "python", options)
    assert asked == [["static_token", "webhook_secret"]]
    assert TOKEN in text
    assert "hook-Secret-3" in text
    assert options.credentials == {"static_token": TOKEN}


def test_an_unknown_environment_is_one_sentence() -> None:
    with pytest.raises(UsageError, match=r"PCE .* has no environment 'Moon'; choose one of: .*"):
        for_environment(SnippetOptions(), PCE, "Moon")


def test_saved_values_win_over_folder_variables_and_lose_to_the_requests_own() -> None:
    scope = Scope(
        (
            Layer("request", {"own": "mine"}),
            Layer("folder Customers", {"customer": "from-folder", "own": "folder"}),
        )
    )
    options = for_environment(SnippetOptions(scope=scope), PCE, "Sandbox", saved=SAVED)
    spec = RequestSpec(url="{{base_url}}/v1/customer/{{customer}}?who={{own}}")
    text = generate(spec, "curl", options)
    assert "/v1/customer/1001?who=mine" in text


def test_a_credential_slot_used_as_a_variable_is_read_from_the_environment() -> None:
    flexiti = PROFILES["flexiti"]
    spec = RequestSpec(url="{{base_url}}/client-id/{{client_id}}/customers/search")
    text = generate(spec, "curl", for_environment(SnippetOptions(), flexiti, "Training"))
    assert '/client-id/"$FLEXITI_CLIENT_ID"/customers/search' in text
    assert "FLEXITI_CLIENT_ID: your Flexiti client id" in text
