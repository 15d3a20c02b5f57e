"""Crash reports and log lines are masked in the core, without Qt: every secret value the process
has handled, and any credential-looking header or field even when its value is unknown."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.core import redaction
from explorer.core.http import HttpClient
from explorer.core.redaction import MASK, RedactingFormatter, format_exception, mask_credentials
from tests.core.test_pipeline_sandbox import Sandbox, get, session


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    redaction.forget_all()
    yield
    redaction.forget_all()


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    sandbox = Sandbox()
    yield sandbox
    sandbox.server.stop()


def _raise_with(message: str) -> None:
    def deeper(headers: dict[str, str]) -> None:
        raise ValueError(message)

    try:
        deeper({"Authorization": "Bearer not-in-the-message-0123456789"})
    except ValueError as exc:
        raise RuntimeError("while sending") from exc


def _format(message: str, secrets: tuple[str, ...] = ()) -> str:
    try:
        _raise_with(message)
    except RuntimeError:
        kind, error, tb = sys.exc_info()
        assert kind is not None
        assert error is not None
        return format_exception(kind, error, tb, secrets)
    raise AssertionError("did not raise")


def test_a_traceback_mentioning_a_remembered_token_is_masked() -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.sig-value-42"
    redaction.remember([token])
    text = _format(f"token {token} was rejected")
    assert token not in text
    assert f"ValueError: token {MASK} was rejected" in text
    # the traceback is still a traceback: frames, the chained cause, the outer error
    assert "Traceback (most recent call last)" in text
    assert "in deeper" in text
    assert "RuntimeError: while sending" in text
    assert "The above exception was the direct cause" in text


def test_secrets_passed_in_are_masked_too() -> None:
    text = _format("password hunter2-xyz did not work", secrets=("hunter2-xyz",))
    assert "hunter2-xyz" not in text
    assert f"password {MASK} did not work" in text


@pytest.mark.parametrize(
    ("leak", "masked"),
    [
        ("Authorization: Bearer abc.def.ghi", f"Authorization: Bearer {MASK}"),
        ("{'Authorization': 'Basic dXNlcjpwYXNz'}", f"{{'Authorization': 'Basic {MASK}'}}"),
        ('{"Ocp-Apim-Subscription-Key": "5487c888"}', f'{{"Ocp-Apim-Subscription-Key": "{MASK}"}}'),
        ("x-api-key=k-123456", f"x-api-key={MASK}"),
        ('{"access_token": "at-1", "token_type": "bearer"}', f'{{"access_token": "{MASK}"'),
        (
            "grant_type=password&password=pw-1&client_secret=cs-1",
            f"password={MASK}&client_secret={MASK}",
        ),
        ("refresh_token='rt-1'", f"refresh_token='{MASK}'"),
        ("sent Bearer eyJhbGciOiJIUzI1NiJ9xyz to it", f"sent Bearer {MASK} to it"),
    ],
)
def test_credential_looking_values_are_masked_even_when_unknown(leak: str, masked: str) -> None:
    text = _format(f"unexpected answer: {leak}")
    assert masked in text


@pytest.mark.parametrize(
    "plain",
    [
        "    token = self._token",  # a source line in a traceback stays readable
        "the password is wrong; Bearer tokens expire",
        "Basic authentication failed",
    ],
)
def test_ordinary_words_are_left_alone(plain: str) -> None:
    assert mask_credentials(plain) == plain


def test_the_log_formatter_masks_messages_and_tracebacks(tmp_path: Path) -> None:
    redaction.remember(["s3cr3t-refresh-value"])
    log = logging.getLogger("explorer.test-redaction")
    handler = logging.FileHandler(tmp_path / "api-explorer.log", encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s"))
    log.addHandler(handler)
    try:
        log.warning("refresh with s3cr3t-refresh-value; header Authorization: Bearer zz-top-9")
        try:
            raise KeyError("s3cr3t-refresh-value")
        except KeyError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
        handler.close()
    text = (tmp_path / "api-explorer.log").read_text(encoding="utf-8")
    assert "s3cr3t-refresh-value" not in text
    assert "zz-top-9" not in text
    assert f"KeyError: '{MASK}'" in text
    assert f"Authorization: Bearer {MASK}" in text


def test_the_registry_is_bounded_and_ignores_tiny_values() -> None:
    redaction.remember(["ab", *(f"secret-{n:05d}" for n in range(5000))])
    known = redaction.known_secrets()
    assert "ab" not in known
    assert "secret-04999" in known
    assert "secret-00000" not in known  # the oldest are forgotten first
    assert len(known) == 4096


def test_a_session_remembers_credentials_and_tokens(sb: Sandbox) -> None:
    """A real grant against the sandbox: the password, client id's secret and the tokens it
    received are all known to the crash formatter afterwards, so a bug that prints any of them
    is masked."""
    client = HttpClient()
    try:
        s = session(sb, client, "servicechannel", clock=time.time)
        get(s, "servicechannel")
    finally:
        client.close()
    token = s.token_manager().current  # type: ignore[union-attr]
    assert token is not None
    assert token.refresh_token
    creds = sb.env("servicechannel")["credentials"]
    leaks = [creds["password"], creds["client_secret"], token.access_token, token.refresh_token]
    text = _format("state: " + " | ".join(leaks))
    for leak in leaks:
        assert leak not in text
    assert text.count(MASK) >= 4
