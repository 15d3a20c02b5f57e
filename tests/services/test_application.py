"""The services the window calls, driven without Qt (``tests/run_suite.py`` runs this file with
PySide6 and qasync blocked at import): a demo send through ``CoreSender`` with its token, the
credential slots, a literal send and its problem card, the workspace, and an import of the
layer that pulls neither Qt nor the HTTP stack (the first paint imports it)."""

from __future__ import annotations

import subprocess
import sys
import threading

from explorer.core.models import RequestSpec
from explorer.services.api import SendContext, Services

SANDBOX = "Sandbox (local)"
TIMEOUT = 30


def _flexiti_sample(services: Services) -> RequestSpec:
    assert services.providers is not None
    profiles, problems = services.providers.load().result(TIMEOUT)
    assert problems == []
    flexiti = next(p for p in profiles if p.id == "flexiti")
    return flexiti.samples[0]


def test_a_demo_send_gets_a_token_and_the_token_view_shows_it(demo_services: Services) -> None:
    heard: list[tuple[str, str, str]] = []
    heard_any = threading.Event()

    def listen(provider_id: str, environment: str, kind: str) -> None:
        heard.append((provider_id, environment, kind))
        heard_any.set()

    assert demo_services.tokens is not None
    demo_services.tokens.subscribe(listen)
    spec = _flexiti_sample(demo_services)

    outcome = demo_services.sender.start(spec, SendContext("flexiti", SANDBOX)).future.result(
        TIMEOUT
    )

    assert outcome.exchange.response.status == 200
    assert outcome.problem is None
    assert outcome.token is not None
    assert outcome.token.state == "valid"
    assert outcome.token.expires_at is not None
    assert "client_credentials" in outcome.token.detail
    assert heard_any.wait(TIMEOUT)
    assert heard[0] == ("flexiti", SANDBOX, "requested")
    forgotten = demo_services.tokens.forget("flexiti", SANDBOX).result(TIMEOUT)
    assert forgotten.state == "none"
    assert any("token acquired (client_credentials)" in event for event in forgotten.events)


def test_credential_slots_are_set_cleared_and_revealed_off_the_caller(
    demo_services: Services,
) -> None:
    credentials = demo_services.credentials
    assert credentials is not None
    slots = {s.name: s for s in credentials.slots("flexiti", SANDBOX).result(TIMEOUT)}
    assert slots["client_secret"].secret
    assert slots["client_secret"].stored  # the sandbox's demo credentials are preloaded

    credentials.clear("flexiti", SANDBOX, "client_secret").result(TIMEOUT)
    cleared = {s.name: s.stored for s in credentials.slots("flexiti", SANDBOX).result(TIMEOUT)}
    assert cleared["client_secret"] is False
    assert credentials.reveal("flexiti", SANDBOX, "client_secret").result(TIMEOUT) is None

    credentials.set("flexiti", SANDBOX, "client_secret", "s3cret").result(TIMEOUT)
    assert credentials.reveal("flexiti", SANDBOX, "client_secret").result(TIMEOUT) == "s3cret"
    assert credentials.description.startswith("session-only")


def test_a_literal_send_without_a_provider_reports_the_problem(
    services: Services, httpbin_url: str
) -> None:
    spec = RequestSpec("GET", f"{httpbin_url}/status/404")

    outcome = services.sender.start(spec, SendContext()).future.result(TIMEOUT)

    assert outcome.exchange.response.status == 404
    assert outcome.problem is not None
    assert outcome.problem.status == 404
    assert outcome.token is None
    assert services.credentials is not None
    assert "keyring" in services.credentials.unavailable_reason.lower()


def test_the_demo_workspace_opens_with_the_providers_samples(demo_services: Services) -> None:
    assert demo_services.workspace is not None
    tree = demo_services.workspace.load().result(TIMEOUT)

    names = {collection.name for collection in tree.collections}
    assert "Flexiti samples" in names
    assert tree.errors == ()


def test_importing_the_layer_pulls_neither_qt_nor_the_http_stack() -> None:
    code = (
        "import sys, explorer.services.compose\n"
        "heavy = ('PySide6', 'qasync', 'requests', 'yaml', 'keyring')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.strip() == "[]"
