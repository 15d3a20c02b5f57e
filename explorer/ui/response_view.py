"""The response side: status line (``responseStatus``), the body (``responseBody``), headers
(``responseHeaders``), the Problem card, what was sent (``sentRequestView``), where the time
went (``timingView``), copy and save."""

from __future__ import annotations

import html
import time
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QTabBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.core.formatting import human_size, language_for
from explorer.core.models import Exchange
from explorer.core.redaction import mask_headers
from explorer.services.api import ProblemCard
from explorer.ui.elided_label import ElidedLabel
from explorer.ui.header_table import fill_headers, header_table
from explorer.ui.relay import Relay
from explorer.ui.response_body import ResponseBodyPanel
from explorer.ui.theme import status_color

if TYPE_CHECKING:
    from explorer.ui.json_tree import JsonTreePanel
    from explorer.ui.response_cookies import ResponseCookies
    from explorer.ui.sent_view import SentRequestView
    from explorer.ui.timing_view import TimingView

EMPTY = "Send a request to see the response here."
MODES = ("Pretty", "Raw", "Tree", "Preview", "Headers", "Cookies", "Problem", "Sent", "Timing")


@dataclass(frozen=True, slots=True)
class ExtraPages:
    sent: SentRequestView
    timing: TimingView
    cookies: ResponseCookies
    tree: JsonTreePanel

    def clear(self) -> None:
        self.tree.show_body(None)
        self.cookies.clear()
        self.sent.clear()
        self.timing.clear()


