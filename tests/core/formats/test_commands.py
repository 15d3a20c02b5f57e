"""``api-explorer import`` and ``export`` end to end, in a throwaway workspace."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.core.formats.http_file import import_http
from explorer.core.formats.postman import import_postman
from explorer.core.workspace.collections import load_collection

DATA = Path(__file__).parent / "data"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def all_text(root: Path) -> str:
    return "\n".join(p.read_text() for p in root.rglob("*") if p.is_file())


def test_import_then_export_postman_and_http(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    legacy = DATA / "legacy.postman_collection_v2.0.json"
    status, out, _ = cli(
        capsys, "--workspace", str(ws), "import", "postman", str(legacy), "--into", "legacy"
    )
    assert status == 0
    assert "Imported 2 request(s)" in out
    assert "not mapped: collection.item[1]: scripts are not imported" in out
    assert "basic_password" in out
    assert "pa55word" not in out + all_text(ws)
    collection = ws / "collections" / "legacy"
    assert (collection / "upload.request.yaml").exists()

    exported = tmp_path / "legacy.postman_collection.json"
    status, _, err = cli(capsys, "export", "postman", str(collection), "-o", str(exported))
    assert status == 0
    assert "Exported" in err
    again = import_postman(exported.read_text()).collection
    original = load_collection(collection).collection
    assert original is not None
    assert [s.spec for _, s in again.requests()] == [s.spec for _, s in original.requests()]

    http = tmp_path / "legacy.http"
    assert cli(capsys, "export", "http", str(collection), "-o", str(http))[0] == 0
    assert [s.spec.url for _, s in import_http(http.read_text()).collection.requests()] == [
        "https://legacy.example.com/status",
        "https://legacy.example.com/upload/:kind",
    ]


def test_environment_import_and_export(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shop = DATA / "shop.postman_collection.json"
    env = DATA / "shop.postman_environment.json"
    base = ["--workspace", str(ws), "import", "postman"]
    assert cli(capsys, *base, str(shop), "--into", "shop", "--provider", "shopify")[0] == 0
    status, out, _ = cli(capsys, *base, str(env), "--into", "shop", "--provider", "shopify")
    assert status == 0
    saved = ws / "environments" / "shopify.yaml"
    assert f"saved to {saved}" in out
    assert "tok-live-123" not in saved.read_text()
    output = tmp_path / "out" / "shop.postman_collection.json"
    output.parent.mkdir()
    status, _, _ = cli(
        capsys,
        "export",
        "postman",
        str(ws / "collections" / "shop"),
        "-o",
        str(output),
        "--env",
        "Staging",
    )
    assert status == 0
    env_file = tmp_path / "out" / "shop.staging.postman_environment.json"
    values = json.loads(env_file.read_text())["values"]
    assert {"key": "token", "value": "", "type": "secret", "enabled": True} in values


def test_curl_from_stdin_dry_run_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("curl -X POST https://h/items -d a=1\n"))
    into = tmp_path / "ws" / "collections" / "pasted"
    status, out, _ = cli(capsys, "import", "curl", "-", "--into", str(into), "--dry-run")
    assert status == 0
    assert "POST    POST /items" in out
    assert not into.exists()


def test_user_errors_are_one_sentence(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"info": {},\n "item": [}')
    status, _, err = cli(capsys, "import", "postman", str(bad), "--into", str(tmp_path / "c"))
    assert status == 1
    assert err.startswith(f"api-explorer: {bad}:2: ")
    assert "Traceback" not in err

    target = tmp_path / "c"
    http = tmp_path / "a.http"
    http.write_text("GET https://h/a\n")
    assert cli(capsys, "import", "http", str(http), "--into", str(target))[0] == 0
    status, _, err = cli(capsys, "import", "http", str(http), "--into", str(target))
    assert status == 2
    assert "already holds a collection" in err

    (target / "get-https-h-a.request.yaml").write_text("name: [broken\n")
    status, _, err = cli(capsys, "export", "http", str(target), "-o", str(tmp_path / "x.http"))
    assert status == 1
    assert "get-https-h-a.request.yaml:2" in err
    assert not (tmp_path / "x.http").exists()


def test_service_preview_then_apply(tmp_path: Path) -> None:
    from explorer.core.formats import service
    from explorer.core.formats.common import describe
    from explorer.core.workspace.marker import open_workspace

    result = service.read("openapi", DATA / "shop.openapi.yaml", name="Shop")
    assert describe(result.collection)[:2] == ["Items/", "  GET     Get an item"]
    ws = tmp_path / "ws"
    open_workspace(ws)
    applied = service.apply(result, ws / "collections" / "shop", ws, provider="shop")
    assert applied.request_count == 4
    assert applied.environment_files == (ws / "environments" / "shop.yaml",)
    assert service.export("http", ws / "collections" / "shop").startswith("# @collection Shop\n")
    with pytest.raises(service.UsageError):
        service.apply(result, tmp_path / "elsewhere", None)
