"""UI operations and the window's one message channel.

Every service call returns a ``Future`` run on an executor. ``Operations.run`` is the one way
widgets wait for one, in the spirit of Anki's ``CollectionOp``/``QueryOp``: the result goes to a
success callback on the UI thread; an ``ExplorerError`` or ``OSError`` (a failure the core
intends, with one sentence) goes to the window's ``MessageChannel`` in the status bar, or to the
caller's own ``on_failure`` when the failure belongs somewhere else (a failed send is the
response); anything else is a bug and is raised on the UI thread, where the crash handler takes
it. The window, its controllers and its workspace dialogs use it instead of checking
``done.exception()`` by hand (the view worker's decoding and search keep their own relays: their
failures are not service failures).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from explorer.core.errors import ExplorerError
from explorer.ui.elided_label import ElidedLabel
from explorer.ui.relay import Relay
from explorer.ui.theme import status_color

T = TypeVar("T")
Failure = ExplorerError | OSError


class MessageChannel(QWidget):
    """The status-bar line (``statusMessage``) every operation reports to; a long message is
    elided, with the full text on hover and behind ``statusDetails``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageChannel")
        self.line = ElidedLabel(self)
        self.line.setObjectName("statusMessage")
        self.details_button = QToolButton(self)
        self.details_button.setObjectName("statusDetails")
        self.details_button.setText("Details…")
        self.details_button.setToolTip("Show the whole message")
        self.details_button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.details_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        self.line.elided_changed.connect(self.details_button.setVisible)
        self.details_button.clicked.connect(self.line.open_details)

    def show_error(self, text: str) -> None:
        """An error stays until the next message."""
        self._timer.stop()
        self.line.set_line(text, color=status_color(self.palette(), 0))

    def show_info(self, text: str, timeout_ms: int = 0) -> None:
        """A note, cleared after ``timeout_ms`` (0: kept until the next message)."""
        self.line.set_line(text)
        if timeout_ms > 0:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()

    def clear(self) -> None:
        self._timer.stop()
        self.line.set_line("")

    def text(self) -> str:
        """The whole message, however much of it fits."""
        return self.line.full_text()


class Operations(QObject):
    """Runs service calls for one window and routes their outcome (see the module docstring)."""

    def __init__(self, channel: MessageChannel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.channel = channel
        self._relay = Relay(self)

    def run(
        self,
        future: Future[T],
        on_success: Callable[[T], object],
        *,
        failure: str = "",
        on_failure: Callable[[Failure], object] | None = None,
    ) -> Future[T]:
        """Call ``on_success(result)`` on the UI thread once ``future`` is done.

        ``failure`` prefixes the channel's sentence ("History could not be read"); with
        ``on_failure`` the caller shows the failure itself and the channel stays quiet."""

        def finished(done: Future[T]) -> None:
            error = done.exception()
            if error is None:
                on_success(done.result())
            elif isinstance(error, Failure):
                if on_failure is not None:
                    on_failure(error)
                else:
                    self.channel.show_error(f"{failure}: {error}" if failure else str(error))
            else:
                raise error

        return self._relay.watch(future, finished)
