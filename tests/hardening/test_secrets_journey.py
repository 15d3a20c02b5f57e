"""A scripted user journey across every sandbox vendor, after which no secret is in any file we
wrote (issue 9, point 3; docs/security.md "Where secrets live").

Real parts only: the CLI runs as subprocesses, credentials go to a private gnome-keyring over
D-Bus, the shipped presets talk to the embedded sandbox, whose clock is moved to make the next
process refresh. Per vendor: ``credentials set``, ``send`` twice (grant, then after a clock jump a
refresh or re-grant), history written as the window writes it, ``run`` with JSON and JUnit
reports, ``export`` (Postman with its environment, and .http), ``snippet`` (the default, secrets
not revealed), and a crash log written through the core's formatter from an exception whose
message holds a token and a password. Then every file under the workspace, the app home, the
throwaway HOME and the output folder is scanned for every secret value and every token the
sandbox issued.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from explorer.core.redaction import MASK, RedactingFormatter, format_exception
from tests.core.runner.helpers import request, status, write
from tests.core.test_pipeline_cli import cli, sandbox  # noqa: F401 - fixtures
from tests.core.test_pipeline_sandbox import Sandbox

ENV = "Sandbox (local)"
#: A resource of each vendor, relative to its preset's base URL.
RESOURCE = {
    "pce": "/v1/customer/1001",
    "procode": "/api/network/servicepoints",
    "priceedge": "/api/tables/item",
    "servicechannel": "/odata/locations?$select=Id",
    "flexiti": "/client-id/{{client_id}}/customers/search"
    "?first_name=John&last_name=Smith&dob=1900-01-01",
}
#: ``credentials set`` arguments: non-secret slots as --username/--value, secrets on stdin.
PLAIN = {
    "pce": (),
    "procode": ("username", "client_id"),
    "priceedge": ("username", "client_id"),
    "servicechannel": ("username", "client_id"),
    "flexiti": ("client_id",),
}
SECRET = {
    "pce": ("static_token",),
    "procode": ("password", "client_secret", "subscription_key"),
    "priceedge": ("password",),
    "servicechannel": ("password", "client_secret"),
    "flexiti": ("client_secret",),
}
#: The second process has no access token, so it spends the refresh token from the keyring
#: (900 s later on the sandbox's clock: within every vendor's refresh window, Flexiti's too).
REFRESHED = "token refreshed (refresh_token)"
SECRET_WORDS = ("password", "secret", "key", "token")


def demo_credentials(sb: Sandbox, vendor: str) -> dict[str, str]:
    creds: dict[str, Any] = sb.env(vendor)["credentials"]  # the preset's Sandbox (local)
    if vendor == "pce":
        return {"static_token": creds["static_tokens"][0]["token"]}
    return {k: v for k, v in creds.items() if isinstance(v, str) and v}


def every_sandbox_secret(sb: Sandbox) -> set[str]:
    """Every secret-looking demo credential of every vendor and environment."""
    found: set[str] = set()
    for vendor in sb.call("info")["providers"].values():
        for env in vendor["environments"].values():
            for name, value in env["credentials"].items():
                if name == "static_tokens":
                    found |= {t["token"] for t in value}
                elif isinstance(value, str) and any(w in name for w in SECRET_WORDS) and value:
                    found.add(value)
    return found


def issued_tokens(sb: Sandbox) -> set[str]:
    """Every access and refresh token the sandbox handed out, to any process: the embedded
    server runs in this process, so its token stores are what the tests can see."""
    tokens: set[str] = set()
    for vendor in sb.server._state.vendors.values():
        for store in getattr(vendor, "stores", {}).values():
            for grant in store._by_access.values():
                tokens |= {grant.access, grant.refresh} - {None}
    return tokens


def journey(run, vendor: str, out: Path, observed: set[str]) -> None:  # type: ignore[no-untyped-def]
    from explorer.core.auth import TokenRegistry
    from explorer.core.credentials import KeyringStore
    from explorer.core.http import HttpClient
    from explorer.core.models import RequestSpec
    from explorer.core.pipeline import ApiSession
    from explorer.core.provider_loader import load_providers
    from explorer.core.ratelimit import LimiterRegistry
    from explorer.core.workspace.environments import EnvironmentValues, merge_environment
    from explorer.core.workspace.history import History
    from explorer.core.workspace.marker import open_workspace

    sb: Sandbox = run.sandbox
    ws: Path = run.workspace
    creds = demo_credentials(sb, vendor)
    where = ("--workspace", str(ws), "--provider", vendor, "--env", ENV)
    url = ("--var", f"sandbox_url={sb.url}")

    plain: list[str] = []
    for slot in PLAIN[vendor]:
        plain += (
            ["--username", creds[slot]]
            if slot == "username"
            else ["--value", f"{slot}={creds[slot]}"]
        )
    secret_slots = SECRET[vendor]
    flags = ["--password-stdin"] if "password" in secret_slots else []
    flags += [f for s in secret_slots if s != "password" for f in ("--secret", s)]
    stored = run(
        "credentials", "set", *where, *plain, *flags,
        stdin="".join(creds[s] + "\n" for s in secret_slots),
    )  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    assert "SecretService" in stored.stderr

    first = run("send", *where, *url, "-v", "GET", RESOURCE[vendor])
    assert first.returncode == 0, first.stderr
    assert " 200 " in first.stderr or "HTTP/1.1 200" in first.stderr, first.stderr
    if vendor == "pce":
        assert "Authorization: Bearer ••••••" in first.stderr
    else:
        assert "token acquired" in first.stderr, first.stderr
    sb.call("clock", {"advance": 900})  # the sandbox's clock only: past ServiceChannel's window
    second = run("send", *where, *url, "-v", "GET", RESOURCE[vendor])
    assert second.returncode == 0, second.stderr
    if vendor != "pce":
        assert REFRESHED in second.stderr, second.stderr

    sb.call("clock", {"advance": 6})  # ServiceChannel: one token POST per user per 5 s
    # The window's side: a session on the same keyring, its exchange recorded in history.
    marker = open_workspace(ws)
    store = KeyringStore(run.keyring)
    client = HttpClient()
    try:
        session = ApiSession(
            load_providers(ws)[0][vendor],
            ENV,
            store=store,
            workspace_id=marker.id,
            client=client,
            limiters=LimiterRegistry(),
            tokens=TokenRegistry(),
            variables={"sandbox_url": sb.url},
        )
        result = session.send(RequestSpec("GET", RESOURCE[vendor]))
        assert result.exchange.response.status == 200
        History(ws).record(result.redacted_exchange(), name=f"{vendor} journey")
        manager = session.token_manager()
        token = manager.current if manager is not None else None
    finally:
        client.close()
    in_process = {*result.secrets, *(token.secrets() if token else ())}
    observed |= in_process

    # A collection: run with reports, export both ways, snippets as the user copies them.
    directory = write(
        ws / "collections" / vendor,
        request("resource", RESOURCE[vendor], 0, assertions=(status(200),)),
        name=f"{vendor} journey",
        provider=vendor,
    )
    reports = (f"--report={out / f'{vendor}.json'}", f"--report={out / f'{vendor}.xml'}")
    sb.call("clock", {"advance": 6})
    ran = run("run", str(directory), "--env", ENV, *url, *reports)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "1 requests, 1 passed" in ran.stdout or "1 request, 1 passed" in ran.stdout, ran.stdout
    # The window saves an environment with a secret by name only; export writes it out.
    secret = secret_slots[0]
    values = {"sandbox_url": sb.url, secret: creds[secret]}
    merge_environment(ws, vendor, EnvironmentValues(ENV, values, (secret,)))
    postman = out / f"{vendor}.postman_collection.json"
    exported = run("export", "postman", str(directory), "-o", str(postman), "--env", ENV)
    assert exported.returncode == 0, exported.stderr
    assert any(p.name.endswith(".postman_environment.json") for p in out.iterdir())
    http = run("export", "http", str(directory), "-o", str(out / f"{vendor}.http"))
    assert http.returncode == 0, http.stderr
    (request_file,) = directory.glob("*.request.yaml")
    for lang in ("curl", "python"):
        snippet = run("snippet", "--lang", lang, "--env", ENV, *url, str(request_file))
        assert snippet.returncode == 0, snippet.stderr
        (out / f"{vendor}.{lang}.snippet").write_text(snippet.stdout, encoding="utf-8")

    # A bug whose exception text holds a live token and the password, logged as the crash
    # handler logs it (explorer/ui/crash.py uses the same formatter).
    leak = token.access_token if token else creds["static_token"]
    log = logging.getLogger("explorer.crash")
    handler = logging.FileHandler(ws.parent / "app-home" / "api-explorer.log", encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"{vendor}: unexpected {leak!r} with {creds[secret_slots[0]]}")
        except RuntimeError:
            kind, error, tb = sys.exc_info()
            assert kind is not None
            assert error is not None
            log.error("unhandled exception\n%s", format_exception(kind, error, tb))
    finally:
        log.removeHandler(handler)
        handler.close()


def test_every_vendor_journey_leaves_no_secret_in_any_file(
    cli: Any,  # noqa: F811 - the fixture imported above
    secret_service: Any,
    secret_service_keyring: Any,
    tmp_path: Path,
) -> None:
    cli.keyring = secret_service_keyring
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "app-home").mkdir(exist_ok=True)
    observed: set[str] = set()
    for vendor in RESOURCE:
        journey(cli, vendor, out, observed)

    sb: Sandbox = cli.sandbox
    tokens = issued_tokens(sb)
    # every OAuth vendor was granted and refreshed (or re-granted) tokens, and we saw some
    assert len(tokens) >= 2 * 4
    assert observed - every_sandbox_secret(sb) <= tokens
    secrets = every_sandbox_secret(sb) | tokens | observed
    crash_log = (tmp_path / "app-home" / "api-explorer.log").read_text(encoding="utf-8")
    assert crash_log.count("RuntimeError: ") == len(RESOURCE)
    assert MASK in crash_log

    scanned: list[Path] = []
    roots = [cli.workspace, tmp_path / "app-home", Path(secret_service.env["HOME"]), out]
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                scanned.append(path)
                for secret in secrets:
                    assert secret.encode() not in data, f"a secret leaked into {path}"
    names = {p.name for p in scanned}
    assert {"pce.json", "flexiti.xml", "procode.http", "servicechannel.curl.snippet"} <= names
    assert sum(p.suffix == ".jsonl" for p in scanned) >= 1  # history
    assert "api-explorer.log" in names
    for text in cli.outputs:
        for secret in secrets:
            assert secret not in text
