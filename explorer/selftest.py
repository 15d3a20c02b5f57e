"""``api-explorer --selftest``: prove a build (a venv or the PyInstaller bundle) has every part.

A frozen app fails in ways a source checkout never does: a data file left out, a lexer or keyring
backend that is found through plugin discovery and so invisible to the bundler, a Qt platform
plugin missing. Each check exercises the real thing (load the presets, lex JSON, discover the
keyring, paint a window, send a request to the embedded sandbox) and prints one line.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

Check = Callable[[], str]


def check_resources() -> str:
    from explorer.core.provider_loader import load_providers
    from explorer.core.resources import resource_dir

    profiles, errors = load_providers()
    if errors:
        raise RuntimeError(str(errors[0]))
    icons = sorted(p.name for p in (resource_dir() / "icons").glob("*.png"))
    if len(profiles) < 5 or not icons:
        raise RuntimeError(f"found {len(profiles)} presets and {len(icons)} icons")
    return f"{len(profiles)} provider presets ({', '.join(sorted(profiles))}), {len(icons)} icons"


def check_lexers() -> str:
    from pygments import highlight
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import get_lexer_by_name

    names = ("json", "xml", "html", "yaml", "javascript", "css", "python", "bash")
    for name in names:
        highlight('{"a": 1}', get_lexer_by_name(name), TerminalFormatter())
    return f"{len(names)} lexers: {', '.join(names)}"


def check_keyring() -> str:
    import keyring
    import keyring.backends.SecretService as secret_service

    if not secret_service.secretstorage:  # type: ignore[attr-defined]
        raise RuntimeError("the Secret Service backend cannot import secretstorage")
    active = type(keyring.get_keyring())
    return f"Secret Service backend importable; active here: {active.__module__}.{active.__name__}"


def check_qt() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    label = QLabel("self-test")
    label.show()
    app.processEvents()
    platform = QApplication.platformName()
    label.close()
    return f"window shown on the '{platform}' platform"


def check_http() -> str:
    from explorer.core.http import HttpClient
    from explorer.core.models import RequestSpec
    from explorer.core.templating import Scope, resolve
    from explorer.sandbox import start_sandbox

    with start_sandbox() as sandbox:
        client = HttpClient()
        try:
            exchange = client.send(
                resolve(RequestSpec(url=f"{sandbox.base_url}/_sandbox/info"), Scope())
            )
        finally:
            client.close()
    if exchange.response.status != 200:
        raise RuntimeError(f"the sandbox answered {exchange.response.status}")
    return f"sandbox answered 200 in {exchange.timings.total_ms:.0f} ms"


def check_tls() -> str:
    import certifi

    bundle = certifi.where()
    if not os.path.isfile(bundle):
        raise RuntimeError(f"the CA bundle {bundle} is missing")
    return f"CA bundle at {bundle}"


CHECKS: tuple[tuple[str, Check], ...] = (
    ("resources", check_resources),
    ("lexers", check_lexers),
    ("keyring", check_keyring),
    ("qt", check_qt),
    ("tls", check_tls),
    ("http", check_http),
)


def run_selftest() -> int:
    frozen = "bundle" if getattr(sys, "frozen", False) else "source"
    sys.stdout.write(f"api-explorer self-test ({frozen}, Python {sys.version.split()[0]})\n")
    failures = 0
    for name, check in CHECKS:
        started = time.perf_counter()
        try:
            detail = check()
        except Exception as exc:  # noqa: BLE001 - every failure is reported, then counted
            failures += 1
            sys.stdout.write(f"FAIL {name}: {type(exc).__name__}: {exc}\n")
        else:
            elapsed = (time.perf_counter() - started) * 1000
            sys.stdout.write(f"ok   {name}: {detail} ({elapsed:.0f} ms)\n")
    sys.stdout.write("self-test passed\n" if failures == 0 else f"self-test: {failures} failed\n")
    return 0 if failures == 0 else 1