class ResponseView(QWidget):
    """Renders one ``Exchange`` (or a progress / error state); emits nothing but ``saved``."""

    saved = Signal(str)

    def __init__(self, worker: Executor, disk: Executor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._disk = disk
        self._relay = Relay(self)
        self._exchange: Exchange | None = None
        self._problem: ProblemCard | None = None
        self._retry_deadline = 0.0
        self._waiting_reason = ""  # set while a send waits to retry (``show_waiting``)
        top = self._build_top()
        self._build_pages(worker)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 8)  # the request editor's margins: one column
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._on_countdown_timeout)
        self.modes.currentChanged.connect(self._on_modes_changed)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.search_button.clicked.connect(self.open_search)
        self._set_actions_enabled(False)

    def _build_top(self) -> QHBoxLayout:
        self.status = ElidedLabel(self)
        self.status.setObjectName("responseStatus")
        self.status.setContentsMargins(0, 2, 0, 2)
        self._line = ("", "", "")
        self.status.set_line(EMPTY)
        self.modes = QTabBar(self)
        self.modes.setObjectName("responseModes")
        self.modes.setDrawBase(False)
        self.modes.setExpanding(False)
        # ~8 modes: tabs shrink with elided titles rather than hide behind scroll arrows
        self.modes.setUsesScrollButtons(False)
        self.modes.setElideMode(Qt.TextElideMode.ElideRight)
        for mode in MODES:
            self.modes.addTab(mode)
        self.copy_button = self._tool("Copy", "Copy the selection, or the whole body")
        self.save_button = self._tool("Save…", "Save the body to a file")
        self.search_button = self._tool("Find", "Find in the response (Ctrl+F)")
        top = QHBoxLayout()
        top.setContentsMargins(0, 4, 0, 0)
        top.addWidget(self.status, 1)
        top.addWidget(self.modes)
        top.addWidget(self.search_button)
        top.addWidget(self.copy_button)
        top.addWidget(self.save_button)
        return top

    def _build_pages(self, worker: Executor) -> None:
        self.body = ResponseBodyPanel(worker, self)
        self.headers = header_table("responseHeaders", self)
        self.problem = QLabel(self)
        self.problem.setObjectName("responseProblem")
        self.problem.setWordWrap(True)
        # a long unbroken word (a URL in a 403 message) must not widen the window
        self.problem.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.problem.setMargin(16)
        self.problem.setAlignment(self.problem.alignment().AlignTop)
        self.problem.setTextInteractionFlags(
            self.problem.textInteractionFlags().TextSelectableByMouse
        )
        self.pages = QStackedWidget(self)
        for page in (self.body, self.headers, self.problem):
            self.pages.addWidget(page)
        self._worker = worker
        self._extra: ExtraPages | None = None
        self.modes.setTabVisible(MODES.index("Tree"), False)  # until a JSON body arrives
        self.modes.setTabVisible(MODES.index("Problem"), False)  # until a problem card
        self.body.loaded.connect(self._on_body_loaded)

    def extra_pages(self) -> ExtraPages:
        """Sent, Timing, Cookies and Tree (``sentRequestView``, ``timingView``,
        ``cookiesTable``, ``jsonTreeView``), built on first need: hidden until a response
        arrives, they are not worth the first paint's wait (~30 ms with their modules), and the
        app builds them right after it (``MainWindow.complete``)."""
        if self._extra is None:
            from explorer.ui.json_tree import JsonTreePanel
            from explorer.ui.response_cookies import ResponseCookies
            from explorer.ui.sent_view import SentRequestView
            from explorer.ui.timing_view import TimingView

            extra = ExtraPages(
                SentRequestView(self),
                TimingView(self),
                ResponseCookies(self),
                JsonTreePanel(self._worker, self),
            )
            for page in (extra.sent, extra.timing, extra.cookies, extra.tree):
                self.pages.addWidget(page)
            self._extra = extra
        return self._extra

    @property
    def sent(self) -> SentRequestView:
        return self.extra_pages().sent

    @property
    def timing(self) -> TimingView:
        return self.extra_pages().timing

    @property
    def cookies(self) -> ResponseCookies:
        return self.extra_pages().cookies

    @property
    def tree(self) -> JsonTreePanel:
        return self.extra_pages().tree

    def _tool(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        return button

    # -- state in -----------------------------------------------------------------------------

    @property
    def exchange(self) -> Exchange | None:
        return self._exchange

    def show_progress(self, received: int, total: int | None) -> None:
        self._countdown.stop()
        self._waiting_reason = ""
        of = f" of {human_size(total)}" if total else ""
        self.status.set_line(f"Receiving… {human_size(received)}{of}")

    def show_sending(self) -> None:
        self._countdown.stop()
        self.status.set_line("Sending…")

    def show_waiting(self, seconds: float, reason: str) -> None:
        """A send waiting to retry (a 429): why, and a countdown, instead of a bare
        "Sending…" for the whole wait."""
        self._waiting_reason = reason[:1].upper() + reason[1:]
        self._retry_deadline = time.monotonic() + seconds
        self._countdown.start()
        self._on_countdown_timeout()

    def show_message(self, text: str, *, error: bool = False) -> None:
        self._countdown.stop()
        self._waiting_reason = ""
        self.status.set_line(text, color=status_color(self.palette(), 0) if error else "")

    def show_exchange(
        self,
        exchange: Exchange,
        problem: ProblemCard | None = None,
        notes: tuple[str, ...] = (),
    ) -> None:
        self._exchange = exchange
        self._problem = problem
        response = exchange.response
        color = status_color(self.palette(), response.status)
        parts = [f"{exchange.timings.total_ms:,.0f} ms", human_size(response.body.size)]
        if response.tls_version:
            parts.append(response.tls_version)
        if exchange.hops:
            parts.append(f"{len(exchange.hops)} redirect{'s' if len(exchange.hops) > 1 else ''}")
        parts.extend(notes)
        head = f"{response.status} {response.reason}"
        self._line = (
            " · ".join([head, *parts]),
            " · ".join(
                [f'<b style="color:{color}">{html.escape(head)}</b>', *map(html.escape, parts)]
            ),
            response.url,
        )
        self._show_line()
        self._fill_headers(exchange)
        self.cookies.show_exchange(exchange)
        self._fill_problem(problem)
        self.sent.show_exchange(exchange)
        self.timing.show_exchange(exchange)
        self._retry_deadline = 0.0
        self._waiting_reason = ""
        if problem is not None and problem.retry_after:
            self._retry_deadline = time.monotonic() + problem.retry_after
            self._countdown.start()
        self.body.show_body(response.body, response.headers.get("Content-Type") or "")
        self.tree.show_body(response.body)
        content_type = response.headers.get("Content-Type") or ""
        self._set_tree_available(language_for(content_type) == "json")
        self._set_actions_enabled(True)
        self._set_mode_available("Problem", problem is not None)
        if problem is not None and not response.ok:
            self.modes.setCurrentIndex(MODES.index("Problem"))
        elif self.modes.currentIndex() == MODES.index("Problem"):
            self.modes.setCurrentIndex(0)
        else:
            self._on_modes_changed(self.modes.currentIndex())

    def clear(self, text: str = EMPTY, *, error: bool = False) -> None:
        """Forget the response on screen (another request was opened, a send failed before an
        answer or was cancelled) and say why in the status line."""
        self._exchange = None
        self._problem = None
        if error:
            self.body.show_failure(text)
        else:
            self.body.clear()
        self._set_tree_available(False)
        self._set_mode_available("Problem", False)
        self.headers.setRowCount(0)
        self._fill_problem(None)
        if self._extra is not None:
            self._extra.clear()
        self._set_actions_enabled(False)
        self.show_message(text, error=error)

    def open_search(self) -> None:
        if self.modes.currentIndex() not in (0, 1):
            self.modes.setCurrentIndex(0)
        self.body.open_search()

    # -- rendering ----------------------------------------------------------------------------

    def _fill_headers(self, exchange: Exchange) -> None:
        response, secrets = exchange.response, exchange.request.secrets
        fill_headers(self.headers, mask_headers(response.headers, secrets))

    def _fill_problem(self, problem: ProblemCard | None) -> None:
        if problem is None:
            self.problem.setText("The server reported no problem.")
            return
        rows = [f"<h2>{problem.status} · {html.escape(problem.title)}</h2>"]
        if problem.code:
            rows.append(f"<p><b>Code</b> {html.escape(problem.code)}</p>")
        if problem.detail:
            rows.append(f"<p>{html.escape(problem.detail)}</p>")
        if problem.fields:
            items = "".join(
                f"<li><b>{html.escape(name)}</b>: {html.escape(message)}</li>"
                for name, message in problem.fields
            )
            rows.append(f"<ul>{items}</ul>")
        if problem.retry_after is not None:
            rows.append(f"<p>The server asks to retry after {problem.retry_after:g} s.</p>")
        rows.append(f"<p style='color:gray'>Read as {html.escape(problem.format)}.</p>")
        self.problem.setText("".join(rows))

    def _on_countdown_timeout(self) -> None:
        left = self._retry_deadline - time.monotonic()
        if self._waiting_reason:  # a send waiting to retry: nothing else is on the line yet
            self.status.set_line(
                f"{self._waiting_reason} in {max(left, 0):.0f} s…" if left > 0 else "Sending again…"
            )
            if left <= 0:
                self._countdown.stop()
            return
        if left <= 0:
            self._countdown.stop()
            self._show_line(" · retry now")
            return
        self._show_line(f" · retry in {left:.0f} s")

    def _show_line(self, suffix: str = "") -> None:
        plain, rich, url = self._line
        self.status.set_line(plain + suffix, rich + html.escape(suffix), tooltip=url)

    def _on_modes_changed(self, index: int) -> None:
        mode = MODES[index]
        if mode in ("Pretty", "Raw", "Preview"):
            self.pages.setCurrentWidget(self.body)
            self.body.set_mode(mode.lower())
        elif mode == "Headers":
            self.pages.setCurrentWidget(self.headers)
        elif mode == "Tree":
            self.pages.setCurrentWidget(self.tree)
        elif mode == "Cookies":
            self.pages.setCurrentWidget(self.cookies)
        elif mode == "Sent":
            self.pages.setCurrentWidget(self.sent)
        elif mode == "Timing":
            self.pages.setCurrentWidget(self.timing)
        else:
            self.pages.setCurrentWidget(self.problem)

    def _on_body_loaded(self) -> None:
        """The Tree tab also for a JSON body its content type did not announce (sniffed)."""
        document = self.body.document
        if document is not None and document.language == "json":
            self._set_tree_available(True)

    def _set_tree_available(self, available: bool) -> None:
        self._set_mode_available("Tree", available)

    def _set_mode_available(self, mode: str, available: bool) -> None:
        """Show a tab only when it has something to show (Tree for JSON, Problem for a problem
        card): at 1000 px nine tabs were elided to "P…", "Pre…"."""
        index = MODES.index(mode)
        if not available and self.modes.currentIndex() == index:
            self.modes.setCurrentIndex(0)
        if self.modes.isTabVisible(index) != available:
            self.modes.setTabVisible(index, available)
            self.modes.updateGeometry()  # its size hint changed; Qt does not say so itself

    def _set_actions_enabled(self, enabled: bool) -> None:
        for button in (self.copy_button, self.save_button, self.search_button):
            button.setEnabled(enabled)

    def _on_copy_clicked(self) -> None:
        self.body.view.copy_selection_or_all()

    def _on_save_clicked(self) -> None:
        dialog = QFileDialog(self, "Save the response body")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(self.save_to)
        dialog.open()

    def save_to(self, path: str) -> None:
        """Write the body to ``path`` on the disk executor (atomically, by the core)."""
        if self._exchange is None or not path:
            return
        body = self._exchange.response.body
        self._relay.submit(
            self._disk, lambda done: self._on_disk_saved(path, done), body.save, Path(path)
        )

    def _on_disk_saved(self, path: str, done: Future[None]) -> None:
        error = done.exception()
        if error is not None:
            self.show_message(f"Could not save to {path}: {error}.", error=True)
            return
        self.saved.emit(path)
