"""The open tabs file: a round trip keeps paths, edits, order and the shown tab; secrets are
written masked; the file is the user's only; a broken file is one sentence."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from explorer.core.errors import FormatError
from explorer.core.models import AuthSpec, KeyValue, RequestSpec
from explorer.core.redaction import MASK
from explorer.services.drafts import FileDrafts, KeptTab, TabSession, session_file


def test_a_session_round_trips_with_secrets_masked(tmp_path: Path) -> None:
    secret = "hunter2-literal"
    draft = RequestSpec(
        "POST",
        "https://api.example/x",
        "Draft",
        headers=(KeyValue("Authorization", f"Bearer {secret}"), KeyValue("X-Ref", "{{ref}}")),
        auth=AuthSpec("basic", (("username", "me"), ("password", secret))),
    )
    session = TabSession(
        (KeptTab(tmp_path / "a.request.yaml"), KeptTab(None, draft, "acme", "Sandbox")), 1
    )
    path = session_file(tmp_path / "state", tmp_path / "workspace", demo=False)
    with ThreadPoolExecutor(1) as disk:
        store = FileDrafts(disk, path)
        store.save(session).result()
        back = store.load().result()
    assert secret not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert back.current == 1
    assert back.tabs[0] == KeptTab(tmp_path / "a.request.yaml")
    kept = back.tabs[1]
    assert (kept.path, kept.provider_id, kept.environment) == (None, "acme", "Sandbox")
    assert kept.spec is not None
    assert kept.spec.auth == AuthSpec("basic", (("username", "me"), ("password", MASK)))
    assert kept.spec.headers == (KeyValue("Authorization", MASK), KeyValue("X-Ref", "{{ref}}"))


def test_no_file_is_an_empty_session_and_a_broken_one_says_so(tmp_path: Path) -> None:
    path = tmp_path / "tabs.json"
    with ThreadPoolExecutor(1) as disk:
        store = FileDrafts(disk, path)
        assert store.load().result() == TabSession()
        path.write_text("{not json")
        with pytest.raises(FormatError, match="the open tabs could not be restored"):
            store.load().result()


def test_each_workspace_has_its_own_file(tmp_path: Path) -> None:
    one = session_file(tmp_path, tmp_path / "one", demo=False)
    assert one != session_file(tmp_path, tmp_path / "two", demo=False)
    assert one != session_file(tmp_path, tmp_path / "one", demo=True)
