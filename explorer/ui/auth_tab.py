"""The request's auth (``authTab``): inherit the provider's, or set one of ``auth.schema``'s types.

The fields are generated from the schema (one page per editable type, a line edit per parameter,
a combo box where the parameter has choices), so the tab writes the parameters the registry,
importers, exporters and snippets read. Values may be ``{{variables}}``, so a secret can stay in
a secret variable and be referenced by name.

An auth the tab cannot edit (a type the app cannot send, such as NTLM) is shown read-only with
one sentence and saved back exactly as it was loaded.

OAuth2 (set here, or inherited from a folder) gets a token line under the fields: "Get token"
(``authGetToken``), the token's state and expiry (``authTokenState``) and "Forget token"
(``authForgetToken``). The tab only shows and asks (``get_token_requested``,
``token_wanted`` ...); the window's ``OAuthController`` does the work. Fields a grant or a
client authentication does not use are hidden (``GRANT_ONLY``, ``CLIENT_AUTH_ONLY``); their
values are kept.
"""

from __future__ import annotations

import time
from typing import Final

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.auth.schema import SCHEMA, AuthType, is_secret, unsupported
from explorer.core.models import AuthSpec
from explorer.services.api import OAuthTokenView

INHERIT = "inherit"
INHERIT_HINT = "Uses the provider's auth: its token is fetched and refreshed for you."
NO_INHERITED = "No auth: no folder above this request sets one and it goes to no provider."
_MASK = "••••••"

Field = QLineEdit | QComboBox
OAUTH2 = "oauth2"

#: OAuth2 parameters only some grants use; on the others' pages they are hidden.
GRANT_ONLY: Final[dict[str, frozenset[str]]] = {
    "auth_url": frozenset({"authorization_code"}),
    "redirect_uri": frozenset({"authorization_code"}),
    "pkce": frozenset({"authorization_code"}),
    "device_url": frozenset({"device_code"}),
    "username": frozenset({"password"}),
    "password": frozenset({"password"}),
}
#: OAuth2 parameters only some client authentication methods use.
CLIENT_AUTH_ONLY: Final[dict[str, frozenset[str]]] = {
    "client_secret": frozenset({"client_secret_basic", "client_secret_post"}),
    "private_key": frozenset({"private_key_jwt"}),
}
#: Grants whose token needs the user (a browser or a device code).
INTERACTIVE: Final = frozenset({"authorization_code", "device_code"})
_TOKEN_DELAY_MS = 300  # ask for the token state once typing pauses, not per keystroke


def oauth_param_shown(param: str, grant: str, client_auth: str) -> bool:
    """Whether the OAuth2 Auth tab shows ``param`` for ``grant`` and ``client_auth``."""
    grants = GRANT_ONLY.get(param)
    methods = CLIENT_AUTH_ONLY.get(param)
    return (grants is None or grant in grants) and (methods is None or client_auth in methods)


