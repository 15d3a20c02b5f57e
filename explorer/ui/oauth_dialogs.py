"""OAuth2 sign-in in the window: the Auth tab's "Get token" / "Forget token" / token line, the
two non-modal sign-in dialogs, and "Sign in" when a send needs one.

``OAuthController`` drives the Auth tab (``explorer/ui/auth_tab.py``) through the injected
``OAuthService``: every call runs on the network executor and comes back through
``Operations.run``. A sign-in's prompts are called on that worker; they cross to the UI thread
through queued signals (as ``otp_asker.py`` does), where they open

- ``oauthSignInDialog`` (authorization code): "Signing in in your browser…", the URL with Copy
  and Open again, the time left, and Cancel, which cancels the grant;
- ``oauthDeviceDialog`` (device code): the user code in large type, the verification URL with
  Copy code and Open, the time until the code expires, and Cancel.

Both close when the sign-in ends. A send that needs a sign-in (no token, or the server refused
the refresh token), or the event ``authorization-required`` for the request on screen, shows
its sentence in the message channel, a "Sign in" button (``authSignIn``) beside it, and
highlights Get token: the window never starts a sign-in by itself.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.core.errors import Cancelled
from explorer.services.api import (
    OAuthEvent,
    OAuthService,
    OAuthTokenView,
    PendingSignIn,
    SendContext,
    TokenView,
)
from explorer.services.oauth import SignInRequired
from explorer.ui.operations import Failure, Operations
from explorer.ui.token_status import TokenInspector

if TYPE_CHECKING:  # the auth stack is loaded with the core, after the first paint
    from explorer.core.auth.tokens import AuthorizePrompt, DevicePrompt
    from explorer.ui.request_editor import RequestEditor

_REFRESHING = frozenset({"acquired", "refreshed", "re-granted", "invalidated", "failed"})
OWN_OAUTH = "The request's own OAuth2 token"
OWN_OAUTH_EMPTY = f"{OWN_OAUTH}: none yet (Auth tab: Get token)"


def _clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _copy(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


class _Countdown(QLabel):
    """A line that counts ``seconds`` down once a second (``{left}`` in ``template``)."""

    def __init__(self, template: str, seconds: float, parent: QWidget) -> None:
        super().__init__(parent)
        self._template = template
        self._deadline = time.monotonic() + seconds
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._tick()

    def _tick(self) -> None:
        left = self._deadline - time.monotonic()
        self.setText(self._template.format(left=_clock(left)))
        if left <= 0:
            self._timer.stop()


class _PromptDialog(QDialog):
    """A non-modal dialog shown while a sign-in waits for the user. Cancel (or closing it)
    emits ``cancel_requested``; ``finish`` closes it without (the sign-in ended)."""

    cancel_requested = Signal()
    open_requested = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setModal(False)
        self.rejected.connect(self._on_rejected)
        self._finished = False

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def _lay_out(self, rows: tuple[QWidget, ...], buttons: tuple[QPushButton, ...]) -> None:
        layout = QVBoxLayout(self)
        for row in rows:
            layout.addWidget(row)
        line = QHBoxLayout()
        line.addStretch(1)
        for button in buttons:
            line.addWidget(button)
        layout.addLayout(line)

    def finish(self) -> None:
        """The sign-in ended (signed in, failed or cancelled): close without cancelling."""
        self._finished = True
        self.done(QDialog.DialogCode.Accepted)

    def _on_rejected(self) -> None:
        if not self._finished:
            self.cancel_requested.emit()


class SignInDialog(_PromptDialog):
    """``oauthSignInDialog``: waiting for the browser's answer to an authorization request."""

    def __init__(self, prompt: AuthorizePrompt, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("oauthSignInDialog")
        self.setWindowTitle("OAuth2 sign-in")
        self.url = prompt.url
        title = QLabel("Signing in in your browser…", self)
        title.setObjectName("oauthSignInTitle")
        bold = QFont(title.font())
        bold.setBold(True)
        title.setFont(bold)
        note = QLabel("If no browser opened, or it shows another account, open this address:", self)
        note.setWordWrap(True)
        self.url_field = QLineEdit(prompt.url, self)
        self.url_field.setObjectName("oauthSignInUrl")
        self.url_field.setReadOnly(True)
        self.url_field.setCursorPosition(0)
        self.copy_button = self._button("Copy", "oauthCopyUrl", lambda: _copy(self.url))
        self.open_button = self._button(
            "Open again", "oauthOpenAgain", lambda: self.open_requested.emit(self.url)
        )
        self.cancel_button = self._button("Cancel", "oauthCancelSignIn", self.reject)
        self.timeout = _Countdown(
            f"Waiting for the answer at {prompt.redirect_uri} for up to "
            f"{prompt.timeout / 60:g} min ({{left}} left).",
            prompt.timeout,
            self,
        )
        self.timeout.setObjectName("oauthSignInTimeout")
        self.timeout.setWordWrap(True)
        self._lay_out(
            (title, note, self.url_field, self.timeout),
            (self.copy_button, self.open_button, self.cancel_button),
        )
        self.resize(560, self.sizeHint().height())


class DeviceDialog(_PromptDialog):
    """``oauthDeviceDialog``: the code to enter at the verification URL, until it expires."""

    def __init__(self, prompt: DevicePrompt, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("oauthDeviceDialog")
        self.setWindowTitle("OAuth2 sign-in with a code")
        self.user_code = prompt.user_code
        self.url = prompt.verification_uri_complete or prompt.verification_uri
        intro = QLabel("On any device, open this address and enter the code:", self)
        intro.setWordWrap(True)
        self.code_label = QLabel(prompt.user_code, self)
        self.code_label.setObjectName("oauthUserCode")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        large = QFont(self.code_label.font())
        large.setPointSizeF(large.pointSizeF() * 2.4)
        large.setBold(True)
        large.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 3)
        self.code_label.setFont(large)
        self.url_field = QLineEdit(prompt.verification_uri, self)
        self.url_field.setObjectName("oauthVerificationUrl")
        self.url_field.setReadOnly(True)
        self.copy_button = self._button("Copy code", "oauthCopyCode", lambda: _copy(self.user_code))
        self.open_button = self._button(
            "Open", "oauthOpenVerification", lambda: self.open_requested.emit(self.url)
        )
        self.cancel_button = self._button("Cancel", "oauthCancelDevice", self.reject)
        self.expiry = _Countdown(
            "Waiting for the confirmation; the code expires in {left}.", prompt.expires_in, self
        )
        self.expiry.setObjectName("oauthDeviceExpiry")
        self._lay_out(
            (intro, self.code_label, self.url_field, self.expiry),
            (self.copy_button, self.open_button, self.cancel_button),
        )
        self.resize(460, self.sizeHint().height())


class OAuthController(QObject):
    """The Auth tab's OAuth2 token line and sign-in, for the request in the builder."""

    #: The token line was updated (tests wait for it).
    token_shown = Signal(object)
    #: A sign-in ended: the token view, or None when it failed or was cancelled.
    sign_in_finished = Signal(object)
    #: What the window's token indicator shows may have changed (``status_view``).
    status_changed = Signal()
    _authorize_prompted = Signal(object, int)
    _device_prompted = Signal(object, int)
    _event = Signal(object)

    def __init__(
        self,
        window: QMainWindow,
        service: OAuthService | None,
        ops: Operations,
        editor: RequestEditor,
        context: Callable[[], SendContext],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._service = service
        self._ops = ops
        self._editor = editor
        self._tab = editor.auth
        self._context = context
        self._generation = 0
        self._pending: PendingSignIn | None = None
        self._sign_in = 0  # the sign-in whose prompts are wanted
        self._identity = ""  # the OAuth2 identity on screen, once its state is known
        self._view: OAuthTokenView | None = None
        self._problem = ""  # why the token state of the auth on screen cannot be told
        self._oauth_shown = False  # as last reported through ``status_changed``
        self.dialog: SignInDialog | DeviceDialog | None = None
        self.inspector: TokenInspector | None = None
        self.sign_in_button = QToolButton(window)
        self.sign_in_button.setObjectName("authSignIn")
        self.sign_in_button.setText("Sign in")
        self.sign_in_button.setToolTip("Get a token for the request on screen (Auth tab)")
        self.sign_in_button.hide()
        self.sign_in_button.clicked.connect(self._on_sign_in_clicked)
        window.statusBar().addPermanentWidget(self.sign_in_button)
        self._tab.token_wanted.connect(self.refresh)
        self._tab.changed.connect(self._on_auth_changed)
        self._tab.get_token_requested.connect(self.get_token)
        self._tab.forget_token_requested.connect(self.forget_token)
        self._tab.inspect_requested.connect(self.inspect)
        self._authorize_prompted.connect(self._on_authorize, Qt.ConnectionType.QueuedConnection)
        self._device_prompted.connect(self._on_device, Qt.ConnectionType.QueuedConnection)
        self._event.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        if service is not None:
            service.subscribe(self._emit_event)
        else:
            self._tab.get_token.setEnabled(False)

    @property
    def signing_in(self) -> bool:
        return self._pending is not None

    # -- the token line ------------------------------------------------------------------------

    def status_view(self) -> TokenView | None:
        """The request's own OAuth2 token (its own auth or its folder's) as the window's token
        indicator shows it; None when the request on screen does not use OAuth2 and the
        provider's token applies."""
        if not self._tab.oauth_shown:
            return None
        view = self._view
        if view is None:
            detail = f"{OWN_OAUTH}: {self._problem}" if self._problem else OWN_OAUTH_EMPTY
            return TokenView("none", detail)
        inspected = view.inspected or TokenView()
        if view.state == "none":
            return replace(inspected, state="none", detail=OWN_OAUTH_EMPTY)
        expires_at = view.expires_at
        if view.state == "expired":  # an end in the past: the indicator says "expired"
            expires_at = min(expires_at or 0.0, time.time())
        detail = f"{OWN_OAUTH}: {inspected.detail}" if inspected.detail else OWN_OAUTH
        return replace(inspected, state="valid", detail=detail, expires_at=expires_at)

    def _on_auth_changed(self) -> None:
        """The auth kind may have turned OAuth2 off: the indicator goes back to the provider."""
        if self._oauth_shown != self._tab.oauth_shown:
            self._oauth_shown = self._tab.oauth_shown
            self.status_changed.emit()

    def refresh(self) -> None:
        """Ask for the token state of the OAuth2 auth on screen (latest wins)."""
        if self._service is None or not self._tab.oauth_shown:
            return
        self._generation += 1
        generation = self._generation
        self._ops.run(
            self._service.status(self._editor.to_spec(), self._context()),
            lambda view: self._show(generation, view),
            on_failure=lambda error: self._show_problem(generation, error),
        )

    def _show(self, generation: int, view: OAuthTokenView) -> None:
        if generation != self._generation:
            return
        self._identity = view.identity
        self._view = view
        self._problem = ""
        self._oauth_shown = True
        self._tab.show_token(view)
        if self.inspector is not None and self.inspector.isVisible():
            self.inspector.show_view(view.inspected or TokenView())
        if view.state == "valid":
            self._settled()
        self.status_changed.emit()
        self.token_shown.emit(view)

    def _show_problem(self, generation: int, error: Failure) -> None:
        if generation == self._generation:
            self._identity = ""
            self._view = None
            self._problem = str(error)
            self._tab.show_token(None, str(error))
            self.status_changed.emit()
            self.token_shown.emit(None)

    def inspect(self) -> TokenInspector:
        """The token inspector with the token on screen (decoded claims, never the token);
        its Refresh now is Get token."""
        if self.inspector is None:
            self.inspector = TokenInspector(self._window)
            self.inspector.setObjectName("authTokenInspector")  # not the provider's
            self.inspector.refresh_requested.connect(self.get_token)
            self.inspector.forget_requested.connect(self.forget_token)
        view = self._view.inspected if self._view is not None else None
        self.inspector.show_view(view or TokenView())
        self.inspector.show()
        self.refresh()
        return self.inspector

    # -- Get token / Forget token --------------------------------------------------------------

    def get_token(self) -> None:
        """Sign in (or run the grant) for the request on screen; one sign-in at a time."""
        if self._service is None or self._pending is not None:
            return
        self._sign_in += 1
        ticket = self._sign_in
        pending = self._service.sign_in(
            self._editor.to_spec(),
            self._context(),
            lambda prompt: self._emit(self._authorize_prompted, prompt, ticket),
            lambda prompt: self._emit(self._device_prompted, prompt, ticket),
        )
        self._pending = pending
        self._tab.set_signing_in(True)
        self._ops.run(
            pending.future,
            lambda view: self._on_signed_in(ticket, view),
            on_failure=lambda error: self._on_sign_in_failed(ticket, error),
        )

    def forget_token(self) -> None:
        if self._service is None or self._pending is not None:
            return
        self._generation += 1
        generation = self._generation

        def forgotten(view: OAuthTokenView) -> None:
            self._show(generation, view)
            self._ops.channel.show_info("The tokens of this OAuth2 auth were forgotten.", 5000)

        self._ops.run(
            self._service.forget(self._editor.to_spec(), self._context()),
            forgotten,
            failure="The token could not be forgotten",
        )

    def _on_signed_in(self, ticket: int, view: OAuthTokenView) -> None:
        if ticket != self._sign_in:
            return
        self._end_sign_in()
        self._generation += 1
        self._show(self._generation, view)
        lifetime = ""
        if view.expires_at is not None:
            lifetime = f", valid for {max(0, round((view.expires_at - time.time()) / 60))} min"
        refresh = " and a refresh token" if view.has_refresh_token else ""
        self._ops.channel.show_info(f"Signed in: an access token{lifetime}{refresh}.", 8000)
        self.sign_in_finished.emit(view)

    def _on_sign_in_failed(self, ticket: int, error: Failure) -> None:
        if ticket != self._sign_in:
            return
        self._end_sign_in()
        if isinstance(error, Cancelled):
            self._ops.channel.show_info(str(error) or "The sign-in was cancelled.", 5000)
        else:
            self._ops.channel.show_error(f"No token: {error}")
        self.sign_in_finished.emit(None)

    def _end_sign_in(self) -> None:
        self._pending = None
        self._tab.set_signing_in(False)
        if self.dialog is not None:
            self.dialog.finish()
            self.dialog.deleteLater()
            self.dialog = None

    def cancel(self) -> None:
        """Cancel the sign-in under way (its dialog's Cancel)."""
        if self._pending is not None:
            self._pending.cancel()

    def close(self) -> None:
        """The window is closing: stop a sign-in that waits for the browser or a code."""
        self._sign_in += 1
        if self._pending is not None:
            self._pending.cancel()
        self._pending = None
        if self.dialog is not None:
            self.dialog.finish()
            self.dialog = None

    # -- prompts, on the UI thread -------------------------------------------------------------

    def _emit(self, signal: SignalInstance, prompt: object, ticket: int) -> None:
        """Runs on the sign-in's worker: hand the prompt over to the UI thread."""
        with contextlib.suppress(RuntimeError):  # the window is gone: nobody to show it to
            signal.emit(prompt, ticket)

    def _on_authorize(self, prompt: AuthorizePrompt, ticket: int) -> None:
        if ticket == self._sign_in and self._pending is not None:
            self._open_dialog(SignInDialog(prompt, self._window))

    def _on_device(self, prompt: DevicePrompt, ticket: int) -> None:
        if ticket == self._sign_in and self._pending is not None:
            self._open_dialog(DeviceDialog(prompt, self._window))

    def _open_dialog(self, dialog: SignInDialog | DeviceDialog) -> None:
        if self.dialog is not None:
            self.dialog.finish()
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.cancel_requested.connect(self.cancel)
        dialog.open_requested.connect(self._open_in_browser)
        dialog.show()

    def _open_in_browser(self, url: str) -> None:
        if self._service is None:
            return

        def opened(done: bool) -> None:
            if not done:
                self._ops.channel.show_error(
                    "No browser could be opened; copy the address and open it yourself."
                )

        self._ops.run(self._service.open_browser(url), opened)

    # -- a sign-in is needed ---------------------------------------------------------------------

    def sign_in_needed(self, text: str) -> None:
        """A send needs a sign-in: say so, offer "Sign in" and highlight Get token."""
        self._ops.channel.show_error(text)
        self.sign_in_button.show()
        self._tab.highlight_get_token(True)
        self.refresh()

    def _on_sign_in_clicked(self) -> None:
        self._editor.tabs.setCurrentWidget(self._tab)
        self.get_token()

    def _settled(self) -> None:
        """A token is there: nothing to sign in for any more."""
        self.sign_in_button.hide()
        self._tab.highlight_get_token(False)

    def _emit_event(self, event: OAuthEvent) -> None:
        """Runs on a worker (the token manager's thread)."""
        with contextlib.suppress(RuntimeError):
            self._event.emit(event)

    def _on_event(self, event: OAuthEvent) -> None:
        if not self._identity or event.identity != self._identity or not self._tab.oauth_shown:
            return
        if event.kind == "authorization-required" and self._pending is None:
            self.sign_in_needed(str(SignInRequired(event.grant)))
        elif event.kind in _REFRESHING:
            self.refresh()
