"""A virtualised, read-only text view for response bodies of any size.

Only the rows on screen are painted, each decoded from the ``Document``'s bytes as it is drawn,
so what a body costs the UI thread does not grow with its size. The scroll range is the rows
indexed so far and grows while the worker indexes the rest; a target not indexed yet (Ctrl+End,
a line to go to, a search match) is kept and reached as soon as the index gets there. Syntax
colours come from spans lexed on the worker one block of rows at a time, for the blocks that
scroll into view: nothing is lexed on the UI thread, nothing off screen is lexed at all. (A
``QPlainTextEdit`` lays out every line and a ``QSyntaxHighlighter`` styles every block
synchronously: 12 s for 10 MB here.)

Copy takes at most ``COPY_LIMIT`` bytes: the clipboard holds a string, and a bigger selection
would stall the window to build one; the view says so and points to Save instead.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_left
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from functools import partial

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QMenu, QWidget

from explorer.core.formatting import human_size
from explorer.ui.body_document import Document
from explorer.ui.body_lexing import LEX_BLOCK, Span, lex_block
from explorer.ui.body_search import SearchResult
from explorer.ui.theme import syntax_colors

MARGIN = 6
COPY_LIMIT = 16 * 1024 * 1024
"""The largest selection copied to the clipboard, in bytes of the body."""


class BodyTextView(QAbstractScrollArea):
    """Paints the visible rows of a ``Document``; selection, copy, and search-match marks."""

    message = Signal(str)
    go_to_line_requested = Signal()
    _lexed = Signal(int, int, object)

    def __init__(self, executor: Executor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._executor = executor
        self._document: Document | None = None
        self._generation = 0
        self._spans: dict[int, tuple[Span, ...]] = {}
        self._lexed_blocks: set[int] = set()
        self._highlight = True
        self._matches = SearchResult()
        self._current = -1
        self._anchor = 0
        self._caret = 0
        self._target: tuple[str, int] | None = None
        self._painted_short = True  # the last paint had fewer rows than the screen holds
        self._painted_span = (0, -1)  # the bytes it showed
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(font)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self._lexed.connect(self._on_lexer_finished)

    # -- state in -----------------------------------------------------------------------------

    @property
    def document(self) -> Document | None:
        return self._document

    def set_document(self, document: Document | None, *, highlight: bool = True) -> None:
        self._generation += 1
        self._document = document
        self._highlight = highlight
        self._spans = {}
        self._lexed_blocks = set()
        self._matches = SearchResult()
        self._current = -1
        self._anchor = self._caret = document.begin if document else 0
        self._target = None
        self.verticalScrollBar().setValue(0)
        self.horizontalScrollBar().setValue(0)
        self._update_scrollbars()
        self.viewport().update()

    def refresh(self) -> None:
        """The document's index grew: extend the scroll range, reach a pending target, and
        repaint only when the screen was not full (a repaint while the worker holds the GIL
        costs tens of milliseconds: every Qt call waits for it)."""
        self._update_scrollbars()
        if self._target is not None:
            kind, value = self._target
            self._target = None
            if kind == "end":
                self.scroll_to_end()
            elif kind == "line":
                self.go_to_line(value)
            else:
                self.scroll_to_offset(value)
        if self._painted_short:
            self.viewport().update()

    def matches_added(self, starts: Sequence[int]) -> None:
        """Matches were appended to the result on screen: repaint if one of them is visible."""
        first, last = self._painted_span
        index = bisect_left(starts, first)
        if index < len(starts) and starts[index] <= last:
            self.viewport().update()

    def set_matches(self, matches: SearchResult, current: int = -1) -> None:
        self._matches = matches
        self._current = current
        if 0 <= current < len(matches):
            self.scroll_to_offset(matches.starts[current])
        self.viewport().update()

    def columns(self) -> int:
        """How many characters fit across the viewport (the wrap column for new documents)."""
        bar = self.verticalScrollBar()
        width = (
            self.viewport().width()
            - 2 * MARGIN
            - (0 if bar.isVisible() else bar.sizeHint().width())
        )
        return max(40, int(width // max(1.0, self._char_width())) - 1)

    # -- moving around ------------------------------------------------------------------------

    def scroll_to_offset(self, offset: int) -> None:
        """Bring the row holding byte ``offset`` into view (once it is indexed)."""
        if self._document is None:
            return
        row = self._document.row_of(offset)
        if row is None:
            self._target = ("offset", offset)
            return
        self._update_scrollbars()  # the index may have grown since the last refresh
        bar = self.verticalScrollBar()
        if not bar.value() <= row < bar.value() + self._visible_rows() - 1:
            bar.setValue(max(0, row - self._visible_rows() // 3))

    def go_to_line(self, line: int) -> None:
        """Show line ``line`` (from 1; past the end: the last line) at the top."""
        if self._document is None:
            return
        row = self._document.row_of_line(max(0, line - 1))
        if row is None:
            self._target = ("line", line)
            return
        self._update_scrollbars()
        self.verticalScrollBar().setValue(row)
        self._anchor = self._caret = self._document.row_start(row)
        self.viewport().update()

    def scroll_to_end(self) -> None:
        """Show the last rows; while the index grows, keep following its end."""
        self._update_scrollbars()
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
        if self._document is not None and not self._document.complete:
            self._target = ("end", 0)

    def pending_target(self) -> tuple[str, int] | None:
        """Where the view will go once the index gets there (tests read it)."""
        return self._target

    def first_visible_row(self) -> int:
        return self.verticalScrollBar().value()

    # -- selection and copy -------------------------------------------------------------------

    def selection(self) -> tuple[int, int]:
        """The selected byte range of the document (empty when nothing is selected)."""
        start, end = sorted((self._anchor, self._caret))
        return start, end

    def select_all(self) -> None:
        if self._document is not None:
            self._anchor, self._caret = self._document.begin, self._document.size
            self.viewport().update()

    def copy(self) -> None:
        """Copy the selection to the clipboard."""
        start, end = self.selection()
        if end > start:
            self._copy(start, end)

    def copy_selection_or_all(self) -> None:
        """Copy the selection, or the whole document when nothing is selected."""
        start, end = self.selection()
        if end > start:
            self._copy(start, end)
        elif self._document is not None:
            self._copy(self._document.begin, self._document.size)

    def _copy(self, start: int, end: int) -> None:
        if self._document is None:
            return
        if end - start > COPY_LIMIT:
            self.message.emit(
                f"Not copied: {human_size(end - start)} is more than the clipboard takes here "
                f"({human_size(COPY_LIMIT)}). Use Save… to write the body to a file."
            )
            return
        QApplication.clipboard().setText(self._document.text_between(start, end))

    def lexed_rows(self) -> dict[int, tuple[Span, ...]]:
        """The spans computed so far, by row (tests and the screenshot script read them)."""
        return dict(self._spans)

    # -- geometry -----------------------------------------------------------------------------

    def _char_width(self) -> float:
        """The font's true advance: rounding it would shift every piece painted after a colour
        change off the grid the previous piece was drawn on (glyphs overlap or gap)."""
        return QFontMetricsF(self.font()).horizontalAdvance("M")

    def _line_height(self) -> int:
        return self.fontMetrics().lineSpacing()

    def _visible_rows(self) -> int:
        return max(1, self.viewport().height() // max(1, self._line_height()))

    def _update_scrollbars(self) -> None:
        rows = self._document.row_count if self._document else 0
        visible = self._visible_rows()
        vertical = self.verticalScrollBar()
        vertical.setRange(0, min(2**31 - 1, max(0, rows - visible + 1)))
        vertical.setPageStep(visible)
        wrap = self._document.wrap if self._document else 0
        content = round(wrap * self._char_width()) + 2 * MARGIN
        horizontal = self.horizontalScrollBar()
        horizontal.setRange(0, max(0, content - self.viewport().width()))
        horizontal.setPageStep(self.viewport().width())
        horizontal.setSingleStep(round(self._char_width() * 4))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scrollbars()

    # -- painting -----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        palette = self.palette()
        painter.fillRect(event.rect(), palette.base())
        document = self._document
        if document is None:
            return
        colors = syntax_colors(palette)
        height = self._line_height()
        ascent = self.fontMetrics().ascent()
        cw = self._char_width()
        first = self.verticalScrollBar().value()
        rows = list(document.rows(first, self._visible_rows() + 1))
        self._painted_short = len(rows) <= self._visible_rows() and not document.complete
        if not rows:
            return
        self._painted_span = (rows[0][0], rows[-1][1])
        if self._highlight:
            self._request_lexing(first, first + len(rows))
        x0 = MARGIN - self.horizontalScrollBar().value()
        match_index = bisect_left(self._matches.ends, rows[0][0] + 1)
        lines = []
        for index, (start, end) in enumerate(rows):
            y = index * height
            match_index = self._paint_marks(
                painter,
                row=(start, end),
                box=(x0, y, cw, height),
                match_index=match_index,
                colors=colors,
            )
            spans = self._spans.get(first + index, ()) if self._highlight else ()
            lines.append((y + ascent, document.display(start, end), spans))
        default = palette.text().color()
        for style, layer in _layers(lines).items():
            painter.setPen(colors.get(style, default))
            for baseline, text in layer:
                painter.drawText(QPointF(x0, baseline), text)

    def _paint_marks(
        self,
        painter: QPainter,
        *,
        row: tuple[int, int],
        box: tuple[int, int, float, int],
        match_index: int,
        colors: dict[str, QColor],
    ) -> int:
        """Search matches and the selection behind the text of one row."""
        start, end = row
        x0, y, cw, height = box
        starts, ends = self._matches.starts, self._matches.ends
        marks: list[tuple[int, int, QColor, bool]] = []
        while match_index < len(starts) and starts[match_index] <= end:
            match_start, match_end = starts[match_index], ends[match_index]
            color = colors["current"] if match_index == self._current else colors["match"]
            marks.append((match_start, match_end, color, False))
            if match_end > end:
                break
            match_index += 1
        marks.append((*self.selection(), self._highlight_color(), True))
        assert self._document is not None
        for mark_start, mark_end, color, past_end in marks:
            a, b = max(mark_start, start), min(mark_end, end)
            newline = past_end and mark_end > end and a <= end  # the selection goes on
            if b <= a and not newline:
                continue
            left = self._document.column(start, a)
            right = self._document.column(start, max(a, b)) + newline
            painter.fillRect(QRectF(x0 + left * cw, y, (right - left) * cw, height), color)
        return match_index

    def _highlight_color(self) -> QColor:
        return self.palette().highlight().color()

    # -- lexing on the worker -----------------------------------------------------------------

    def _request_lexing(self, first: int, last: int) -> None:
        document = self._document
        if document is None or document.language == "text":
            return
        for block in range(first // LEX_BLOCK, (last - 1) // LEX_BLOCK + 1):
            if block in self._lexed_blocks:
                continue
            if not document.complete and (block + 1) * LEX_BLOCK > document.row_count:
                continue  # lexed once all its rows are indexed
            self._lexed_blocks.add(block)
            generation = self._generation
            future = self._executor.submit(lex_block, document, block)
            future.add_done_callback(partial(self._emit_lexed, generation=generation, block=block))

    def _emit_lexed(
        self, future: Future[dict[int, tuple[Span, ...]]], *, generation: int, block: int
    ) -> None:
        """Runs on the worker: a queued signal carries the spans to the UI thread."""
        if future.cancelled() or future.exception() is not None:
            return
        with contextlib.suppress(RuntimeError):  # the view was closed while the worker lexed
            self._lexed.emit(generation, block, future.result())

    def _on_lexer_finished(self, generation: int, block: int, spans: object) -> None:
        if generation != self._generation or not isinstance(spans, dict):
            return
        self._spans.update(spans)
        self.viewport().update()

    # -- mouse and keys -----------------------------------------------------------------------

    def _offset_at(self, point: QPoint) -> int:
        document = self._document
        if document is None or not document.row_count:
            return 0
        row = min(
            document.row_count - 1,
            self.verticalScrollBar().value() + max(0, point.y()) // self._line_height(),
        )
        start, end = next(document.rows(row, 1))
        x = point.x() - MARGIN + self.horizontalScrollBar().value()
        column = max(0, round(x / max(1.0, self._char_width())))
        return document.offset_at(start, end, column)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            offset = self._offset_at(event.position().toPoint())
            self._caret = offset
            if not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self._anchor = offset
            self.viewport().update()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._caret = self._offset_at(event.position().toPoint())
            self.viewport().update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        control = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
        elif control and event.key() == Qt.Key.Key_Home:
            self._target = None
            self.verticalScrollBar().setValue(0)
        elif control and event.key() == Qt.Key.Key_End:
            self.scroll_to_end()
        elif control and event.key() == Qt.Key.Key_G:
            self.go_to_line_requested.emit()
        else:
            super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        start, end = self.selection()
        copy = menu.addAction("Copy", self.copy)
        copy.setEnabled(end > start)
        menu.addAction("Select all", self.select_all)
        menu.exec(event.globalPos())


def _layers(
    lines: list[tuple[int, str, tuple[Span, ...]]],
) -> dict[str, list[tuple[int, str]]]:
    """The rows' text by style ("" for plain text): for each style, each row with the other
    characters blanked. A frame then takes one ``setPen`` per style and one ``drawText`` per row
    and style instead of one per token: every Qt call waits for the GIL while the worker runs,
    so thousands of them made a frame last tens of milliseconds."""
    layers: dict[str, list[tuple[int, str]]] = {}
    for baseline, text, spans in lines:
        styled: dict[str, list[str]] = {"": list(text)}
        for span in spans:
            stop = min(len(text), span.start + span.length)
            if stop <= span.start or not span.style:
                continue
            chars = styled.setdefault(span.style, [" "] * len(text))
            chars[span.start : stop] = text[span.start : stop]
            styled[""][span.start : stop] = " " * (stop - span.start)
        for style, chars in styled.items():
            row = "".join(chars).rstrip()
            if row:
                layers.setdefault(style, []).append((baseline, row))
    return layers
