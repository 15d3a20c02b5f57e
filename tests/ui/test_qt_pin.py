"""PySide6 6.12.0 on Python 3.11 loses a reference to None on every void call and dies after a
few thousand (``none_dealloc``). 20,000 void calls make a bad upgrade fail here, loudly."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_twenty_thousand_void_calls_keep_none_alive() -> None:
    before = sys.getrefcount(None)
    obj = QObject()
    for _ in range(20_000):
        obj.setObjectName("x")
    assert obj.objectName() == "x"
    assert sys.getrefcount(None) >= before - 100
