"""The request builder: method, URL, Send/Cancel and the Params, Headers, Body and Auth tabs.

``load(spec)`` fills it, ``to_spec()`` builds a new immutable ``RequestSpec``; it never sends
anything itself, it emits ``send_requested`` / ``cancel_requested`` / ``snippet_requested``.
"""

from __future__ import annotations

import time
from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.models import RequestSpec
from explorer.core.templating import Scope
from explorer.ui.auth_tab import AuthTab
from explorer.ui.body_editor import BodyEditor
from explorer.ui.key_value_table import KeyValueTable
from explorer.ui.masked import NOT_KEPT, without_masks
from explorer.ui.options_tab import OptionsTab
from explorer.ui.query_sync import QuerySync
from explorer.ui.url_edit import UrlEdit

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


DOUBLE_CLICK_S = 0.5
"""A Cancel click this soon after Send is the second half of a double-click, ignored."""


class RequestEditor(QWidget):
    send_requested = Signal()
    cancel_requested = Signal()
    snippet_requested = Signal()
    curl_pasted = Signal(object, object)  # RequestSpec as pasted, list of notes: the window
    # moves its credentials out (``keep_pasted``) and then calls ``take_pasted``
    #: Anything in the builder changed (the window compares with the saved request).
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spec = RequestSpec()
        self._busy = False
        self._busy_since = 0.0
        self.method = self._method_combo()
        self.url = UrlEdit(self)
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setToolTip("Send (Ctrl+Enter); Esc cancels")
        self.send_button.setDefault(True)
        self.send_button.setMinimumWidth(88)
        self.snippet_button = QPushButton("Code", self)
        self.snippet_button.setObjectName("snippetButton")
        self.snippet_button.setToolTip(
            "This request as curl, HTTPie, Python, fetch, PowerShell or Go"
        )
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.method)
        row.addWidget(self.url, 1)
        row.addWidget(self.send_button)
        row.addWidget(self.snippet_button)

        self.notice = self._notice_label()
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("requestTabs")
        self.tabs.setDocumentMode(True)
        self.params = KeyValueTable("paramsTable", separator="=", parent=self)
        self.headers = KeyValueTable("headersTable", parent=self, header_completion=True)
        self.query = QuerySync(self.url, self.params)
        self.body = BodyEditor(self)
        self.auth = AuthTab(self)
        self.tabs.addTab(self.params, "Params")
        self.tabs.addTab(self.headers, "Headers")
        self.tabs.addTab(self.body, "Body")
        self.tabs.addTab(self.auth, "Auth")
        self.options = OptionsTab(self)
        self.tabs.addTab(self.options, "Options")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.setSpacing(6)
        layout.addLayout(row)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)

        self.send_button.clicked.connect(self._on_send_button_clicked)
        self.url.returnPressed.connect(self._on_url_return_pressed)
        self.url.curl_pasted.connect(self._on_url_curl_pasted)
        self.url.curl_refused.connect(self._on_url_curl_refused)
        self.snippet_button.clicked.connect(self.snippet_requested)
        self._connect_changes()
        self.options.changed.connect(self.edited)

    def _notice_label(self) -> QLabel:
        """A line under the URL for what a paste did (hidden until there is something to say)."""
        label = QLabel(self)
        label.setObjectName("requestNotice")
        label.setWordWrap(True)
        label.hide()
        return label

    def _connect_changes(self) -> None:
        """Row counts on the tab titles, and ``edited`` for any change at all."""
        self.params.changed.connect(self._on_tables_changed)
        self.headers.changed.connect(self._on_tables_changed)
        for source in (self.method.currentTextChanged, self.url.textChanged):
            source.connect(self.edited)
        for part in (self.params, self.headers, self.body, self.auth):
            part.changed.connect(self.edited)

    def load(self, spec: RequestSpec) -> None:
        """Fill the builder with ``spec``. Values kept only masked (a request from history, or
        saved from it) are emptied, flagged and named under the URL: never sent as bullets."""
        unmasked = without_masks(spec)
        spec = unmasked.spec
        self._spec = spec
        self.notice.hide()
        self.method.setCurrentText(spec.method)
        self.query.load(spec.url, spec.params)
        self.headers.load(spec.headers)
        self.body.load(spec.body)
        self.auth.load(spec.auth)
        self.options.load(spec)
        self.query.flag_params(unmasked.param_rows, NOT_KEPT)
        self.headers.flag_values(unmasked.header_rows, NOT_KEPT)
        self._on_tables_changed()
        if unmasked.fields:
            self._show_notice(
                f"Secret values are not kept in history: re-enter {', '.join(unmasked.fields)}."
            )

    def to_spec(self) -> RequestSpec:
        url, params = self.query.request_parts()
        return replace(
            self._spec,
            method=self.method.currentText().strip().upper() or "GET",
            url=url,
            params=params,
            headers=self.headers.to_rows(),
            body=self.body.to_body(),
            auth=self.auth.to_auth(),
            **self.options.values(),
        )

    def _method_combo(self) -> QComboBox:
        """Editable (PROPFIND and friends can be typed), yet a click anywhere opens the list."""
        combo = QComboBox(self)
        combo.setObjectName("methodCombo")
        combo.setEditable(True)
        combo.addItems(METHODS)
        combo.setMinimumContentsLength(7)
        combo.setAccessibleName("HTTP method")
        line = combo.lineEdit()
        if line is not None:
            line.installEventFilter(self)
        return combo

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A click in the method field opens its list, as a click on the arrow does."""
        method = getattr(self, "method", None)  # events may come while __init__ builds it
        if (
            method is not None
            and watched is method.lineEdit()
            and event.type() == QEvent.Type.MouseButtonPress
        ):
            method.showPopup()
            return True
        return super().eventFilter(watched, event)

    def set_scope(self, scope: Scope) -> None:
        self.url.set_scope(scope)

    def set_busy(self, busy: bool) -> None:
        """While a request is in flight the button cancels it."""
        self._busy = busy
        self._busy_since = time.monotonic()
        self.send_button.setText("Cancel" if busy else "Send")

    def _on_url_curl_pasted(self, spec: RequestSpec, notes: list[str]) -> None:
        self.curl_pasted.emit(spec, notes)

    def take_pasted(self, spec: RequestSpec, notes: list[str], secrets_note: str = "") -> None:
        """Load the request a pasted curl command became and say what the paste did."""
        self.load(spec)
        extra = f" Note: {'; '.join(notes)}." if notes else ""
        kept = f" {secrets_note}" if secrets_note else ""
        self._show_notice(f"Built from the pasted curl command.{kept}{extra}")

    def _on_url_curl_refused(self, reason: str) -> None:
        self._show_notice(f"The pasted curl command was not used: {reason}")

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    def _on_send_button_clicked(self) -> None:
        if self._busy:
            if time.monotonic() - self._busy_since < DOUBLE_CLICK_S:
                return  # the second click of a double-click on Send, not a cancel
            self.cancel_requested.emit()
        else:
            self.send_requested.emit()

    def _on_url_return_pressed(self) -> None:
        self.send_requested.emit()

    def _on_tables_changed(self) -> None:
        for index, (table, title) in enumerate(
            ((self.params, "Params"), (self.headers, "Headers"))
        ):
            count = sum(1 for row in table.to_rows() if row.enabled)
            self.tabs.setTabText(index, f"{title} ({count})" if count else title)
