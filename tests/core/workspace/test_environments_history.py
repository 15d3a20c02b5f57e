"""Environments without secrets, history with secrets masked, migrations, the watcher."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from explorer.core.errors import FormatError
from explorer.core.http import HttpClient
from explorer.core.models import AuthSpec, Body, BodyMode, KeyValue, RequestSpec
from explorer.core.redaction import MASK
from explorer.core.templating import Layer, Scope, resolve
from explorer.core.workspace import migrations
from explorer.core.workspace.environments import (
    EnvironmentValues,
    load_environments,
    merge_environment,
)
from explorer.core.workspace.history import History
from explorer.core.workspace.watcher import WorkspaceWatcher


def test_environment_secrets_are_saved_by_name_only(tmp_path: Path) -> None:
    env = EnvironmentValues("Prod", {"base_url": "https://x", "password": "hunter2"}, ("password",))
    path = merge_environment(tmp_path, "PriceEdge", env)
    assert path == tmp_path / "environments" / "priceedge.yaml"
    assert "hunter2" not in path.read_text()
    merge_environment(tmp_path, "PriceEdge", EnvironmentValues("Test", {"base_url": "http://t"}))
    loaded = load_environments(tmp_path, "PriceEdge")
    assert [e.name for e in loaded] == ["Prod", "Test"]
    assert loaded[0].values == {"base_url": "https://x"}
    assert loaded[0].secret_names == ("password",)


def test_history_masks_secrets_and_prunes(tmp_path: Path, httpbin_url: str) -> None:
    spec = RequestSpec(
        url=f"{httpbin_url}/anything",
        params=(KeyValue("key", "{{api_key}}"),),
        headers=(KeyValue("Authorization", "Bearer {{api_key}}"), KeyValue("X-Plain", "ok")),
    )
    scope = Scope((Layer("env", {"api_key": "s3cr3t-value"}, frozenset({"api_key"})),))
    client = HttpClient()
    try:
        exchange = client.send(resolve(spec, scope))
    finally:
        client.close()
    history = History(tmp_path, retention_days=7)
    entry = history.record(exchange, name="probe")
    day = exchange.started_at.astimezone(UTC).date()
    text = (tmp_path / "history" / f"{day.isoformat()}.jsonl").read_text()
    assert "s3cr3t-value" not in text
    assert MASK in entry.url
    assert history.entries(day)[0] == entry
    assert entry.to_spec().method == "GET"
    old = tmp_path / "history" / "2000-01-01.jsonl"
    old.write_text("not json\n")
    assert history.entries(date(2000, 1, 1)) == []
    assert history.prune(datetime.now(UTC).date()) == [old]
    assert history.days() == [day]


def test_history_keeps_the_builder_request_redacted_for_reopening(
    tmp_path: Path, httpbin_url: str
) -> None:
    spec = RequestSpec(
        "POST",
        "{{base}}/anything",
        name="Create",
        headers=(KeyValue("X-Api-Key", "literal-key-123"), KeyValue("X-Trace", "{{token}}")),
        body=Body(BodyMode.JSON, '{"pin": "s3cr3t-value"}'),
        auth=AuthSpec("basic", (("username", "ann"), ("password", "hunter22"))),
    )
    scope = Scope(
        (
            Layer("env", {"base": httpbin_url}),
            Layer("secrets", {"token": "s3cr3t-value"}, frozenset({"token"})),
        )
    )
    client = HttpClient()
    try:
        exchange = client.send(resolve(spec, scope))
    finally:
        client.close()
    history = History(tmp_path)
    history.record(exchange, "Create", spec=spec, provider="pce", environment="Sandbox (local)")
    text = "".join(p.read_text() for p in (tmp_path / "history").glob("*.jsonl"))
    for secret in ("literal-key-123", "hunter22", "s3cr3t-value"):
        assert secret not in text
    entry = history.recent()[0]
    reopened = entry.to_spec()
    assert (entry.provider, entry.environment) == ("pce", "Sandbox (local)")
    assert reopened.url == "{{base}}/anything"
    assert reopened.headers[1].value == "{{token}}"
    assert reopened.headers[0].value == MASK
    assert reopened.auth == AuthSpec("basic", (("username", "ann"), ("password", MASK)))
    assert reopened.body.text == '{"pin": "' + MASK + '"}'


def test_history_recent_spans_days_newest_first(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    line = (
        '{{"at": "{at}", "method": "GET", "url": "http://x/{n}", "status": 200, "reason": "OK", '
        '"total_ms": 1, "size": 0, "request_headers": [], "response_headers": [], '
        '"request": [1]}}\n'
    )
    (folder / "2026-01-01.jsonl").write_text(line.format(at="2026-01-01", n=1))
    (folder / "2026-01-02.jsonl").write_text(
        line.format(at="2026-01-02", n=2) + line.format(at="2026-01-02", n=3)
    )
    urls = [e.url for e in History(tmp_path).recent(limit=2)]
    assert urls == ["http://x/3", "http://x/2"]
    assert History(tmp_path).recent()[2].to_spec().url == "http://x/1"


def test_version_0_rows_are_migrated() -> None:
    old = {"name": "x", "headers": {"Accept": "json"}}
    assert migrations.upgrade("request", old, 0) == {
        "name": "x",
        "headers": [{"name": "Accept", "value": "json"}],
    }
    assert old == {"name": "x", "headers": {"Accept": "json"}}


def test_a_newer_format_is_refused() -> None:
    with pytest.raises(FormatError, match="newer") as caught:
        migrations.upgrade("request", {}, 99, path="a.yaml")
    assert caught.value.path == "a.yaml"


def test_watcher_debounces_and_ignores_own_writes(tmp_path: Path) -> None:
    coll = tmp_path / "collections" / "shop"
    coll.mkdir(parents=True)
    (coll / "collection.yaml").write_text("name: Shop\n")
    watcher = WorkspaceWatcher(tmp_path, debounce=0.3)
    seen = []
    watcher.subscribe(seen.append)
    (coll / "a.request.yaml").write_text("name: a\n")
    assert watcher.poll(now=100.0) is None
    (coll / "b.request.yaml").write_text("name: b\n")
    assert watcher.poll(now=100.1) is None
    assert watcher.poll(now=100.2) is None
    changes = watcher.poll(now=100.6)
    assert changes is not None
    assert changes.added == {coll / "a.request.yaml", coll / "b.request.yaml"}
    assert seen == [changes]
    (coll / "collection.yaml").write_text("name: Shop 2\n")
    watcher.acknowledge(coll / "collection.yaml")
    assert watcher.poll(now=200.0) is None
    assert watcher.poll(now=201.0) is None


def test_watcher_thread_reports_an_external_edit(tmp_path: Path) -> None:
    coll = tmp_path / "collections" / "shop"
    coll.mkdir(parents=True)
    target = coll / "collection.yaml"
    target.write_text("name: Shop\n")
    watcher = WorkspaceWatcher(tmp_path, interval=0.02, debounce=0.05)
    arrived = threading.Event()
    watcher.subscribe(lambda changes: arrived.set() if target in changes.modified else None)
    watcher.start()
    try:
        target.write_text("name: Shop, pulled from git\n")
        assert arrived.wait(5)
    finally:
        watcher.stop()


def test_watcher_start_and_stop_from_different_threads_never_race(tmp_path: Path) -> None:
    for _ in range(50):
        watcher = WorkspaceWatcher(tmp_path, interval=0.01)
        starter = threading.Thread(target=watcher.start)
        starter.start()
        watcher.stop()
        starter.join()
        watcher.stop()
    assert not [t for t in threading.enumerate() if t.name == "workspace-watcher"]
