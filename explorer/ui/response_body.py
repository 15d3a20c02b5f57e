"""The body area of the response (``responseBody``): Pretty, Raw and Preview, with search.

Loading never blocks the UI thread: the body is decoded and indexed on the worker and shown as
received at once; JSON up to ``AUTO_FORMAT_LIMIT`` is then re-indented on the worker and swapped
in, larger bodies stay as received with an offer to format (re-indenting 50 MB takes seconds of
CPU, which nobody should pay for by default). Every load bumps a generation number, and results of
an older generation are dropped.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.formatting import human_size, language_for
from explorer.ui.body_document import (
    BodySource,
    Cancelled,
    Document,
    SearchResult,
    decode,
    make_document,
    reindent_json,
    search,
)
from explorer.ui.relay import Relay
from explorer.ui.search_bar import SearchBar
from explorer.ui.text_view import BodyTextView

AUTO_FORMAT_LIMIT = 4 * 1024 * 1024
PREVIEW_LIMIT = 32 * 1024 * 1024


def _load(body: BodySource, content_type: str, wrap: int) -> Document | None:
    """Worker: decode and index the body as received (None for a binary body)."""
    head = body.head(64)
    if body.is_binary:
        return None
    language = language_for(content_type, head.decode("utf-8", "replace"))
    return make_document(decode(body), language, wrap=wrap)


def _format(raw: Document, wrap: int, stop: Cancelled) -> Document | None:
    pretty = reindent_json(raw.text, stop=stop)
    if pretty is None:
        return None
    return make_document(pretty, raw.language, wrap=wrap, formatted=True)


class ResponseBodyPanel(QWidget):
    """Shows one body; ``loaded`` fires when the first screen is ready (benchmarks time it)."""

    loaded = Signal()
    formatted = Signal()
    searched = Signal(int)

    def __init__(self, executor: Executor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responseBody")
        self._executor = executor
        self._relay = Relay(self)
        self._generation = 0
        self._stop = Cancelled()
        self._raw: Document | None = None
        self._pretty: Document | None = None
        self._body: BodySource | None = None
        self._content_type = ""
        self._mode = "pretty"
        self._search: SearchResult = SearchResult()
        self._search_generation = 0
        self._current = -1

        self.view = BodyTextView(executor, self)
        self.view.setObjectName("responseBodyText")
        self.search_bar = SearchBar(self)
        self.search_bar.hide()
        self.notice = QLabel(self)
        self.notice.setObjectName("responseBodyNotice")
        self.notice.setWordWrap(True)
        self.format_button = QPushButton("Format", self)
        self.format_button.setObjectName("formatButton")
        notice_row = QWidget(self)
        row = QHBoxLayout(notice_row)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.notice, 1)
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
        layout.addWidget(notice_row)
        layout.addWidget(self.stack, 1)

        self.format_button.clicked.connect(self._on_format_clicked)
        self.search_bar.search_changed.connect(self._on_search_changed)
        self.search_bar.next_requested.connect(self._on_search_next)
        self.search_bar.previous_requested.connect(self._on_search_previous)
        self.search_bar.closed.connect(self._on_search_closed)

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
        self._notice_row.hide()

    def show_body(self, body: BodySource, content_type: str) -> None:
        self._begin()
        self._body = body
        self._content_type = content_type
        generation = self._generation
        self._relay.submit(
            self._executor,
            lambda done: self._on_worker_loaded(generation, done),
            _load,
            body,
            content_type,
            self.view.columns(),
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

    def search_result(self) -> SearchResult:
        return self._search

    # -- loading ------------------------------------------------------------------------------

    def _begin(self) -> Cancelled:
        self._stop.value = True
        self._stop = Cancelled()
        self._generation += 1
        self._raw = self._pretty = None
        self._search = SearchResult()
        self._current = -1
        self.search_bar.set_count(0, 0)
        return self._stop

    def _on_worker_loaded(self, generation: int, done: Future[Document | None]) -> None:
        if generation != self._generation:
            return
        error = done.exception()
        if error is not None:
            raise error
        document = done.result()
        if document is None:
            self._show_binary()
            return
        self._raw = document
        self._show_document()
        self.loaded.emit()
        if document.language == "json":
            if len(document.text) <= AUTO_FORMAT_LIMIT:
                self._start_format()
            else:
                self.notice.setText(
                    f"This {human_size(len(document.text))} body is shown as received: "
                    "formatting it takes a while. It is already searchable."
                )
                self._notice_row.show()
        self._rerun_search()

    def _start_format(self) -> None:
        if self._raw is None:
            return
        generation = self._generation
        self.format_button.setEnabled(False)
        self.format_button.setText("Formatting…")
        self._relay.submit(
            self._executor,
            lambda done: self._on_worker_formatted(generation, done),
            _format,
            self._raw,
            self.view.columns(),
            self._stop,
        )

    def _on_worker_formatted(self, generation: int, done: Future[Document | None]) -> None:
        if generation != self._generation:
            return
        self.format_button.setEnabled(True)
        self.format_button.setText("Format")
        error = done.exception()
        if error is not None:
            raise error
        self._pretty = done.result()
        self._notice_row.hide()
        if self._mode == "pretty":
            self._show_document()
            self._rerun_search()
        self.formatted.emit()

    def _show_document(self) -> None:
        document = self._pretty if self._mode == "pretty" and self._pretty else self._raw
        if document is not self.view.document:
            self.view.set_document(document, highlight=self._mode == "pretty")

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

    def _on_format_clicked(self) -> None:
        self._start_format()

    # -- search -------------------------------------------------------------------------------

    def _on_search_changed(self, _needle: str, _case: bool, _regex: bool) -> None:
        self._rerun_search()

    def _rerun_search(self) -> None:
        document = self.view.document
        needle = self.search_bar.edit.text()
        self._search_generation += 1
        generation = self._search_generation
        if document is None or not needle or not self.search_bar.isVisible():
            self._search = SearchResult()
            self._current = -1
            self.view.set_matches(SearchResult())
            self.search_bar.set_count(0, 0)
            return
        self._relay.submit(
            self._executor,
            lambda done: self._on_worker_searched(generation, done),
            search,
            document,
            needle,
            case_sensitive=self.search_bar.case_button.isChecked(),
            regex=self.search_bar.regex_button.isChecked(),
            stop=self._stop,
        )

    def _on_worker_searched(self, generation: int, done: Future[SearchResult]) -> None:
        if generation != self._search_generation or done.exception() is not None:
            return
        self._search = done.result()
        self._current = 0 if len(self._search) else -1
        self.view.set_matches(self._search, self._current)
        self.search_bar.set_count(self._current, self._search.total, self._search.error)
        self.searched.emit(self._search.total)

    def _step(self, delta: int) -> None:
        if not len(self._search):
            return
        self._current = (self._current + delta) % len(self._search)
        self.view.set_matches(self._search, self._current)
        self.search_bar.set_count(self._current, self._search.total)

    def _on_search_next(self) -> None:
        self._step(1)

    def _on_search_previous(self) -> None:
        self._step(-1)

    def _on_search_closed(self) -> None:
        self._rerun_search()
        self.view.setFocus()
