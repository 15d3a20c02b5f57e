"""The command line's ``Workbench``: the same engine the window sends through, opened for one
command (``send``, ``run``, ``snippet``).

A command that names no provider needs neither the providers nor the keyring, and must not
create a workspace where there is none: it gets an empty workbench over the workspace around
``near`` (if any), whose saved environments a provider-less collection may still use.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.core.auth.tokens import OtpPrompt
    from explorer.core.context import TlsFiles
    from explorer.core.credentials import CredentialStore
    from explorer.core.http import HttpClient
    from explorer.core.workbench import Workbench


def open_workbench(
    args: argparse.Namespace,
    client: HttpClient,
    *,
    providers: bool,
    near: Path | None = None,
    variables: Mapping[str, str] | None = None,
    tls: TlsFiles | None = None,
    process_env: bool = False,
) -> Workbench:
    """``providers`` True opens (or creates) the workspace given by ``--workspace`` or found
    around ``near`` (else the working directory, else the default one) with its providers and
    the OS keyring (environment variables with ``--secrets-from-env``); False only looks for an
    existing workspace around ``near``."""
    from explorer.commands.credentials import keyring_store, workspace
    from explorer.core.auth import TokenRegistry
    from explorer.core.ratelimit import LimiterRegistry
    from explorer.core.workbench import Workbench
    from explorer.core.workspace.marker import find_workspace

    found = find_workspace(near.resolve()) if near is not None else None
    root: Path | None
    if providers:
        from explorer.core.provider_loader import load_providers

        if not getattr(args, "workspace", None) and found is not None:
            args.workspace = str(found)
        marker = workspace(args)
        profiles, _errors = load_providers(marker.root)
        workspace_id, root = marker.id, marker.root
    else:
        given = getattr(args, "workspace", None)
        root = Path(given) if given else found
        profiles, workspace_id = {}, _existing_id(root)
    from_env = getattr(args, "secrets_from_env", False)
    store_factory = secrets_from_env if from_env else keyring_store
    bench = Workbench(
        profiles=profiles,
        store_factory=store_factory,
        workspace_id=workspace_id,
        workspace_root=root,
        client=client,
        limiters=LimiterRegistry(),
        tokens=TokenRegistry(),
        variables=dict(variables or {}),
        otp=ask_otp if sys.stdin.isatty() else None,
        default_dir=Path.cwd(),
        process_env=process_env,
        tls=tls,
    )
    from explorer.core.settings import load_settings

    bench.apply_settings(load_settings())  # the window's settings apply here too (one engine)
    return bench


def _existing_id(root: Path | None) -> str:
    """The id of the workspace in ``root`` (what a collection's own secrets are keyed by),
    read without creating anything; empty when there is none."""
    from explorer.core.workspace.marker import MARKER, open_workspace

    if root is None or not (root / MARKER).is_file():
        return ""
    return open_workspace(root, create=False).id


def add_secrets_from_env(parser: argparse.ArgumentParser) -> None:
    """The opt-in flag ``send``, ``run`` and ``snippet`` share (docs/cli.md "Secrets in CI")."""
    parser.add_argument(
        "--secrets-from-env",
        action="store_true",
        help="read credentials and secret variables from environment variables instead of the "
        "keyring (names: 'credentials env-names')",
    )


def secrets_from_env() -> CredentialStore:
    """``--secrets-from-env``: slots and secret variables from this process's environment
    variables (for CI without a keyring); never a file, never without the flag."""
    import os

    from explorer.core.credentials import EnvironmentStore

    return EnvironmentStore(os.environ)


def ask_otp(prompt: OtpPrompt) -> str | None:
    """A one-time password from the terminal (Procode's ``SendOTP`` users)."""
    from getpass import getpass

    sys.stderr.write(prompt.message + "\n")
    return getpass(f"One-time password for {prompt.username}: ") or None
