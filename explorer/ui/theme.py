"""Light and dark palettes (Fusion, following the system's colour scheme) and the colours the
views derive from them, so every widget reads one source and both palettes stay legible.

``API_EXPLORER_THEME=light|dark`` overrides the system (screenshots, and desktops that report no
scheme, such as a bare X server).
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QProxyStyle, QStyle, QStyleOption, QWidget

_LIGHT = {
    "window": "#f3f4f6",
    "base": "#ffffff",
    "alternate": "#f7f8fa",
    "text": "#1f2328",
    "mid": "#d0d7de",
    "button": "#f6f8fa",
    "highlight": "#cfe3ff",
    "highlighted_text": "#1f2328",
    "link": "#0969da",
    "placeholder": "#8c959f",
    "disabled": "#8c959f",
}
_DARK = {
    "window": "#1e2227",
    "base": "#16191d",
    "alternate": "#1b1f24",
    "text": "#e6edf3",
    "mid": "#3a414a",
    "button": "#272c33",
    "highlight": "#264f78",
    "highlighted_text": "#ffffff",
    "link": "#58a6ff",
    "placeholder": "#7d8590",
    "disabled": "#6e7681",
    # Qt's defaults for these are a light palette's: Fusion draws tab-bar base lines and
    # frames with them, which showed as white lines on the dark window.
    "light": "#3a414a",
    "midlight": "#2d333b",
    "dark": "#0d1117",
    "shadow": "#010409",
}
_SYNTAX_LIGHT = {
    "key": "#0550ae",
    "string": "#0a7d32",
    "number": "#953800",
    "keyword": "#8250df",
    "comment": "#6e7781",
    "punctuation": "#57606a",
    "match": "#fff1a8",
    "current": "#ffc94d",
}
_SYNTAX_DARK = {
    "key": "#79c0ff",
    "string": "#7ee787",
    "number": "#ffa657",
    "keyword": "#d2a8ff",
    "comment": "#8b949e",
    "punctuation": "#a5adb7",
    "match": "#5c4b00",
    "current": "#9e6a03",
}
STATUS_COLORS = {
    "light": {"2": "#1a7f37", "3": "#0969da", "4": "#bc4c00", "5": "#cf222e", "0": "#cf222e"},
    "dark": {"2": "#3fb950", "3": "#58a6ff", "4": "#f0883e", "5": "#ff7b72", "0": "#ff7b72"},
}
METHOD_COLORS = {
    "light": {
        "GET": "#1a7f37",
        "POST": "#9a6700",
        "PUT": "#0969da",
        "PATCH": "#8250df",
        "DELETE": "#cf222e",
    },
    "dark": {
        "GET": "#3fb950",
        "POST": "#d29922",
        "PUT": "#58a6ff",
        "PATCH": "#bc8cff",
        "DELETE": "#ff7b72",
    },
}
LIVE_COLORS = {"light": ("#cf222e", "#ffffff"), "dark": ("#b62324", "#ffffff")}


_CHOSEN = {"theme": ""}
"""The theme chosen in the window (View ▸ Theme, Settings): system, light or dark; empty until
then, so ``API_EXPLORER_THEME`` decides."""


def wants_dark() -> bool:
    forced = _CHOSEN["theme"] or os.environ.get("API_EXPLORER_THEME", "").lower()
    if forced in ("light", "dark"):
        return forced == "dark"
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def build_palette(dark: bool) -> QPalette:
    colors = _DARK if dark else _LIGHT
    palette = QPalette()
    role = QPalette.ColorRole
    for which, name in (
        (role.Window, "window"),
        (role.Base, "base"),
        (role.AlternateBase, "alternate"),
        (role.Button, "button"),
        (role.Highlight, "highlight"),
        (role.HighlightedText, "highlighted_text"),
        (role.Link, "link"),
        (role.PlaceholderText, "placeholder"),
        (role.Mid, "mid"),
        (role.Light, "light"),
        (role.Midlight, "midlight"),
        (role.Dark, "dark"),
        (role.Shadow, "shadow"),
    ):
        if name in colors:
            palette.setColor(which, QColor(colors[name]))
    for which in (role.WindowText, role.Text, role.ButtonText, role.ToolTipText):
        palette.setColor(which, QColor(colors["text"]))
    palette.setColor(role.ToolTipBase, QColor(colors["base"]))
    for which in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, which, QColor(colors["disabled"]))
    return palette


class _Style(QProxyStyle):
    """Fusion with two corrections, made in the style rather than an application style sheet:
    any style sheet routes every widget through Qt's style-sheet style, which made building the
    window three times slower (135 ms instead of 46 ms here). Only ``drawPrimitive`` (a few
    dozen calls a frame) and ``standardIcon`` (rare) are overridden; ``styleHint`` is asked
    thousands of times per window and stays Fusion's."""

    def __init__(self, dark: bool) -> None:
        super().__init__("Fusion")
        self._outline = QColor((_DARK if dark else _LIGHT)["placeholder"])
        self._dark = dark

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        """Fusion outlines an empty check box with the window colour darkened, which vanishes
        on a dark window: outline it in the placeholder colour (a checked one keeps Fusion's
        tick). Item views draw their check boxes through this element too."""
        super().drawPrimitive(element, option, painter, widget)
        off = bool(option.state & QStyle.StateFlag.State_Off)
        if self._dark and off and element == QStyle.PrimitiveElement.PE_IndicatorCheckBox:
            painter.save()
            painter.setPen(self._outline)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(option.rect.adjusted(0, 0, -1, -1))
            painter.restore()

    def standardIcon(
        self,
        standard: QStyle.StandardPixmap,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
    ) -> QIcon:
        """No icons on dialog buttons (OK, Cancel, Save ...), whatever the desktop's theme."""
        if standard in _DIALOG_BUTTON_ICONS:
            return QIcon()
        return super().standardIcon(standard, option, widget)


