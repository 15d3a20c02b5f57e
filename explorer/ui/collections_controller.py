"""What the window does with the collection tree and the open tabs: open a request in a tab
(``explorer/ui/request_tabs.py``), track each tab's unsaved edits (tab mark, tree dot, window
title), save (Ctrl+S; a draft goes through "save as"), close and reopen tabs, keep them across
restarts, create, rename, duplicate, delete with undo, drag and drop, import and export, and
external edits.

Every file operation goes through the injected ``WorkspaceService`` (off the UI thread) and is
followed by a reload of the tree, so the tree always shows what is on disk. The builder's edits
are never overwritten by an external change: a clean request reloads, an edited one asks.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QPushButton

from explorer.core.models import RequestSpec
from explorer.core.workspace.model import Folder, folders_above
from explorer.services.drafts import DraftStore, KeptTab, TabSession
from explorer.services.workspace_api import ImportDone, Trashed, WorkspaceService, WorkspaceTree
from explorer.ui.collection_model import Kind, Role
from explorer.ui.collection_pane import CollectionPane
from explorer.ui.message_box import message_box
from explorer.ui.operations import Failure, Operations
from explorer.ui.request_editor import RequestEditor
from explorer.ui.request_tabs import NEW_REQUEST, OpenTab, RequestTabBar

if TYPE_CHECKING:
    from explorer.ui.import_dialog import ImportDialog
    from explorer.ui.trash_dialog import TrashDialog

T = TypeVar("T")
TITLE = "API Explorer"
DIRTY_CHECK_MS = 150
KEEP_TABS_MS = 1500  # the open tabs are written this long after the last change
UNDO_SHOWN_MS = 15_000


class CollectionsController(QObject):
    #: A request was opened; the window selects its collection's provider ('' for none).
    provider_wanted = Signal(str)
    #: One sentence for the response area (an error, a broken file, a finished export).
    message = Signal(str, bool)
    tree_loaded = Signal()
    #: Another tab is now in the builder (the window shows its response, re-scopes the URL).
    opened = Signal()
    #: The tabs of the last session are back (or there were none): the demo may open a sample.
    restored = Signal()
    run_requested = Signal(object)  # a collection folder to run
    saved = Signal(object)
    _externally_changed = Signal(object)

    def __init__(
        self,
        window: QMainWindow,
        service: WorkspaceService,
        pane: CollectionPane,
        editor: RequestEditor,
        ops: Operations,
        *,
        tabs: RequestTabBar,
        drafts: DraftStore | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.ops = ops
        self.service = service
        self.pane = pane
        self.editor = editor
        self.tabs = tabs
        self.drafts = drafts
        self._shown: OpenTab | None = tabs.current()  # the tab whose request is in the editor
        self.closed: list[OpenTab] = []  # Ctrl+Shift+T reopens the last one
        self._session: TabSession | None = None  # read from disk, applied once the tree is in
        self.restoring = drafts is not None
        self._export_dir: Path | None = None  # where the last export went
        self.tree: WorkspaceTree | None = None
        self.last_deleted: Trashed | None = None
        self._dialog: Any = None
        self._dirty_timer = QTimer(self)
        self._dirty_timer.setSingleShot(True)
        self._dirty_timer.setInterval(DIRTY_CHECK_MS)
        self.undo_button = QPushButton("Undo delete", window)
        self.undo_button.setObjectName("undoDeleteButton")
        self.undo_button.hide()
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_SHOWN_MS)
        self._keep_timer = QTimer(self)
        self._keep_timer.setSingleShot(True)
        self._keep_timer.setInterval(KEEP_TABS_MS)
        window.statusBar().addPermanentWidget(self.undo_button)
        self._connect()
        self._update_title()
        if drafts is not None:
            self.ops.run(drafts.load(), self._on_drafts_loaded, on_failure=self._on_drafts_failed)

    @property
    def path(self) -> Path | None:
        """The file of the request in the editor (None for a draft)."""
        return self._shown.path if self._shown is not None else None

    @property
    def saved_spec(self) -> RequestSpec | None:
        return self._shown.saved if self._shown is not None else None

    @property
    def dirty(self) -> bool:
        return self._shown is not None and self._shown.dirty

    def _connect(self) -> None:
        tree = self.pane.tree
        tree.request_opened.connect(self._on_tree_request_opened)
        tree.broken_opened.connect(self._on_tree_broken_opened)
        tree.action_requested.connect(self._on_tree_action_requested)
        tree.item_renamed.connect(self._on_tree_item_renamed)
        tree.item_dropped.connect(self._on_tree_item_dropped)
        self.pane.new_collection_requested.connect(self._on_pane_new_collection_requested)
        self.editor.edited.connect(self._dirty_timer.start)
        self.editor.edited.connect(self._keep_timer.start)
        self._dirty_timer.timeout.connect(self._on_dirty_timer_timeout)
        self._keep_timer.timeout.connect(self.keep_tabs)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.tabMoved.connect(self._keep_timer.start)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        self._undo_timer.timeout.connect(self.undo_button.hide)
        self._externally_changed.connect(self._on_service_changed)
        self.service.subscribe(self._externally_changed.emit)

    def install_menu(self, menu: QMenu) -> None:
        """The File menu's workspace actions (the window owns the menu bar)."""
        for name, label, keys, slot in (
            ("newRequestAction", "New request", QKeySequence.StandardKey.New, self.new_request),
            ("newTabAction", "New tab", QKeySequence("Ctrl+T"), self.new_request),
            ("closeTabAction", "Close tab", QKeySequence("Ctrl+W"), self.close_tab),
            ("reopenTabAction", "Reopen closed tab", QKeySequence("Ctrl+Shift+T"), self.reopen),
            ("nextTabAction", "Next tab", QKeySequence("Ctrl+Tab"), lambda: self.tabs.step(1)),
            (
                "previousTabAction",
                "Previous tab",
                QKeySequence("Ctrl+Shift+Tab"),
                lambda: self.tabs.step(-1),
            ),
            ("saveAction", "Save", QKeySequence.StandardKey.Save, self.save),
            ("saveAsAction", "Save as…", QKeySequence("Ctrl+Shift+S"), self.save_as),
            ("importAction", "Import…", QKeySequence("Ctrl+I"), self.open_import),
            ("exportAction", "Export…", QKeySequence("Ctrl+E"), self.open_export),
        ):
            action = menu.addAction(label)
            action.setObjectName(name)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _checked=False, run=slot: run())
        restore = menu.addAction("Restore last deleted")
        restore.setObjectName("restoreAction")
        restore.triggered.connect(self._on_undo_button_clicked)
        trash = menu.addAction("Trash…")
        trash.setObjectName("trashAction")
        trash.triggered.connect(self.open_trash)

    def open_trash(self) -> TrashDialog:
        """Every deleted item, restorable one by one (``Restore last deleted`` is the quick one)."""
        root = self.tree.root if self.tree is not None else Path.home()
        from explorer.ui.trash_dialog import TrashDialog  # the dialogs: not for the first paint

        dialog = TrashDialog(self.service, root, self.ops, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restored.connect(self._on_trash_dialog_restored)
        dialog.open()
        return dialog

    def _on_trash_dialog_restored(self, path: object) -> None:
        if isinstance(path, Path):
            self.last_deleted = None
            self.undo_button.hide()
            self.reload(lambda _tree: self.pane.reveal(path))

    # -- loading ------------------------------------------------------------------------------
    def reload(self, then: Callable[[WorkspaceTree], object] | None = None) -> None:
        self.ops.run(self.service.load(), lambda tree: self._on_service_loaded(tree, then))

    def _on_service_loaded(
        self, tree: WorkspaceTree, then: Callable[[WorkspaceTree], object] | None
    ) -> None:
        self.tree = tree
        self.pane.load(tree)
        self._mark_tree()
        if then is not None:
            then(tree)
        if self._session is not None:
            self._restore(self._session)
        self.tree_loaded.emit()

    def _after(self, future: Future[T], then: Callable[[T], object]) -> None:
        """Call ``then(result)`` on the UI thread when ``future`` succeeds (a failure goes to
        the window's message channel)."""
        self.ops.run(future, then)

    # -- the open request ---------------------------------------------------------------------
    def folders_of_open(self) -> tuple[Folder, ...]:
        """The folders the open request inherits headers, auth and variables from (nearest
        first); none for a request that lives in no file."""
        if self.path is None or self.tree is None:
            return ()
        return folders_above(self.tree.collections, self.path)

    def unbound_collection(self) -> Folder | None:
        """The open request's collection when it is bound to no provider: such a request is
        sent without one, with one of the collection's own saved environments."""
        folders = self.folders_of_open()
        collection = folders[-1] if folders else None
        return collection if collection is not None and not collection.provider else None

    def open_first(self, provider: str) -> bool:
        """Open the first request of ``provider``'s collection (the demo's one click)."""
        model = self.pane.model
        for row in range(model.rowCount()):
            collection = model.index(row, 0)
            if collection.data(Role.PROVIDER) != provider:
                continue
            for child in range(model.rowCount(collection)):
                index = model.index(child, 0, collection)
                if index.data(Role.KIND) == Kind.REQUEST:
                    self.open(index.data(Role.PATH))
                    return True
        return False

    def open(self, path: Path) -> None:
        """Show the request at ``path``: its tab if it is open, else a new tab."""
        index = self.tabs.index_for(path)
        if index >= 0:
            self.tabs.setCurrentIndex(index)
            self.pane.reveal(path)
            return
        item = self.pane.model.item_for(path)
        spec = item.data(Role.SPEC) if item is not None else None
        if not isinstance(spec, RequestSpec):
            return
        self.pane.reveal(path)
        self._add_tab(OpenTab(spec, path, spec))
        found = self.pane.collection_of(path)
        if found is not None and found[1]:
            self.provider_wanted.emit(found[1])

    def open_unsaved(self, spec: RequestSpec) -> None:
        """A request that lives in no file yet (from history): a draft tab; Ctrl+S asks where
        to save it."""
        self._add_tab(OpenTab(spec, None, spec))

    def _add_tab(self, tab: OpenTab) -> None:
        """Show ``tab`` next to the current one, or in its place when that is an untouched new
        draft."""
        current = self._shown
        blank = current is not None and current.blank and self.editor.to_spec() == NEW_REQUEST
        at = self.tabs.currentIndex() + 1
        if blank and current is not None:
            self._shown = None  # leaving it stores nothing: it goes
            at = self.tabs.index_of(current)
            self.tabs.add(tab, at + 1)
            self.tabs.setCurrentIndex(at + 1)
            self.tabs.removeTab(self.tabs.index_of(current))
        else:
            self.tabs.setCurrentIndex(self.tabs.add(tab, at))
        self._keep_timer.start()

    def _on_tabs_current_changed(self, index: int) -> None:
        """Store the editor's request in the tab left, load the one shown."""
        left, tab = self._shown, self.tabs.state(index)
        if tab is None or tab is left:
            return
        if left is not None and self.tabs.index_of(left) >= 0:
            self._leave(left)
        self._shown = tab
        self.editor.load(tab.spec)
        self._dirty_timer.stop()
        self._set_dirty(tab.dirty)
        if tab.path is not None and self.tree is not None:
            self.pane.reveal(tab.path)
        self.opened.emit()
        self._keep_timer.start()
        if tab.changed_on_disk:
            self._ask_external(tab)

    def _leave(self, tab: OpenTab) -> None:
        tab.spec = self.editor.to_spec()
        tab.dirty = tab.saved is not None and tab.spec != tab.saved
        self._refresh(tab)

    def _refresh(self, tab: OpenTab) -> None:
        """A tab that is not on screen changed (edits, path, saved state): its title and the
        tree's marks follow."""
        self.tabs.refresh(tab)
        self._mark_tree()

    def _mark_tree(self) -> None:
        """The tree marks the request of every tab with unsaved edits, as the tab bar does."""
        self.pane.set_dirty(
            {tab.path for tab in self.tabs.states() if tab.dirty and tab.path is not None}
        )

    def _show(self, tab: OpenTab, spec: RequestSpec) -> None:
        """``tab`` now holds ``spec`` as saved (reloaded from disk, or just written)."""
        tab.saved = tab.spec = spec
        tab.dirty = False
        if tab is self._shown:
            self.editor.load(spec)
            self._dirty_timer.stop()
            self._set_dirty(False)
        else:
            self._refresh(tab)

    def _on_dirty_timer_timeout(self) -> None:
        saved = self.saved_spec
        self._set_dirty(saved is not None and self.editor.to_spec() != saved)

    def _set_dirty(self, dirty: bool) -> None:
        tab = self._shown
        if tab is not None:
            tab.dirty = dirty
            self.tabs.refresh(tab, self.editor.to_spec())
        self._mark_tree()
        self._update_title()

    def _update_title(self) -> None:
        name = self.saved_spec.name if self.saved_spec is not None else ""
        self.window.setWindowTitle(f"{name}[*] — {TITLE}" if name else f"{TITLE}[*]")
        self.window.setWindowModified(self.dirty)

    # -- closing, reopening and keeping tabs ----------------------------------------------------
    def close_tab(self, index: int = -1) -> None:
        """Ctrl+W or the close button: unsaved edits are asked about (Save / Discard / Cancel)."""
        tab = self.tabs.state(index if index >= 0 else self.tabs.currentIndex())
        if tab is None:
            return
        if tab is self._shown:
            self._on_dirty_timer_timeout()
        if not tab.dirty:
            self._remove(tab)
            return
        self.tabs.setCurrentIndex(self.tabs.index_of(tab))
        if tab.changed_on_disk:
            return  # showing it asks which version to keep; closing comes after that answer
        self._ask_unsaved(lambda: self._remove(tab))

    def _remove(self, tab: OpenTab) -> None:
        index = self.tabs.index_of(tab)
        if index < 0:
            return
        if tab is self._shown:
            self._leave(tab)
            self._shown = None
        tab.forget()
        self.closed.append(tab)
        if self.tabs.count() == 1:
            self.tabs.add(OpenTab(NEW_REQUEST, None, NEW_REQUEST), 1)
        self.tabs.removeTab(self.tabs.index_of(tab))
        self._mark_tree()
        self._keep_timer.start()

    def reopen(self) -> None:
        """Ctrl+Shift+T: the last closed tab, as it was (a request already open is shown)."""
        if not self.closed:
            return
        tab = self.closed.pop()
        index = self.tabs.index_for(tab.path) if tab.path is not None else -1
        if index >= 0:
            self.tabs.setCurrentIndex(index)
        else:
            self._add_tab(tab)

    def session(self) -> TabSession:
        """The open tabs as they are now (the editor's edits included)."""
        if self._shown is not None:
            self._leave(self._shown)
        kept = tuple(
            KeptTab(
                tab.path,
                tab.spec if tab.dirty or tab.path is None else None,
                tab.provider_id,
                tab.environment,
                tab.key,
            )
            for tab in self.tabs.states()
        )
        return TabSession(kept, max(self.tabs.currentIndex(), 0))

    def keep_tabs(self) -> None:
        """Write the open tabs and drafts (on the disk thread), unless they are not back yet."""
        self._keep_timer.stop()
        if self.drafts is not None and not self.restoring:
            self.ops.run(self.drafts.save(self.session()), lambda _none: None)

    def _on_drafts_loaded(self, session: TabSession) -> None:
        self._session = session
        if self.tree is not None:
            self._restore(session)

    def _on_drafts_failed(self, error: Failure) -> None:
        self.restoring = False
        self.ops.channel.show_error(str(error))
        self.restored.emit()

    def _restore(self, session: TabSession) -> None:
        """Reopen the last session's tabs; a request whose file is gone comes back as a draft
        when it had edits and is left out otherwise."""
        self._session = None
        self.restoring = False
        tabs = [tab for kept in session.tabs if (tab := self._restored_tab(kept)) is not None]
        if tabs:
            first, base = self.tabs.current(), self.tabs.count()
            for tab in tabs:
                self.tabs.add(tab)
            self.tabs.setCurrentIndex(base + min(max(session.current, 0), len(tabs) - 1))
            if first is not None and first.blank:
                self.tabs.removeTab(self.tabs.index_of(first))
        self._mark_tree()
        self.restored.emit()

    def _restored_tab(self, kept: KeptTab) -> OpenTab | None:
        item = self.pane.model.item_for(kept.path) if kept.path is not None else None
        saved = item.data(Role.SPEC) if item is not None else None
        if isinstance(saved, RequestSpec):
            spec = kept.spec if kept.spec is not None else saved
            tab = OpenTab(spec, kept.path, saved, spec != saved)
        elif kept.spec is not None:  # a draft: its content is saved nowhere else
            tab = OpenTab(kept.spec, None, NEW_REQUEST, kept.spec != NEW_REQUEST)
        else:
            return None
        tab.provider_id, tab.environment = kept.provider_id, kept.environment
        tab.key = kept.key or tab.key  # its secrets are stored under it
        return tab

    def _ask_unsaved(self, then: Callable[[], None]) -> None:
        name = self.saved_spec.name if self.saved_spec else "this request"
        box = message_box(
            self.window,
            "unsavedDialog",
            QMessageBox.Icon.Question,
            "Unsaved changes",
            f"“{name}” has unsaved changes. Save them before closing it?",
        )
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )

        def on_clicked(button: object) -> None:
            role = box.standardButton(button)  # type: ignore[arg-type]
            if role == QMessageBox.StandardButton.Save:
                self.save(then)
            elif role == QMessageBox.StandardButton.Discard:
                self._set_dirty(False)
                then()

        box.buttonClicked.connect(on_clicked)
        self._dialog = box
        box.open()

    # -- saving -------------------------------------------------------------------------------
    def save(self, then: Callable[[], None] | None = None) -> None:
        """Ctrl+S: write the open request to its file (atomic, through the store); a draft
        goes through "save as", which chooses or creates its collection."""
        tab = self._shown
        if tab is None or tab.path is None:
            self.save_as(then=then)
            return
        path, spec = tab.path, self.editor.to_spec()
        self._after(
            self.service.save_request(path, spec),
            lambda _none: self._on_service_saved(tab, path, spec, then),
        )

    def _on_service_saved(
        self, tab: OpenTab, path: Path, spec: RequestSpec, then: Callable[[], None] | None
    ) -> None:
        if path == tab.path:
            tab.saved = spec
            if tab is self._shown:
                self._on_dirty_timer_timeout()
            else:
                tab.dirty = tab.spec != spec
                self._refresh(tab)
        self.saved.emit(path)
        self.reload()
        self._keep_timer.start()
        if then is not None:
            then()

    def save_as(
        self, spec: RequestSpec | None = None, then: Callable[[], None] | None = None
    ) -> None:
        """Save the builder's request (or ``spec``, e.g. from history) as a new request file;
        the tab showing it becomes that file."""
        spec = spec if spec is not None else self.editor.to_spec()
        preferred = self.path.parent if self.path is not None else None
        from explorer.ui.save_as_dialog import SaveAsDialog

        dialog = SaveAsDialog(
            spec.name or spec.url or "New request", self.pane.folders(), preferred, self.window
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(
            lambda folder, name: self._create_saved(folder, replace(spec, name=name), then)
        )
        self._dialog = dialog
        dialog.open()

    def _create_saved(
        self, folder: Path | None, spec: RequestSpec, then: Callable[[], None] | None = None
    ) -> None:
        if folder is None:
            from explorer.ui.save_as_dialog import FIRST_COLLECTION

            self._after(
                self.service.create_collection(FIRST_COLLECTION),
                lambda created: self._create_saved(created, spec, then),
            )
            return
        tab = self._shown
        self._after(
            self.service.create_request(folder, spec),
            lambda created: self._after_created(tab, created, spec, then),
        )

    def _after_created(
        self,
        tab: OpenTab | None,
        path: Path,
        spec: RequestSpec,
        then: Callable[[], None] | None,
    ) -> None:
        """The tab the request was saved from becomes the new file, if it still shows it."""
        if tab is not None:
            edited = self.editor.to_spec() if tab is self._shown else tab.spec
            if edited == replace(spec, name=edited.name):
                tab.path = path
                self._show(tab, spec)
        self.reload(lambda _tree: self.pane.reveal(path))
        self._keep_timer.start()
        if then is not None:
            then()

    # -- tree operations ----------------------------------------------------------------------
    def new_request(self) -> None:
        """Ctrl+N / Ctrl+T: a new draft tab; no file is written until it is saved."""
        self._add_tab(OpenTab(NEW_REQUEST, None, NEW_REQUEST))
        self.editor.url.setFocus()

    def _on_pane_new_collection_requested(self) -> None:
        self._on_tree_action_requested("new-collection", None)

    def _on_tree_request_opened(self, path: object) -> None:
        if isinstance(path, Path):
            self.open(path)

    def _on_tree_broken_opened(self, error: str) -> None:
        self.message.emit(error, True)

    def _on_tree_action_requested(self, action: str, path: object) -> None:
        where = path if isinstance(path, Path) else None
        if action == "new-collection":
            self._then_rename(self.service.create_collection("New collection"))
        elif action == "new-folder" and where is not None:
            self._then_rename(self.service.create_folder(where, "New folder"))
        elif action == "new-request" and where is not None:
            spec = RequestSpec(name="New request")
            self._after(self.service.create_request(where, spec), self._after_new_request)
        elif action == "open" and where is not None:
            self.open(where)
        elif action == "duplicate" and where is not None:
            self._then_reveal(self.service.duplicate(where))
        elif action == "delete" and where is not None:
            self._after(self.service.delete(where), lambda gone: self._on_deleted(gone, where))
        elif action == "export" and where is not None:
            self.open_export(where)
        elif action == "run" and where is not None:
            self.run_collection(where)

    def run_collection(self, path: Path) -> None:
        """Run the collection holding ``path``. The run service binds it to its own provider,
        as ``api-explorer run`` does; the window's selection is left as it is."""
        found = self.pane.collection_of(path)
        self.run_requested.emit(found[0] if found is not None else path)

    def current_collection(self) -> Path | None:
        """The collection of the selected tree item, else of the open request."""
        selected = self.pane.tree.path_at(self.pane.tree.currentIndex())
        for path in (selected, self.path):
            found = self.pane.collection_of(path) if isinstance(path, Path) else None
            if found is not None:
                return found[0]
        return None

    def _after_new_request(self, path: Path) -> None:
        def opened(_tree: WorkspaceTree) -> None:
            self.open(path)
            self.pane.tree.rename_current()

        self.reload(opened)

    def _then_reveal(self, future: Future[Path]) -> None:
        self._after(future, lambda path: self.reload(lambda _tree: self.pane.reveal(path)))

    def _then_rename(self, future: Future[Path]) -> None:
        def renamed(path: Path) -> None:
            self.pane.reveal(path)
            self.pane.tree.rename_current()

        self._after(future, lambda path: self.reload(lambda _tree: renamed(path)))

    def _on_tree_item_renamed(self, path: object, name: str) -> None:
        if isinstance(path, Path):
            self._move(self.service.rename(path, name), path)

    def _move(self, future: Future[Path], old: Path, order: int = -1) -> None:
        def failed(error: Failure) -> None:
            self.ops.channel.show_error(str(error))
            self.reload()  # the tree shows the name or place the item still has on disk

        self.ops.run(future, lambda new: self._on_moved(new, old, order), on_failure=failed)

    def _on_moved(self, new: Path, old: Path, order: int = -1) -> None:
        """After a rename or move: the tabs follow their requests to the new paths; then
        reorder."""
        for tab in self.tabs.states():
            if tab.path is not None and (tab.path == old or old in tab.path.parents):
                tab.path = new if tab.path == old else new / tab.path.relative_to(old)
                self._refresh(tab)
        self._keep_timer.start()
        if order >= 0:
            siblings = [p for p in self._children(new.parent) if p != new]
            siblings.insert(min(order, len(siblings)), new)
            self._after(
                self.service.reorder(siblings),
                lambda _none: self.reload(lambda _tree: self.pane.reveal(new)),
            )
            return
        self.reload(lambda _tree: self._after_rename(new))

    def _after_rename(self, new: Path) -> None:
        self.pane.reveal(new)
        index = self.tabs.index_for(new)
        tab = self.tabs.state(index)
        item = self.pane.model.item_for(new)
        spec = item.data(Role.SPEC) if item is not None else None
        if tab is None or tab.saved is None or not isinstance(spec, RequestSpec):
            return
        tab.saved = replace(tab.saved, name=spec.name)
        if tab is self._shown:
            self.editor.load(replace(self.editor.to_spec(), name=spec.name))
            self._on_dirty_timer_timeout()
        else:
            tab.spec = replace(tab.spec, name=spec.name)
            self._refresh(tab)

    def _children(self, folder: Path) -> list[Path]:
        """The requests and folders of ``folder`` in their current order (broken ones aside)."""
        item = self.pane.model.item_for(folder)
        if item is None:
            return []
        found = []
        for row in range(item.rowCount()):
            child = item.child(row)
            path = child.data(Role.PATH)
            if child.data(Role.KIND) != Kind.BROKEN and isinstance(path, Path):
                found.append(path)
        return found

    def _on_tree_item_dropped(self, path: object, folder: object, row: int) -> None:
        if not isinstance(path, Path) or not isinstance(folder, Path):
            return
        if path.parent == folder:
            order = self._children(folder)
            before = order.index(path) if path in order else len(order)
            if path in order:
                order.remove(path)
            order.insert(len(order) if row < 0 else row - (1 if before < row else 0), path)
            self._after(self.service.reorder(order), lambda _none: self.reload())
            return
        self._move(self.service.move(path, folder), path, row)

    def _on_deleted(self, trashed: Trashed, path: Path) -> None:
        self.last_deleted = trashed
        for tab in self.tabs.states():
            if tab.path is not None and (tab.path == path or path in tab.path.parents):
                tab.path = None  # the tab keeps the request as a draft; Ctrl+S asks where
                if tab is self._shown:
                    self._set_dirty(False)
                else:
                    self._refresh(tab)
        self._keep_timer.start()
        self.ops.channel.show_info(f"Deleted “{trashed.name}”.", UNDO_SHOWN_MS)
        self.undo_button.show()
        self._undo_timer.start()
        self.reload()

    def _on_undo_button_clicked(self) -> None:
        entry = self.last_deleted
        self.undo_button.hide()
        if entry is None:
            return
        self.last_deleted = None
        self.ops.channel.clear()
        self._then_reveal(self.service.restore(entry))

    # -- external edits -----------------------------------------------------------------------
    def _on_service_changed(self, paths: object) -> None:
        """A file changed outside: a clean tab of it reloads; the one on screen asks first when
        it has edits; another edited tab is marked and asks when it is shown."""
        self.reload()
        if not isinstance(paths, frozenset):
            return
        if self._shown is not None:
            self._leave(self._shown)
        for tab in self.tabs.states():
            if tab.path is None or tab.path not in paths:
                continue
            if not tab.dirty:
                self._reload_open(tab, tab.path)
            elif tab is self._shown:
                self._ask_external(tab)
            else:
                tab.changed_on_disk = True
                self._refresh(tab)

    def _reload_open(self, tab: OpenTab, path: Path) -> None:
        def loaded(spec: RequestSpec) -> None:
            if path == tab.path:
                self._show(tab, spec)

        self.ops.run(
            self.service.read_request(path),
            loaded,
            failure=f"{path.name} changed on disk and could not be read",
        )

    def _ask_external(self, tab: OpenTab) -> None:
        """Reload ``tab`` (on screen) from its changed file, or keep its edits; either answer
        clears its "changed on disk" mark."""
        path = tab.path
        if path is None:
            return
        box = message_box(
            self.window,
            "externalChangeDialog",
            QMessageBox.Icon.Warning,
            "Changed on disk",
            f"{path.name} was changed outside API Explorer, and you have unsaved edits. Reload "
            "it from disk (your edits are lost) or keep your version (Ctrl+S overwrites the file)?",
        )
        reload_button = box.addButton("Reload from disk", QMessageBox.ButtonRole.DestructiveRole)
        reload_button.setObjectName("externalReload")
        keep = box.addButton("Keep my edits", QMessageBox.ButtonRole.RejectRole)
        keep.setObjectName("externalKeep")
        box.setDefaultButton(keep)

        def answered(button: object) -> None:
            tab.changed_on_disk = False
            if button is reload_button:
                self._reload_open(tab, path)
            else:
                self.tabs.refresh(tab, self.editor.to_spec() if tab is self._shown else None)

        box.buttonClicked.connect(answered)
        self._dialog = box
        box.open()

    # -- import and export --------------------------------------------------------------------
    def open_import(self) -> ImportDialog:
        from explorer.ui.import_dialog import ImportDialog

        dialog = ImportDialog(self.service, self.ops, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._on_import_dialog_imported)
        self._dialog = dialog
        dialog.open()
        return dialog

    def _on_import_dialog_imported(self, done: ImportDone) -> None:
        path = done.collection
        if path is not None:
            self.reload(lambda _tree: self.pane.tree.expand(self.pane.reveal(path)))
            if done.secrets_note:
                self.message.emit(done.secrets_note, False)
        else:
            self.message.emit(f"The environments were imported. {done.secrets_note}", False)

    def open_export(self, collection: Path | None = None) -> None:
        if collection is None:
            current = self.pane.tree.path_at(self.pane.tree.currentIndex()) or self.path
            found = self.pane.collection_of(current) if current is not None else None
            collection = found[0] if found is not None else None
        if collection is None:
            self.message.emit("Select a collection in the tree to export it.", True)
            return
        item = self.pane.model.item_for(collection)
        name = str(item.text()) if item is not None else collection.name
        # the folder of the last export, else the workspace's (never the home folder blindly)
        start = self._export_dir or collection.parent.parent
        from explorer.ui.export_dialog import ExportDialog

        dialog = ExportDialog(name, start, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda kind, target: self._export(kind, collection, target))
        self._dialog = dialog
        dialog.open()

    def _export(self, kind: str, collection: Path, target: Path) -> None:
        self._export_dir = target.parent

        def done(written: list[Path]) -> None:
            files = ", ".join(str(p) for p in written)
            self.ops.channel.show_info(f"Exported to {files}.", UNDO_SHOWN_MS)

        self._after(self.service.export(kind, collection, target), done)
