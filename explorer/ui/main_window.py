"""The one window: provider bar, collections and history on the left, the request builder over
the response.

It owns the send life cycle: a send belongs to its tab (``explorer/ui/request_tabs.py``), so
switching tabs neither cancels it nor shows its progress elsewhere, and its result lands in its
tab; a new send of a tab cancels that tab's previous one (latest wins; a stale result is
dropped and its body discarded), Esc cancels the shown tab's, and a non-GET to a live
environment asks first. All blocking work happens in the injected services.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from explorer.core.auth.schema import SCHEMA
from explorer.core.auth.tokens import TokenError
from explorer.core.context import preview_scope
from explorer.core.errors import Cancelled, InvalidRequest, TemplateError, UsageError
from explorer.core.models import Exchange, RequestSpec
from explorer.core.providers import ProviderProfile
from explorer.core.templating import Scope
from explorer.core.workspace.model import Folder, auth_owner
from explorer.services.api import SendContext, SendOutcome, Services, TokenView
from explorer.services.oauth import SignInRequired
from explorer.services.workspace_api import HistoryEntry, Pasted
from explorer.ui.auth_tab import NO_INHERITED
from explorer.ui.collection_pane import CollectionPane
from explorer.ui.collections_controller import CollectionsController
from explorer.ui.credentials_panel import CredentialsPanel
from explorer.ui.heartbeat import Heartbeat
from explorer.ui.history_list import HistoryList
from explorer.ui.masked import without_masks
from explorer.ui.menus import install_menus
from explorer.ui.message_box import message_box
from explorer.ui.oauth_dialogs import OAuthController
from explorer.ui.operations import Failure, MessageChannel, Operations
from explorer.ui.otp_asker import OtpAsker
from explorer.ui.provider_bar import ProviderBar
from explorer.ui.request_editor import RequestEditor
from explorer.ui.request_tabs import NEW_REQUEST, OpenTab, RequestTabBar
from explorer.ui.response_view import EMPTY, ResponseView
from explorer.ui.theme import side_title
from explorer.ui.token_status import NOT_TRIED, TokenInspector, TokenStatus
from explorer.ui.window_text import for_window

if TYPE_CHECKING:
    from explorer.core.workspace.environments import EnvironmentValues
    from explorer.ui.cookie_jar_dialog import CookieJarDialog
    from explorer.ui.run_dialog import RunDialog
    from explorer.ui.settings_dialog import SettingsDialog
    from explorer.ui.variables_editor import VariablesEditor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Failures of a request that could not be built (an undefined variable, a malformed URL, bad
#: input): nothing was attempted, so history keeps no entry for them, as for a typo.
NEVER_SENT = (TemplateError, UsageError, InvalidRequest)
NO_CREDENTIALS = "This collection is bound to no provider: its requests carry only their own auth."


@dataclass(frozen=True, slots=True)
class WindowDialogs:
    cookie_jar: CookieJarDialog
    variables: VariablesEditor
    settings: SettingsDialog


class MainWindow(QMainWindow):
    request_finished = Signal(object)
    request_failed = Signal(str)
    providers_loaded = Signal()
    token_changed = Signal()
    _progressed = Signal(int, int, int)
    _waiting = Signal(int, float, str)  # generation, seconds, reason (a 429 retry's wait)
    _token_event = Signal(str, str, str)

    def __init__(
        self, services: Services, parent: QWidget | None = None, *, complete_later: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("API Explorer")
        self.services = services
        self.messages = MessageChannel(self)
        self.ops = Operations(self.messages, self)
        self._generation = 0  # numbers every send, so a tab knows its own results
        self._confirm: QMessageBox | None = None
        self._inspector: TokenInspector | None = None
        self._saved_environments: dict[str, list[EnvironmentValues]] = {}
        self._scope = Scope()  # the URL bar's preview scope (``_update_editor_scope``)
        self.workspace: CollectionsController | None = None
        self.heartbeat = Heartbeat(self)
        self._build()
        # before the signals: the token indicator asks it whether the request uses OAuth2
        self.oauth = OAuthController(self, services.oauth, self.ops, self.editor, self._context)
        self.oauth.status_changed.connect(self._refresh_token_status)
        self._connect()
        if services.providers is not None:
            self.provider_bar.provider_combo.setPlaceholderText("Loading providers…")
            self.ops.run(
                services.providers.load(),
                self._on_catalog_loaded,
                on_failure=self._on_catalog_failed,
            )
        if services.tokens is not None:
            services.tokens.subscribe(self._emit_token_event)
        self.credentials.set_service(services.credentials, self.ops)
        self.otp = OtpAsker(self)
        services.otp.connect(self.otp.ask)
        self._open_workspace()
        self._install_cookies()
        self._install_variables_editor()
        install_menus(self)  # Edit, View, Help (last) and Quit around File and Run (menus.py)
        self._dialogs: WindowDialogs | None = None
        if not complete_later:
            self.complete()
        self._on_provider_bar_changed()
        self.restore_state()
        self.heartbeat.start()

    def _build(self) -> None:
        self.provider_bar = ProviderBar(self)
        self.token_status = TokenStatus(self)
        top = QWidget(self)
        top.setObjectName("topBar")
        top_row = QHBoxLayout(top)
        top_row.setContentsMargins(8, 6, 8, 6)
        top_row.addWidget(self.provider_bar, 1)
        top_row.addWidget(self.token_status)

        self.collections = CollectionPane(self)
        self.history = HistoryList(self)
        self.credentials = CredentialsPanel(self)
        side = QSplitter(Qt.Orientation.Vertical, self)
        side.setObjectName("sideSplitter")
        side.addWidget(self._titled("Collections", self.collections))
        side.addWidget(self._titled("History", self.history))
        side.addWidget(self.credentials)
        side.setSizes([360, 200, 240])
        self.side_splitter = side

        request_side = self._request_column()
        self.response = ResponseView(self.services.worker, self.services.disk, self)
        self.work_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.work_splitter.setObjectName("workSplitter")
        self.work_splitter.addWidget(request_side)
        self.work_splitter.addWidget(self.response)
        self.work_splitter.setStretchFactor(0, 2)
        self.work_splitter.setStretchFactor(1, 3)
        self.work_splitter.setSizes([300, 500])
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(side)
        self.main_splitter.addWidget(self.work_splitter)
        self.main_splitter.setStretchFactor(1, 1)
        self.main_splitter.setSizes([380, 1060])  # wide enough for the credentials rows

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(top)
        layout.addWidget(self.main_splitter, 1)
        self.setCentralWidget(central)
        self.statusBar().addWidget(self.messages, 1)
        self.resize(1280, 800)

    def _request_column(self) -> QWidget:
        """The open tabs over the one request editor, which starts on a new draft."""
        self.editor = RequestEditor(self)
        self.editor.load(NEW_REQUEST)
        self.tabs = RequestTabBar(self)
        self.tabs.add(OpenTab(NEW_REQUEST, None, NEW_REQUEST))
        column = QWidget(self)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.tabs)
        layout.addWidget(self.editor, 1)
        return column

    def _titled(self, title: str, widget: QWidget) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(8, 4, 0, 4)
        layout.setSpacing(4)
        layout.addWidget(side_title(title, box))
        layout.addWidget(widget, 1)
        return box

    def _connect(self) -> None:
        self._shortcut("Ctrl+Return", self._on_editor_send_requested)
        self._shortcut("Ctrl+Enter", self._on_editor_send_requested)
        self._shortcut("Esc", self._on_escape_pressed)
        self._shortcut(QKeySequence.StandardKey.Find, self.response.open_search)
        self._shortcut("Ctrl+L", self._on_focus_url)
        self.editor.send_requested.connect(self._on_editor_send_requested)
        self.editor.cancel_requested.connect(self.cancel)
        self.editor.snippet_requested.connect(self._on_editor_snippet_requested)
        self.editor.curl_pasted.connect(self._on_editor_curl_pasted)
        self.history.entry_activated.connect(self._on_history_entry_activated)
        self.provider_bar.selection_changed.connect(self._on_provider_bar_changed)
        self._progressed.connect(self._on_sender_progressed)
        self._waiting.connect(self._on_sender_waiting)
        self._token_event.connect(self._on_tokens_event)
        self.token_status.clicked.connect(self._on_token_status_clicked)
        self.credentials.changed.connect(self._refresh_token_status)

    def _shortcut(self, keys: str | QKeySequence.StandardKey, slot: object) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)

    # -- state ----------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether the shown tab has a send in flight."""
        tab = self.tabs.current()
        return tab is not None and tab.pending is not None

    def _settings(self) -> QSettings:
        return QSettings(str(self.services.settings_path), QSettings.Format.IniFormat)

    def restore_state(self) -> None:
        settings = self._settings()
        for key, target in (
            ("geometry", self.restoreGeometry),
            ("main_splitter", self.main_splitter.restoreState),
            ("work_splitter", self.work_splitter.restoreState),
            ("side_splitter", self.side_splitter.restoreState),
        ):
            value = settings.value(f"window/{key}")
            if isinstance(value, QByteArray):
                target(value)

    def save_state(self) -> None:
        settings = self._settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/main_splitter", self.main_splitter.saveState())
        settings.setValue("window/work_splitter", self.work_splitter.saveState())
        settings.setValue("window/side_splitter", self.side_splitter.saveState())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.services.otp.connect(None)
        self.otp.give_up()
        self.oauth.close()
        if self.workspace is not None:
            self.workspace.keep_tabs()  # drafts are kept, not asked about
        for tab in self.tabs.states():
            tab.stop()
        self.heartbeat.stop()
        self.save_state()
        super().closeEvent(event)

    # -- sending --------------------------------------------------------------------------------

    def _on_editor_send_requested(self) -> None:
        problem = self.editor.body.validation_problem()
        if problem:
            self.response.show_message(f"The JSON body is not valid: {problem}", error=True)
            return
        spec = self.editor.to_spec()
        environment = self.provider_bar.environment()
        if environment is not None and environment.live and spec.method not in SAFE_METHODS:
            self._ask_live(spec, environment.name)
            return
        self.send(spec)

    def _ask_live(self, spec: RequestSpec, environment: str) -> None:
        box = message_box(
            self,
            "liveConfirmation",
            QMessageBox.Icon.Warning,
            "Send to a live environment?",
            f"{spec.method} {self._shown_target(spec.url)} goes to {environment}, a live "
            "environment: it may change real data. Send it?",
        )
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        send = box.addButton("Send", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: self.send(spec) if button is send else None)
        self._confirm = box
        box.open()

    def _shown_target(self, url: str) -> str:
        """Where ``url`` goes, as the confirmation names it: its variables filled from the
        preview scope (the environment's base URL ...), secrets left as placeholders; the URL
        as written when something in it is undefined."""
        from explorer.core.errors import ExplorerError
        from explorer.core.templating import expand, join_base_url

        try:
            return expand(join_base_url(url), self._scope, "URL")
        except ExplorerError:
            return url

    def send(self, spec: RequestSpec) -> None:
        """Send ``spec`` from the shown tab in the chosen context; that tab's send in flight is
        cancelled (latest wins), other tabs' sends go on."""
        tab = self.tabs.current()
        if tab is None:
            return
        self._generation += 1
        generation = self._generation
        context = self._context()
        pending = self.services.sender.start(
            spec,
            context,
            lambda received, total: self._emit_progress(generation, received, total),
            lambda seconds, reason: self._waiting.emit(generation, seconds, reason),
        )
        tab.begin(pending, generation)
        self.editor.set_busy(True)
        self.response.show_sending()
        self.ops.run(
            pending.future,
            lambda outcome: self._on_sender_finished(tab, generation, spec, context, outcome),
            on_failure=lambda error: self._on_sender_failed(tab, generation, context, error),
        )

    def _context(self) -> SendContext:
        return SendContext(
            provider_id=self.provider_bar.provider_id(),
            environment=self.provider_bar.environment_name(),
            folders=self.workspace.folders_of_open() if self.workspace is not None else (),
            request_path=self.workspace.path if self.workspace is not None else None,
        )

    def cancel(self) -> None:
        """Esc or Cancel: stop the shown tab's send."""
        tab = self.tabs.current()
        if tab is not None and tab.pending is not None:
            tab.stop()
            self.editor.set_busy(False)
            self.response.clear("Cancelled.")
            tab.keep_outcome(None, "Cancelled.")

    def _emit_progress(self, generation: int, received: int, total: int | None) -> None:
        """Runs on the network worker: hand the numbers to the UI thread."""
        self._progressed.emit(generation, received, -1 if total is None else total)

    def _shows(self, generation: int) -> bool:
        """Whether send ``generation`` is the shown tab's send in flight."""
        tab = self.tabs.current()
        return tab is not None and tab.owns(generation)

    def _on_sender_waiting(self, generation: int, seconds: float, reason: str) -> None:
        if self._shows(generation):
            self.response.show_waiting(seconds, reason)

    def _on_sender_progressed(self, generation: int, received: int, total: int) -> None:
        if self._shows(generation):
            self.response.show_progress(received, None if total < 0 else total)

    def _on_sender_failed(
        self, tab: OpenTab, generation: int, context: SendContext, error: Failure
    ) -> None:
        """A send that ended without an answer: the previous response must not stay on screen
        (or in its tab) as if it were this request's."""
        if not tab.owns(generation):
            return
        tab.pending = None
        shown = tab is self.tabs.current()
        cancelled = isinstance(error, Cancelled)
        # a cancel says who gave up; an undefined variable points to the variables editor
        text = (str(error) or "Cancelled.") if cancelled else for_window(str(error))
        if shown:
            self.editor.set_busy(False)
            self.response.clear(text, error=not cancelled)
        tab.keep_outcome(None, text, error=not cancelled)
        if cancelled:
            return
        if not isinstance(error, NEVER_SENT):
            self._record_failure(tab, context, str(error))
        self.request_failed.emit(text)
        if isinstance(error, SignInRequired):
            self.oauth.sign_in_needed(str(error))
        elif isinstance(error, TokenError) and context.provider_id and context.environment:
            target = (context.provider_id, context.environment)
            self._on_tokens_state(target, TokenView("failed", str(error)))
        else:
            self._refresh_token_status()

    def _on_sender_finished(
        self,
        tab: OpenTab,
        generation: int,
        spec: RequestSpec,
        context: SendContext,
        outcome: SendOutcome,
    ) -> None:
        if not tab.owns(generation):  # superseded, cancelled, or its tab closed
            outcome.exchange.response.body.discard()
            return
        tab.pending = None
        exchange = outcome.exchange
        if tab is self.tabs.current():
            self.editor.set_busy(False)
            self.response.show_exchange(exchange, outcome.problem, outcome.notes)
        tab.keep_outcome(outcome)
        if outcome.token is not None:
            self._show_token(outcome.token)
        self.oauth.refresh()  # a send may have got or refreshed the request's OAuth2 token
        entry = HistoryEntry(
            spec=spec,
            status=exchange.response.status,
            elapsed_ms=exchange.timings.total_ms,
            size=exchange.response.body.size,
            sent_at=datetime.now(UTC).isoformat(timespec="seconds"),
            provider_id=context.provider_id,
            environment=context.environment,
        )
        self._record(entry, exchange)
        self.request_finished.emit(outcome)

    # -- other intents ----------------------------------------------------------------------------

    def _take_kept_paste(self, pasted: Pasted, notes: list[str]) -> None:
        self.editor.take_pasted(pasted.spec, notes, pasted.note)
        if self.provider_bar.collection is not None:  # its secret variables are listed there
            self.credentials.show_collection(self.provider_bar.collection)

    def _on_editor_curl_pasted(self, spec: RequestSpec, notes: list[str]) -> None:
        """A pasted curl into an open request of a collection: its literal credentials go to
        the keyring as the collection's secret variables before the editor shows it, so saving
        never writes them; elsewhere (no collection) the request is taken as pasted."""
        workspace = self.workspace
        path = workspace.path if workspace is not None else None
        if workspace is None or path is None or self.services.workspace is None:
            self.editor.take_pasted(spec, notes)
            return

        def kept(pasted: Pasted) -> None:
            if not pasted.note:  # nothing moved: no collection file changed
                self.editor.take_pasted(pasted.spec, notes)
                return
            # The collection now declares the new secret variables: sends read its folders
            # from the tree, so the editor takes the request once the tree has them.
            workspace.reload(lambda _tree: self._take_kept_paste(pasted, notes))

        self.ops.run(
            self.services.workspace.keep_pasted(path, spec),
            kept,
            on_failure=lambda error: self.editor.take_pasted(
                spec, notes, f"Its credentials stay as pasted: {error}"
            ),
        )

    def _on_editor_snippet_requested(self) -> None:
        if self.services.snippets is None:
            return
        from explorer.ui.snippet_dialog import SnippetDialog  # not needed for the first paint

        dialog = SnippetDialog(
            self.services.snippets,
            self.services.worker,
            self.editor.to_spec(),
            self._context(),
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _on_escape_pressed(self) -> None:
        if self.busy:
            self.cancel()
        elif self.response.body.search_bar.isVisible():
            self.response.body.search_bar.hide()

    def _on_focus_url(self) -> None:
        self.editor.url.setFocus()
        self.editor.url.selectAll()

    def _on_history_entry_activated(self, entry: object) -> None:
        if isinstance(entry, HistoryEntry):
            if self.workspace is not None:
                self.workspace.open_unsaved(entry.spec)  # a new draft tab
            else:
                self.editor.load(entry.spec)
            self.provider_bar.select(entry.provider_id, entry.environment)

    def _on_provider_bar_changed(self) -> None:
        tab = self.tabs.current()
        if tab is not None and self.provider_bar.collection is None:
            tab.provider_id = self.provider_bar.provider_id()  # the tab's own choice
            tab.environment = self.provider_bar.environment_name()
        self._update_editor_scope()
        self._load_saved_environments()
        provider = self.provider_bar.provider()
        environment = self.provider_bar.environment()
        self.credentials.show_target(
            provider.id if provider else None, environment.name if environment else None
        )
        if self.provider_bar.collection is not None:
            self.credentials.show_collection(self.provider_bar.collection)
        self._refresh_token_status()

    def _on_catalog_failed(self, error: Failure) -> None:
        self.provider_bar.provider_combo.setPlaceholderText("")
        self.messages.show_error(f"Providers could not be loaded: {error}")

    def _on_catalog_loaded(self, loaded: tuple[list[ProviderProfile], list[str]]) -> None:
        self.provider_bar.provider_combo.setPlaceholderText("")
        profiles, problems = loaded
        self.provider_bar.load(profiles)
        if problems:
            self.messages.show_error(" ".join(problems))
        demo = next((p for p in profiles if any(e.sandbox for e in p.environments)), None)
        if demo is not None:
            self.provider_bar.select(demo.id)
        self.providers_loaded.emit()
        self._open_first_sample()

    # -- tokens ---------------------------------------------------------------------------------

    def _target(self) -> tuple[str, str] | None:
        provider = self.provider_bar.provider()
        environment = self.provider_bar.environment()
        if provider is None or environment is None:
            return None
        return provider.id, environment.name

    def _refresh_token_status(self) -> None:
        """The request's own OAuth2 token when it uses one, else the provider environment's."""
        own = self.oauth.status_view()
        if own is not None:
            self._show_token(own)
            return
        target = self._target()
        if target is None or self.services.tokens is None:
            unbound = self.provider_bar.collection is not None
            detail = NO_CREDENTIALS if unbound else "no provider chosen"
            self._show_token(TokenView("unused", detail))
            return
        self._watch_token(target, self.services.tokens.state(*target), tried=False)

    def _watch_token(self, target: tuple[str, str], future: Future[TokenView], tried: bool) -> None:
        """Show the token ``future`` reports for ``target`` if it is still the chosen one.

        Reading the state can fail before any token was asked for (credentials missing, a live
        host on plain HTTP): that is "not tried yet", with the reason; only a grant or refresh
        that was ``tried`` and failed is "failed"."""

        def failed(error: Failure) -> None:
            if tried:
                self._on_tokens_state(target, TokenView("failed", str(error)))
            else:
                self._on_tokens_state(target, TokenView("none", f"{NOT_TRIED}: {error}"))

        self.ops.run(future, lambda view: self._on_tokens_state(target, view), on_failure=failed)

    def _on_tokens_state(self, target: tuple[str, str], view: TokenView) -> None:
        if target == self._target():
            self._show_token(view)

    def _show_token(self, view: TokenView) -> None:
        self.token_status.show_view(view)
        if self._inspector is not None and self._inspector.isVisible():
            self._inspector.show_view(view)
        self.token_changed.emit()

    def _emit_token_event(self, provider_id: str, environment: str, kind: str) -> None:
        """Runs on a worker (the token manager's thread): hand over to the UI thread."""
        self._token_event.emit(provider_id, environment, kind)

    def _on_tokens_event(self, provider_id: str, environment: str, kind: str) -> None:
        if (provider_id, environment) != self._target():
            return
        if kind == "requested":
            self.token_status.show_refreshing()
        else:
            self._refresh_token_status()

    def _on_token_status_clicked(self) -> None:
        if self.oauth.status_view() is not None:
            self.oauth.inspect()
            return
        if self._inspector is None:
            self._inspector = TokenInspector(self)
            self._inspector.refresh_requested.connect(self._on_inspector_refresh)
            self._inspector.forget_requested.connect(self._on_inspector_forget)
        self._inspector.show_view(self.token_status.view)
        self._inspector.show()
        self._refresh_token_status()

    def _on_inspector_refresh(self) -> None:
        target = self._target()
        if target is None or self.services.tokens is None:
            return
        self.token_status.show_refreshing()
        self._watch_token(target, self.services.tokens.refresh(*target), tried=True)

    def _on_inspector_forget(self) -> None:
        target = self._target()
        if target is None or self.services.tokens is None:
            return
        self._watch_token(target, self.services.tokens.forget(*target), tried=False)

    def load_request(self, spec: RequestSpec) -> None:
        """Show ``spec`` as a request that lives in no file (sent in the selected provider
        environment, not in the binding of whatever collection request was open before)."""
        if self.workspace is not None:
            self.workspace.open_unsaved(spec)
        else:
            self.editor.load(spec)

    # -- workspace: collections and history (explorer/ui/collections_controller.py) -------------

    def _open_workspace(self) -> None:
        """Collections, history and the File menu, when a workspace service is given."""
        if self.services.history is not None:
            self.history.attach(self.services.history, self.ops)
            self.ops.run(
                self.services.history.recent(),
                self.history.load,
                failure="History could not be read",
            )
        self.history.save_requested.connect(self._on_history_save_requested)
        if self.services.workspace is None:
            return
        workspace = CollectionsController(
            self,
            self.services.workspace,
            self.collections,
            self.editor,
            self.ops,
            tabs=self.tabs,
            drafts=self.services.drafts,
        )
        workspace.provider_wanted.connect(self._on_workspace_provider_wanted)
        workspace.restored.connect(self._open_first_sample)
        workspace.message.connect(self._on_workspace_message)
        workspace.tree_loaded.connect(self._open_first_sample)
        workspace.tree_loaded.connect(self._update_editor_scope)
        workspace.tree_loaded.connect(self._sync_collection)
        workspace.opened.connect(self._on_workspace_opened)
        workspace.run_requested.connect(self.open_run_dialog)
        workspace.install_menu(self.menuBar().addMenu("&File"))
        self.workspace = workspace
        workspace.reload()
        if self.services.runs is not None:
            run_menu = self.menuBar().addMenu("&Run")
            action = run_menu.addAction("Run collection…")
            action.setObjectName("runCollectionAction")
            action.triggered.connect(self._on_run_action_triggered)

    def _install_cookies(self) -> None:
        """Tools → Cookies… (``cookiesAction``): the jar viewer lists the jars when opened
        (``explorer/ui/cookie_jar_dialog.py``)."""
        menus = self.menuBar().findChildren(QMenu)
        tools = next((m for m in menus if m.title() == "&Tools"), None)
        tools = tools or self.menuBar().addMenu("&Tools")
        action = tools.addAction("Cookies…")
        action.setObjectName("cookiesAction")
        action.triggered.connect(self.open_cookie_jar)

    def _install_variables_editor(self) -> None:
        """File → Environments and variables… (Ctrl+Shift+E) and ``variablesButton`` beside
        the environment combo open the editor (``explorer/ui/variables_editor.py``)."""
        action = QAction("Environments and variables…", self)
        action.setObjectName("variablesAction")
        action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(self.open_variables_editor)
        menus = [m for a in self.menuBar().actions() if isinstance(m := a.menu(), QMenu)]
        file_menu = next((m for m in menus if m.title() == "&File"), None)
        (file_menu or self.menuBar().addMenu("&File")).addAction(action)
        self.provider_bar.variables_button.clicked.connect(self.open_variables_editor)

    def complete(self) -> None:
        """Build what the first paint does not show but the window's object names promise:
        the dialogs and the response's extra pages. The app calls it right after the first
        paint (``app.run_gui``), which must not wait for their modules; a window made without
        ``complete_later`` (tests, tools) has them at once."""
        self.dialogs()
        self.response.extra_pages()

    def dialogs(self) -> WindowDialogs:
        """``variablesEditor``, ``cookieJarDialog`` and ``settingsDialog``, built hidden on
        first call (``complete``)."""
        if self._dialogs is None:
            from explorer.ui.cookie_jar_dialog import CookieJarDialog
            from explorer.ui.menus import settings_dialog
            from explorer.ui.variables_editor import VariablesEditor

            editor = VariablesEditor(self.services.variables, self.ops, self._selection, self)
            editor.saved.connect(self._on_variables_saved)
            self._dialogs = WindowDialogs(
                CookieJarDialog(self.services.cookies, self.ops, self),
                editor,
                settings_dialog(self),
            )
        return self._dialogs

    def open_cookie_jar(self) -> None:
        self.dialogs().cookie_jar.open()

    def open_settings(self) -> None:
        self.dialogs().settings.open_settings()

    @property
    def variables_editor(self) -> VariablesEditor:
        return self.dialogs().variables

    @property
    def cookie_jar(self) -> CookieJarDialog:
        return self.dialogs().cookie_jar

    def _selection(self) -> tuple[str | None, str | None]:
        return self.provider_bar.provider_id(), self.provider_bar.environment_name()

    def open_variables_editor(self) -> VariablesEditor:
        """The editor on what the window shows: the chosen environment of a provider-less
        collection, else the open request's collection, else the provider environment."""
        from explorer.services.variables import ENVIRONMENT, FOLDER, PROVIDER, VariableScope

        bar, scope = self.provider_bar, None
        folders = self.workspace.folders_of_open() if self.workspace is not None else ()
        environment = bar.environment_name()
        if bar.collection is not None and environment:
            scope = VariableScope(ENVIRONMENT, bar.collection, bar.collection.name, environment)
        elif folders and folders[-1].path is not None:
            scope = VariableScope(FOLDER, folders[-1].path)
        elif bar.provider_id() and environment:
            scope = VariableScope(PROVIDER, None, bar.provider_id() or "", environment)
        self.variables_editor.open_for(scope)
        return self.variables_editor

    def _on_variables_saved(self) -> None:
        """Variables or environments changed on disk: the tree (folder variables), the
        collection's environment list and the provider's saved values are read again, so the
        URL bar's colouring and the next send use them; the credentials panel lists the secrets
        as stored now."""
        self._saved_environments.clear()
        self._on_provider_bar_changed()
        if self.workspace is not None:
            self.workspace.reload()

    def _on_run_action_triggered(self) -> None:
        """The selected (or open) request's collection; a folder picker when there is none."""
        workspace = self.workspace
        collection = workspace.current_collection() if workspace is not None else None
        if workspace is not None and collection is not None:
            workspace.run_collection(collection)
        else:
            self.open_run_dialog()

    def open_run_dialog(self, directory: Path | None = None) -> RunDialog | None:
        """Runs a collection folder (chosen with a folder picker when none is given) in the
        current provider environment, in a non-modal results dialog."""
        if self.services.runs is None:
            return None
        if directory is None:
            chosen = QFileDialog.getExistingDirectory(self, "Run collection")
            if not chosen:
                return None
            directory = Path(chosen)
        from explorer.ui.run_dialog import RunDialog  # not needed for the first paint

        dialog = RunDialog(
            self.services.runs,
            directory,
            self.provider_bar.provider_id(),
            self.provider_bar.environment_name(),  # a provider-less collection's too
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _record(self, entry: HistoryEntry, exchange: Exchange) -> None:
        if self.services.history is None:
            return
        self.ops.run(
            self.services.history.record(entry, exchange),
            self.history.add,
            failure="History could not be saved",
        )

    def _record_failure(self, tab: OpenTab, context: SendContext, error: str) -> None:
        """A send that got no answer (refused, timed out, TLS, DNS) is history too, with its
        sentence; its URL as it was to go out, stored values left as placeholders."""
        if self.services.history is None:
            return
        spec = self.editor.to_spec() if tab is self.tabs.current() else tab.spec
        entry = HistoryEntry(
            spec=spec,
            status=None,
            elapsed_ms=0.0,
            size=0,
            sent_at=datetime.now(UTC).isoformat(timespec="seconds"),
            provider_id=context.provider_id,
            environment=context.environment,
            url=self._shown_target(spec.url),
            error=error,
        )
        self.ops.run(
            self.services.history.record_failure(entry),
            self.history.add,
            failure="History could not be saved",
        )

    def _on_history_save_requested(self, entry: object) -> None:
        if isinstance(entry, HistoryEntry) and self.workspace is not None:
            self.workspace.save_as(without_masks(entry.spec).spec)  # bullets are no value

    def _on_workspace_opened(self) -> None:
        """Another tab is in the builder: the response area shows that tab's response (or is
        empty), never the previous request's; its send in flight says "Sending…"; the
        provider environment chosen for it comes back."""
        tab = self.tabs.current()
        if tab is not None:
            self.editor.set_busy(tab.pending is not None)
            if tab.outcome is not None:
                outcome = tab.outcome
                self.response.show_exchange(outcome.exchange, outcome.problem, outcome.notes)
            else:
                self.response.clear(tab.message or EMPTY, error=tab.error)
            if tab.pending is not None:
                self.response.show_sending()
            if tab.provider_id is not None:
                self.provider_bar.select(tab.provider_id, tab.environment)
        self._update_editor_scope()
        self._sync_collection()
        self._refresh_token_status()  # this request may use its own OAuth2 token, or not

    def _sync_collection(self) -> None:
        """The provider bar follows the open request: a collection bound to no provider is
        sent without one (``explorer.core.context.bind``), with one of its own saved
        environments (read off the UI thread); anything else gets the provider list back."""
        workspace = self.workspace
        collection = workspace.unbound_collection() if workspace is not None else None
        if workspace is None or collection is None or collection.path is None:
            self.provider_bar.show_providers()
            return
        path, name = collection.path, collection.name
        if self.provider_bar.collection != path:
            self.provider_bar.show_collection(path, name)
        self.ops.run(
            workspace.service.environments(path),
            lambda found: self._on_collection_environments(path, name, found),
            failure=f"The environments of {name} could not be read",
        )

    def _on_collection_environments(
        self, path: Path, name: str, found: list[EnvironmentValues]
    ) -> None:
        if self.provider_bar.collection == path:  # not another request opened meanwhile
            self.provider_bar.show_collection(path, name, found)

    def _update_editor_scope(self) -> None:
        """What the URL bar colours as defined and completes: the layers a send would use
        (``context.preview_scope``), stored values as placeholders."""
        folders = self.workspace.folders_of_open() if self.workspace is not None else ()
        profile = self.provider_bar.provider()
        environment = self.provider_bar.environment()
        saved = self.provider_bar.collection_environment()
        if saved is None and profile is not None and environment is not None:
            wanted = environment.name.lower()
            known = self._saved_environments.get(profile.id, [])
            saved = next((e for e in known if e.name.lower() == wanted), None)
        self._scope = preview_scope(profile, environment, folders, saved=saved)
        self.editor.set_scope(self._scope)
        owner = auth_owner(folders)
        oauth = owner is not None and owner.auth is not None and owner.auth.type == "oauth2"
        self.editor.auth.set_inherited(self._inherited_auth(folders), oauth)

    def _load_saved_environments(self) -> None:
        """The selected provider's saved environment values (once per provider), for the
        preview; the scope is updated when they arrive."""
        profile = self.provider_bar.provider()
        if profile is None or self.workspace is None or profile.id in self._saved_environments:
            return
        provider_id = profile.id
        self._saved_environments[provider_id] = []

        def loaded(found: list[EnvironmentValues]) -> None:
            self._saved_environments[provider_id] = found
            self._update_editor_scope()

        self.ops.run(
            self.workspace.service.provider_environments(provider_id),
            loaded,
            failure="The saved environments could not be read",
        )

    def _inherited_auth(self, folders: tuple[Folder, ...]) -> str:
        """The Auth tab's sentence for "Inherit": the nearest folder's auth, else the
        provider's, else none (as ``workspace.model.with_inherited`` and ``context.bind``)."""
        owner = auth_owner(folders)
        if owner is not None and owner.auth is not None:
            known = SCHEMA.get(owner.auth.type)
            label = known.label if known is not None else owner.auth.type
            return f"Uses the {label} auth set on '{owner.name}'."
        provider = self.provider_bar.provider()
        if provider is None:
            return NO_INHERITED
        return f"Uses {provider.name}'s auth: its token is fetched and refreshed for you."

    def _open_first_sample(self) -> None:
        """In the demo, once both the providers and the tree are there, open the chosen
        provider's first sample, so a first request is one click (Send) away."""
        provider = self.provider_bar.provider()
        if (
            self.workspace is None
            or provider is None
            or not any(e.sandbox for e in provider.environments)
            or self.workspace.restoring
            or not self._showing_blank()
        ):
            return
        self.workspace.open_first(provider.id)

    def _showing_blank(self) -> bool:
        """An untouched new draft is on screen (nothing the user opened or typed)."""
        tab = self.tabs.current()
        return tab is not None and tab.blank and self.editor.to_spec() == NEW_REQUEST

    def _on_workspace_provider_wanted(self, provider_id: str) -> None:
        if provider_id != self.provider_bar.provider_id():
            self.provider_bar.select(provider_id)

    def _on_workspace_message(self, text: str, error: bool) -> None:
        if error:
            self.messages.show_error(text)
        else:
            self.messages.show_info(text)
