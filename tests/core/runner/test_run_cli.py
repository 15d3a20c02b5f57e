"""``api-explorer run`` as CI runs it: a real process, its exit codes, its output and reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.core.runner.helpers import jsonpath, request, status, write
from tests.core.test_pipeline_cli import pe


def api_explorer(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "explorer", "run", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )


def test_passing_run_exits_0_with_a_summary_and_reports(tmp_path, httpbin_url) -> None:
    directory = write(
        tmp_path,
        request("get", httpbin_url + "/get?n={{n}}", 0, assertions=(jsonpath("$.args.n"),)),
        request("status", httpbin_url + "/status/204", 1, assertions=(status(204),)),
        name="Smoke",
    )
    data = tmp_path / "rows.csv"
    data.write_text("n\n1\n2\n", encoding="utf-8")
    done = api_explorer(
        str(directory),
        "--data",
        str(data),
        "--concurrency",
        "2",
        "--report",
        "out.xml",
        "--report",
        "out.json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Smoke: 4 requests, 4 passed, 0 failed, 0 errors; 6 assertions, 0 failed" in done.stdout
    assert done.stdout.count("ok   [") == 4  # not a terminal: one plain line per request
    assert ET.parse(tmp_path / "out.xml").getroot().get("tests") == "4"
    assert json.loads((tmp_path / "out.json").read_text())["ok"] is True


def test_a_failed_assertion_exits_1_and_names_it(tmp_path, httpbin_url) -> None:
    directory = write(
        tmp_path,
        request("wrong", httpbin_url + "/status/200", 0, assertions=(status(201),)),
        request("after", httpbin_url + "/get", 1),
    )
    done = api_explorer(str(directory), cwd=tmp_path)
    assert done.returncode == 1
    assert "FAIL it 1 wrong: status == 201: got 200" in done.stdout
    assert "2 requests, 1 passed, 1 failed" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere"], "'nowhere' is not a folder"),
        (["."], "is not a collection (no collection.yaml)"),
        (["COLLECTION", "--report", "r.html"], "must end in .json or .xml"),
        (["COLLECTION", "--iterations", "0"], "--iterations must be 1 or more"),
        (["COLLECTION", "--data", "missing.csv"], "Cannot read the data file"),
        (["COLLECTION", "--env", "x"], "The collection has no environment 'x'"),
        (["COLLECTION", "--provider", "nobody", "--env", "x"], "No provider 'nobody'"),
    ],
)
def test_usage_errors_exit_2_with_one_sentence(tmp_path, httpbin_url, args, message) -> None:
    directory = write(tmp_path, request("r", httpbin_url + "/get", 0))
    args = [str(directory) if a == "COLLECTION" else a for a in args]
    done = api_explorer(*args, "--workspace", str(tmp_path / "ws"), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_provider_run_uses_the_keyring_credentials(cli, tmp_path) -> None:
    creds = cli.sandbox.env("priceedge")["credentials"]
    stored = cli(
        "credentials",
        "set",
        *pe(
            "--username",
            creds["username"],
            "--value",
            f"client_id={creds['client_id']}",
            "--password-stdin",
            workspace=cli.workspace,
        ),
        stdin=creds["password"] + "\n",
    )
    assert stored.returncode == 0, stored.stderr
    directory = write(
        cli.workspace / "collections",
        request("items", "/api/tables/item", 0, assertions=(jsonpath("$.Succeeded", "true"),)),
        name="PriceEdge",
        provider="priceedge",
    )
    done = cli(
        "run",
        str(directory),
        "--env",
        "Sandbox (local)",
        "--var",
        f"sandbox_url={cli.sandbox.url}",
        "--iterations",
        "3",
        "--report",
        str(tmp_path / "r.json"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 requests, 3 passed" in done.stdout
    assert cli.sandbox.stats("priceedge")["token_requests_total"] == 1
    report = (tmp_path / "r.json").read_text()
    assert creds["password"] not in report
    assert creds["password"] not in done.stdout + done.stderr
