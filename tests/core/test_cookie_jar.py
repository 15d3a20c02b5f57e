"""Cookie jars (``explorer.core.cookies``): RFC 6265 matching, the client sending and keeping
them on every hop, one jar per environment, a run keeping them across its requests, and
persistence that never writes a credential-looking cookie."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.request import Request

import pytest

from explorer.core.context import Binding, Placement
from explorer.core.cookies import (
    NO_CONTEXT,
    CookieJars,
    CookiePolicy,
    CookieRecord,
    Jar,
    JarScope,
    merge_cookie_header,
    response_cookies,
)
from explorer.core.http import HttpClient
from explorer.core.models import RequestSpec, ResolvedRequest
from explorer.core.runner.senders import sender_for
from explorer.core.workspace.model import Folder
from tests.core.runner.helpers import jsonpath, plain_workbench, request, run, write

PE = JarScope("provider", "priceedge", "sandbox")


@pytest.fixture
def client() -> Iterator[HttpClient]:
    client = HttpClient()
    yield client
    client.close()


def sent_to(jar: Jar, url: str) -> str | None:
    request = Request(url)
    jar.add_cookie_header(request)
    return request.get_header("Cookie")


def cookie(name: str, domain: str = "api.test", **fields: object) -> CookieRecord:
    return CookieRecord(name=name, value=f"v-{name}", domain=domain, **fields)  # type: ignore[arg-type]


def test_matching_follows_domain_path_secure_and_expiry() -> None:
    jar = Jar()
    jar.restore(cookie("host"))
    jar.restore(cookie("wide", ".api.test", host_only=False))
    jar.restore(cookie("deep", path="/v2"))
    jar.restore(cookie("safe", secure=True))
    jar.restore(cookie("old", expires=time.time() - 10))
    assert sent_to(jar, "http://api.test/v1") == "host=v-host; wide=v-wide"
    assert sent_to(jar, "https://api.test/v2/x") == (
        "deep=v-deep; host=v-host; safe=v-safe; wide=v-wide"
    )
    assert sent_to(jar, "http://eu.api.test/") == "wide=v-wide"  # host-only stays home
    assert sent_to(jar, "http://other.test/") is None


def test_response_cookies_reads_every_attribute() -> None:
    headers = [
        ("Content-Type", "text/plain"),
        ("Set-Cookie", "sid=abc; Path=/app; HttpOnly; Secure; SameSite=Lax"),
        ("set-cookie", "theme=dark; Domain=api.test; Max-Age=60; samesite=strict; httponly"),
    ]
    sid, theme = response_cookies(headers, "https://api.test/app/login")
    assert (sid.name, sid.path, sid.domain, sid.host_only) == ("sid", "/app", "api.test", True)
    assert (sid.http_only, sid.secure, sid.same_site, sid.expires) == (True, True, "Lax", None)
    assert sid.secret
    assert not theme.secret
    assert (theme.domain, theme.host_only, theme.http_only) == (".api.test", False, True)
    assert theme.same_site == "strict"
    assert theme.expires is not None


def test_an_own_cookie_header_wins_and_the_jar_adds_the_rest() -> None:
    assert merge_cookie_header("a=own; b=2", "a=jar; c=3") == "a=own; b=2; c=3"
    assert merge_cookie_header(None, "c=3") == "c=3"
    assert merge_cookie_header("a=1", None) == "a=1"


def test_the_client_keeps_every_hops_cookies_and_sends_them(client, httpbin_url) -> None:
    jar = Jar()
    set_url = f"{httpbin_url}/cookies/set?a=1&b=2"  # a redirect to /cookies that sets them
    exchange = client.send(ResolvedRequest("GET", set_url, follow_redirects=False), jar=jar)
    assert exchange.response.status == 302
    assert {r.name for r in jar.records()} == {"a", "b"}
    own = ResolvedRequest("GET", f"{httpbin_url}/cookies", headers=(("Cookie", "a=mine"),))
    body = json.loads(client.send(own, jar=jar).response.body.read_bytes())
    assert body["cookies"] == {"a": "mine", "b": "2"}
    body = json.loads(
        client.send(ResolvedRequest("GET", f"{httpbin_url}/cookies")).response.body.read_bytes()
    )
    assert body["cookies"] == {}  # no jar given: nothing kept between sends


def test_each_environment_has_its_own_jar(client, httpbin_url) -> None:
    bench = plain_workbench(client)
    collection = Placement((Folder("Shop", path=Path("/w/collections/shop")),))
    dev = bench.jar_scope(Binding(None, "Dev"), collection)
    assert dev == JarScope("collection", "shop", "Dev")
    assert bench.jar_scope(Binding("priceedge", "sandbox"), collection) == PE
    assert bench.jar_scope(Binding(), Placement()) == NO_CONTEXT
    spec = RequestSpec(url=f"{httpbin_url}/cookies/set?env=dev")
    bench.send(bench.assemble(spec, collection, Binding(None, "Dev")))
    assert [r.name for r in bench.cookies.list(dev)] == ["env"]
    assert bench.cookies.list(NO_CONTEXT) == []
    assert bench.cookies.scopes() == [dev]
    second = bench.send(bench.assemble(RequestSpec(url=f"{httpbin_url}/cookies")))
    assert json.loads(second.exchange.response.body.read_bytes())["cookies"] == {}


def test_a_run_keeps_cookies_across_its_requests_in_the_environments_jar(
    tmp_path, client, httpbin_url
) -> None:
    directory = write(
        tmp_path,
        request("login", f"{httpbin_url}/cookies/set?visit=1", 0),
        request(
            "check", f"{httpbin_url}/cookies", 1, assertions=(jsonpath("$.cookies.visit", '"1"'),)
        ),
        name="Cookies",
    )
    bench = plain_workbench(client)
    result = run(directory, sender_for(bench, _plan(directory), directory, Binding()))
    assert result.ok, [(r.error, r.checks) for r in result.results]
    assert [r.name for r in bench.cookies.list(NO_CONTEXT)] == ["visit"]  # the window sees it


def _plan(directory: Path):  # type: ignore[no-untyped-def]
    from explorer.core.runner.plan import plan_collection

    return plan_collection(directory)


def test_persistence_writes_no_credential_looking_cookie(tmp_path) -> None:
    path = tmp_path / "cookies.json"
    jars = CookieJars(path)
    for name in ("theme", "JSESSIONID", "access_token", "XSRF-TOKEN", "connect.sid"):
        jars.jar(PE).restore(cookie(name, expires=time.time() + 3600))
    assert jars.flush() is None
    assert not path.exists()
    jars.set_policy(CookiePolicy(persist=True))
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert [c["name"] for j in saved["jars"] for c in j["cookies"]] == ["theme"]
    assert "v-JSESSIONID" not in path.read_text(encoding="utf-8")
    again = CookieJars(path)
    assert again.policy.persist
    assert [r.name for r in again.list(PE)] == ["theme"]
    again.delete(PE, again.list(PE)[0])
    assert json.loads(path.read_text(encoding="utf-8"))["jars"] == []
    again.set_policy(CookiePolicy(persist=False))
    assert not path.exists()
    assert not CookieJars(path).policy.persist


def test_a_failed_save_is_one_sentence_and_leaves_the_workspace_as_it_was(tmp_path) -> None:
    jars = CookieJars(tmp_path / "cookies.json")
    jars.jar(PE).restore(cookie("theme"))
    (tmp_path / "cookies.json").mkdir()  # a folder where the file should go: os.replace fails
    jars._persist = True  # persistence was on when the folder appeared
    problem = jars.flush()
    assert problem is not None
    assert problem.startswith("Cookies were not saved:")
    assert "the previous version is unchanged" in problem
    assert [p.name for p in tmp_path.iterdir()] == ["cookies.json"]  # no temp file left


def test_a_damaged_file_is_said_once_and_never_overwritten(tmp_path) -> None:
    path = tmp_path / "cookies.json"
    path.write_text("{not json", encoding="utf-8")
    jars = CookieJars(path)
    jars.jar(PE).restore(cookie("theme"))
    problem = jars.flush()
    assert problem is not None
    assert "fix or delete it" in problem
    assert jars.flush() is None
    assert path.read_text(encoding="utf-8") == "{not json"
