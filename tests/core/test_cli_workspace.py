"""``--workspace DIR`` is one option in two places: after every sub-command and before it, with
the same meaning (issue 16); ``init`` makes a workspace; the sandbox, which keeps none, refuses it
in one sentence instead of ignoring it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from explorer.cli import COMMANDS, build_parser
from tests.support.cli import run_cli

ARGS = {
    "send": ["GET", "http://127.0.0.1:9/"],
    "run": ["collection"],
    "sandbox": [],
    "credentials": ["set", "--provider", "p", "--env", "e"],
    "snippet": ["--lang", "curl", "a.request.yaml"],
    "import": ["curl", "c.txt", "--into", "col"],
    "export": ["http", "col", "-o", "-"],
    "init": [],
    "login": ["col"],
}
"""The least each command needs to parse (``--workspace`` goes after these)."""


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, extra_env={"API_EXPLORER_HOME": str(cwd / "home")})


def test_every_command_is_covered() -> None:
    assert set(ARGS) == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_workspace_after_the_command_is_the_one_before_it(command: str) -> None:
    after = build_parser(command).parse_args([command, *ARGS[command], "--workspace", "w"])
    before = build_parser(command).parse_args(["--workspace", "w", command, *ARGS[command]])
    assert after.workspace == before.workspace == "w"
    assert build_parser(command).parse_args([command, *ARGS[command]]).workspace is None


def test_import_and_export_take_it_after_the_command(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("curl https://example.test/a\n", encoding="utf-8")
    made = cli("import", "curl", "c.txt", "--into", "col", "--workspace", "ws", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "ws" / "workspace.yaml").is_file()
    assert list((tmp_path / "ws" / "collections" / "col").glob("*.request.yaml"))
    exported = cli(
        "export", "http", "ws/collections/col", "-o", "-", "--workspace", "ws", cwd=tmp_path
    )
    assert exported.returncode == 0, exported.stderr
    assert "GET /a" in exported.stdout


def test_the_global_workspace_reaches_the_command(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("x", encoding="utf-8")
    sent = cli(
        "--workspace", "not-a-folder", "send", "--provider", "priceedge", "--env", "x",
        "GET", "/a", cwd=tmp_path,
    )  # fmt: skip
    assert sent.returncode != 0
    assert "not-a-folder" in sent.stderr
    assert "is a file, not a workspace folder" in sent.stderr


def test_init_creates_a_workspace_and_says_where(tmp_path: Path) -> None:
    made = cli("init", "project", cwd=tmp_path)
    root = (tmp_path / "project").resolve()
    assert made.returncode == 0, made.stderr
    assert made.stdout == f"Created workspace in {root}\n"
    marker = (root / "workspace.yaml").read_text(encoding="utf-8")
    again = cli("init", cwd=root)
    assert again.stdout == f"Workspace already in {root}\n"
    assert (root / "workspace.yaml").read_text(encoding="utf-8") == marker  # same id
    assert cli("--workspace", "other", "init", cwd=tmp_path).returncode == 0
    assert (tmp_path / "other" / "workspace.yaml").is_file()


def test_init_refuses_two_different_folders(tmp_path: Path) -> None:
    refused = cli("init", "a", "--workspace", "b", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1
    assert "DIR and --workspace name different folders" in refused.stderr
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("argv", [["--workspace", "w", "sandbox"], ["sandbox", "--workspace", "w"]])
def test_the_sandbox_refuses_a_workspace(tmp_path: Path, argv: list[str]) -> None:
    refused = cli(*argv, "--port", "0", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr == "api-explorer: 'sandbox' keeps no workspace; drop --workspace.\n"
