"""A scripted user journey across every sandbox vendor, after which no secret is in any file we
wrote (issue 9, point 3; docs/security.md "Where secrets live").

Real parts only: the CLI runs as subprocesses, credentials go to a private gnome-keyring over
D-Bus, the shipped presets talk to the embedded sandbox, whose clock is moved to make the next
process refresh. Per vendor: ``credentials set``, ``send`` twice (grant, then after a clock jump a
refresh or re-grant), history written as the window writes it, ``run`` with JSON and JUnit
reports, ``export`` (Postman with its environment, and .http), ``snippet`` (the default, secrets
not revealed), and a crash log written through the core's formatter from an exception whose
message holds a token and a password. Then the secrets a careless user brings (issue 18):
``import`` of a Postman collection, curl commands and a ``.http`` file that hold tokens and
passwords; ``--var`` overriding a credential slot (``send``) and a collection's secret variable
(``run``); a collection that obtains its own PriceEdge token and captures it, with failing
assertions that quote it; ``send -v`` with a credential slot in the query through a redirect.
Every file under the workspace, the app home, the throwaway HOME and the output folder, and
every output, is scanned for every secret value and every token the sandbox issued.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from explorer.core.models import Body, BodyMode, FormField, KeyValue
from explorer.core.redaction import MASK, RedactingFormatter, format_exception
from explorer.core.workspace.model import Variable
from tests.core.runner.helpers import capture, jsonpath, request, status, write
from tests.core.test_pipeline_cli import cli, sandbox  # noqa: F401 - fixtures
from tests.core.test_pipeline_sandbox import Sandbox
from tests.support.servers import _Quiet

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


#: Secrets a user brings in files to import, by name of the file (issue 18, point 10).
IMPORT_SECRETS = ("Imported-Bearer-1f9a", "Imported-Password-2b8c", "Curl-Bearer-3c7d",
                  "Curl-Password-4d6e", "Curl-Query-Token-5e5f", "Http-Token-6f4a")  # fmt: skip
#: A ``--var`` value overriding PriceEdge's ``password`` slot (issue 18, point 9).
VAR_SECRET = "Var-Override-Secret-7a3b"


def import_sources(folder: Path) -> dict[str, Path]:
    """A Postman collection, curl commands and a ``.http`` file, each holding secrets."""
    folder.mkdir()
    bearer, password, curl_bearer, curl_password, curl_token, http_token = IMPORT_SECRETS
    collection = {
        "info": {
            "name": "Shop",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [
            {
                "name": "me",
                "request": {
                    "method": "GET",
                    "url": "https://api.test/me?pw={{password}}",
                    "auth": {
                        "type": "bearer",
                        "bearer": [{"key": "token", "value": "{{bearer}}", "type": "string"}],
                    },
                },
            }
        ],
        "variable": [{"key": "bearer", "value": bearer}, {"key": "password", "value": password}],
    }
    files = {
        "postman": folder / "shop.postman_collection.json",
        "curl": folder / "calls.sh",
        "http": folder / "api.http",
    }
    files["postman"].write_text(json.dumps(collection), encoding="utf-8")
    files["curl"].write_text(
        f"curl --oauth2-bearer {curl_bearer} https://api.test/me\n"
        f"curl https://api.test/login -d 'user=ada&password={curl_password}'\n"
        f"curl 'https://api.test/feed?token={curl_token}&page=2'\n",
        encoding="utf-8",
    )
    files["http"].write_text(
        f"@token = {http_token}\n\nGET https://api.test/me\nAuthorization: Bearer {{{{token}}}}\n",
        encoding="utf-8",
    )
    return files


class _Proxy(BaseHTTPRequestHandler):
    """The sandbox behind a front door that redirects ``…/hop/…`` to ``…/…`` on itself (so the
    provider's origin and credentials stay the same) and forwards everything else."""

    protocol_version = "HTTP/1.1"
    upstream = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log line."""

    def _forward(self) -> None:
        if "/hop/" in self.path:
            self.send_response(302)
            self.send_header("Location", self.path.replace("/hop/", "/", 1))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else None
        skip = {"host", "content-length", "connection", "accept-encoding"}
        headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
        upstream = urllib.request.Request(
            self.upstream + self.path, data=data, headers=headers, method=self.command
        )
        try:
            with urllib.request.urlopen(upstream, timeout=10) as answer:
                code, reply, body = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            code, reply, body = error.code, error.headers, error.read()
        self.send_response(code)
        for name, value in reply.items():
            if name.lower() not in {"content-length", "connection", "server", "date"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _forward


@pytest.fixture
def front_door(cli: Any) -> Iterator[str]:  # noqa: F811 - the fixture imported above
    handler = type("Front", (_Proxy,), {"upstream": cli.sandbox.url})
    server = _Quiet(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def imports(run, sources: Path) -> None:  # type: ignore[no-untyped-def]
    """Each file is imported into the workspace; the secrets become secret variables."""
    for kind, path in import_sources(sources).items():
        into = run.workspace / "collections" / f"imported-{kind}"
        done = run("import", kind, str(path), "--into", str(into))
        assert done.returncode == 0, done.stderr
        assert "not written" in done.stdout + done.stderr, done.stdout + done.stderr
        assert any(into.rglob("*.request.yaml"))


def var_override(run, sb: Sandbox) -> None:  # type: ignore[no-untyped-def]
    """``--var password=…`` overrides PriceEdge's credential slot: masked on every -v line."""
    done = run(
        "send", "--workspace", str(run.workspace), "--provider", "priceedge", "--env", ENV,
        "--var", f"sandbox_url={sb.url}", "--var", f"password={VAR_SECRET}", "-v",
        "-H", "X-Note: {{password}}", "GET", "/api/tables/item?p={{password}}",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "X-Note: ••••••" in done.stderr, done.stderr
    assert "p=••••••" in done.stderr, done.stderr


def self_obtained_token(run, sb: Sandbox, out: Path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A collection grants itself a PriceEdge token (the password a secret variable given by
    ``--var``), captures it and uses it; failing assertions quote the token, the reports the
    URLs that hold it."""
    pe = sb.env("priceedge")
    creds = pe["credentials"]
    form = Body(
        BodyMode.FORM,
        fields=(
            FormField("grant_type", "password"),
            FormField("client_id", creds["client_id"]),
            FormField("username", creds["username"]),
            FormField("password", "{{password}}"),
        ),
    )
    directory = write(
        run.workspace / "collections" / "self-token",
        request(
            "token", pe["token_url"], 0, method="POST", body=form,
            assertions=(status(200), jsonpath("$.access_token", '"something else"')),
            captures=(capture("tok", "$.access_token"), capture("again", "$.refresh_token")),
        ),
        request(
            "use", f"{pe['base_url']}/api/tables/item?t={{{{tok}}}}", 1,
            headers=(KeyValue("Authorization", "Bearer {{tok}}"),
                     KeyValue("client_id", creds["client_id"])),
            assertions=(status(201),),
        ),
        name="self token",
        variables=(Variable("password", secret=True),),
    )  # fmt: skip
    reports = (f"--report={out / 'self-token.json'}", f"--report={out / 'self-token.xml'}")
    done = run("run", str(directory), "--var", f"password={creds['password']}", *reports)
    assert done.returncode == 1, done.stdout + done.stderr
    report: dict[str, Any] = json.loads((out / "self-token.json").read_text(encoding="utf-8"))
    token, use = report["results"]
    assert token["status"] == 200, report
    assert use["status"] == 200, report  # the captured token was accepted
    assert use["url"].endswith("?t=••••••"), use["url"]
    assert MASK in done.stdout, done.stdout  # the failing assertion quotes the masked token
    return report


def verbose_redirect(run, sb: Sandbox, door: str) -> None:  # type: ignore[no-untyped-def]
    """``send -v`` with a credential slot in the query, through a redirect: every hop masked."""
    done = run(
        "send", "--workspace", str(run.workspace), "--provider", "priceedge", "--env", ENV,
        "--var", f"sandbox_url={door}", "-v", "GET", "/hop/api/tables/item?p={{password}}",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "302 → " in done.stderr, done.stderr  # the hop line was printed
    assert done.stderr.count("p=••••••") >= 2, done.stderr


def test_every_vendor_journey_leaves_no_secret_in_any_file(
    cli: Any,  # noqa: F811 - the fixture imported above
    secret_service: Any,
    secret_service_keyring: Any,
    front_door: str,
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
    imports(cli, tmp_path / "sources")
    var_override(cli, sb)
    self_obtained_token(cli, sb, out)
    verbose_redirect(cli, sb, front_door)

    tokens = issued_tokens(sb)
    # every OAuth vendor was granted and refreshed (or re-granted) tokens, and we saw some
    assert len(tokens) >= 2 * 4
    assert observed - every_sandbox_secret(sb) <= tokens
    secrets = every_sandbox_secret(sb) | tokens | observed | {*IMPORT_SECRETS, VAR_SECRET}
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
    for text in cli.outputs:
        for secret in secrets:
            assert secret not in text
    names = {p.name for p in scanned}
    assert {"pce.json", "flexiti.xml", "procode.http", "servicechannel.curl.snippet"} <= names
    assert {"self-token.json", "self-token.xml"} <= names
    assert sum(p.suffix == ".jsonl" for p in scanned) >= 1  # history
    assert "api-explorer.log" in names