_DIALOG_BUTTON_ICONS = frozenset(
    getattr(QStyle.StandardPixmap, name)
    for name in dir(QStyle.StandardPixmap)
    if name.startswith("SP_Dialog") or name == "SP_RestoreDefaultsButton"
)


def side_title(text: str, parent: QWidget) -> QLabel:
    """A side pane's title (``sideTitle``): the pane's name in semibold."""
    label = QLabel(text, parent)
    label.setObjectName("sideTitle")
    font = label.font()
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    return label


def current() -> str:
    """The theme in force: the one chosen, else ``API_EXPLORER_THEME``, else system."""
    forced = _CHOSEN["theme"] or os.environ.get("API_EXPLORER_THEME", "").lower()
    return forced if forced in ("light", "dark") else "system"


def apply(app: QApplication, choice: str | None = None) -> None:
    """Fusion with our palette for the current scheme; re-applied when the system switches.
    ``choice`` (system, light, dark) is the user's and wins over ``API_EXPLORER_THEME``."""
    if choice is not None:
        _CHOSEN["theme"] = choice
    dark = wants_dark()
    app.setStyle(_Style(dark))
    app.setPalette(build_palette(dark))


def syntax_colors(palette: QPalette) -> dict[str, QColor]:
    table = _SYNTAX_DARK if is_dark(palette) else _SYNTAX_LIGHT
    return {name: QColor(value) for name, value in table.items()}


def status_color(palette: QPalette, status: int) -> str:
    table = STATUS_COLORS["dark" if is_dark(palette) else "light"]
    return table.get(str(status // 100), table["0"])


def live_colors(palette: QPalette) -> tuple[str, str]:
    return LIVE_COLORS["dark" if is_dark(palette) else "light"]


def method_color(palette: QPalette, method: str) -> QColor:
    """The colour of a method badge in the collection tree (other methods: the mid text)."""
    table = METHOD_COLORS["dark" if is_dark(palette) else "light"]
    found = table.get(method.upper())
    return QColor(found) if found else palette.color(QPalette.ColorRole.PlaceholderText)
