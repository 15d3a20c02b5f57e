"""The response's Tree tab: a JSON body as a lazy tree (``jsonTreeView``) with a JSONPath or jq
filter (``jsonFilterEdit``, ``jsonFilterMode``, ``jsonFilterError``), Copy path and Copy value.

Nothing here parses or queries on the UI thread: the body is parsed the first time the tab is
shown for it, by a sliced job on the view worker (``json_tree_jobs``); a query runs there too,
and a newer one (typed 150 ms later, or another mode) cancels it. The tree is lazy
(``json_tree_model``), and a body above ``TREE_LIMIT`` is not parsed at all: one sentence says
so and points to the text views, which handle any size.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import TypeVar

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from explorer.core.errors import ExplorerError
from explorer.core.formatting import human_size
from explorer.core.json_query import Match, Mode, jq_available
from explorer.core.json_slices import Json, JsonSyntaxError
from explorer.core.safe_parse import NestingError
from explorer.ui.body_document import BodySource
from explorer.ui.body_jobs import Cancelled, Job, Steps
from explorer.ui.held_view import HeldTreeView
from explorer.ui.json_tree_jobs import copy_steps, load_steps, query_steps, release_steps
from explorer.ui.json_tree_model import JsonTreeModel, Node
from explorer.ui.relay import Relay

TREE_LIMIT = 64 * 1024 * 1024
"""The largest body the tree parses: 64 MB of JSON is some 600 MB of Python objects."""
JQ_LIMIT = 4 * 1024 * 1024
"""jq gets the document as one JSON text in one C call that holds the GIL; above this size
that would stall the window, so jq is offered for smaller bodies only."""
DEBOUNCE_MS = 150
MODES: tuple[tuple[str, Mode], ...] = (("JSONPath", "jsonpath"), ("jq", "jq"))

P = TypeVar("P")
R = TypeVar("R")


class JsonTreePanel(QWidget):
    """Shows one JSON body as a tree; ``shown`` fires when the document's rows are in,
    ``filtered`` when a query's rows are (tests and benchmarks wait for them)."""

    shown = Signal()
    filtered = Signal()

    def __init__(self, executor: Executor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jsonTree")
        self._executor = executor
        self._relay = Relay(self)
        self._generation = 0
        self._jobs: dict[str, Cancelled] = {}
        self._body: BodySource | None = None
        self._document: Json = None
        self._loaded = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._run_query)
        self._build()

    def _build(self) -> None:
        self.mode = QComboBox(self)
        self.mode.setObjectName("jsonFilterMode")
        for label, _mode in MODES:
            self.mode.addItem(label)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("jsonFilterEdit")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setPlaceholderText("Filter, e.g. $.items[?@.price > 5].name")
        self.error = QLabel(self)
        self.error.setObjectName("jsonFilterError")
        self.error.setWordWrap(True)
        self.error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.error.hide()
        self.notice = QLabel(self)
        self.notice.setObjectName("jsonTreeNotice")
        self.notice.setWordWrap(True)
        self.notice.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.model = JsonTreeModel(self)
        self.view = HeldTreeView(self)  # a filter on the worker must not stall its paints
        self.view.setObjectName("jsonTreeView")
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)  # no per-row size queries: large pages stay cheap
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.view.header().resizeSection(0, 240)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.copy_path = self._action("Copy path", "jsonAction_copyPath", "Ctrl+Shift+C")
        self.copy_path.triggered.connect(self._on_copy_path)
        self.copy_value = self._action(
            "Copy value", "jsonAction_copyValue", QKeySequence.StandardKey.Copy
        )
        self.copy_value.triggered.connect(self._on_copy_value)
        self._set_jq_entry()

        row = QHBoxLayout()
        row.setContentsMargins(0, 4, 0, 4)
        row.addWidget(self.mode)
        row.addWidget(self.filter_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(self.view, 1)

        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.mode.currentIndexChanged.connect(self._on_filter_changed)
        self.view.activated.connect(self._on_activated)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self._set_copy_enabled(None)

    def _action(self, text: str, name: str, keys: str | QKeySequence.StandardKey) -> QAction:
        action = QAction(text, self.view)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.view.addAction(action)
        return action

    def _set_jq_entry(self) -> None:
        item = self.mode.model().item(1)  # type: ignore[attr-defined]
        if jq_available():
            item.setToolTip("jq expressions, e.g. .items[] | select(.price > 5) | .name")
            return
        item.setEnabled(False)
        item.setToolTip("jq is not installed: pip install jq to filter with jq expressions.")

    # -- state in -----------------------------------------------------------------------------

    @property
    def document(self) -> Json:
        return self._document

    def show_body(self, body: BodySource | None) -> None:
        """A new body (None: no response); parsed once the tab is shown (``activate``)."""
        self._reset()
        self._body = body
        if self.isVisible():
            self.activate()

    def activate(self) -> None:
        """The tab is on screen: parse the body if that has not started yet."""
        body = self._body
        if body is None or self._loaded or "load" in self._jobs:
            return
        if body.size > TREE_LIMIT:
            self._say(
                f"This {human_size(body.size)} body is too large for the tree (the limit is "
                f"{human_size(TREE_LIMIT)}); search it in Pretty or Raw instead."
            )
            self.filter_edit.setEnabled(False)
            return
        generation = self._generation
        self._say(f"Reading {human_size(body.size)} of JSON…")
        self._run("load", load_steps(body), lambda done: self._on_loaded(generation, done))

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.activate()

    # -- jobs ---------------------------------------------------------------------------------

    def _run(self, name: str, steps: Steps[P, R], on_done: Callable[[Future[R]], None]) -> None:
        self._cancel(name)
        job = Job(self._executor, steps)
        if name:
            self._jobs[name] = job.stop
        self._relay.watch(job.result, on_done)
        job.start()

    def _cancel(self, name: str) -> None:
        stop = self._jobs.pop(name, None)
        if stop is not None:
            stop.value = True

    def _reset(self) -> None:
        """Forget the document: cancel its jobs, empty the tree, free it on the worker."""
        for name in list(self._jobs):
            self._cancel(name)
        self._debounce.stop()
        self._generation += 1
        self.model.clear()
        self.error.hide()
        self.notice.hide()
        self.filter_edit.setEnabled(True)
        self._set_copy_enabled(None)
        self._loaded = False
        document, self._document = self._document, None
        if isinstance(document, list | dict):
            steps = release_steps(document)
            del document
            self._run("", steps, _ignore)

    def _on_loaded(self, generation: int, done: Future[Json]) -> None:
        if generation != self._generation or done.cancelled():
            return
        self._jobs.pop("load", None)
        error = done.exception()
        if error is not None:
            if not isinstance(error, ValueError | ExplorerError | OSError):
                raise error
            self._say(_sentence(error))
            self.filter_edit.setEnabled(False)
            return
        self._document = done.result()
        self._loaded = True
        self.notice.hide()
        if self.filter_edit.text().strip():
            self._run_query()
            return
        self._show_document()

    def _show_document(self) -> None:
        self.model.show_document(self._document)
        top = self.model.index(0, 0)
        self.model.fetchMore(top)  # the first level at once, not at the view's next layout
        self.view.expand(top)
        self.shown.emit()

    # -- filter -------------------------------------------------------------------------------

    def _on_filter_changed(self) -> None:
        self._debounce.start()

    def _run_query(self) -> None:
        """Run the filter on the worker (cancelling the last query); empty: the document."""
        self._debounce.stop()
        self._cancel("query")
        if not self._loaded:
            return
        expression = self.filter_edit.text().strip()
        self.error.hide()
        if not expression:
            self.notice.hide()
            self._show_document()
            return
        mode = MODES[self.mode.currentIndex()][1]
        if mode == "jq" and self._body is not None and self._body.size > JQ_LIMIT:
            self._show_error(
                f"jq filters bodies up to {human_size(JQ_LIMIT)} here; use JSONPath for this one."
            )
            return
        generation = self._generation
        self._say("Filtering…")
        self._run(
            "query",
            query_steps(self._document, expression, mode),
            lambda done: self._on_queried(generation, expression, done),
        )

    def _on_queried(self, generation: int, expression: str, done: Future[list[Match]]) -> None:
        if generation != self._generation or done.cancelled():
            return
        if expression != self.filter_edit.text().strip():
            return  # a newer query is on its way
        self._jobs.pop("query", None)
        error = done.exception()
        if error is not None:
            if not isinstance(error, ExplorerError):
                raise error
            self.notice.hide()
            self._show_error(str(error))
            return
        found = done.result()
        self.model.show_matches(found)
        self._say(f"{len(found):,} match{'es' if len(found) != 1 else ''}")
        self.filtered.emit()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    # -- copy ---------------------------------------------------------------------------------

    def _current(self) -> Node | None:
        node = self.model.node(self.view.currentIndex())
        return None if node is None or node.is_more else node

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        node = self.model.node(current)
        self._set_copy_enabled(None if node is None or node.is_more else node)

    def _set_copy_enabled(self, node: Node | None) -> None:
        self.copy_value.setEnabled(node is not None)
        self.copy_path.setEnabled(node is not None and node.path is not None)

    def _on_activated(self, index: QModelIndex) -> None:
        self.model.load_more(index)

    def _on_copy_path(self) -> None:
        node = self._current()
        if node is not None and node.path is not None:
            QGuiApplication.clipboard().setText(node.path)

    def _on_copy_value(self) -> None:
        node = self._current()
        if node is None:
            return
        generation = self._generation
        self._run("copy", copy_steps(node.value), lambda done: self._on_copied(generation, done))

    def _on_copied(self, generation: int, done: Future[str | None]) -> None:
        if generation != self._generation or done.cancelled():
            return
        self._jobs.pop("copy", None)
        text = done.result()
        if text is None:
            self._say("This value is too large to copy; save the body to a file instead.")
            return
        QGuiApplication.clipboard().setText(text)


def _ignore(_done: Future[None]) -> None:
    """A release job's end: nothing to show."""


def _sentence(error: BaseException) -> str:
    if isinstance(error, NestingError):
        return f"The tree is not built: the JSON is {error}."
    if isinstance(error, JsonSyntaxError | ExplorerError):
        return str(error)
    return f"The body cannot be read: {error}."
