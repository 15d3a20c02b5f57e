"""``api-explorer credentials set|delete|env-names --collection DIR``: the secret variables of a
collection that no provider environment holds (an imported curl's password, a Postman
collection's secret variable), in the OS keyring under the workspace and the collection
(``explorer.core.secret_variables``); with ``--env NAME`` under one of its environments.

Only names the collection (or, with ``--env``, the environment) declares secret are accepted, so
a typo cannot store a value nothing reads.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.core.credentials import CredentialKey
    from explorer.core.workspace.marker import WorkspaceMarker
    from explorer.core.workspace.model import Folder


@dataclass(frozen=True, slots=True)
class Target:
    """The collection the command is about and where its secrets are keyed."""

    marker: WorkspaceMarker
    folder: Path
    tree: Folder
    environment: str | None
    file_key: str
    names: tuple[str, ...]

    def key(self, name: str) -> CredentialKey:
        from explorer.core.secret_variables import collection_key, environment_key

        if self.environment is None:
            return collection_key(self.marker.id, self.folder.name, name)
        return environment_key(self.marker.id, self.file_key, self.environment, name)

    @property
    def label(self) -> str:
        where = f", environment {self.environment}" if self.environment else ""
        return f"collection {self.tree.name}{where}"


def target(args: argparse.Namespace) -> Target:
    """The collection ``--collection`` names (a path, or a bare name under the workspace's
    ``collections/``), its workspace, and the secret names it declares (with ``--env``, the
    environment's and the collection's)."""
    from explorer.core.errors import UsageError
    from explorer.core.secret_variables import declared
    from explorer.core.workspace.collections import load_collection
    from explorer.core.workspace.marker import default_workspace_dir, find_workspace, open_workspace

    given = Path(args.collection)
    root_arg = getattr(args, "workspace", None)
    if not given.is_absolute() and len(given.parts) == 1 and not given.exists():
        root = Path(root_arg) if root_arg else find_workspace(Path.cwd()) or default_workspace_dir()
        given = root / "collections" / given
    folder = given.resolve()
    found = Path(root_arg) if root_arg else find_workspace(folder)
    if found is None:
        raise UsageError(
            f"{folder} is not inside a workspace; pass --workspace DIR (secrets are keyed by "
            "the workspace)."
        )
    marker = open_workspace(found, create=False)
    loaded = load_collection(folder, marker.format_version)
    if loaded.collection is None:
        raise UsageError(f"{folder} is not a collection (it has no collection.yaml).")
    tree = loaded.collection
    file_key = tree.provider or folder.name
    names = declared(tree)
    environment = None
    if args.env:
        environment, env_names = _environment(marker.root, file_key, args.env, tree.provider)
        names = tuple(dict.fromkeys((*env_names, *names)))
    return Target(marker, folder, tree, environment, file_key, names)


def _environment(
    root: Path, file_key: str, wanted: str, provider: str
) -> tuple[str, tuple[str, ...]]:
    """The environment's canonical name and its secret names: a provider preset's environment
    (its secret variables and saved secrets), else one of the collection's saved ones."""
    from explorer.core.errors import UsageError
    from explorer.core.workspace.environments import load_environments

    saved = load_environments(root, file_key)
    match = next((e for e in saved if e.name.lower() == wanted.lower()), None)
    if provider:
        from explorer.commands.credentials import provider as load_provider
        from explorer.core.workspace.marker import open_workspace

        profile = load_provider(open_workspace(root, create=False), provider)
        env = profile.environment(wanted)
        if env is None:
            known = ", ".join(e.name for e in profile.environments)
            raise UsageError(
                f"{profile.name} has no environment '{wanted}'; choose one of: {known}."
            )
        extra = match.secret_names if match else ()
        return env.name, tuple(dict.fromkeys((*env.secret_variables, *extra)))
    if match is None:
        known = ", ".join(e.name for e in saved) or "none saved"
        raise UsageError(f"The collection has no environment '{wanted}' ({known}).")
    return match.name, match.secret_names


def set_secrets(args: argparse.Namespace) -> int:
    """Store the ``--secret`` values (prompted, or one per line from stdin)."""
    from explorer.commands.credentials import keyring_store, read_secrets, say
    from explorer.core.errors import UsageError

    place = target(args)
    if args.value or args.username or args.password_stdin:
        raise UsageError(
            "--collection stores secret variables only; use --secret NAME (prompted, or read "
            "from stdin one per line)."
        )
    if not args.secret:
        raise UsageError(_nothing(place))
    unknown = [name for name in args.secret if name not in place.names]
    if unknown:
        raise UsageError(f"{', '.join(unknown)} {_not_declared(place)}")
    store = keyring_store()
    values = read_secrets(args.secret, from_stdin=not sys.stdin.isatty())
    for name, value in values.items():
        store.set(place.key(name), value)
    say(f"Stored {', '.join(sorted(values))} for {place.label} in {store.description}.")
    return 0


def delete_secrets(args: argparse.Namespace) -> int:
    """Forget the ``--secret`` values, or every declared one."""
    from explorer.commands.credentials import keyring_store, say

    place = target(args)
    store = keyring_store()
    names = getattr(args, "secret", None) or place.names
    removed = [name for name in names if store.delete(place.key(name))]
    say(f"Deleted {', '.join(removed) or 'nothing'} for {place.label}.")
    return 0


def env_names(args: argparse.Namespace) -> int:
    """The environment variables ``--secrets-from-env`` reads for the collection's secrets."""
    from explorer.core.credentials import env_name_for

    place = target(args)
    for name in place.names:
        key = place.key(name)
        sys.stdout.write(env_name_for(key.provider, key.environment, key.slot) + "\n")
    return 0


def _nothing(place: Target) -> str:
    declared = ", ".join(place.names) or "none"
    return f"Nothing to store; pass --secret NAME (the {place.label} declares: {declared})."


def _not_declared(place: Target) -> str:
    declared = ", ".join(place.names) or "none"
    return (
        f"is not a secret variable of the {place.label} (it declares: {declared}); declare it "
        "as a secret variable first."
    )
