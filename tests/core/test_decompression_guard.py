"""The decompression guard (issue 17, item 6): one check in ``HttpClient`` stops a body past the
decoded-size cap, or one that decodes to more than 1,000 times its bytes on the wire, with one
sentence, wherever it was sent from: ``HttpClient`` as the window uses it, ``send`` and ``run``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.core.errors import ResponseTooLarge, UsageError
from explorer.core.http import ClientConfig, HttpClient
from explorer.core.http.guard import DecodeGuard, Limits, limits
from explorer.core.models import RequestSpec
from explorer.core.templating import Scope, resolve
from tests.core.runner.helpers import request, write
from tests.core.test_body_streaming import MB, BodyServer, Reply, gzip_zeros, gzipped
from tests.support.cli import run_cli

CAP_SENTENCE = "grew past 1,048,576 bytes after decoding and was stopped"
RATIO_SENTENCE = "was stopped as a compression bomb"


@pytest.fixture
def server() -> Iterator[BodyServer]:
    bodies = BodyServer()
    yield bodies
    bodies.stop()


@pytest.fixture
def bomb(server: BodyServer) -> str:
    """8 MiB of zeros as one gzip stream: about 8 KB on the wire."""
    return server.serve("/bomb", gzipped(gzip_zeros(8)))


def get(client: HttpClient, url: str):  # type: ignore[no-untyped-def]
    return client.send(resolve(RequestSpec(url=url), Scope()))


# -- the limits ---------------------------------------------------------------------------------


def test_limits_come_from_the_environment_with_generous_defaults() -> None:
    assert limits(None, None, environ={}) == Limits(4 * 1024**3, 1000)
    env = {"API_EXPLORER_MAX_BODY": "500M", "API_EXPLORER_MAX_RATIO": "0"}
    assert limits(None, None, environ=env) == Limits(500 * MB, 0)
    assert limits(7, 3, environ=env) == Limits(7, 3)  # explicit values win


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("API_EXPLORER_MAX_BODY", "lots", r"API_EXPLORER_MAX_BODY='lots' is not a size"),
        ("API_EXPLORER_MAX_BODY", "0", r"API_EXPLORER_MAX_BODY='0' is not a size"),
        ("API_EXPLORER_MAX_RATIO", "1e3", r"API_EXPLORER_MAX_RATIO='1e3' is not a whole number"),
    ],
)
def test_a_bad_limit_is_one_usage_error(name: str, value: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        limits(None, None, environ={name: value})


def test_the_ratio_is_judged_only_past_its_threshold() -> None:
    guard = DecodeGuard(Limits(max_body=10**12, max_ratio=1000, ratio_after=64 * MB), "h")
    guard.check(64 * MB, 1)  # small bodies may be as compressible as they like
    guard.check(100_000_000, 100_000)
    with pytest.raises(ResponseTooLarge, match=RATIO_SENTENCE):
        guard.check(100_000_000, 99_999)
    DecodeGuard(Limits(10**12, 0), "h").check(100 * MB, 1)  # 0: no ratio check


# -- HttpClient, as the window uses it ----------------------------------------------------------


def test_the_cap_from_the_environment_stops_a_bomb_in_the_client(
    bomb: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_EXPLORER_MAX_BODY", "1M")
    client = HttpClient()  # the window's client: default config, limits from the environment
    try:
        with pytest.raises(ResponseTooLarge) as info:
            get(client, bomb)
        assert CAP_SENTENCE in info.value.message
        assert "127.0.0.1" in info.value.message
        assert "API_EXPLORER_MAX_BODY" in info.value.message
        assert info.value.message.count(". ") == 0  # one sentence
        monkeypatch.delenv("API_EXPLORER_MAX_BODY")
        assert get(client, bomb).response.body.size == 8 * MB  # the client is unharmed
    finally:
        client.close()


def test_the_ratio_check_stops_a_bomb_but_not_a_plain_body(server: BodyServer, bomb: str) -> None:
    plain = server.serve("/plain", Reply(b"x" * (4 * MB)))
    client = HttpClient(ClientConfig(ratio_after=2 * MB))
    try:
        with pytest.raises(ResponseTooLarge, match=RATIO_SENTENCE) as info:
            get(client, bomb)
        assert "API_EXPLORER_MAX_RATIO=0" in info.value.message
        assert get(client, plain).response.body.size == 4 * MB
    finally:
        client.close()


def test_a_stacked_encoding_is_stopped_soon_after_the_threshold(server: BodyServer) -> None:
    url = server.serve("/stacked", gzipped(gzip_zeros(64, layers=2), layers=2))
    seen: list[int] = []
    client = HttpClient(ClientConfig(ratio_after=4 * MB))
    try:
        with pytest.raises(ResponseTooLarge, match=RATIO_SENTENCE):
            client.send(
                resolve(RequestSpec(url=url), Scope()),
                on_progress=lambda got, total: seen.append(got),
            )
    finally:
        client.close()
    assert 3 * MB < seen[-1] <= 4 * MB


# -- send and run -------------------------------------------------------------------------------


def test_send_says_the_sentence_for_a_bomb_over_the_cap(bomb: str) -> None:
    done = run_cli("send", "GET", bomb, extra_env={"API_EXPLORER_MAX_BODY": "1M"}, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("api-explorer: The response body from 127.0.0.1:")
    assert CAP_SENTENCE in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert len(done.stdout) <= MB  # what arrived before the stop, never past the cap


def test_send_stops_a_stacked_bomb_with_the_default_guard(server: BodyServer) -> None:
    url = server.serve("/stacked", gzipped(gzip_zeros(256, layers=2), layers=2))
    done = subprocess.run(
        [sys.executable, "-m", "explorer", "send", "GET", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("API_EXPLORER_MAX")},
        check=False,
    )
    assert done.returncode == 1
    assert RATIO_SENTENCE in done.stderr
    assert "Traceback" not in done.stderr


def test_run_reports_the_sentence_for_a_bomb_over_the_cap(bomb: str, tmp_path: Path) -> None:
    directory = write(tmp_path, request("bomb", bomb, 1))
    done = run_cli(
        "run",
        str(directory),
        cwd=tmp_path,
        extra_env={"API_EXPLORER_MAX_BODY": "1M", "API_EXPLORER_HOME": str(tmp_path / "home")},
        timeout=60,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert CAP_SENTENCE in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
