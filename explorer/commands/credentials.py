"""``api-explorer credentials set|delete|env-names``: a provider environment's secrets, in the OS
keyring (or, for CI, the environment variables ``env-names`` prints).

Values are keyed by the workspace's stable id + provider + environment + slot. Secrets are never
taken as command-line arguments (they would land in the shell history): they are prompted for
with ``getpass`` when interactive, or read one per line from stdin (``--password-stdin``, then
each ``--secret`` slot in order). Also home to the helpers ``send --provider`` shares: finding the
workspace, the provider profile and the keyring.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.core.credentials import CredentialStore
    from explorer.core.providers import ProviderProfile
    from explorer.core.workspace.marker import WorkspaceMarker


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "credentials",
        help="store or delete a provider environment's credentials in the OS keyring",
        description="Store or delete credentials for one provider environment. Secrets go to "
        "the OS keyring only, keyed by the workspace's id; nothing is written to files.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text in (("set", "store credentials"), ("delete", "forget stored credentials")):
        action = actions.add_parser(name, help=text, description=text.capitalize() + ".")
        add_provider_arguments(action, required=True, collection=True)
        if name == "set":
            action.add_argument("--username", metavar="U", help="the username slot")
            action.add_argument(
                "--password-stdin",
                action="store_true",
                help="read the password from the first line of stdin instead of prompting",
            )
            action.add_argument(
                "--secret",
                action="append",
                default=[],
                metavar="SLOT",
                help="also ask for secret SLOT (client_secret, api_key, subscription_key ...); "
                "repeatable",
            )
            action.add_argument(
                "--value",
                action="append",
                default=[],
                metavar="SLOT=VALUE",
                help="set a non-secret slot such as client_id or tenant; repeatable",
            )
        action.set_defaults(run=run)
    names = actions.add_parser(
        "env-names",
        help="print the environment variables --secrets-from-env reads",
        description="Print, one per line, the environment variables that send, run and snippet "
        "read with --secrets-from-env for this provider environment (its credential slots, "
        "then its secret variables); optional slots may be left unset.",
    )
    add_provider_arguments(names, required=True, collection=True)
    names.set_defaults(run=env_names)


def add_provider_arguments(
    parser: argparse.ArgumentParser, *, required: bool, collection: bool = False
) -> None:
    """``--provider --env [--workspace]``; with ``collection``, ``--collection DIR`` instead of
    ``--provider`` (checked in ``run``), ``--env`` then optional."""
    needed = required and not collection
    parser.add_argument("--provider", metavar="ID", required=needed, help="provider id")
    if collection:
        parser.add_argument(
            "--collection",
            metavar="DIR",
            help="a collection's own secret variables instead of a provider's credentials "
            "(a path, or a name under the workspace's collections/)",
        )
    parser.add_argument(
        "--env",
        metavar="NAME",
        required=needed,
        help="environment name" + (" (optional with --collection)" if collection else ""),
    )
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="workspace folder (default: the one around the current folder, else user data)",
    )


def _check_target(args: argparse.Namespace) -> bool:
    """True for ``--collection`` (its own secrets), False for ``--provider --env``."""
    from explorer.core.errors import UsageError

    if args.collection and args.provider:
        raise UsageError("Give --provider or --collection, not both.")
    if args.collection:
        return True
    if not args.provider or not args.env:
        raise UsageError("Give --provider ID --env NAME, or --collection DIR.")
    return False


def run(args: argparse.Namespace) -> int:
    from explorer.core.credentials import CredentialKey, write_slot
    from explorer.core.errors import UsageError
    from explorer.core.providers import SECRET_SLOTS

    if _check_target(args):
        from explorer.commands import collection_secrets

        if args.action == "delete":
            return collection_secrets.delete_secrets(args)
        return collection_secrets.set_secrets(args)
    marker = workspace(args)
    profile = provider(marker, args.provider)
    env = profile.environment(args.env)
    if env is None:
        names = ", ".join(e.name for e in profile.environments)
        raise UsageError(f"{profile.name} has no environment '{args.env}'; choose one of: {names}.")
    store = keyring_store()
    slots = {s.name: s for s in session_slots(profile)}

    def key(slot: str) -> CredentialKey:
        return CredentialKey(marker.id, profile.id, env.name, slot)

    if args.action == "delete":
        removed = [
            slot
            for slot in sorted(
                {*slots, *env.secret_variables, "refresh_token", "access_token", "tls_password"}
            )
            if store.delete(key(slot))
        ]
        say(f"Deleted {', '.join(removed) or 'nothing'} for {profile.name} ({env.name}).")
        return 0
    values: dict[str, str] = {}
    for pair in args.value:
        slot, sep, value = pair.partition("=")
        if not sep or not slot:
            raise UsageError(f"--value '{pair}' is not SLOT=VALUE.")
        if slot in SECRET_SLOTS or (slot in slots and slots[slot].secret):
            raise UsageError(
                f"'{slot}' is secret; use --secret {slot} so it is prompted for, not typed "
                "into the shell history."
            )
        values[slot] = value
    if args.username:
        values["username"] = args.username
    if args.password_stdin and "password" not in slots:
        # Refused before reading: stdin's first line may be meant for another command.
        raise UsageError(
            f"{profile.name} has no password slot, so --password-stdin has nothing to store "
            f"(its slots: {', '.join(slots) or 'none'}); use --secret SLOT for other secrets."
        )
    interactive = sys.stdin.isatty()
    ask_password = args.password_stdin or (interactive and "password" in slots)
    secrets = (["password"] if ask_password else []) + args.secret
    values.update(read_secrets(secrets, from_stdin=args.password_stdin or not interactive))
    if not values:
        raise UsageError(
            "Nothing to store; pass --username, --password-stdin, --secret or --value."
        )
    for slot, value in values.items():
        write_slot(store, key(slot), value)
    stored = ", ".join(sorted(values))
    say(f"Stored {stored} for {profile.name} ({env.name}) in {store.description}.")
    return 0


def env_names(args: argparse.Namespace) -> int:
    """``credentials env-names``: the names ``EnvironmentStore`` reads, so a CI script can be
    written without guessing; needs no keyring."""
    from explorer.core.credentials import env_name_for
    from explorer.core.errors import UsageError
    from explorer.core.workspace.environments import load_environments

    if _check_target(args):
        from explorer.commands import collection_secrets

        return collection_secrets.env_names(args)
    marker = workspace(args)
    profile = provider(marker, args.provider)
    env = profile.environment(args.env)
    if env is None:
        names = ", ".join(e.name for e in profile.environments)
        raise UsageError(f"{profile.name} has no environment '{args.env}'; choose one of: {names}.")
    same = env.name.lower()
    found = load_environments(marker.root, profile.id)
    saved = next((e for e in found if e.name.lower() == same), None)
    wanted = [s.name for s in session_slots(profile)]
    wanted += sorted({*env.secret_variables, *(saved.secret_names if saved else ())})
    if env.tls.pkcs12 or (saved is not None and saved.values.get("tls_pkcs12")):
        wanted.append("tls_password")  # the PKCS#12 file's password (explorer/core/tls.py)
    for slot in dict.fromkeys(wanted):
        sys.stdout.write(env_name_for(profile.id, env.name, slot) + "\n")
    return 0


def workspace(args: argparse.Namespace) -> WorkspaceMarker:
    from pathlib import Path

    from explorer.core.workspace.marker import default_workspace_dir, find_workspace, open_workspace

    given = getattr(args, "workspace", None)
    root = Path(given) if given else find_workspace(Path.cwd()) or default_workspace_dir()
    return open_workspace(root)


def provider(marker: WorkspaceMarker, ident: str) -> ProviderProfile:
    from explorer.core.errors import UsageError
    from explorer.core.provider_loader import load_providers

    profiles, errors = load_providers(marker.root)
    profile = profiles.get(ident)
    if profile is None:
        broken = f" ({len(errors)} preset file(s) failed to load: {errors[0]})" if errors else ""
        known = ", ".join(sorted(profiles)) or "none"
        raise UsageError(f"No provider '{ident}'; known providers: {known}{broken}.")
    return profile


def session_slots(profile: ProviderProfile) -> tuple[Any, ...]:
    from explorer.core.providers import credential_slots

    auth = profile.auth
    return credential_slots(auth)


def keyring_store() -> CredentialStore:
    """The OS keyring; the CLI cannot offer a session store (it would forget at once)."""
    from explorer.core.credentials import KeyringUnavailable, open_credential_store

    try:
        return open_credential_store()
    except KeyringUnavailable as exc:
        raise KeyringUnavailable(
            f"{exc.message.split(';')[0]}; the command line needs an OS keyring to keep "
            "credentials between runs (the desktop app can use a session-only store)."
        ) from exc


def read_secrets(slots: list[str], *, from_stdin: bool) -> dict[str, str]:
    from getpass import getpass

    from explorer.core.errors import UsageError

    values = {}
    for slot in dict.fromkeys(slots):
        if from_stdin:
            line = sys.stdin.readline()
            if not line:
                raise UsageError(f"stdin ended before the value of '{slot}'; give one per line.")
            value = line.rstrip("\r\n")
        else:
            value = getpass(f"{slot}: ")
        if not value:
            raise UsageError(f"The value of '{slot}' is empty; nothing was stored.")
        values[slot] = value
    return values


def say(text: str) -> None:
    sys.stderr.write(text + "\n")