def _span(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def token_line(view: OAuthTokenView, now: float) -> str:
    """The token state line: "No token yet", "Valid, expires in 12 min", "Expired; a refresh
    token is kept" ... (expiry counted from ``now``, so the line ages without a new query)."""
    kept = "; a refresh token is kept" if view.has_refresh_token else ""
    expired = view.state == "expired" or (
        view.state == "valid" and view.expires_at is not None and view.expires_at <= now
    )
    if expired:
        if view.has_refresh_token:
            return "Expired; a refresh token is kept (the next send refreshes it)"
        if view.grant in INTERACTIVE:
            return "Expired; press Get token to sign in again"
        return "Expired; the next send gets a new one"
    if view.state == "valid":
        if view.expires_at is None:
            return f"Valid, no expiry given{kept}"
        return f"Valid, expires in {_span(view.expires_at - now)}{kept}"
    return f"No token yet{kept}"


class AuthTab(QWidget):
    changed = Signal()
    get_token_requested = Signal()
    forget_token_requested = Signal()
    inspect_requested = Signal()
    #: The OAuth2 auth on screen (or its placement) may have changed: ask for its token state.
    token_wanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("authTab")
        self.kind = QComboBox(self)
        self.kind.setObjectName("authKindCombo")
        self.hint = QLabel(self)
        self.hint.setObjectName("authHint")
        self.hint.setWordWrap(True)
        self.pages = QStackedWidget(self)
        self._fields: dict[str, dict[str, Field]] = {}
        self._forms: dict[str, QFormLayout] = {}
        self._inherited_oauth = False
        self._token_view: OAuthTokenView | None = None
        self._page: dict[str, int] = {INHERIT: self.pages.addWidget(QWidget(self.pages))}
        self.kind.addItem("Inherit", INHERIT)
        self._inherit_hint = INHERIT_HINT
        for kind in SCHEMA.values():
            if kind.editable:
                self.kind.addItem(kind.label, kind.name)
                self._page[kind.name] = self.pages.addWidget(self._form(kind))
        self.kept_view = QLabel(self.pages)
        self.kept_view.setObjectName("authKeptParams")
        self.kept_view.setWordWrap(True)
        self._kept_page = self.pages.addWidget(self.kept_view)
        self._kept: AuthSpec | None = None
        self.token_box = self._token_row()
        fields = QWidget(self)
        column = QVBoxLayout(fields)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.pages)
        column.addWidget(self.token_box)
        column.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.kind)
        layout.addWidget(self.hint)
        layout.addWidget(_scrolling(fields), 1)  # the OAuth2 form is taller than a small window
        self._token_timer = QTimer(self)
        self._token_timer.setSingleShot(True)
        self._token_timer.setInterval(_TOKEN_DELAY_MS)
        self._token_timer.timeout.connect(self._on_token_timer_timeout)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._render_token)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.changed.connect(self._want_token)
        for name in ("grant_type", "client_auth"):
            choice = self._fields[OAUTH2][name]
            if isinstance(choice, QComboBox):
                choice.currentIndexChanged.connect(self._apply_oauth_visibility)
        self._apply_oauth_visibility()
        self._on_kind_changed()

    def _token_row(self) -> QWidget:
        """Get token, the token's state, Forget token: shown for OAuth2 only."""
        box = QWidget(self)
        box.setObjectName("authTokenBox")
        self.get_token = QPushButton("Get token", box)
        self.get_token.setObjectName("authGetToken")
        self.get_token.setToolTip(
            "Sign in (browser or device code) or run the grant now, and keep the tokens"
        )
        self.get_token.clicked.connect(self.get_token_requested)
        self.token_state = QLabel(box)
        self.token_state.setObjectName("authTokenState")
        self.token_state.setWordWrap(True)
        self.forget_token = QPushButton("Forget token", box)
        self.forget_token.setObjectName("authForgetToken")
        self.forget_token.setToolTip("Drop the access and refresh tokens kept for this auth")
        self.forget_token.clicked.connect(self.forget_token_requested)
        self.inspect_token = QPushButton("Inspect…", box)
        self.inspect_token.setObjectName("authInspectToken")
        self.inspect_token.setToolTip("Claims, scopes, expiry and recent events of the token")
        self.inspect_token.clicked.connect(self.inspect_requested)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 6, 0, 0)
        row.addWidget(self.get_token)
        row.addWidget(self.token_state, 1)
        row.addWidget(self.inspect_token)
        row.addWidget(self.forget_token)
        box.hide()
        return box

    def _form(self, kind: AuthType) -> QWidget:
        page = QWidget(self.pages)
        form = QFormLayout(page)
        self._forms[kind.name] = form
        fields: dict[str, Field] = {}
        for param in kind.params:
            name = f"auth_{kind.name}_{param.name}".replace("-", "_")
            field: Field
            if param.choices:
                field = QComboBox(page)
                field.addItems(list(param.choices))
                field.setCurrentText(param.default)
                field.currentIndexChanged.connect(self.changed)
            else:
                field = QLineEdit(param.default, page)
                field.setPlaceholderText("value or {{variable}}")
                if param.secret:
                    field.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
                field.textChanged.connect(self.changed)
            field.setObjectName(name)
            form.addRow(param.label, field)
            fields[param.name] = field
        self._fields[kind.name] = fields
        return page

    def set_inherited(self, hint: str, oauth: bool = False) -> None:
        """What "Inherit" means for the open request: a folder's auth (``oauth``: an OAuth2
        one, whose token line is shown), the provider's, or none (a collection bound to no
        provider)."""
        self._inherit_hint = hint
        self._inherited_oauth = oauth
        if self.kind.currentData() == INHERIT:
            self.hint.setText(hint)
        self._show_token_box()
        self._want_token()

    @property
    def oauth_shown(self) -> bool:
        """Whether the request's auth, as on screen, is OAuth2 (its own or inherited)."""
        key = self.kind.currentData()
        return key == OAUTH2 or (key == INHERIT and self._inherited_oauth)

    def show_token(self, view: OAuthTokenView | None, problem: str = "") -> None:
        """The token state of the OAuth2 auth on screen; ``problem`` when it cannot be told
        (an undefined variable, an incomplete auth)."""
        self._token_view = view
        self.forget_token.setEnabled(view is not None)
        self.inspect_token.setEnabled(view is not None)
        if view is None:
            self._clock.stop()
            self.token_state.setText(f"Token state unknown: {problem}" if problem else "")
            self.token_state.setToolTip(problem)
            return
        self.token_state.setToolTip("")
        if view.state == "valid" and view.expires_at is not None:
            self._clock.start()
        else:
            self._clock.stop()
        self._render_token()

    def set_signing_in(self, busy: bool) -> None:
        """While a sign-in runs, Get token and Forget token wait for it."""
        self.get_token.setEnabled(not busy)
        self.get_token.setText("Signing in…" if busy else "Get token")
        self.forget_token.setEnabled(not busy and self._token_view is not None)

    def highlight_get_token(self, on: bool) -> None:
        """Draw the eye to Get token (a send needed a sign-in)."""
        self.get_token.setProperty("attention", on)
        self.get_token.setStyleSheet(
            "QPushButton { font-weight: bold; border: 2px solid palette(link); "
            "border-radius: 3px; padding: 2px 8px; }"
            if on
            else ""
        )

    @property
    def highlighted(self) -> bool:
        return bool(self.get_token.property("attention"))

    def _render_token(self) -> None:
        if self._token_view is not None:
            self.token_state.setText(token_line(self._token_view, time.time()))

    def _show_token_box(self) -> None:
        shown = self.oauth_shown
        self.token_box.setVisible(shown)
        if not shown:
            self._clock.stop()

    def _want_token(self) -> None:
        if self.oauth_shown:
            self._token_timer.start()

    def _on_token_timer_timeout(self) -> None:
        if self.oauth_shown:
            self.token_wanted.emit()

    def _apply_oauth_visibility(self) -> None:
        fields = self._fields[OAUTH2]
        grant, method = fields["grant_type"], fields["client_auth"]
        if not isinstance(grant, QComboBox) or not isinstance(method, QComboBox):
            return
        form = self._forms[OAUTH2]
        for name, field in fields.items():
            shown = oauth_param_shown(name, grant.currentText(), method.currentText())
            form.setRowVisible(field, shown)

    def field(self, kind: str, param: str) -> Field:
        """The input of ``param`` on ``kind``'s page (tests and accessibility find it here)."""
        return self._fields[kind][param]

    def load(self, auth: AuthSpec | None) -> None:
        self._drop_kept()
        self.highlight_get_token(False)
        self.show_token(None)
        self._want_token()  # the same auth in another request may have another token
        if auth is None or auth.type == INHERIT:
            self.kind.setCurrentIndex(self.kind.findData(INHERIT))
            return
        known = SCHEMA.get(auth.type)
        if known is None or not known.editable:
            self._kept = auth
            label = known.label if known is not None else auth.type
            self.kind.addItem(f"{label} (kept as imported)", auth.type)
            self.kind.setCurrentIndex(self.kind.count() - 1)
            return
        values = dict(auth.params)
        for param in known.params:
            field = self._fields[known.name][param.name]
            value = values.get(param.name, param.default)
            if isinstance(field, QComboBox):
                field.setCurrentText(value)
            else:
                field.setText(value)
        self.kind.setCurrentIndex(self.kind.findData(known.name))

    def to_auth(self) -> AuthSpec | None:
        key = self.kind.currentData()
        if key == INHERIT:
            return None
        if self._kept is not None and self.kind.currentIndex() == self.kind.count() - 1:
            return self._kept
        fields = self._fields[key]
        return AuthSpec(
            key,
            tuple(
                (name, f.currentText() if isinstance(f, QComboBox) else f.text())
                for name, f in fields.items()
            ),
        )

    def _drop_kept(self) -> None:
        """Forget the previous request's kept auth and its combo entry."""
        if self._kept is not None:
            self._kept = None
            self.kind.removeItem(self.kind.count() - 1)

    def _on_kind_changed(self) -> None:
        key = self.kind.currentData()
        kept = self._kept is not None and self.kind.currentIndex() == self.kind.count() - 1
        if kept and self._kept is not None:
            known = SCHEMA.get(self._kept.type)
            self.hint.setText(known.note if known is not None else unsupported(self._kept.type))
            self.kept_view.setText(
                "\n".join(_shown(self._kept, n, v) for n, v in self._kept.params)
            )
            self.pages.setCurrentIndex(self._kept_page)
        else:
            known = SCHEMA.get(key)
            self.hint.setText(known.hint if known is not None else self._inherit_hint)
            self.pages.setCurrentIndex(self._page.get(key, 0))
        self._show_token_box()
        self.changed.emit()


def _shown(auth: AuthSpec, name: str, value: str) -> str:
    """One kept parameter as shown: literal secrets masked, ``{{variables}}`` as they are."""
    if value and "{{" not in value and is_secret(auth.type, name):
        value = _MASK
    return f"{name}: {value}"


def _scrolling(widget: QWidget) -> QScrollArea:
    scroll = QScrollArea(widget.parentWidget())
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    return scroll
