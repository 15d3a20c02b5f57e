"""Method badges for the collection tree: the method in its colour, bold and small, drawn once
per (method, palette) into a pixmap that serves as the item's icon, so the view's own layout
aligns every name and handles selection, elision and high-DPI screens."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPixmap

from explorer.ui import theme

BADGE_SIZE = QSize(44, 16)


def badge_icon(method: str) -> QIcon:
    palette = QGuiApplication.palette()
    color = theme.method_color(palette, method)
    return _badge(method.upper(), color.name())


@cache
def _badge(method: str, color: str) -> QIcon:
    ratio = max(QGuiApplication.primaryScreen().devicePixelRatio(), 1.0)
    pixmap = QPixmap(BADGE_SIZE * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    font = QFont(QGuiApplication.font())
    font.setBold(True)
    font.setPixelSize(10)
    painter.setFont(font)
    painter.setPen(QColor(color))
    shown = method if len(method) <= 6 else method[:5] + "…"
    area = QRect(0, 0, BADGE_SIZE.width() - 4, BADGE_SIZE.height())
    painter.drawText(area, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, shown)
    painter.end()
    return QIcon(pixmap)
