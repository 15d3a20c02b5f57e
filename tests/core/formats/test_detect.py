"""``import auto`` and the import dialog's "Detect": the format is read from the content (every
JSON export is a ``.json``), each kind is recognised from a real file of that kind, and a file of
no known format is one located sentence naming the formats tried."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.core.errors import FormatError
from explorer.core.formats.detect import detect, detect_text
from tests.support.cli import run_cli

DATA = Path(__file__).parent / "data"

SAMPLES = {
    "postman": DATA / "shop.postman_collection.json",
    "openapi": DATA / "legacy.swagger.json",
    "har": DATA / "har" / "firefox.har",
    "insomnia": DATA / "insomnia" / "kong-simple.yaml",
    "bruno": DATA / "bruno" / "httpbin",
}


@pytest.mark.parametrize(("kind", "path"), sorted(SAMPLES.items()))
def test_each_real_file_is_recognised_whatever_its_name(
    kind: str, path: Path, tmp_path: Path
) -> None:
    assert detect(path) == kind
    if path.is_file():
        renamed = tmp_path / "export.txt"
        renamed.write_bytes(path.read_bytes())
        assert detect(renamed) == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("curl -X POST https://h/x -d a=1", "curl"),
        ("$ curl https://h/x", "curl"),
        ("curl.exe https://h/x", "curl"),
        ("### list\nGET https://h/items\nAccept: */*\n", "http"),
        ("@base = https://h\n\nPOST {{base}}/x HTTP/1.1\n", "http"),
        ('{"name": "Dev", "values": [{"key": "a", "value": "1"}]}', "postman"),
        ("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n", "openapi"),
        ("meta {\n  name: x\n  type: http\n  seq: 1\n}\n\nget {\n  url: https://h\n}\n", "bruno"),
    ],
)
def test_text_forms(text: str, kind: str) -> None:
    assert detect_text(text, "pasted") == kind


@pytest.mark.parametrize("text", ["", "hello world", '{"a": 1}', "- a\n- b\n", "[1, 2]"])
def test_unknown_content_is_one_located_sentence(text: str) -> None:
    with pytest.raises(FormatError) as caught:
        detect_text(text, "mystery.json")
    assert str(caught.value).startswith("mystery.json: is not a format that can be imported")
    assert "HAR" in str(caught.value)
    assert "Bruno" in str(caught.value)


def test_a_folder_that_is_not_a_bruno_collection_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="not a Bruno collection"):
        detect(tmp_path)


@pytest.mark.parametrize(("kind", "path"), sorted(SAMPLES.items()))
def test_import_auto_names_the_format_and_imports(kind: str, path: Path, tmp_path: Path) -> None:
    names = {"postman": "Postman", "openapi": "OpenAPI", "har": "HAR", "insomnia": "Insomnia"}
    done = run_cli(
        "import", "auto", str(path), "--into", "imported", "--workspace", str(tmp_path / "ws"),
        extra_env={
            "API_EXPLORER_HOME": str(tmp_path / "home"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        },
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("Detected format: " + names.get(kind, "Bruno"))
    assert (tmp_path / "ws" / "collections" / "imported" / "collection.yaml").is_file()


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "Old", "item": [{"name": "a", "request": {"method": "GET", "url": "h"}}]}',
        '{"id": "x", "name": "v1", "order": [], "requests": []}',
    ],
)
def test_postman_forms_without_info_are_postman(text: str) -> None:
    assert detect_text(text, "c.json") == "postman"
