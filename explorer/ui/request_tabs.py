"""The bar of open requests (``openRequestTabs``) above the one request editor, and what each tab
keeps while another one is shown.

The editor is shared: leaving a tab stores the editor's request in it, showing a tab loads its
request back. A tab also keeps its own response (re-shown when it becomes current; discarded
when it closes) and its send in flight, which belongs to it: switching tabs does not cancel it,
and its result lands in its tab (latest send wins within a tab).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar, QWidget

from explorer.core.models import RequestSpec
from explorer.services.api import PendingSend, SendOutcome
from explorer.services.drafts import new_tab_id
from explorer.ui.method_badge import BADGE_SIZE, badge_icon

#: What Ctrl+N / Ctrl+T open: a draft that lives in no file until it is saved (unnamed, so
#: history names it by its URL; the tab says "New request").
NEW_REQUEST = RequestSpec()
UNTITLED = "New request"
DIRTY_MARK = " •"
#: A tab with unsaved edits whose file was changed outside: it asks when it is shown.
CHANGED_MARK = " ⚠"
CHANGED_TIP = "Changed on disk while you edited it: you choose which version to keep when shown"


@dataclass(eq=False)
class OpenTab:
    """One open request. ``saved`` is what its file holds (for a draft: what it was opened
    with), ``spec`` what the editor held when the tab was last left."""

    spec: RequestSpec
    path: Path | None = None
    saved: RequestSpec | None = None
    dirty: bool = False
    changed_on_disk: bool = False  # its file changed outside while it had unsaved edits
    provider_id: str | None = None
    environment: str | None = None
    outcome: SendOutcome | None = None
    message: str = ""  # why there is no response (a failed or cancelled send)
    error: bool = False
    pending: PendingSend | None = None
    generation: int = 0
    key: str = field(default_factory=new_tab_id)  # kept across restarts: its secrets' key

    @property
    def blank(self) -> bool:
        """An untouched new draft: opening a request may take its place."""
        return (
            self.path is None
            and not self.dirty
            and self.spec == NEW_REQUEST
            and self.outcome is None
            and self.pending is None
        )

    def begin(self, pending: PendingSend, generation: int) -> None:
        """A new send of this tab (``generation`` is unique to it): the one before it is
        cancelled (latest wins)."""
        self.stop()
        self.pending = pending
        self.generation = generation

    def owns(self, generation: int) -> bool:
        """Whether a result or progress report of send ``generation`` is this tab's news."""
        return generation == self.generation and self.pending is not None

    def stop(self) -> None:
        """Cancel the send in flight, if any; its result will be dropped."""
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None

    def keep_outcome(
        self, outcome: SendOutcome | None, message: str = "", error: bool = False
    ) -> None:
        """Replace the tab's response (the old body's memory or temp file goes with it)."""
        if self.outcome is not None and self.outcome is not outcome:
            self.outcome.exchange.response.body.discard()
        self.outcome = outcome
        self.message = message
        self.error = error

    def forget(self) -> None:
        """The tab closes: its send stops and its response body is discarded."""
        self.stop()
        self.keep_outcome(None)


class RequestTabBar(QTabBar):
    """Closable, movable, elided tabs; each tab's data is its ``OpenTab``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openRequestTabs")
        self.setTabsClosable(True)
        self.setMovable(True)
        self.setExpanding(False)
        self.setDocumentMode(True)
        self.setUsesScrollButtons(True)
        self.setElideMode(Qt.TextElideMode.ElideRight)
        self.setIconSize(BADGE_SIZE)  # the badge as drawn: at 16x16 "GET" shrinks to a smudge

    def add(self, tab: OpenTab, index: int = -1) -> int:
        at = self.insertTab(index if index >= 0 else self.count(), "")
        self.setTabData(at, tab)
        self.refresh(tab)
        return at

    def state(self, index: int) -> OpenTab | None:
        found = self.tabData(index) if 0 <= index < self.count() else None
        return found if isinstance(found, OpenTab) else None

    def current(self) -> OpenTab | None:
        return self.state(self.currentIndex())

    def states(self) -> list[OpenTab]:
        return [tab for i in range(self.count()) if (tab := self.state(i)) is not None]

    def index_of(self, tab: OpenTab) -> int:
        return next((i for i in range(self.count()) if self.state(i) is tab), -1)

    def index_for(self, path: Path) -> int:
        return next((i for i, tab in enumerate(self.states()) if tab.path == path), -1)

    def refresh(self, tab: OpenTab, spec: RequestSpec | None = None) -> None:
        """Title (name and unsaved mark), method badge and tooltip (where it is saved)."""
        index = self.index_of(tab)
        if index < 0:
            return
        shown = spec if spec is not None else tab.spec
        name = shown.name or shown.url or UNTITLED
        marks = (DIRTY_MARK if tab.dirty else "") + (CHANGED_MARK if tab.changed_on_disk else "")
        self.setTabText(index, name + marks)
        self.setTabIcon(index, badge_icon(shown.method or "GET"))
        where = str(tab.path) if tab.path is not None else "Draft: not saved yet (Ctrl+S saves it)"
        self.setTabToolTip(index, f"{where}\n{CHANGED_TIP}" if tab.changed_on_disk else where)

    def step(self, by: int) -> None:
        """Ctrl+Tab / Ctrl+Shift+Tab: the next or previous tab, wrapping around."""
        if self.count() > 1:
            self.setCurrentIndex((self.currentIndex() + by) % self.count())
