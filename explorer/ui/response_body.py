"""The body area of the response (``responseBody``): Pretty, Raw and Preview, search, go to line.

Loading never blocks the UI thread: the body is mapped and indexed by a job on the view worker
(``body_jobs.Job``), and the first screen is shown as soon as the first chunk is indexed; the
rest is indexed behind it (``responseBodyProgress`` says how far). JSON up to
``AUTO_FORMAT_LIMIT`` is then re-indented the same way and swapped in; larger bodies stay as
received with an offer to format (a streaming re-indent into a temp file: seconds of CPU per
100 MB, which nobody should pay for by default), and the button cancels a format under way.
Search streams over the document, so its count grows as matches are found. Every load bumps a
generation number, cancels the jobs of the previous one, and drops their late reports.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.errors import ExplorerError
from explorer.core.formatting import human_size, language_for
from explorer.ui.body_document import (
    CHUNK,
    BodySource,
    Document,
    Progress,
    load_steps,
    make_document,
)
from explorer.ui.body_format import FORMAT_CHUNK, format_steps
from explorer.ui.body_jobs import Cancelled, Job, Steps
from explorer.ui.body_search import SEARCH_CHUNK, SearchResult, search_steps
from explorer.ui.relay import Relay
from explorer.ui.search_bar import GoToLineBar, SearchBar
from explorer.ui.text_view import BodyTextView

AUTO_FORMAT_LIMIT = 4 * 1024 * 1024
PREVIEW_LIMIT = 32 * 1024 * 1024

P = TypeVar("P")
R = TypeVar("R")


def _load(
    body: BodySource, content_type: str, wrap: int, chunk: int
) -> Steps[Progress, Document | None]:
    """Worker: the body mapped and indexed as received (None for a binary body)."""
    if body.is_binary:
        return None
    language = language_for(content_type, body.head(64).decode("utf-8", "replace"))
    return (yield from load_steps(body, language, wrap, chunk))


class ResponseBodyPanel(QWidget):
    """Shows one body; ``loaded`` fires when the first screen is ready (benchmarks time it),
    ``formatted`` when the pretty document is complete, ``searched`` with the final count."""

    loaded = Signal()
    formatted = Signal()
    searched = Signal(int)
    _reported = Signal(object, object)

    def __init__(self, executor: Executor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responseBody")
        self._executor = executor
        self._relay = Relay(self)
        self._generation = 0
        self._jobs: dict[str, Cancelled] = {}
        self._raw: Document | None = None
        self._pretty: Document | None = None
        self._body: BodySource | None = None
        self._content_type = ""
        self._mode = "pretty"
        self._search = SearchResult()
        self._current = -1
        self.chunk = CHUNK
        """Bytes per slice of indexing and searching (tests make it tiny)."""
        self._build()
        self._reported.connect(self._on_reported)
        self.format_button.clicked.connect(self._on_format_clicked)
        self.search_bar.search_changed.connect(self._on_search_changed)
        self.search_bar.next_requested.connect(self._on_search_next)
        self.search_bar.previous_requested.connect(self._on_search_previous)
        self.search_bar.closed.connect(self._on_search_closed)
        self.go_to_line_bar.line_chosen.connect(self._on_line_chosen)
        self.go_to_line_bar.closed.connect(self.view.setFocus)
        self.view.go_to_line_requested.connect(self.open_go_to_line)
        self.view.message.connect(self._show_notice)

    def _build(self) -> None:
        self.view = BodyTextView(self._executor, self)
        self.view.setObjectName("responseBodyText")
        self.search_bar = SearchBar(self)
        self.search_bar.hide()
        self.go_to_line_bar = GoToLineBar(self)
        self.go_to_line_bar.hide()
        self.notice = QLabel(self)
        self.notice.setObjectName("responseBodyNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # a long unbroken word (a URL in an error) must not widen the window
        self.notice.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.progress = QLabel(self)
        self.progress.setObjectName("responseBodyProgress")
        self.format_button = QPushButton("Format", self)
        self.format_button.setObjectName("formatButton")
        notice_row = QWidget(self)
        row = QHBoxLayout(notice_row)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.notice, 1)
        row.addWidget(self.progress)
        row.addWidget(self.format_button)
        self._notice_row = notice_row
        notice_row.hide()

        self.preview = QLabel(self)
        self.preview.setObjectName("responsePreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        preview_scroll = QScrollArea(self)
        preview_scroll.setWidgetResizable(True)
        preview_scroll.setWidget(self.preview)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(preview_scroll)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.go_to_line_bar)
        layout.addWidget(notice_row)
        layout.addWidget(self.stack, 1)

    # -- state in -----------------------------------------------------------------------------

    @property
    def document(self) -> Document | None:
        """The document on screen."""
        return self.view.document

    def clear(self) -> None:
        self._begin()
        self._body = None
        self.view.set_document(None)
        self.preview.clear()

    def show_failure(self, text: str) -> None:
        """No body, and why, whole and selectable: the status line above shows only what fits
        of a long sentence (a refused grant names the provider, the account and what to do)."""
        self.clear()
        self._show_notice(text)

    def show_body(self, body: BodySource, content_type: str) -> None:
        self._begin()
        self._body = body
        self._content_type = content_type
        generation = self._generation
        self._run(
            "load",
            _load(body, content_type, self.view.columns(), self.chunk),
            lambda progress: self._on_load_progress(generation, progress),
            lambda done: self._on_loaded(generation, done),
        )

    def set_mode(self, mode: str) -> None:
        """``pretty``, ``raw`` or ``preview``."""
        self._mode = mode
        if mode == "preview":
            self._show_preview()
            self.stack.setCurrentIndex(1)
            return
        self.stack.setCurrentIndex(0)
        self._show_document()

    def open_search(self) -> None:
        self.search_bar.open_bar()

    def open_go_to_line(self) -> None:
        """Ctrl+G: ask for a line number and scroll to it."""
        document = self.view.document
        if document is not None:
            self.go_to_line_bar.open_bar(document.lines_known if document.complete else None)

    def search_result(self) -> SearchResult:
        return self._search

    # -- jobs ---------------------------------------------------------------------------------

    def _run(
        self,
        name: str,
        steps: Steps[P, R],
        on_progress: Callable[[P], None],
        on_done: Callable[[Future[R]], None],
    ) -> None:
        """Start job ``name`` (cancelling the previous one of that name); reports reach
        ``on_progress`` and the result ``on_done`` on the UI thread."""
        self._cancel(name)

        def report(value: P) -> None:  # on the worker
            with contextlib.suppress(RuntimeError):  # the panel is gone: nobody to tell
                self._reported.emit(on_progress, value)

        job = Job(self._executor, steps, report)
        self._jobs[name] = job.stop
        self._relay.watch(job.result, on_done)
        job.start()

    def _cancel(self, name: str) -> None:
        stop = self._jobs.pop(name, None)
        if stop is not None:
            stop.value = True

    def _on_reported(self, handler: object, value: object) -> None:
        if callable(handler):
            handler(value)

    # -- loading ------------------------------------------------------------------------------

    def _begin(self) -> None:
        for name in list(self._jobs):
            self._cancel(name)
        self._generation += 1
        self._raw = self._pretty = None
        self._search = SearchResult()
        self._current = -1
        self.search_bar.set_count(0, 0)
        self.go_to_line_bar.hide()
        self._notice_row.hide()
        self.notice.clear()
        self.progress.clear()
        self.format_button.hide()

    def _on_load_progress(self, generation: int, progress: Progress) -> None:
        if generation != self._generation:
            return
        document = progress.document
        if document is not None and self._raw is None:
            self._first_screen(document)
        elif document is not None and document is self.view.document:
            self.view.refresh()
        self._show_progress(progress)

    def _first_screen(self, document: Document) -> None:
        self._raw = document
        self._show_document()
        self.loaded.emit()
        if document.language == "json" and document.length > AUTO_FORMAT_LIMIT:
            self.notice.setText(
                f"This {human_size(document.length)} body is shown as received: "
                "formatting it takes a while. It is already searchable."
            )
            self.format_button.show()
            self._notice_row.show()

    def _on_loaded(self, generation: int, done: Future[Document | None]) -> None:
        if generation != self._generation or done.cancelled():
            return
        document = self._result(done)
        if document is None:
            if done.exception() is None:
                self._show_binary()
            return
        if self._raw is None:
            self._first_screen(document)
        elif document is self.view.document:
            self.view.refresh()
        self._show_progress(None)
        if document.language == "json" and document.length <= AUTO_FORMAT_LIMIT:
            self._start_format()

    def _result(self, done: Future[R]) -> R | None:
        """The job's result; a failure the user can act on (disk full, spill limit) is shown
        in the notice, anything else is a bug for the crash dialog."""
        error = done.exception()
        if error is None:
            return done.result()
        if not isinstance(error, ExplorerError | OSError):
            raise error
        self._show_notice(f"The body cannot be shown: {error}")
        return None

    def _show_progress(self, progress: Progress | None) -> None:
        if progress is None or progress.fraction >= 1:
            self.progress.clear()
            self._notice_row.setVisible(bool(self.notice.text()) or self.format_button.isVisible())
            return
        verb = {"indexing": "Indexing", "converting": "Converting to UTF-8"}.get(
            progress.phase, "Formatting"
        )
        self.progress.setText(f"{verb}… {progress.fraction:.0%}")
        self._notice_row.show()

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self._notice_row.show()

    # -- formatting ---------------------------------------------------------------------------

    def _start_format(self) -> None:
        raw = self._raw
        if raw is None:
            return
        generation = self._generation
        self.format_button.setText("Cancel formatting")
        self._run(
            "format",
            format_steps(raw, self.view.columns(), min(self.chunk, FORMAT_CHUNK)),
            lambda progress: self._on_format_progress(generation, progress),
            lambda done: self._on_formatted(generation, done),
        )

    def _on_format_clicked(self) -> None:
        if "format" in self._jobs:
            self._cancel("format")
            self.format_button.setText("Format")
            self._show_progress(None)
        else:
            self._start_format()

    def _on_format_progress(self, generation: int, progress: Progress) -> None:
        if generation != self._generation:
            return
        document = progress.document
        if document is not None and self._pretty is None:
            self._pretty = document
            if self._mode == "pretty":
                self._show_document()
        elif document is not None and document is self.view.document:
            self.view.refresh()
        self._show_progress(progress)

    def _on_formatted(self, generation: int, done: Future[Document | None]) -> None:
        if generation != self._generation or done.cancelled():
            return
        self._jobs.pop("format", None)
        self.format_button.setText("Format")
        pretty = self._result(done)
        self._show_progress(None)
        if pretty is None:
            if done.exception() is None and self.format_button.isVisible():
                self._show_notice("Not formatted: the body is not one JSON value.")
            return
        self.format_button.hide()
        self.notice.clear()
        self._notice_row.hide()
        first_screen = self._pretty is None
        self._pretty = pretty
        if self._mode == "pretty":
            if first_screen:
                self._show_document()
            else:
                self.view.refresh()
        self.formatted.emit()

    # -- showing ------------------------------------------------------------------------------

    def _show_document(self) -> None:
        document = self._pretty if self._mode == "pretty" and self._pretty else self._raw
        if document is not self.view.document:
            self.view.set_document(document, highlight=self._mode == "pretty")
            self._rerun_search()

    def _show_binary(self) -> None:
        size = human_size(self._body.size) if self._body else "0 B"
        self.view.set_document(
            make_document(f"Binary body, {size}. Save it to a file, or see Preview.", "text")
        )
        self.loaded.emit()

    def _show_preview(self) -> None:
        body = self._body
        if body is None:
            self.preview.setText("No response yet.")
            return
        if not self._content_type.startswith("image/") or body.size > PREVIEW_LIMIT:
            self.preview.setText(f"No preview for {self._content_type or 'this body'}.")
            return
        pixmap = QPixmap()
        if pixmap.loadFromData(body.read_bytes()):
            self.preview.setPixmap(pixmap)
        else:
            self.preview.setText("The image could not be decoded.")

    def _on_line_chosen(self, line: int) -> None:
        self.view.go_to_line(line)
        self.view.setFocus()

    # -- search -------------------------------------------------------------------------------

    def _on_search_changed(self, _needle: str, _case: bool, _regex: bool) -> None:
        self._rerun_search()

    def _rerun_search(self) -> None:
        """Search the document on screen for the bar's needle (cancelling the last search)."""
        self._cancel("search")
        document = self.view.document
        needle = self.search_bar.edit.text()
        self._search = SearchResult()
        self._current = -1
        self.view.set_matches(self._search)
        if document is None or not needle or not self.search_bar.isVisible():
            self.search_bar.set_count(0, 0)
            return
        self.search_bar.set_count(0, 0, done=False)
        found = self._search
        self._run(
            "search",
            search_steps(
                document,
                needle,
                case_sensitive=self.search_bar.case_button.isChecked(),
                regex=self.search_bar.regex_button.isChecked(),
                chunk=min(self.chunk, SEARCH_CHUNK),
            ),
            lambda more: self._on_search_progress(found, more),
            lambda done: self._on_searched(found, done),
        )

    def _on_search_progress(self, found: SearchResult, more: SearchResult) -> None:
        if found is not self._search:
            return
        found.extend(more)
        if self._current < 0 and len(found):
            self._current = 0
            self.view.set_matches(found, 0)
        else:
            self.view.matches_added(more.starts)
        self.search_bar.set_count(self._current, found.total, done=False)

    def _on_searched(self, found: SearchResult, done: Future[SearchResult]) -> None:
        if found is not self._search or done.cancelled():
            return
        self._jobs.pop("search", None)
        result = done.result()
        rest = SearchResult(result.starts[len(found) :], result.ends[len(found) :], result.total)
        found.extend(rest)
        found.error = result.error
        if self._current < 0 and len(found):
            self._current = 0
            self.view.set_matches(found, 0)
        else:
            self.view.matches_added(rest.starts)
        self.search_bar.set_count(self._current, found.total, found.error)
        self.searched.emit(found.total)

    def _step(self, delta: int) -> None:
        if not len(self._search):
            return
        self._current = (self._current + delta) % len(self._search)
        self.view.set_matches(self._search, self._current)
        self.search_bar.set_count(self._current, self._search.total, done=self._search.done)

    def _on_search_next(self) -> None:
        self._step(1)

    def _on_search_previous(self) -> None:
        self._step(-1)

    def _on_search_closed(self) -> None:
        self._rerun_search()
        self.view.setFocus()
