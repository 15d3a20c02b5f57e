"""History's failure lines: a send without an answer is kept with ``"status": null`` and its
sentence, masked; lines written before failures were kept read as before; ``clear`` removes
every day file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from explorer.core.models import KeyValue, RequestSpec
from explorer.core.redaction import MASK, remember
from explorer.core.workspace.history import History


def test_a_failure_is_kept_without_a_status_and_with_its_sentence(tmp_path: Path) -> None:
    remember({"hunter2-token"})
    spec = RequestSpec(
        "POST",
        "{{base_url}}/orders",
        name="Create order",
        headers=(KeyValue("Authorization", "Bearer literal-secret"),),
    )
    history = History(tmp_path)
    entry = history.record_failure(
        "POST",
        "https://api.example/orders?key=hunter2-token",
        "api.example refused the connection (token hunter2-token).",
        "Create order",
        spec=spec,
        provider="pce",
        environment="Sandbox",
    )
    day = datetime.now(UTC).date()
    path = tmp_path / "history" / f"{day.isoformat()}.jsonl"
    text = path.read_text(encoding="utf-8")
    assert "hunter2-token" not in text
    assert "literal-secret" not in text
    line = json.loads(text)
    assert line["status"] is None
    assert line["error"] == f"api.example refused the connection (token {MASK})."
    assert history.entries(day) == [entry]
    assert entry.status is None
    assert entry.to_spec().url == "{{base_url}}/orders"
    assert (entry.provider, entry.environment) == ("pce", "Sandbox")


def test_lines_without_the_error_field_read_as_before(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    old = {
        "at": "2026-01-02T10:00:00.000+00:00",
        "name": "",
        "method": "GET",
        "url": "https://api.example/items",
        "status": 200,
        "reason": "OK",
        "total_ms": 12.5,
        "size": 2,
        "request_headers": [],
        "response_headers": [],
        "request_body": "",
    }
    (folder / "2026-01-02.jsonl").write_text(json.dumps(old) + "\n", encoding="utf-8")
    read = History(tmp_path).read(datetime(2026, 1, 2).date())
    assert read.damaged == ()
    assert read.entries[0].status == 200
    assert read.entries[0].error == ""


def test_clear_removes_every_day_file(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.record_failure("GET", "http://127.0.0.1:9/", "refused.")
    (tmp_path / "history" / "2000-01-01.jsonl").write_text("", encoding="utf-8")
    removed = history.clear()
    assert len(removed) == 2
    assert not list((tmp_path / "history").glob("*.jsonl"))
    assert history.recent() == []
