"""The token state of the chosen provider environment (``tokenStatus``): none, valid with a live
countdown, refreshing, or failed with the reason; a click opens the token inspector (decoded JWT
claims, roles, scopes, issued/expiry, refresh-token presence, recent token events) with
"Refresh now" and "Forget token"."""

from __future__ import annotations

import html
import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from explorer.services.api import TokenView

#: A token state that could not be read before any grant (credentials missing, a live host on
#: plain HTTP): the detail starts with this and gives the reason.
NOT_TRIED = "not tried yet"
CLICK = "Click to inspect the token"


def _when(stamp: float | None) -> str:
    if stamp is None:
        return "unknown"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))


def inspector_html(view: TokenView) -> str:
    rows = [
        ("State", view.state),
        ("What", view.detail),
        ("Issued", _when(view.issued_at)),
        ("Expires", _when(view.expires_at)),
        ("Refresh token", "present" if view.has_refresh_token else "none"),
        ("Roles", ", ".join(view.roles) or "none"),
        ("Scopes", " ".join(view.scopes) or "none"),
    ]
    table = "".join(
        f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows
    )
    claims = "".join(
        f"<tr><td><code>{html.escape(k)}</code></td><td>{html.escape(v)}</td></tr>"
        for k, v in view.claims
    )
    events = "".join(f"<li>{html.escape(e)}</li>" for e in reversed(view.events))
    return (
        f"<table cellpadding='3'>{table}</table>"
        f"<h4>Claims</h4><table cellpadding='2'>{claims or '<tr><td>none</td></tr>'}</table>"
        f"<h4>Recent token events</h4><ul>{events or '<li>none yet</li>'}</ul>"
    )


class TokenInspector(QDialog):
    refresh_requested = Signal()
    forget_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenInspector")
        self.setWindowTitle("Token inspector")
        self.resize(560, 520)
        self.browser = QTextBrowser(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        refresh = QPushButton("Refresh now", self)
        forget = QPushButton("Forget token", self)
        buttons.addButton(refresh, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(forget, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        buttons.rejected.connect(self.close)
        refresh.clicked.connect(self.refresh_requested)
        forget.clicked.connect(self.forget_requested)

    def show_view(self, view: TokenView) -> None:
        self.browser.setHtml(inspector_html(view))


class TokenStatus(QLabel):
    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenStatus")
        self.setAccessibleName("Token status")
        self.view = TokenView()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.show_view(TokenView())

    def show_view(self, view: TokenView) -> None:
        self.view = view
        self._timer.stop()
        self.setToolTip(f"{view.detail}\nClick to inspect the token" if view.detail else CLICK)
        if view.state == "valid" and view.expires_at is not None:
            self._timer.start()
            self._on_timer_timeout()
        elif view.state == "valid":
            self.setText("token: valid")
        elif view.state == "static":
            self.setText("token: stored")
        elif view.state == "refreshing":
            self.setText("token: refreshing…")
        elif view.state == "failed":
            self.setText("token: failed")
        elif view.state == "unused":
            self.setText("token: not used")
        elif view.detail.startswith(NOT_TRIED):
            self.setText(f"token: {NOT_TRIED}")
        else:
            self.setText("token: none yet")

    def show_refreshing(self) -> None:
        self._timer.stop()
        self.setText("token: refreshing…")

    def _on_timer_timeout(self) -> None:
        if self.view.expires_at is None:
            return
        left = max(0, int(self.view.expires_at - time.time()))
        self.setText(f"token: {left // 60}:{left % 60:02d} left")
        if left == 0:
            self._timer.stop()
            self.setText("token: expired (refreshed on the next send)")

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)
