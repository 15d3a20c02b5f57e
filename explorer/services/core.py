"""The core behind the window's services: one HTTP client, the credential store, the providers,
an ``ApiSession`` per environment and, in ``--demo``, the embedded sandbox.

It is built on the network executor after the first paint and used on worker threads only;
every core import is function-local so importing this module costs the first paint nothing.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.core.auth import TokenManager, TokenRegistry
    from explorer.core.auth.tokens import OtpCallback, OtpPrompt, TokenEvent
    from explorer.core.credentials import CredentialStore
    from explorer.core.http import HttpClient
    from explorer.core.pipeline import ApiSession
    from explorer.core.providers import ProviderProfile
    from explorer.core.ratelimit import LimiterRegistry
    from explorer.core.workbench import Workbench
    from explorer.sandbox import Sandbox


@dataclass
class Core:
    """What every service shares: one HTTP client, the limiter and token registries, the
    credential store, the providers, an ``ApiSession`` per environment, and in ``--demo`` the
    embedded sandbox. Built and used on worker threads only."""

    client: HttpClient
    store: CredentialStore
    workspace_id: str
    profiles: dict[str, ProviderProfile]
    problems: list[str]
    limiters: LimiterRegistry
    tokens: TokenRegistry
    bench: Workbench
    sandbox: Sandbox | None = None
    listeners: list[Callable[[str, str, str], None]] = field(default_factory=list)
    events: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    token_events: dict[tuple[str, str], list[TokenEvent]] = field(default_factory=dict)
    watched: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    otp: OtpCallback | None = None
    workspace_root: Path | None = None

    def session(self, provider_id: str, environment: str) -> ApiSession:
        """The environment's one session (``Workbench.session``)."""
        return self.bench.session(provider_id, environment)

    def manager(self, provider_id: str, environment: str) -> TokenManager | None:
        """The environment's token manager (None without OAuth2), watched for events: the one
        a send in the environment outside any collection uses (its TLS files are part of the
        manager's identity)."""
        from explorer.core.pipeline import workspace_layers

        session = self.session(provider_id, environment)
        credentials = session.credential_values()
        scope = session.scope(None, credentials, workspace_layers(session, self.workspace_root))
        tls = session.tls_files(scope, base_dir=self.workspace_root)
        manager = session.token_manager(credentials, tls)
        if manager is not None and id(manager) not in self.watched:
            self.watched.add(id(manager))
            manager.subscribe(lambda event: self._on_event(provider_id, environment, event))
        return manager

    def _on_event(self, provider_id: str, environment: str, event: TokenEvent) -> None:
        text = event.describe()
        with self.lock:
            recent = self.events.setdefault((provider_id, environment), [])
            recent.append(f"{time.strftime('%H:%M:%S', time.localtime(event.at))} {text}")
            del recent[:-20]
            kept = self.token_events.setdefault((provider_id, environment), [])
            kept.append(event)
            del kept[:-20]
            listeners = list(self.listeners)
        for listener in listeners:
            listener(provider_id, environment, event.kind)

    def close(self) -> None:
        self.client.close()
        if self.sandbox is not None:
            self.sandbox.stop()


