"""A credential edited in the window reaches the very next send (issue: corrected credentials
were ignored until restart, because the session cached them and the token manager kept the old
token). Each test first sends with the demo credentials, then edits them through the window's
``CredentialService`` and sends again through ``CoreSender``, against the embedded sandbox."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from explorer.core.errors import ExplorerError
from explorer.core.models import RequestSpec
from explorer.services.api import SendContext, SendOutcome, Services

SANDBOX = "Sandbox (local)"
TIMEOUT = 30


def _sample(services: Services, provider_id: str) -> RequestSpec:
    assert services.providers is not None
    profiles, _ = services.providers.load().result(TIMEOUT)
    return next(p for p in profiles if p.id == provider_id).samples[0]


def _send(services: Services, provider_id: str) -> SendOutcome:
    spec = _sample(services, provider_id)
    pending = services.sender.start(spec, SendContext(provider_id, SANDBOX))
    return pending.future.result(TIMEOUT)


def _control(services: Services, path: str) -> Any:
    """The sandbox's control plane (``/_sandbox/...``): JSON, hence ``Any``."""
    core = services.sender.ready.result(TIMEOUT)  # type: ignore[attr-defined]
    with urllib.request.urlopen(f"{core.sandbox.base_url}/_sandbox/{path}", timeout=10) as r:
        return json.loads(r.read())


def test_a_wrong_client_secret_makes_a_new_grant_that_fails_then_the_right_one_works(
    demo_services: Services,
) -> None:
    credentials = demo_services.credentials
    assert credentials is not None
    assert _send(demo_services, "flexiti").exchange.response.status == 200
    right = credentials.reveal("flexiti", SANDBOX, "client_secret").result(TIMEOUT)
    assert right

    credentials.set("flexiti", SANDBOX, "client_secret", "not-the-secret").result(TIMEOUT)
    with pytest.raises(ExplorerError):
        _send(demo_services, "flexiti")  # a new grant with the wrong secret, refused

    credentials.clear("flexiti", SANDBOX, "client_secret").result(TIMEOUT)
    with pytest.raises(ExplorerError):
        _send(demo_services, "flexiti")

    credentials.set("flexiti", SANDBOX, "client_secret", right).result(TIMEOUT)
    assert _send(demo_services, "flexiti").exchange.response.status == 200


def test_a_replaced_static_token_is_the_one_sent(demo_services: Services) -> None:
    credentials = demo_services.credentials
    assert credentials is not None
    assert _send(demo_services, "pce").exchange.response.status == 200

    credentials.set("pce", SANDBOX, "static_token", "garbage-token").result(TIMEOUT)
    outcome = _send(demo_services, "pce")

    assert outcome.exchange.response.status == 401
    assert dict(outcome.exchange.sent_headers)["Authorization"] == "Bearer garbage-token"
    assert "garbage-token" in outcome.exchange.request.secrets  # masked wherever it is shown


def test_switching_to_the_two_factor_user_asks_for_the_one_time_password(
    demo_services: Services,
) -> None:
    credentials = demo_services.credentials
    assert credentials is not None
    assert _send(demo_services, "procode").exchange.response.status == 200
    users = _control(demo_services, "info")["providers"]["procode"]["environments"]["dev1"]
    asked: list[str] = []

    def answer(prompt: Any) -> str | None:
        asked.append(prompt.username)
        pending = _control(demo_services, "info")["providers"]["procode"]["environments"]["dev1"]
        return str(pending["pending_otps"][0]["otp"])

    demo_services.otp.connect(answer)
    two_factor = users["credentials"]
    credentials.set("procode", SANDBOX, "username", two_factor["username_2fa"]).result(TIMEOUT)
    credentials.set("procode", SANDBOX, "password", two_factor["password_2fa"]).result(TIMEOUT)
    outcome = _send(demo_services, "procode")

    assert asked == [two_factor["username_2fa"]]
    assert outcome.exchange.response.status == 200
