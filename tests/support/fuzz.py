"""Bounded property tests: each fuzz test names the examples it affords in CI; the ``long``
hypothesis profile (``HYPOTHESIS_PROFILE=long``) multiplies them for a run on demand. The
profiles are registered in ``tests/conftest.py``."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG_FACTOR = 50


def register_profiles() -> None:
    common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
    settings.register_profile("ci", **common)  # type: ignore[arg-type]
    settings.register_profile("long", max_examples=5000, **common)  # type: ignore[arg-type]
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def bounded(ci_examples: int) -> settings:
    """``ci_examples`` examples in CI, ``LONG_FACTOR`` times more under the long profile."""
    long = os.environ.get("HYPOTHESIS_PROFILE") == "long"
    return settings(
        max_examples=ci_examples * LONG_FACTOR if long else ci_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
