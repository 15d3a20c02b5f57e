"""Syntax colours for the request body editor: JSON, XML/HTML and GraphQL, plus
``{{variables}}`` in any of them.

Regex rules over one block (line) at a time, so an edit costs the changed lines only; a body
above ``MAX_CHARS`` is not highlighted at all (a pasted dump stays responsive). Colours come
from ``theme.syntax_colors`` so both palettes read.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QPalette, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from explorer.ui.theme import syntax_colors

MAX_CHARS = 200_000
"""Above this many characters the body is shown plain: colouring costs about 0.3 s per MB on
this machine, all at once when a body is loaded or pasted."""

_VARIABLE = r"(?P<variable>\{\{[^{}\r\n]*\}\})"
_RULES = {
    "json": re.compile(
        _VARIABLE
        + r'|(?P<key>"(?:[^"\\]|\\.)*"(?=\s*:))'
        + r'|(?P<string>"(?:[^"\\]|\\.)*"?)'
        + r"|(?P<number>-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)"
        + r"|(?P<keyword>\b(?:true|false|null)\b)"
        + r"|(?P<punctuation>[{}\[\],:])"
    ),
    "xml": re.compile(
        _VARIABLE
        + r"|(?P<comment><!--.*?(?:-->|$))"
        + r"|(?P<key></?[\w:.-]+|/?>)"
        + r"|(?P<keyword>\b[\w:.-]+(?==))"
        + r"|(?P<string>\"[^\"]*\"?|'[^']*'?)"
    ),
    "graphql": re.compile(
        _VARIABLE
        + r"|(?P<comment>#.*$)"
        + r'|(?P<string>"(?:[^"\\]|\\.)*"?)'
        + r"|(?P<keyword>\b(?:query|mutation|subscription|fragment|on|true|false|null)\b)"
        + r"|(?P<key>\$\w+)"
        + r"|(?P<number>-?\b\d+(?:\.\d+)?\b)"
    ),
    "text": re.compile(_VARIABLE),
}
_ROLE = {"variable": "keyword"}


def language_for(json_mode: bool, content_type: str) -> str:
    """Which rules fit a body: JSON mode, else the raw body's content type."""
    if json_mode:
        return "json"
    lowered = content_type.lower()
    if "json" in lowered:
        return "json"
    if "xml" in lowered or "html" in lowered:
        return "xml"
    if "graphql" in lowered:
        return "graphql"
    return "text"


class BodyHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.setObjectName("bodyHighlighter")
        self._text = document
        self._switching = False
        self._language = "text"
        self._formats: dict[str, QTextCharFormat] = {}

    @property
    def active(self) -> bool:
        return self.document() is not None

    def follow_size(self) -> None:
        """Let go of the document above ``MAX_CHARS`` (its colours are cleared) and take it
        back below, so crossing the limit either way costs one pass."""
        small = self._text.characterCount() <= MAX_CHARS
        if small != self.active and not self._switching:
            self._switching = True  # clearing the colours is itself a change of the text
            self.setDocument(self._text if small else None)
            self._switching = False

    @property
    def language(self) -> str:
        return self._language

    def configure(self, language: str, palette: QPalette) -> None:
        """Rules and colours; everything is coloured again only when one of them changed."""
        formats = {name: _format(colour) for name, colour in syntax_colors(palette).items()}
        if language == self._language and _same(formats, self._formats):
            return
        self._language, self._formats = language, formats
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        document = self.document()
        if document is None or document.characterCount() > MAX_CHARS:
            return
        for match in _RULES[self._language].finditer(text):
            group = match.lastgroup
            if group is None:
                continue
            char_format = self._formats.get(_ROLE.get(group, group))
            if char_format is not None:
                self.setFormat(match.start(), match.end() - match.start(), char_format)


def _format(colour: QColor) -> QTextCharFormat:
    char_format = QTextCharFormat()
    char_format.setForeground(colour)
    return char_format


def _same(left: dict[str, QTextCharFormat], right: dict[str, QTextCharFormat]) -> bool:
    return left.keys() == right.keys() and all(
        left[name].foreground().color() == right[name].foreground().color() for name in left
    )
