"""The response's Cookies tab: the cookies this response's ``Set-Cookie`` headers set
(``cookiesTable``), credential-looking values masked until Reveal (``cookiesReveal``) is
clicked. The Headers tab keeps ``Set-Cookie`` masked; this is where the values can be read."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from explorer.core.models import Exchange
from explorer.ui.cookie_table import CookieTable

NONE_SET = "This response set no cookies."


class ResponseCookies(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = CookieTable(self)
        self.table.setObjectName("cookiesTable")
        self.note = QLabel(NONE_SET, self)
        self.note.setObjectName("cookiesNote")
        self.reveal = QPushButton("Reveal values", self)
        self.reveal.setObjectName("cookiesReveal")
        self.reveal.setCheckable(True)
        self.reveal.setToolTip("Show the values of cookies that look like credentials")
        self.reveal.setEnabled(False)
        self.reveal.toggled.connect(self._on_reveal_toggled)
        line = QHBoxLayout()
        line.addWidget(self.note, 1)
        line.addWidget(self.reveal)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(line)
        layout.addWidget(self.table, 1)

    def show_exchange(self, exchange: Exchange) -> None:
        """The cookies ``exchange``'s response set (the core parses them as the jar does)."""
        from explorer.core.cookies import response_cookies  # http.cookiejar: not at start-up

        response = exchange.response
        records = response_cookies(response.headers, response.url)
        self.table.show_records(records, exchange.request.secrets)
        count = len(records)
        self.note.setText(
            NONE_SET if not count else f"{count} cookie{'s' if count > 1 else ''} set"
        )
        self._reset_reveal()

    def clear(self) -> None:
        self.table.show_records(())
        self.note.setText(NONE_SET)
        self._reset_reveal()

    def _reset_reveal(self) -> None:
        self.reveal.setChecked(False)
        self.reveal.setEnabled(self.table.has_secrets)

    def _on_reveal_toggled(self, checked: bool) -> None:
        self.table.set_revealed(checked)
        self.reveal.setText("Hide values" if checked else "Reveal values")
