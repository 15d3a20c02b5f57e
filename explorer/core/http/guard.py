"""The decompression guard: the one check that stops a response body growing without bound.

A gzip bomb is a megabyte on the wire and a gigabyte decoded. Every body ``HttpClient`` reads
(the window, ``send``, ``run``) passes two limits, checked before each decoded chunk is kept:

- a decoded-size cap: ``API_EXPLORER_MAX_BODY`` (default ``4G``; ``500M`` and byte counts work);
- a ratio check: once ``RATIO_AFTER`` bytes have been decoded, a body that decoded to more than
  ``API_EXPLORER_MAX_RATIO`` (default 1000; 0 turns the check off) times the bytes that came over
  the wire is stopped. One layer of gzip or deflate cannot pass about 1,030 to 1 (a run of one
  repeated byte); repetitive JSON stays near 350 to 1. So the check stops the classic bomb at
  64 MiB instead of at the cap, and stacked or denser encodings at once, without stopping real
  data.

Either stop is one sentence naming the host and the variable that lifts it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from explorer.core.errors import ResponseTooLarge, UsageError
from explorer.core.tempfiles import parse_size

__all__ = ["DecodeGuard", "Limits", "limits"]

MAX_BODY_VARIABLE = "API_EXPLORER_MAX_BODY"
MAX_RATIO_VARIABLE = "API_EXPLORER_MAX_RATIO"
DEFAULT_MAX_BODY = 4 * 1024**3
DEFAULT_MAX_RATIO = 1000
RATIO_AFTER = 64 * 1024**2
"""Decoded bytes before the ratio is judged: a small body may be as compressible as it likes."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits one body is read under."""

    max_body: int
    max_ratio: int
    """Most decoded bytes per byte on the wire; 0: no ratio check."""
    ratio_after: int = RATIO_AFTER


def limits(
    max_body: int | None,
    max_ratio: int | None,
    ratio_after: int = RATIO_AFTER,
    environ: Mapping[str, str] = os.environ,
) -> Limits:
    """``Limits`` from explicit values, or where one is None from its environment variable,
    else the default. A variable that is not a size (or a whole number) is a ``UsageError``."""
    if max_body is None:
        raw = environ.get(MAX_BODY_VARIABLE, "").strip()
        max_body = _size(raw) if raw else DEFAULT_MAX_BODY
    if max_ratio is None:
        raw = environ.get(MAX_RATIO_VARIABLE, "").strip()
        max_ratio = _ratio(raw) if raw else DEFAULT_MAX_RATIO
    return Limits(max_body, max_ratio, ratio_after)


def _size(raw: str) -> int:
    try:
        value = parse_size(raw)
    except UsageError:
        value = 0
    if value <= 0:
        raise UsageError(
            f"{MAX_BODY_VARIABLE}={raw!r} is not a size; write a byte count such as 4G or 500M."
        )
    return value


def _ratio(raw: str) -> int:
    if not raw.isdigit():
        raise UsageError(
            f"{MAX_RATIO_VARIABLE}={raw!r} is not a whole number; write one such as 1000 "
            "(0 turns the check off)."
        )
    return int(raw)


class DecodeGuard:
    """Checks one body's decoded size, and its ratio to the bytes on the wire, as it grows."""

    def __init__(self, limits: Limits, host: str) -> None:
        self.limits = limits
        self.host = host

    def check(self, decoded: int, encoded: int) -> None:
        """Raise ``ResponseTooLarge`` if ``decoded`` bytes (from ``encoded`` on the wire) pass
        a limit."""
        cap, ratio = self.limits.max_body, self.limits.max_ratio
        if decoded > cap:
            raise ResponseTooLarge(
                f"The response body from {self.host} grew past {cap:,} bytes after decoding and "
                "was stopped (a compression bomb, or simply too big); raise "
                f"{MAX_BODY_VARIABLE} to accept a larger body."
            )
        if ratio and decoded > self.limits.ratio_after and decoded > ratio * max(encoded, 1):
            raise ResponseTooLarge(
                f"The response body from {self.host} was stopped as a compression bomb: "
                f"{encoded:,} bytes on the wire had decoded to {decoded:,}, more than {ratio:,} "
                f"times as many; set {MAX_RATIO_VARIABLE}=0 to accept such a body."
            )
