"""A virtualised, read-only text view for response bodies of any size.

Only the rows on screen are painted, from a ``Document``'s row index, so a 200 MB body opens in
the time it takes to decode it. Syntax colours come from spans lexed on a worker thread one block
of rows at a time, for the blocks that scroll into view: nothing is ever lexed on the UI thread,
and nothing off screen is lexed at all. (A ``QPlainTextEdit`` lays out every line and a
``QSyntaxHighlighter`` styles every block synchronously: 12 s for 10 MB here.)
"""

from __future__ import annotations

import contextlib
from bisect import bisect_left
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

from explorer.ui.body_document import LEX_BLOCK, Document, SearchResult, Span, lex_block
from explorer.ui.theme import syntax_colors

MARGIN = 6


class BodyTextView(QAbstractScrollArea):
    """Paints the visible rows of a ``Document``; selection, copy, and search-match marks."""

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
        self._anchor = self._caret = 0
        self.verticalScrollBar().setValue(0)
        self.horizontalScrollBar().setValue(0)
        self._update_scrollbars()
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

    def scroll_to_offset(self, offset: int) -> None:
        if self._document is None:
            return
        row = self._document.row_of(offset)
        bar = self.verticalScrollBar()
        if not bar.value() <= row < bar.value() + self._visible_rows() - 1:
            bar.setValue(max(0, row - self._visible_rows() // 3))

    def selected_text(self) -> str:
        if self._document is None:
            return ""
        start, end = sorted((self._anchor, self._caret))
        return self._document.text[start:end]

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
        vertical.setRange(0, max(0, rows - visible + 1))
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
        last = min(document.row_count, first + self._visible_rows() + 1)
        x0 = MARGIN - self.horizontalScrollBar().value()
        if self._highlight:
            self._request_lexing(first, last)
        selection = sorted((self._anchor, self._caret))
        match_index = bisect_left(self._matches.ends, document.rows[first])
        text_color = palette.text().color()
        for index, row in enumerate(range(first, last)):
            y = index * height
            start = document.rows[row]
            text = document.row_text(row).replace("\t", " ").replace("\r", " ")
            end = start + len(text)
            match_index = self._paint_marks(
                painter,
                row=(start, end),
                box=(x0, y, cw, height),
                match_index=match_index,
                selection=selection,
                colors=colors,
            )
            spans = self._spans.get(row, ()) if self._highlight else ()
            self._paint_text(
                painter,
                text=text,
                spans=spans,
                origin=(x0, y + ascent, cw),
                default=text_color,
                colors=colors,
            )

    def _paint_marks(
        self,
        painter: QPainter,
        *,
        row: tuple[int, int],
        box: tuple[int, int, float, int],
        match_index: int,
        selection: list[int],
        colors: dict[str, QColor],
    ) -> int:
        start, end = row
        x0, y, cw, height = box
        starts, ends = self._matches.starts, self._matches.ends
        while match_index < len(starts) and starts[match_index] <= end:
            match_start, match_end = starts[match_index], ends[match_index]
            a, b = max(match_start, start), min(match_end, end)
            if b > a:
                color = colors["current"] if match_index == self._current else colors["match"]
                painter.fillRect(QRectF(x0 + (a - start) * cw, y, (b - a) * cw, height), color)
            if match_end > end:
                break
            match_index += 1
        a, b = max(selection[0], start), min(selection[1], end + 1)
        if b > a:
            painter.fillRect(
                QRectF(x0 + (a - start) * cw, y, (b - a) * cw, height),
                self.palette().highlight().color(),
            )
        return match_index

    @staticmethod
    def _paint_text(
        painter: QPainter,
        *,
        text: str,
        spans: tuple[Span, ...],
        origin: tuple[int, int, float],
        default: QColor,
        colors: dict[str, QColor],
    ) -> None:
        x0, baseline, cw = origin
        column = 0
        for span in spans:
            if span.start > column:
                painter.setPen(default)
                painter.drawText(QPointF(x0 + column * cw, baseline), text[column : span.start])
            painter.setPen(colors.get(span.style, default))
            piece = text[span.start : span.start + span.length]
            painter.drawText(QPointF(x0 + span.start * cw, baseline), piece)
            column = span.start + span.length
        if column < len(text):
            painter.setPen(default)
            painter.drawText(QPointF(x0 + column * cw, baseline), text[column:])

    # -- lexing on the worker -----------------------------------------------------------------

    def _request_lexing(self, first: int, last: int) -> None:
        document = self._document
        if document is None or document.language == "text":
            return
        for block in range(first // LEX_BLOCK, (last - 1) // LEX_BLOCK + 1):
            if block in self._lexed_blocks:
                continue
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

    # -- selection and keys -------------------------------------------------------------------

    def _offset_at(self, point: QPoint) -> int:
        document = self._document
        if document is None:
            return 0
        row = min(
            document.row_count - 1,
            self.verticalScrollBar().value() + max(0, point.y()) // self._line_height(),
        )
        x = point.x() - MARGIN + self.horizontalScrollBar().value()
        column = max(0, round(x / max(1.0, self._char_width())))
        return int(document.rows[row]) + min(column, len(document.row_text(row)))

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

    def select_all(self) -> None:
        if self._document is not None:
            self._anchor, self._caret = 0, len(self._document.text)
            self.viewport().update()

    def copy(self) -> None:
        text = self.selected_text()
        if text:
            QApplication.clipboard().setText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
        elif (
            event.key() == Qt.Key.Key_Home
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.verticalScrollBar().setValue(0)
        elif (
            event.key() == Qt.Key.Key_End
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())
        else:
            super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        copy = menu.addAction("Copy", self.copy)
        copy.setEnabled(bool(self.selected_text()))
        menu.addAction("Select all", self.select_all)
        menu.exec(event.globalPos())
