"""The Sent tab (``sentRequestView``): the request as it went on the wire for the final hop.

The method and final URL, the request line as written (``sentWireLine``: origin form, or
absolute form through a proxy), every header in the order the connection wrote it (``Host``,
``Content-Length``, auth and defaults included: ``Exchange.headers_on_wire``, the same rows
``send -v`` prints), the body, and the redirect chain hop by hop (``sentRedirects``).
Credentials are shown through ``explorer.core.redaction`` only, until an explicit click on
Reveal (``sentRevealSecrets``); a new exchange is shown masked again.
"""

from __future__ import annotations

import codecs

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QPlainTextEdit,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.core.formatting import human_size
from explorer.core.models import Exchange, FileBody
from explorer.core.redaction import mask_headers, mask_text
from explorer.ui.elided_label import ElidedLabel
from explorer.ui.header_table import fill_headers, header_table

BODY_SHOWN = 1024 * 1024
"""The most body bytes the tab shows; a larger body says how much more there was."""
NOTHING_SENT = "Send a request to see what went on the wire."


def body_text(body: bytes | FileBody | None, dropped: bool) -> str:
    """What the body pane shows: the text (first 1 MB), or a sentence for anything else."""
    if dropped:
        return "No body: the redirect turned the request into a GET and dropped it."
    if body is None or body == b"":
        return "No body."
    if isinstance(body, FileBody):
        return f"The body was streamed from the file {body.path}."
    head = body[:BODY_SHOWN]
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=len(body) <= BODY_SHOWN)
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        return f"{len(body):,} bytes of binary data."
    if len(body) > BODY_SHOWN:
        text += f"\n… {human_size(len(body) - BODY_SHOWN)} more not shown."
    return text


def final_url(exchange: Exchange) -> str:
    return exchange.hops[-1].location if exchange.hops else exchange.request.url


class SentRequestView(QWidget):
    """``show_exchange`` fills it, ``clear`` empties it; Reveal toggles masking."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sentRequestView")
        self._exchange: Exchange | None = None
        self.request_line = ElidedLabel(self)  # a long URL must not widen the window
        self.request_line.setObjectName("sentRequestLine")
        self.request_line.set_line(NOTHING_SENT)
        self.wire_line = ElidedLabel(self)
        self.wire_line.setObjectName("sentWireLine")
        self.wire_line.setVisible(False)
        self.reveal = QToolButton(self)
        self.reveal.setObjectName("sentRevealSecrets")
        self.reveal.setText("Reveal")
        self.reveal.setCheckable(True)
        self.reveal.setToolTip("Show the credentials and secret values that were sent")
        self.reveal.setAccessibleName("Reveal the secrets that were sent")
        self.reveal.setEnabled(False)
        self.reveal.toggled.connect(self._render)
        self.headers = header_table("sentHeaders", self)
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("sentBody")
        self.body.setReadOnly(True)
        self.body.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.redirects = QListWidget(self)
        self.redirects.setObjectName("sentRedirects")
        lines = QVBoxLayout()
        lines.setContentsMargins(0, 0, 0, 0)
        lines.addWidget(self.request_line)
        lines.addWidget(self.wire_line)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addLayout(lines, 1)
        top.addWidget(self.reveal, 0, Qt.AlignmentFlag.AlignTop)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setChildrenCollapsible(False)
        for pane in (self.headers, self.body, self.redirects):
            split.addWidget(pane)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setStretchFactor(2, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def show_exchange(self, exchange: Exchange) -> None:
        self._exchange = exchange
        self.reveal.setEnabled(True)
        self.reveal.setChecked(False)
        self._render()

    def clear(self) -> None:
        self._exchange = None
        self.reveal.setChecked(False)
        self.reveal.setEnabled(False)
        self._render()

    def _render(self) -> None:
        exchange = self._exchange
        if exchange is None:
            self.request_line.set_line(NOTHING_SENT)
            self.wire_line.setVisible(False)
            self.headers.setRowCount(0)
            self.body.clear()
            self.redirects.clear()
            return
        shown = self._shown
        request = exchange.request
        method = exchange.sent_method or request.method
        url = shown(final_url(exchange))
        self.request_line.set_line(
            f"{method} {url}  ·  {exchange.response.http_version}", tooltip=url
        )
        wire = shown(exchange.wire_request_line)
        self.wire_line.set_line(f"On the wire: {wire}", tooltip=wire)
        self.wire_line.setVisible(bool(wire))
        rows = (
            list(exchange.headers_on_wire)
            if self.reveal.isChecked()
            else mask_headers(exchange.headers_on_wire, request.secrets)
        )
        fill_headers(self.headers, rows)
        dropped = method != request.method and request.body is not None
        self.body.setPlainText(shown(body_text(request.body, dropped)))
        self.redirects.clear()
        for hop in exchange.hops:
            self.redirects.addItem(
                f"{hop.status}  {hop.method} {shown(hop.url)}  →  {shown(hop.location)}"
            )
        if not exchange.hops:
            self.redirects.addItem("No redirects.")

    def _shown(self, text: str) -> str:
        """Text as displayed: every secret masked unless Reveal is on."""
        if self._exchange is None or self.reveal.isChecked():
            return text
        return mask_text(text, self._exchange.request.secrets)
