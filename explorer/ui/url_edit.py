"""The URL field (``urlEdit``): ``{{variables}}`` coloured as defined or undefined, completion
from the scope after ``{{``, the resolved value on hover with secrets masked, and a pasted curl
command turned into a whole request (``curl_pasted``) instead of a URL full of flags.

``QLineEdit`` has no rich text; formats are set through an input-method event with no preedit
text, the documented way to style ranges of a line edit.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QGuiApplication,
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QTextCharFormat,
)
from PySide6.QtWidgets import QCompleter, QLineEdit, QMenu, QToolTip, QWidget

from explorer.core import dynamic
from explorer.core.errors import FormatError
from explorer.core.redaction import MASK
from explorer.core.templating import VARIABLE, Scope
from explorer.ui.theme import is_dark

_OPEN = re.compile(r"\{\{\s*([^{}\s]*)$")


class UrlEdit(QLineEdit):
    curl_pasted = Signal(object, object)  # RequestSpec, list of notes
    curl_refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("urlEdit")
        self.setPlaceholderText("{{base_url}}/path, or paste a URL or a curl command")
        self.setAccessibleName("Request URL")
        self.setMouseTracking(True)
        self._scope = Scope()
        self._model = QStringListModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setWidget(self)
        self._completer.activated.connect(self._on_completer_activated)
        self.textChanged.connect(self._on_self_text_changed)
        self.textEdited.connect(self._on_self_text_edited)

    def set_scope(self, scope: Scope) -> None:
        self._scope = scope
        self._model.setStringList(scope.names())
        self._restyle()

    def variables(self) -> list[tuple[str, bool]]:
        """(name, defined) for each variable in the URL, for tests and the status line."""
        return [(m.group(1), self._defined(m.group(1))) for m in VARIABLE.finditer(self.text())]

    def _defined(self, name: str) -> bool:
        return dynamic.is_known(name) or self._scope.lookup(name) is not None

    def _on_self_text_changed(self, _text: str) -> None:
        self._restyle()

    def _restyle(self) -> None:
        dark = is_dark(self.palette())
        good = QColor("#3fb950" if dark else "#1a7f37")
        bad = QColor("#ff7b72" if dark else "#cf222e")
        attributes = []
        for match in VARIABLE.finditer(self.text()):
            char_format = QTextCharFormat()
            defined = self._defined(match.group(1))
            char_format.setForeground(good if defined else bad)
            char_format.setFontWeight(QFont.Weight.DemiBold)
            if not defined:
                char_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                char_format.setUnderlineColor(bad)
            attributes.append(
                QInputMethodEvent.Attribute(
                    QInputMethodEvent.AttributeType.TextFormat,
                    match.start() - self.cursorPosition(),
                    match.end() - match.start(),
                    char_format,
                )
            )
        self.inputMethodEvent(QInputMethodEvent("", attributes))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Paste sees the clipboard whole, line continuations included (a line edit would
        flatten them), so a multi-line "copy as cURL" becomes one request."""
        if event.matches(QKeySequence.StandardKey.Paste):
            text = QGuiApplication.clipboard().text()
            if _looks_like_curl(text):
                self.take_curl(text)
                event.accept()
                return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu()
        menu.exec(event.globalPos())
        menu.deleteLater()

    def context_menu(self) -> QMenu:
        """The standard menu, with Paste going through the same curl check as Ctrl+V."""
        menu = self.createStandardContextMenu()
        for action in menu.actions():
            if action.objectName() == "edit-paste":
                action.triggered.disconnect()
                action.triggered.connect(self._on_menu_paste_triggered)
        return menu

    def _on_menu_paste_triggered(self) -> None:
        text = QGuiApplication.clipboard().text()
        if _looks_like_curl(text):
            self.take_curl(text)
        else:
            self.paste()

    def take_curl(self, text: str) -> bool:
        """Turn a curl command into a request; on failure say why and keep the field as it was."""
        from explorer.core.formats.curl import parse_pasted_curl  # at first paste, not start-up

        try:
            spec, notes = parse_pasted_curl(text)
        except FormatError as exc:
            self.curl_refused.emit(str(exc))
            return False
        self.curl_pasted.emit(spec, notes)
        return True

    def _on_self_text_edited(self, text: str) -> None:
        opened = _OPEN.search(text[: self.cursorPosition()])
        popup = self._completer.popup()
        if opened is None or not self._model.stringList():
            if popup is not None:
                popup.hide()
            return
        self._completer.setCompletionPrefix(opened.group(1))
        self._completer.complete()

    def _on_completer_activated(self, name: str) -> None:
        cursor = self.cursorPosition()
        before, after = self.text()[:cursor], self.text()[cursor:]
        opened = _OPEN.search(before)
        if opened is None:
            return
        before = before[: opened.start()] + "{{" + name + "}}"
        self.setText(before + after.removeprefix("}}"))
        self.setCursorPosition(len(before))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        position = self.cursorPositionAt(event.position().toPoint())
        for match in VARIABLE.finditer(self.text()):
            if match.start() <= position < match.end():
                QToolTip.showText(event.globalPosition().toPoint(), self._describe(match.group(1)))
                return
        QToolTip.hideText()

    def _describe(self, name: str) -> str:
        if dynamic.is_known(name):
            return f"{name}: a new value on every send"
        found = self._scope.lookup(name)
        if found is None:
            return f"{name} is not defined in this environment"
        value, secret = found
        return f"{name} = {MASK if secret else value}"


def _looks_like_curl(text: str) -> bool:
    """A cheap first look (the parser and its YAML-backed workspace models load on demand)."""
    if "curl" not in text:
        return False
    from explorer.core.formats.curl import looks_like_curl

    return looks_like_curl(text)
