"""Asks the user for a one-time password while a token grant waits for it.

The token manager runs on a network thread and needs the code before it can finish the grant
(Procode's ``SendOTP`` step), so ``ask`` is called there: it hands the prompt to the UI thread
through a queued signal and waits for the answer. The dialog (``otpDialog``) is window-modal but
opened with ``open()``, so the event loop keeps running while it is up.
"""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit, QWidget

if TYPE_CHECKING:  # importing the auth stack at window start-up would cost ~0.2 s
    from explorer.core.auth.tokens import OtpPrompt

WAIT_SECONDS = 300.0  # a code sent by e-mail or SMS can take a while; then the grant gives up


class OtpAsker(QObject):
    _asked = Signal(object, object)  # OtpPrompt, Future[str | None]

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._waiting: list[Future[str | None]] = []
        self.dialog: QInputDialog | None = None
        self._asked.connect(self._on_self_asked, Qt.ConnectionType.QueuedConnection)

    def ask(self, prompt: OtpPrompt) -> str | None:
        """Called on a network thread: the code the user typed, or None if they gave up."""
        answer: Future[str | None] = Future()
        self._asked.emit(prompt, answer)
        try:
            return answer.result(timeout=WAIT_SECONDS)
        except FutureTimeout:
            return None

    def give_up(self) -> None:
        """The window is closing: nobody will answer, so release every waiting grant."""
        for answer in self._waiting:
            if not answer.done():
                answer.set_result(None)
        self._waiting.clear()
        if self.dialog is not None:
            self.dialog.reject()

    def _on_self_asked(self, prompt: OtpPrompt, answer: Future[str | None]) -> None:
        self._waiting.append(answer)
        dialog = QInputDialog(self._window)
        dialog.setObjectName("otpDialog")
        dialog.setWindowTitle("One-time password")
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setLabelText(
            f"{prompt.provider} / {prompt.environment} needs a one-time password for "
            f"{prompt.username}.\n{prompt.message}".rstrip()
        )
        dialog.setOkButtonText("Continue")
        dialog.finished.connect(lambda result: self._on_dialog_finished(dialog, answer, result))
        self.dialog = dialog
        dialog.open()

    def _on_dialog_finished(
        self, dialog: QInputDialog, answer: Future[str | None], result: int
    ) -> None:
        code = dialog.textValue().strip()
        if not answer.done():
            answer.set_result(code if result == QDialog.DialogCode.Accepted and code else None)
        if answer in self._waiting:
            self._waiting.remove(answer)
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
