"""The window's provider, credential, token, snippet and run services over the core, each
running its calls on the executor it is given and waiting there for the core (``ready``)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.services.api import SlotState, TlsTarget, TlsView, TokenView
from explorer.services.sending import token_view

if TYPE_CHECKING:
    from explorer.core.models import RequestSpec
    from explorer.core.providers import ProviderProfile
    from explorer.core.runner.model import Progress, RunOptions, RunResult, RunTargets
    from explorer.core.runner.service import LocalRuns, PendingRun
    from explorer.core.workbench import Workbench
    from explorer.services.api import SendContext, SnippetChoice
    from explorer.services.core import Core


@dataclass
class CoreCatalog:
    ready: Future[Core]

    def load(self) -> Future[tuple[list[ProviderProfile], list[str]]]:
        result: Future[tuple[list[ProviderProfile], list[str]]] = Future()

        def done(core: Future[Core]) -> None:
            error = core.exception()
            if error is not None:
                result.set_exception(error)
                return
            loaded = core.result()
            profiles = sorted(loaded.profiles.values(), key=lambda p: p.name.lower())
            result.set_result((profiles, loaded.problems))

        self.ready.add_done_callback(done)
        return result


@dataclass
class CoreCredentials:
    """Slots in the core's store (OS keyring, or session-only), always off the UI thread."""

    executor: ThreadPoolExecutor
    ready: Future[Core]

    @property
    def description(self) -> str:
        if not self.ready.done() or self.ready.exception() is not None:
            return "credential store"
        return self.ready.result().store.description

    @property
    def unavailable_reason(self) -> str:
        if not self.ready.done() or self.ready.exception() is not None:
            return ""
        from explorer.core.credentials import SessionStore  # loaded with the core

        store = self.ready.result().store
        return store.reason if isinstance(store, SessionStore) else ""

    def slots(self, provider_id: str, environment: str) -> Future[list[SlotState]]:
        return self.executor.submit(self._slots, provider_id, environment)

    def _slots(self, provider_id: str, environment: str) -> list[SlotState]:
        core = self.ready.result()
        session = core.session(provider_id, environment)
        stored = core.store.values(session.key(""), [s.name for s in session.slots])
        return [
            SlotState(s.name, s.label or s.name, s.secret, s.optional, s.name in stored)
            for s in session.slots
        ]

    def set(self, provider_id: str, environment: str, slot: str, value: str) -> Future[None]:
        return self.executor.submit(self._write, provider_id, environment, slot, value)

    def clear(self, provider_id: str, environment: str, slot: str) -> Future[None]:
        return self.executor.submit(self._write, provider_id, environment, slot, None)

    def _write(self, provider_id: str, environment: str, slot: str, value: str | None) -> None:
        """Through the session, so its cached values and token manager are invalidated: the
        next send uses the new credentials (a new grant, or one clear error)."""
        self.ready.result().session(provider_id, environment).write_credential(slot, value)

    def reveal(self, provider_id: str, environment: str, slot: str) -> Future[str | None]:
        def read() -> str | None:
            core = self.ready.result()
            return core.store.get(core.session(provider_id, environment).key(slot))

        return self.executor.submit(read)

    def collection_secrets(self, collection: Path) -> Future[list[SlotState]]:
        def read() -> list[SlotState]:
            from explorer.core.secret_variables import collection_key, declared
            from explorer.core.workspace.collections import load_collection

            core = self.ready.result()
            tree = load_collection(collection).collection
            names = declared(tree) if tree is not None else ()
            base = collection_key(core.workspace_id, collection.name, "")
            stored = core.store.values(base, names)
            return [SlotState(name, name, True, False, name in stored) for name in names]

        return self.executor.submit(read)

    def set_collection_secret(self, collection: Path, name: str, value: str | None) -> Future[None]:
        def write() -> None:
            from explorer.core.secret_variables import collection_key

            core = self.ready.result()
            key = collection_key(core.workspace_id, collection.name, name)
            if value is None:
                core.store.delete(key)
            else:
                core.store.set(key, value)

        return self.executor.submit(write)

    def reveal_collection_secret(self, collection: Path, name: str) -> Future[str | None]:
        def read() -> str | None:
            from explorer.core.secret_variables import collection_key

            core = self.ready.result()
            return core.store.get(collection_key(core.workspace_id, collection.name, name))

        return self.executor.submit(read)

    def tls(self, target: TlsTarget) -> Future[TlsView]:
        from explorer.services.tls import read_tls

        return self.executor.submit(lambda: read_tls(self.ready.result(), target))

    def set_tls(
        self, target: TlsTarget, view: TlsView, password: str | None = None
    ) -> Future[TlsView]:
        from explorer.services.tls import write_tls

        return self.executor.submit(lambda: write_tls(self.ready.result(), target, view, password))


