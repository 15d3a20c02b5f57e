"""``import --dry-run`` decides as the import does (``service.plan_import``): it fails exactly
when the import would, with the same sentence and exit status, and writes nothing either way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from explorer.cli import main
from tests.core.formats.test_commands import DATA, cli

SHOP = DATA / "shop.postman_collection.json"
ENVIRONMENT = DATA / "shop.postman_environment.json"

Setup = Callable[[Path], list[str]]


def _existing_collection(tmp: Path) -> list[str]:
    base = ["--workspace", str(tmp / "ws"), "import", "postman", str(SHOP), "--into", "shop"]
    assert main(base) == 0
    return base


def _into_a_file(tmp: Path) -> list[str]:
    (tmp / "taken").write_text("not a folder")
    return ["import", "postman", str(SHOP), "--into", str(tmp / "taken")]


def _below_a_file(tmp: Path) -> list[str]:
    (tmp / "taken").write_text("not a folder")
    return ["import", "postman", str(SHOP), "--into", str(tmp / "taken" / "shop")]


def _broken_environment_file(tmp: Path) -> list[str]:
    (tmp / "ws" / "environments").mkdir(parents=True)
    (tmp / "ws" / "environments" / "shopify.yaml").write_text("environments: [\n")
    return _environment_import(tmp)


def _environment_file_is_a_folder(tmp: Path) -> list[str]:
    (tmp / "ws" / "environments" / "shopify.yaml").mkdir(parents=True)
    return _environment_import(tmp)


def _environment_import(tmp: Path) -> list[str]:
    ws = ["--workspace", str(tmp / "ws")]
    return [*ws, "import", "postman", str(ENVIRONMENT), "--into", "shop", "--provider", "shopify"]


def _environment_outside_a_workspace(tmp: Path) -> list[str]:
    return ["import", "postman", str(ENVIRONMENT), "--into", str(tmp / "loose" / "shop")]


def _workspace_path_is_a_file(tmp: Path) -> list[str]:
    (tmp / "ws").write_text("not a folder")
    return ["--workspace", str(tmp / "ws"), "import", "postman", str(SHOP), "--into", "shop"]


def _fresh_folder(tmp: Path) -> list[str]:
    return ["import", "postman", str(SHOP), "--into", str(tmp / "new" / "shop")]


def _new_workspace(tmp: Path) -> list[str]:
    return ["--workspace", str(tmp / "ws"), "import", "postman", str(SHOP), "--into", "shop"]


def _files(root: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(root)): p.read_bytes() if p.is_file() else None for p in root.rglob("*")
    }


@pytest.mark.parametrize(
    ("setup", "status"),
    [
        (_existing_collection, 2),
        (_into_a_file, 2),
        (_below_a_file, 2),
        (_broken_environment_file, 1),
        (_environment_file_is_a_folder, 1),
        (_environment_outside_a_workspace, 2),
        (_workspace_path_is_a_file, 1),
        (_fresh_folder, 0),
        (_new_workspace, 0),
    ],
)
def test_dry_run_fails_exactly_when_the_import_fails(
    setup: Setup, status: int, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = setup(tmp_path)
    capsys.readouterr()
    before = _files(tmp_path)
    dry_status, _, dry_err = cli(capsys, *argv, "--dry-run")
    assert _files(tmp_path) == before  # a dry run writes nothing, not even a workspace
    real_status, _, real_err = cli(capsys, *argv)
    assert (dry_status, dry_err) == (real_status, real_err)
    assert real_status == status, real_err
    assert "Traceback" not in real_err
    if status:
        assert _files(tmp_path) == before  # a refused import leaves everything as it was
