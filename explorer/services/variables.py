"""The environments and variables editor's service: every place a ``{{variable}}`` can be
given a value in the workspace, read and written where it lives.

- a collection's or folder's ``variables`` (``collection.yaml`` / ``folder.yaml``);
- a provider-less collection's saved environments (``environments/<collection folder>.yaml``,
  where an import writes "Server 1"), created, renamed and deleted here too;
- a provider environment's saved values (``environments/<provider>.yaml``);
- secret variables: the file keeps the name, the value goes to the credential store under the
  key a send reads it from (``explorer.core.secret_variables``).

Files are written on the disk thread (in order with the tree's own writes), the where-used scan
runs on the worker, reveal and the resolved preview (which read the keyring) on the network
executor. The preview asks the workbench to assemble an empty request where the scope applies,
so it shows the layers a send would use, not a re-implementation of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from explorer.core.context import Binding, Placement
    from explorer.core.credentials import CredentialKey
    from explorer.core.workspace.model import Variable
    from explorer.core.workspace.store import WorkspaceStore
    from explorer.services.core import Core
    from explorer.services.workspace import CoreWorkspace

FOLDER = "folder"
ENVIRONMENT = "environment"
PROVIDER = "provider"
MASK = "••••••"
ENVIRONMENTS = "Environments"  # the heading of a provider-less collection's environments
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class VariableScope:
    """Where variables live. ``folder``: the collection or folder ``directory``;
    ``environment``: environment ``environment`` of the provider-less collection ``directory``
    (``environments/<owner>.yaml``, ``owner`` its folder's name); ``provider``: the saved
    values of provider ``owner``'s environment ``environment``."""

    kind: str
    directory: Path | None = None
    owner: str = ""
    environment: str = ""


@dataclass(frozen=True, slots=True)
class ScopeNode:
    """One entry of the scope tree; ``scope`` None for a heading ("Environments", a provider)."""

    label: str
    scope: VariableScope | None
    children: tuple[ScopeNode, ...] = ()


@dataclass(frozen=True, slots=True)
class VariableRow:
    """A variable as the editor shows it: a secret's value is never sent, only ``stored``."""

    name: str
    value: str = ""
    secret: bool = False
    stored: bool = False


@dataclass(frozen=True, slots=True)
class VariableEdit:
    """A row as the editor saves it. ``was`` is its name when read ("" for a new row). For a
    secret, ``value`` is a new value to store ("" forgets it) or None to keep the stored one;
    a row made plain with no value takes its stored secret value into the file."""

    name: str
    value: str | None
    secret: bool = False
    was: str = ""


@dataclass(frozen=True, slots=True)
class VariableSheet:
    """The rows of one scope and one sentence saying where they are kept."""

    scope: VariableScope
    rows: tuple[VariableRow, ...]
    where: str


@dataclass(frozen=True, slots=True)
class UsedBy:
    """A request that references ``{{name}}`` (``places``: url, headers, body ...)."""

    name: str
    request: str
    path: Path | None
    places: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ResolvedValue:
    """What a send would use for ``name`` in the scope and the layer it comes from; a secret's
    value is ``MASK`` unless revealed; ``problem`` says why it does not resolve."""

    name: str
    value: str
    layer: str
    secret: bool
    problem: str = ""


class VariablesService(Protocol):
    """The editor's calls; each runs off the UI thread."""

    def scopes(self) -> Future[list[ScopeNode]]: ...

    def read(self, scope: VariableScope) -> Future[VariableSheet]: ...

    def save(self, scope: VariableScope, edits: Sequence[VariableEdit]) -> Future[VariableSheet]:
        """Store secret values, then write the file; a secret no longer declared is forgotten."""
        ...

    def reveal(self, scope: VariableScope, name: str) -> Future[str | None]: ...

    def where_used(self, scope: VariableScope, names: Sequence[str]) -> Future[list[UsedBy]]: ...

    def resolved(
        self, scope: VariableScope, selected: tuple[str | None, str | None], reveal: bool = False
    ) -> Future[list[ResolvedValue]]:
        """The values a send of a request placed at ``scope`` would use; ``selected`` is the
        window's (provider, environment) choice, used where the scope itself picks none."""
        ...

    def add_environment(self, collection: Path, name: str) -> Future[VariableScope]: ...

    def rename_environment(self, scope: VariableScope, name: str) -> Future[VariableScope]: ...

    def delete_environment(self, scope: VariableScope) -> Future[None]: ...


@dataclass
class CoreVariables:
    """``VariablesService`` over the window's core and workspace store."""

    network: Executor
    worker: Executor
    ready: Future[Core]
    workspace: CoreWorkspace

    # -- where variables live -------------------------------------------------------------------
    def scopes(self) -> Future[list[ScopeNode]]:
        return self.workspace.with_store(self._scopes)

    def _scopes(self, store: WorkspaceStore) -> list[ScopeNode]:
        from explorer.core.workspace.environments import load_environments
        from explorer.core.workspace.model import Folder

        def folders(tree: Folder, label: str) -> ScopeNode:
            below = tuple(
                folders(item, item.name) for item in tree.items if isinstance(item, Folder)
            )
            return ScopeNode(label, VariableScope(FOLDER, tree.path), below)

        nodes: list[ScopeNode] = []
        trees, _errors = store.load_all()
        for tree in trees:
            assert tree.path is not None, "loaded from its folder"
            children = [folders(tree, "Collection variables")]
            if not tree.provider:
                key = tree.path.name
                envs = load_environments(store.root, key, store.marker.format_version)
                children.append(
                    ScopeNode(
                        ENVIRONMENTS,
                        None,
                        tuple(
                            ScopeNode(e.name, VariableScope(ENVIRONMENT, tree.path, key, e.name))
                            for e in envs
                        ),
                    )
                )
            nodes.append(ScopeNode(tree.name, None, tuple(children)))
        core = self.ready.result()
        providers = tuple(
            ScopeNode(
                profile.name,
                None,
                tuple(
                    ScopeNode(env.name, VariableScope(PROVIDER, None, profile.id, env.name))
                    for env in profile.environments
                ),
            )
            for profile in sorted(core.profiles.values(), key=lambda p: p.name.casefold())
        )
        if providers:
            nodes.append(ScopeNode("Providers", None, providers))
        return nodes

    def read(self, scope: VariableScope) -> Future[VariableSheet]:
        return self.workspace.with_store(lambda store: self._sheet(store, scope))

    def _sheet(self, store: WorkspaceStore, scope: VariableScope) -> VariableSheet:
        core = self.ready.result()
        variables = self._variables(store, scope)
        secrets = [v.name for v in variables if v.secret]
        base = self._key(scope, "")
        stored = core.store.values(base, secrets) if secrets else {}
        rows = tuple(VariableRow(v.name, v.value, v.secret, v.name in stored) for v in variables)
        where = f"Saved in {self._file(store, scope).relative_to(store.root)}"
        return VariableSheet(scope, rows, f"{where}; secret values in {core.store.description}.")

    def _variables(self, store: WorkspaceStore, scope: VariableScope) -> tuple[Variable, ...]:
        from explorer.core.workspace import variables

        version = store.marker.format_version
        if scope.kind == FOLDER:
            assert scope.directory is not None, "a folder scope names its folder"
            return variables.folder_variables(scope.directory, version)
        found = variables.environment_variables(store.root, scope.owner, scope.environment, version)
        if scope.kind != PROVIDER:
            return found
        from explorer.core.workspace.model import Variable

        named = {v.name for v in found}
        preset = self._preset_secrets(scope)
        return (*found, *(Variable(n, secret=True) for n in preset if n not in named))

    def _preset_secrets(self, scope: VariableScope) -> tuple[str, ...]:
        """The secret variables a provider environment's preset declares (read-only names)."""
        if scope.kind != PROVIDER:
            return ()
        profile = self.ready.result().profiles.get(scope.owner)
        env = profile.environment(scope.environment) if profile is not None else None
        if env is None:
            return ()
        return tuple(n for n in env.secret_variables if n not in env.variables)

    def _file(self, store: WorkspaceStore, scope: VariableScope) -> Path:
        from explorer.core.workspace.environments import environment_path
        from explorer.core.workspace.variables import folder_file

        if scope.kind == FOLDER:
            assert scope.directory is not None, "a folder scope names its folder"
            return folder_file(scope.directory)
        return environment_path(store.root, scope.owner)

    def _key(self, scope: VariableScope, name: str) -> CredentialKey:
        """Where a send reads secret ``name`` of ``scope`` from."""
        from explorer.core.secret_variables import collection_key, environment_key
        from explorer.core.workspace.variables import collection_of

        core = self.ready.result()
        if scope.kind == FOLDER:
            assert scope.directory is not None, "a folder scope names its folder"
            return collection_key(core.workspace_id, collection_of(scope.directory).name, name)
        environment = scope.environment
        if scope.kind == PROVIDER:
            profile = core.profiles.get(scope.owner)
            env = profile.environment(environment) if profile is not None else None
            environment = env.name if env is not None else environment
        return environment_key(core.workspace_id, scope.owner, environment, name)

    # -- saving ---------------------------------------------------------------------------------
    def save(self, scope: VariableScope, edits: Sequence[VariableEdit]) -> Future[VariableSheet]:
        return self.workspace.with_store(lambda store: self._save(store, scope, tuple(edits)))

    def _save(
        self, store: WorkspaceStore, scope: VariableScope, edits: tuple[VariableEdit, ...]
    ) -> VariableSheet:
        from explorer.core.workspace import variables
        from explorer.core.workspace.model import Variable

        variables.check_names(e.name for e in edits)
        core = self.ready.result()
        before = {v.name: v for v in self._variables(store, scope)}
        rows: list[Variable] = []
        for edit in edits:
            old = before.get(edit.was) if edit.was else None
            if edit.secret:
                self._keep_secret(scope, edit, old)
                rows.append(Variable(edit.name, secret=True))
                continue
            value = edit.value or ""
            if not value and old is not None and old.secret:
                value = core.store.get(self._key(scope, old.name)) or ""
            rows.append(Variable(edit.name, value))
        preset = set(self._preset_secrets(scope))
        kept = [v for v in rows if not (v.secret and v.name in preset)]  # the preset names them
        path = self._write(store, scope, kept)
        for listener in store.write_listeners:
            listener(path)
        still = {v.name for v in rows if v.secret} | preset | self._declared_elsewhere(scope)
        for name, old in before.items():
            if old.secret and name not in still:
                core.store.delete(self._key(scope, name))
        return self._sheet(store, scope)

    def _keep_secret(self, scope: VariableScope, edit: VariableEdit, old: Variable | None) -> None:
        """Store the value secret ``edit`` should have under its (new) name."""
        store = self.ready.result().store
        key = self._key(scope, edit.name)
        value = edit.value
        if value is None:
            if old is None or (old.secret and old.name == edit.name):
                return
            value = store.get(self._key(scope, old.name)) if old.secret else old.value
        if value:
            store.set(key, value)
        else:
            store.delete(key)

    def _write(self, store: WorkspaceStore, scope: VariableScope, rows: list[Variable]) -> Path:
        from explorer.core.workspace import variables

        version = store.marker.format_version
        if scope.kind == FOLDER:
            assert scope.directory is not None, "a folder scope names its folder"
            return variables.set_folder_variables(scope.directory, rows, version)
        return variables.set_environment_variables(
            store.root, scope.owner, scope.environment, rows, version
        )

    def _declared_elsewhere(self, scope: VariableScope) -> set[str]:
        """Secret names another folder of the same collection declares: they share the
        collection's stored values, so removing one folder's declaration keeps them."""
        if scope.kind != FOLDER or scope.directory is None:
            return set()
        from explorer.core.secret_variables import declared
        from explorer.core.workspace.collections import load_collection
        from explorer.core.workspace.variables import collection_of

        tree = load_collection(collection_of(scope.directory)).collection
        return set(declared(tree)) if tree is not None else set()

    # -- environments of a provider-less collection -----------------------------------------------
    def add_environment(self, collection: Path, name: str) -> Future[VariableScope]:
        def run(store: WorkspaceStore) -> VariableScope:
            from explorer.core.workspace.variables import create_environment

            key = collection.name
            path = create_environment(store.root, key, name, store.marker.format_version)
            self._acknowledge(store, path)
            return VariableScope(ENVIRONMENT, collection, key, name.strip())

        return self.workspace.with_store(run)

    def rename_environment(self, scope: VariableScope, name: str) -> Future[VariableScope]:
        def run(store: WorkspaceStore) -> VariableScope:
            from dataclasses import replace

            from explorer.core.workspace.variables import rename_environment

            renamed = replace(scope, environment=name.strip())
            secrets = [v.name for v in self._variables(store, scope) if v.secret]
            credentials = self.ready.result().store
            moved = credentials.values(self._key(scope, ""), secrets)
            for secret, value in moved.items():
                credentials.set(self._key(renamed, secret), value)
            version = store.marker.format_version
            path = rename_environment(store.root, scope.owner, scope.environment, name, version)
            self._acknowledge(store, path)
            if renamed.environment.lower() != scope.environment.lower():
                for secret in moved:
                    credentials.delete(self._key(scope, secret))
            return renamed

        return self.workspace.with_store(run)

    def delete_environment(self, scope: VariableScope) -> Future[None]:
        def run(store: WorkspaceStore) -> None:
            from explorer.core.workspace.variables import delete_environment

            secrets = [v.name for v in self._variables(store, scope) if v.secret]
            version = store.marker.format_version
            path = delete_environment(store.root, scope.owner, scope.environment, version)
            self._acknowledge(store, path)
            for secret in secrets:
                self.ready.result().store.delete(self._key(scope, secret))

        return self.workspace.with_store(run)

    @staticmethod
    def _acknowledge(store: WorkspaceStore, path: Path) -> None:
        for listener in store.write_listeners:
            listener(path)

    # -- reading values -------------------------------------------------------------------------
    def reveal(self, scope: VariableScope, name: str) -> Future[str | None]:
        return self.network.submit(lambda: self.ready.result().store.get(self._key(scope, name)))

    def where_used(self, scope: VariableScope, names: Sequence[str]) -> Future[list[UsedBy]]:
        wanted = tuple(names)
        return self._after_core(self.worker, lambda: self._where_used(scope, wanted))

    def _where_used(self, scope: VariableScope, names: tuple[str, ...]) -> list[UsedBy]:
        from explorer.core.workspace.collections import (
            COLLECTION_FILE,
            load_collection,
            load_folder,
        )
        from explorer.core.workspace.model import Folder
        from explorer.core.workspace.variables import usages

        trees: list[Folder] = []
        if scope.kind == FOLDER and scope.directory is not None:
            is_root = (scope.directory / COLLECTION_FILE).is_file()
            loaded = (load_collection if is_root else load_folder)(scope.directory)
            trees = [loaded.collection] if loaded.collection is not None else []
        elif scope.kind == ENVIRONMENT and scope.directory is not None:
            loaded = load_collection(scope.directory)
            trees = [loaded.collection] if loaded.collection is not None else []
        else:
            root = self.ready.result().workspace_root
            collections = root / "collections" if root is not None else None
            for directory in sorted(collections.iterdir()) if collections is not None else ():
                if (directory / COLLECTION_FILE).is_file():
                    tree = load_collection(directory).collection
                    if tree is not None and tree.provider == scope.owner:
                        trees.append(tree)
        return [UsedBy(u.name, u.request, u.path, u.places) for u in usages(trees, names)]

    def resolved(
        self, scope: VariableScope, selected: tuple[str | None, str | None], reveal: bool = False
    ) -> Future[list[ResolvedValue]]:
        return self._after_core(self.network, lambda: self._resolved(scope, selected, reveal))

    def _resolved(
        self, scope: VariableScope, selected: tuple[str | None, str | None], reveal: bool
    ) -> list[ResolvedValue]:
        from explorer.core.models import RequestSpec
        from explorer.core.workspace.variables import explain

        core = self.ready.result()
        placement, binding = self._placement(scope, selected)
        assembled = core.bench.assemble(RequestSpec(name="preview"), placement, binding)
        session = assembled.session
        credentials = session.credential_values() if session is not None else None
        scope_ = assembled.scope(credentials)
        hidden = () if reveal else sorted(scope_.secret_values(), key=len, reverse=True)
        return [
            ResolvedValue(
                e.name,
                MASK if e.secret and e.value and not reveal else _masked(e.value, hidden),
                e.layer,
                e.secret,
                e.problem,
            )
            for e in explain(scope_)
        ]

    def _placement(
        self, scope: VariableScope, selected: tuple[str | None, str | None]
    ) -> tuple[Placement, Binding]:
        from explorer.core.context import UNPLACED, Binding, placement_at

        if scope.kind == PROVIDER:
            return UNPLACED, Binding(scope.owner, scope.environment)
        assert scope.directory is not None, "a folder or environment scope names its folder"
        placement = placement_at(scope.directory)
        if scope.kind == ENVIRONMENT:
            return placement, Binding(None, scope.environment)
        return placement, Binding(*selected)

    def _after_core(self, executor: Executor, fn: Callable[[], _T]) -> Future[_T]:
        from explorer.services.workspace import after_core

        return after_core(self.ready, executor, fn)


def _masked(value: str, secrets: Sequence[str]) -> str:
    """``value`` with every secret value in it (longest first) as ``MASK``: a plain variable
    built from a secret one (``Bearer {{token}}``) hides it too."""
    for secret in secrets:
        if secret:
            value = value.replace(secret, MASK)
    return value