@dataclass
class CoreTokens:
    executor: ThreadPoolExecutor
    ready: Future[Core]

    def state(self, provider_id: str, environment: str) -> Future[TokenView]:
        return self.executor.submit(
            lambda: token_view(self.ready.result(), provider_id, environment)
        )

    def refresh(self, provider_id: str, environment: str) -> Future[TokenView]:
        def run() -> TokenView:
            core = self.ready.result()
            manager = core.manager(provider_id, environment)
            if manager is not None:
                current = manager.current
                if current is not None:
                    manager.invalidate(current, "refresh requested in the window")
                manager.token()
            return token_view(core, provider_id, environment)

        return self.executor.submit(run)

    def forget(self, provider_id: str, environment: str) -> Future[TokenView]:
        def run() -> TokenView:
            core = self.ready.result()
            manager = core.manager(provider_id, environment)
            if manager is not None:
                manager.forget()
            return token_view(core, provider_id, environment)

        return self.executor.submit(run)

    def subscribe(self, listener: Callable[[str, str, str], None]) -> None:
        def attach(core: Future[Core]) -> None:
            if core.exception() is None:
                core.result().listeners.append(listener)

        self.ready.add_done_callback(attach)


@dataclass
class CoreSnippets:
    """Snippets on the network executor, from what a send would use: the request's folders, the
    environment's profile and variables and the workspace's saved values for it, as
    ``api-explorer snippet`` builds them. Stored values and the current token are read only to
    reveal them."""

    executor: ThreadPoolExecutor
    ready: Future[Core]

    def generate(
        self, spec: RequestSpec, context: SendContext, choice: SnippetChoice
    ) -> Future[str]:
        return self.executor.submit(self._generate, spec, context, choice)

    def _generate(self, spec: RequestSpec, context: SendContext, choice: SnippetChoice) -> str:
        from explorer.core.context import Binding, Placement
        from explorer.core.snippets import generate
        from explorer.core.snippets.environment import for_request

        core = self.ready.result()
        selected = Binding(context.provider_id, context.environment)
        placement = Placement(context.folders, context.request_path)
        access_token = None
        if choice.auth_mode == "reveal" and context.provider_id and context.environment:
            manager = core.manager(context.provider_id, context.environment)
            current = manager.current if manager is not None else None
            access_token = current.access_token if current is not None else None
        effective, options = for_request(
            core.bench,
            spec,
            placement,
            selected,
            context.variables,
            auth_mode=choice.auth_mode,
            keep_variables=choice.keep_variables,
            access_token=access_token,
        )
        return generate(effective, choice.lang, options)


@dataclass
class CoreRuns:
    """Collection runs over the core's client and sessions (the window's shared token managers
    and limiters). The runner is imported at the first run, not before the first paint, and the
    core is awaited on the runs' worker, never on the GUI thread."""

    ready: Future[Core]
    runs: LocalRuns | None = None

    def _local(self) -> LocalRuns:
        if self.runs is None:
            from explorer.core.runner.service import LocalRuns

            self.runs = LocalRuns(lambda: _workbench(self.ready.result()))
        return self.runs

    def start(
        self,
        directory: Path,
        provider_id: str | None,
        environment: str | None,
        on_progress: Callable[[Progress], None],
        options: RunOptions | None = None,
    ) -> PendingRun:
        return self._local().start(directory, provider_id, environment, on_progress, options)

    def targets(
        self, directory: Path, provider_id: str | None, environment: str | None
    ) -> Future[RunTargets]:
        return self._local().targets(directory, provider_id, environment)

    def with_data(self, options: RunOptions, data_file: Path) -> Future[RunOptions]:
        return self._local().with_data(options, data_file)

    def write_report(self, result: RunResult, path: Path) -> Future[Path]:
        return self._local().write_report(result, path)

    def shutdown(self) -> None:
        if self.runs is not None:
            self.runs.shutdown()


def _workbench(core: Core) -> Workbench:
    """The core's workbench: the runner shares its sessions, token managers and limiters."""
    return core.bench
