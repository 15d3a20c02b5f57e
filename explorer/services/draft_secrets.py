"""A kept tab's secret values in the OS keyring instead of the tabs file.

The tabs file masks exactly what history masks (``history.redact_spec``: a literal secret auth
field, a credential header). ``split`` takes those values out, each named by a slot
(``auth:<field>``, ``header:<row>``), and ``merge`` puts them back. ``DraftSecrets`` keeps them
in the credential store under the workspace digest the tabs file is named by and the tab's id
(service ``api-explorer/<digest>/draft:<id>/``), so two workspaces, or two drafts, never share
one. Only a store that outlives the process is used (the OS keyring); a failing keyring keeps
nothing and the file's masks stay, so the restored draft asks to re-enter them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.core.credentials import CredentialKey, CredentialStore
    from explorer.core.models import RequestSpec

_log = logging.getLogger(__name__)

#: A value one kept tab holds in the store: (tab id, slot).
Slot = tuple[str, str]


def split(spec: RequestSpec) -> tuple[RequestSpec, dict[str, str]]:
    """``spec`` as the tabs file keeps it (masked as history is) and the values the masking
    took out, by slot."""
    from explorer.core.workspace.history import redact_spec

    masked = redact_spec(spec)
    taken = {
        f"header:{row}": before.value
        for row, (before, after) in enumerate(zip(spec.headers, masked.headers, strict=True))
        if before.value != after.value
    }
    if spec.auth is not None and masked.auth is not None:
        pairs = zip(spec.auth.params, masked.auth.params, strict=True)
        taken |= {f"auth:{name}": value for (name, value), (_, shown) in pairs if value != shown}
    return masked, taken


def merge(spec: RequestSpec, values: Mapping[str, str]) -> RequestSpec:
    """``spec`` with each masked slot of ``values`` filled back in; a slot without a value
    stays masked (the editor flags it "re-enter")."""
    from explorer.core.models import AuthSpec
    from explorer.core.redaction import MASK

    def back(slot: str, shown: str) -> str:
        return values.get(slot, shown) if shown == MASK else shown

    headers = tuple(
        replace(header, value=back(f"header:{row}", header.value))
        for row, header in enumerate(spec.headers)
    )
    auth = spec.auth
    if auth is not None:
        auth = AuthSpec(auth.type, tuple((k, back(f"auth:{k}", v)) for k, v in auth.params))
    return replace(spec, headers=headers, auth=auth)


class DraftSecrets:
    """The kept tabs' secrets of one workspace (``digest``) in ``store`` (blocking: keyring;
    one thread, the disk's). A value already stored is not written again (the tabs are kept
    every few seconds while the user types). A keyring that fails is logged (no value) and
    treated as holding nothing."""

    def __init__(self, store: CredentialStore, digest: str) -> None:
        self.store = store
        self.digest = digest
        self._held: dict[Slot, bytes] = {}  # a hash of what the store holds, per slot

    def put(self, tab: str, values: Mapping[str, str]) -> tuple[str, ...]:
        """Store ``values`` of tab ``tab``; the slots the store took, so the file names only
        those (a failure leaves the rest masked)."""
        from explorer.core.credentials import KeyringUnavailable

        kept = []
        for slot, value in values.items():
            held = _hash(value)
            if self._held.get((tab, slot)) != held:
                try:
                    self.store.set(self._key(tab, slot), value)
                except KeyringUnavailable as exc:
                    _log.warning("a draft's secret was not kept: %s", exc)
                    break
                self._held[(tab, slot)] = held
            kept.append(slot)
        return tuple(kept)

    def take(self, tab: str, slots: Iterable[str]) -> dict[str, str]:
        """The stored values among ``slots`` of tab ``tab``."""
        from explorer.core.credentials import KeyringUnavailable

        try:
            found = self.store.values(self._key(tab, ""), slots)
        except KeyringUnavailable as exc:
            _log.warning("a draft's secrets could not be read back: %s", exc)
            return {}
        self._held |= {(tab, slot): _hash(value) for slot, value in found.items()}
        return found

    def drop(self, slots: Iterable[Slot]) -> None:
        """Delete the values of tabs closed or saved since (each ``(tab, slot)``)."""
        from explorer.core.credentials import KeyringUnavailable

        try:
            for tab, slot in slots:
                self._held.pop((tab, slot), None)
                self.store.delete(self._key(tab, slot))
        except KeyringUnavailable as exc:
            _log.warning("a closed draft's secrets could not be deleted: %s", exc)

    def _key(self, tab: str, slot: str) -> CredentialKey:
        from explorer.core.credentials import CredentialKey

        return CredentialKey(self.digest, f"draft:{tab}", "", slot)


def _hash(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()
