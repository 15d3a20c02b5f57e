"""``environments/<provider>.yaml``: per-environment variables of one provider, without secrets.

Secret variables are listed by name only; their values live in the keyring (the credential
store), keyed by the workspace id. Writing refuses nothing but never writes a secret's value:
``EnvironmentValues.secret_names`` are dropped from ``values`` on save.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explorer.core.workspace import codec, migrations, yamlio
from explorer.core.workspace.collections import slugify
from explorer.core.workspace.marker import FORMAT_VERSION


@dataclass(frozen=True, slots=True)
class EnvironmentValues:
    """One environment's saved variables (values are text, may hold ``{{variables}}``)."""

    name: str
    values: dict[str, str] = field(default_factory=dict)
    secret_names: tuple[str, ...] = ()


def environment_path(workspace: Path, provider: str) -> Path:
    return workspace / "environments" / f"{slugify(provider, 'provider')}.yaml"


def environments_to_data(envs: list[EnvironmentValues]) -> dict[str, Any]:
    rows = []
    for env in envs:
        row: dict[str, Any] = {"name": env.name}
        plain = {k: v for k, v in env.values.items() if k not in env.secret_names}
        if plain:
            row["variables"] = plain
        if env.secret_names:
            row["secret_variables"] = list(env.secret_names)
        rows.append(row)
    return {"environments": rows}


def environments_from_data(data: Any, path: str) -> list[EnvironmentValues]:
    reader = codec.Reader(data, path)
    return [
        EnvironmentValues(
            row.text("name"), row.mapping("variables"), tuple(row.names("secret_variables"))
        )
        for row in reader.rows("environments")
    ]


def load_environments(
    workspace: Path, provider: str, version: int = FORMAT_VERSION
) -> list[EnvironmentValues]:
    """The saved environments of ``provider`` ([] when it has no file yet)."""
    path = environment_path(workspace, provider)
    if not path.exists():
        return []
    data = migrations.upgrade("environment", yamlio.read(path), version, path=str(path))
    return environments_from_data(data, str(path))


def save_environments(workspace: Path, provider: str, envs: list[EnvironmentValues]) -> Path:
    path = environment_path(workspace, provider)
    yamlio.write(path, environments_to_data(envs))
    return path


def merge_environment(workspace: Path, provider: str, env: EnvironmentValues) -> Path:
    """Add ``env`` to the provider's file, replacing an environment of the same name."""
    current = load_environments(workspace, provider)
    kept = [e for e in current if e.name != env.name]
    return save_environments(workspace, provider, [*kept, env])