def start_core(workspace: Path | None, demo: bool, otp: OtpCallback | None = None) -> Core:
    """Open the workspace, the credential store and the providers; in ``--demo`` start the
    sandbox and put its demo credentials in a session-only store. ``otp`` asks the user for a
    one-time password when a provider's token grant needs one."""
    from explorer.core.auth import TokenRegistry
    from explorer.core.credentials import SessionStore, open_credential_store
    from explorer.core.http import HttpClient
    from explorer.core.provider_loader import load_providers
    from explorer.core.ratelimit import LimiterRegistry
    from explorer.core.workbench import Workbench
    from explorer.core.workspace.marker import open_workspace
    from explorer.services.workspace import workspace_root

    marker = open_workspace(workspace_root(workspace, demo))
    profiles, errors = load_providers(marker.root)
    sandbox = None
    if demo:
        from explorer.sandbox import start_sandbox

        sandbox = start_sandbox()
        reason = "The sandbox's demo credentials are preloaded."
        store: CredentialStore = SessionStore(reason=reason)
        profiles = {pid: _on_sandbox(p, sandbox.base_url) for pid, p in profiles.items()}
        _store_demo_credentials(store, marker.id, sandbox.info())
        if otp is not None:
            otp = _with_sandbox_code(otp, sandbox, profiles)
    else:
        store = open_credential_store(allow_session=True)
        profiles = {pid: _without_sandbox(p) for pid, p in profiles.items()}
    client, limiters, tokens = HttpClient(), LimiterRegistry(), TokenRegistry()
    bench = Workbench(
        profiles=profiles,
        store_factory=lambda: store,
        workspace_id=marker.id,
        workspace_root=marker.root,
        client=client,
        limiters=limiters,
        tokens=tokens,
        variables={"sandbox_url": sandbox.base_url} if sandbox else {},
        otp=otp,
        default_dir=marker.root,
    )
    core = Core(
        client=client,
        store=store,
        workspace_id=marker.id,
        workspace_root=marker.root,
        profiles=profiles,
        problems=[str(error) for error in errors],
        sandbox=sandbox,
        limiters=limiters,
        tokens=tokens,
        bench=bench,
        otp=otp,
    )
    from explorer.services.settings import apply_at_start

    apply_at_start(core)
    gc.freeze()  # the core's modules and presets live as long as the app: keep GC pauses short
    return core


def _with_sandbox_code(
    otp: OtpCallback, sandbox: Sandbox, profiles: Mapping[str, ProviderProfile]
) -> OtpCallback:
    """``otp`` telling the user, for a sandbox environment only, the code the embedded sandbox
    "sent" (it shows codes instead of sending them): ``(sandbox code: 123456)``."""
    from dataclasses import replace

    def ask(prompt: OtpPrompt) -> str | None:
        profile = next((p for p in profiles.values() if p.name == prompt.provider), None)
        env = profile.environment(prompt.environment) if profile is not None else None
        if profile is None or env is None or not env.sandbox:
            return otp(prompt)
        simulated = sandbox.info()["providers"].get(profile.id, {}).get("environments", {})
        codes = [
            pending["otp"]
            for environment in simulated.values()
            for pending in environment.get("pending_otps", [])
            if pending.get("username") == prompt.username
        ]
        if not codes:
            return otp(prompt)
        hint = f"{prompt.message} (sandbox code: {codes[-1]})"
        return otp(replace(prompt, message=hint))

    return ask


def _on_sandbox(profile: ProviderProfile, base_url: str) -> ProviderProfile:
    """The preset with its ``Sandbox (local)`` environment pointed at the running sandbox."""
    from dataclasses import replace

    def fill(text: str) -> str:
        return text.replace("{{sandbox_url}}", base_url)

    environments = tuple(
        replace(
            env,
            base_url=fill(env.base_url),
            token_url=fill(env.token_url) if env.token_url else env.token_url,
            variables={k: fill(v) for k, v in env.variables.items()},
        )
        if env.sandbox
        else env
        for env in profile.environments
    )
    return replace(profile, environments=environments)


def _without_sandbox(profile: ProviderProfile) -> ProviderProfile:
    """Without ``--demo`` nothing serves ``{{sandbox_url}}``: hide those environments."""
    from dataclasses import replace

    kept = tuple(env for env in profile.environments if not env.sandbox)
    return replace(profile, environments=kept)


def _store_demo_credentials(
    store: CredentialStore, workspace_id: str, info: dict[str, Any]
) -> None:
    """The sandbox's demo slot values (``/_sandbox/info``, JSON: hence ``Any``) for each
    provider's preset environment."""
    from explorer.core.credentials import CredentialKey

    for provider_id, provider in info.get("providers", {}).items():
        demo = provider.get("demo") or {}
        environment = demo.get("preset_environment")
        for slot, value in (demo.get("slots") or {}).items():
            if environment and isinstance(value, str):
                store.set(CredentialKey(workspace_id, provider_id, environment, slot), value)
