"""OAuth2 and the other new auth types in the window, driven by object names against our strict
OAuth2 server on loopback: Get token / Forget token and the token line (client credentials
inherited from a collection), authorization code through the sign-in dialog (the browser is a
``BROWSER`` script that follows the authorize redirect to the loopback listener), device code
through the device dialog, Cancel, and a send that needs a sign-in offering "Sign in" instead of
a dialog of its own; then Send carries the token. Also the Auth tab's per-grant fields and the
Digest, AWS SigV4 and API-key-in-a-cookie pages generated from the schema."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QTreeView,
    QWidget,
)

from explorer.core.auth.schema import SCHEMA
from explorer.core.models import AuthSpec, RequestSpec
from explorer.core.workspace.collections import save_collection
from explorer.core.workspace.model import Folder, SavedRequest, Variable
from explorer.core.workspace.store import WorkspaceStore
from explorer.services.api import OAuthTokenView, Services
from explorer.ui.auth_tab import AuthTab, token_line
from tests.support.oauth_server import Client, StrictOAuthServer
from tests.ui.conftest import OFFSCREEN_NOISE, open_window

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

WAIT = 20_000
BROWSER = """#!{python}
import os, sys, urllib.request
url = sys.argv[1]
if os.environ.get("BROWSER_FOLLOW") == "1":
    try:
        urllib.request.urlopen(url, timeout=20).read()
    except OSError:
        pass
with open(os.environ["BROWSER_LOG"], "a", encoding="utf-8") as log:
    log.write(url + "\\n")
"""


def child(parent: QWidget, kind: type, name: str):  # type: ignore[no-untyped-def]
    found = parent.findChild(kind, name)
    assert found is not None, f"no {kind.__name__} named {name}"
    return found


def shown_dialog(window: QWidget, name: str) -> QDialog | None:
    found = [d for d in window.findChildren(QDialog, name) if d.isVisible()]
    return found[0] if found else None


def no_browser_left() -> bool:
    return not any(t.name == "explorer-browser" for t in threading.enumerate())


@pytest.fixture(scope="module")
def strict() -> Iterator[StrictOAuthServer]:
    server = StrictOAuthServer(ttl=600)
    server.register(Client("public"))
    server.register(Client("machine", secret="machine-secret"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    script = tmp_path_factory.mktemp("browser") / "browser.py"
    script.write_text(BROWSER.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o755)
    return script


@pytest.fixture
def browser(
    browser_script: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[bool], Path]:
    """``BROWSER`` is the script; ``browser(follow)`` says whether it follows the URL it is
    given (a user who signs in) and returns the file listing every URL it was given."""
    log = tmp_path / "opened.txt"
    monkeypatch.setenv("BROWSER", str(browser_script))
    monkeypatch.setenv("BROWSER_LOG", str(log))

    def follow(on: bool) -> Path:
        monkeypatch.setenv("BROWSER_FOLLOW", "1" if on else "0")
        return log

    return follow


def oauth2(server: StrictOAuthServer, **auth: str) -> RequestSpec:
    return RequestSpec(
        "GET", f"{server.base_url}/api", name="Me", auth=AuthSpec("oauth2", tuple(auth.items()))
    )


def code_grant(server: StrictOAuthServer) -> RequestSpec:
    return oauth2(
        server,
        grant_type="authorization_code",
        auth_url=f"{server.base_url}/authorize",
        token_url=server.token_url,
        client_id="public",
        client_auth="none",
    )


def open_request(qtbot, window, spec: RequestSpec) -> OAuthTokenView | None:  # type: ignore[no-untyped-def]
    """Open ``spec`` in the builder, show its Auth tab and wait for its token line."""
    with qtbot.waitSignal(window.oauth.token_shown, timeout=WAIT) as shown:
        window.load_request(spec)
    window.editor.tabs.setCurrentWidget(window.editor.auth)
    return shown.args[0]  # type: ignore[no-any-return]


def click(qtbot, button: QPushButton | QToolButton) -> None:  # type: ignore[no-untyped-def]
    assert button.isVisible(), button.objectName()
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def send(qtbot, window) -> int:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.request_finished, timeout=WAIT) as finished:
        click(qtbot, window.editor.send_button)
    return finished.args[0].exchange.response.status  # type: ignore[no-any-return]


# -- the Auth tab ---------------------------------------------------------------------------------


@pytest.fixture
def tab(qtbot) -> AuthTab:  # type: ignore[no-untyped-def]
    widget = AuthTab()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_oauth2_fields_follow_the_grant_and_the_client_authentication(tab: AuthTab) -> None:
    tab.kind.setCurrentIndex(tab.kind.findData("oauth2"))
    grant, method = tab.field("oauth2", "grant_type"), tab.field("oauth2", "client_auth")
    assert isinstance(grant, QComboBox)
    assert isinstance(method, QComboBox)
    assert tab.token_box.isVisible()

    def shown() -> set[str]:
        names = ("auth_url", "redirect_uri", "pkce", "device_url", "username", "password")
        more = ("client_secret", "private_key", "token_url", "scope", "refresh_token")
        return {n for n in (*names, *more) if tab.field("oauth2", n).isVisible()}

    always = {"token_url", "scope", "refresh_token"}
    assert shown() == always | {"client_secret"}  # client credentials, client_secret_basic
    grant.setCurrentText("password")
    assert shown() == always | {"client_secret", "username", "password"}
    grant.setCurrentText("authorization_code")
    method.setCurrentText("none")
    assert shown() == always | {"auth_url", "redirect_uri", "pkce"}
    grant.setCurrentText("device_code")
    method.setCurrentText("private_key_jwt")
    assert shown() == always | {"device_url", "private_key"}
    tab.field("oauth2", "username").setText("kept")  # a hidden field keeps its value
    assert ("username", "kept") in tab.to_auth().params  # type: ignore[union-attr]
    tab.kind.setCurrentIndex(tab.kind.findData("basic"))
    assert not tab.token_box.isVisible()


@pytest.mark.parametrize(
    ("kind", "secrets", "choices"),
    [
        ("digest", ("password",), {}),
        ("awsv4", ("secret_key", "session_token"), {}),
        ("api-key", ("value",), {"in": ["header", "query", "cookie"]}),
        (
            "oauth2",
            ("client_secret", "private_key", "password", "access_token", "refresh_token"),
            {
                "grant_type": [
                    "client_credentials",
                    "password",
                    "authorization_code",
                    "device_code",
                    "refresh_token",
                ],
                "client_auth": [
                    "client_secret_basic",
                    "client_secret_post",
                    "private_key_jwt",
                    "none",
                ],
                "pkce": ["S256", "off"],
                "add_token_to": ["header", "query"],
            },
        ),
    ],
)
def test_the_new_auth_types_render_from_the_schema(
    tab: AuthTab, kind: str, secrets: tuple[str, ...], choices: dict[str, list[str]]
) -> None:
    tab.kind.setCurrentIndex(tab.kind.findData(kind))
    assert tab.kind.currentData() == kind
    for param in SCHEMA[kind].params:
        field = tab.field(kind, param.name)
        if param.name in choices:
            assert isinstance(field, QComboBox)
            assert [field.itemText(i) for i in range(field.count())] == choices[param.name]
        else:
            assert isinstance(field, QLineEdit)
            masked = field.echoMode() == QLineEdit.EchoMode.PasswordEchoOnEdit
            assert masked == (param.name in secrets), param.name
    assert tab.token_box.isVisible() == (kind == "oauth2")


def test_the_token_line_says_the_state_and_the_time_left() -> None:
    now = 1_000_000.0
    assert token_line(OAuthTokenView("none"), now) == "No token yet"
    valid = OAuthTokenView("valid", expires_at=now + 12 * 60 + 5)
    assert token_line(valid, now) == "Valid, expires in 12 min"
    assert token_line(valid, now + 12 * 60) == "Valid, expires in 5 s"
    kept = OAuthTokenView("expired", expires_at=now - 1, has_refresh_token=True)
    assert token_line(kept, now).startswith("Expired; a refresh token is kept")
    assert token_line(OAuthTokenView("valid", expires_at=now - 1), now).startswith("Expired")
    assert token_line(OAuthTokenView("valid"), now) == "Valid, no expiry given"
    signed_out = OAuthTokenView("expired", expires_at=now - 1, grant="device_code")
    assert token_line(signed_out, now) == "Expired; press Get token to sign in again"


# -- the window -------------------------------------------------------------------------------


@pytest.fixture
def collection_request(tmp_path: Path, strict: StrictOAuthServer) -> Path:
    """A collection whose OAuth2 client credentials the request inherits; the client secret
    is a collection variable (the placement decides what the token request sends)."""
    tree = Folder(
        "Shop",
        variables=(Variable("secret", "machine-secret"),),
        auth=AuthSpec(
            "oauth2",
            (
                ("grant_type", "client_credentials"),
                ("token_url", strict.token_url),
                ("client_id", "machine"),
                ("client_secret", "{{secret}}"),
            ),
        ),
        items=(SavedRequest(RequestSpec("GET", f"{strict.base_url}/api", name="Orders")),),
    )
    store = WorkspaceStore(tmp_path / "workspace")
    saved = save_collection(tree, store.collections_dir / "shop")
    return saved.requests()[0][1].path  # type: ignore[return-value]


def test_get_token_state_line_send_and_forget_for_an_inherited_oauth2(
    qtbot, services: Services, strict: StrictOAuthServer, collection_request: Path
) -> None:
    strict.reset()
    window = open_window(qtbot, services)
    tree = window.findChild(QTreeView, "collectionTree")
    qtbot.waitUntil(lambda: tree.index_of(collection_request).isValid(), timeout=WAIT)
    index = tree.index_of(collection_request)
    tree.scrollTo(index)
    with qtbot.waitSignal(window.oauth.token_shown, timeout=WAIT):
        qtbot.mouseClick(
            tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(index).center()
        )
    auth = window.editor.auth
    window.editor.tabs.setCurrentWidget(auth)
    assert auth.kind.currentData() == "inherit"
    state = child(window, QLabel, "authTokenState")
    assert state.isVisible()
    assert state.text() == "No token yet"

    with qtbot.waitSignal(window.oauth.sign_in_finished, timeout=WAIT):
        click(qtbot, child(window, QPushButton, "authGetToken"))

    assert state.text() == "Valid, expires in 10 min"
    assert strict.counts["client_credentials"] == 1
    assert window.messages.text().startswith("Signed in: an access token, valid for 10 min")
    assert send(qtbot, window) == 200
    assert strict.counts["client_credentials"] == 1  # the token Get token got

    with qtbot.waitSignal(window.oauth.token_shown, timeout=WAIT):
        click(qtbot, child(window, QPushButton, "authForgetToken"))
    assert state.text() == "No token yet"
    assert send(qtbot, window) == 200  # client credentials: the send gets a new token itself
    assert strict.counts["client_credentials"] == 2
    qtbot.waitUntil(lambda: state.text() == "Valid, expires in 10 min", timeout=WAIT)
    window.close()


def test_authorization_code_in_the_sign_in_dialog_then_send(
    qtbot, window, strict: StrictOAuthServer, browser
) -> None:
    log = browser(False)  # the first browser window is left alone
    strict.reset()
    assert open_request(qtbot, window, code_grant(strict)).state == "none"  # type: ignore[union-attr]

    click(qtbot, child(window, QPushButton, "authGetToken"))
    qtbot.waitUntil(lambda: shown_dialog(window, "oauthSignInDialog") is not None, timeout=WAIT)
    dialog = shown_dialog(window, "oauthSignInDialog")
    assert dialog is not None
    assert not dialog.isModal()
    url = child(dialog, QLineEdit, "oauthSignInUrl").text()
    assert url.startswith(f"{strict.base_url}/authorize?response_type=code&client_id=public")
    assert "code_challenge_method=S256" in url
    timeout = child(dialog, QLabel, "oauthSignInTimeout").text()
    assert timeout.startswith("Waiting for the answer at http://127.0.0.1:")
    assert "for up to 5 min (" in timeout
    assert window.editor.auth.get_token.text() == "Signing in…"
    qtbot.waitUntil(lambda: log.is_file() and url in log.read_text(encoding="utf-8"), timeout=WAIT)
    click(qtbot, child(dialog, QPushButton, "oauthCopyUrl"))
    assert QGuiApplication.clipboard().text() == url

    browser(True)  # now the user signs in in the browser "Open again" opens
    with qtbot.waitSignal(window.oauth.sign_in_finished, timeout=WAIT) as finished:
        click(qtbot, child(dialog, QPushButton, "oauthOpenAgain"))
    assert finished.args[0].state == "valid"
    assert shown_dialog(window, "oauthSignInDialog") is None
    state = child(window, QLabel, "authTokenState")
    assert state.text() == "Valid, expires in 10 min; a refresh token is kept"
    assert strict.counts["authorization_code"] == 1
    click(qtbot, child(window, QPushButton, "authInspectToken"))
    inspector = child(window, QDialog, "authTokenInspector")
    shown = inspector.browser.toPlainText()
    assert "Bearer token from the authorization_code grant" in shown
    assert "token acquired (authorization_code): signed in" in shown
    assert "at-" not in shown  # never the token itself
    inspector.close()
    assert send(qtbot, window) == 200
    qtbot.waitUntil(no_browser_left, timeout=WAIT)


def test_cancel_in_the_sign_in_dialog_gives_up_the_grant(
    qtbot, window, strict: StrictOAuthServer, browser
) -> None:
    browser(False)
    strict.reset()
    open_request(qtbot, window, code_grant(strict))
    click(qtbot, child(window, QPushButton, "authGetToken"))
    qtbot.waitUntil(lambda: shown_dialog(window, "oauthSignInDialog") is not None, timeout=WAIT)
    dialog = shown_dialog(window, "oauthSignInDialog")
    assert dialog is not None

    with qtbot.waitSignal(window.oauth.sign_in_finished, timeout=WAIT) as finished:
        click(qtbot, child(dialog, QPushButton, "oauthCancelSignIn"))

    assert finished.args[0] is None
    assert shown_dialog(window, "oauthSignInDialog") is None
    assert window.messages.text() == "The OAuth2 sign-in was cancelled."
    assert window.editor.auth.get_token.text() == "Get token"
    assert child(window, QLabel, "authTokenState").text() == "No token yet"
    assert strict.counts["authorization_code"] == 0
    qtbot.waitUntil(no_browser_left, timeout=WAIT)


def test_device_code_in_the_device_dialog(qtbot, window, strict: StrictOAuthServer) -> None:
    strict.reset()
    strict.approve_after = 10**6  # pending until the test approves it below
    spec = oauth2(strict, grant_type="device_code", issuer=strict.base_url, client_id="public")
    open_request(qtbot, window, spec)

    click(qtbot, child(window, QPushButton, "authGetToken"))
    qtbot.waitUntil(lambda: shown_dialog(window, "oauthDeviceDialog") is not None, timeout=WAIT)
    dialog = shown_dialog(window, "oauthDeviceDialog")
    assert dialog is not None
    assert not dialog.isModal()
    code = child(dialog, QLabel, "oauthUserCode")
    assert code.text() == "WDJB-MJHT"
    assert code.font().pointSizeF() > 2 * window.font().pointSizeF()
    assert child(dialog, QLineEdit, "oauthVerificationUrl").text() == f"{strict.base_url}/activate"
    expiry = child(dialog, QLabel, "oauthDeviceExpiry").text()
    assert expiry.startswith("Waiting for the confirmation; the code expires in 0:")
    click(qtbot, child(dialog, QPushButton, "oauthCopyCode"))
    assert QGuiApplication.clipboard().text() == "WDJB-MJHT"
    assert child(dialog, QPushButton, "oauthOpenVerification").isEnabled()

    with qtbot.waitSignal(window.oauth.sign_in_finished, timeout=WAIT) as finished:
        strict.approve_after = 0  # the user confirms on the other device
    assert finished.args[0].state == "valid"
    assert shown_dialog(window, "oauthDeviceDialog") is None
    assert send(qtbot, window) == 200


def test_a_send_that_needs_a_sign_in_offers_sign_in_and_never_opens_a_dialog_itself(
    qtbot, window, strict: StrictOAuthServer, browser
) -> None:
    log = browser(True)
    strict.reset()
    open_request(qtbot, window, code_grant(strict))

    with qtbot.waitSignal(window.request_failed, timeout=WAIT):
        click(qtbot, window.editor.send_button)

    sentence = (
        "This request's OAuth2 authorization code grant needs you to sign in in a browser: "
        "press 'Sign in' (or 'Get token' in the Auth tab), then send again."
    )
    assert window.messages.text() == sentence
    sign_in = child(window, QToolButton, "authSignIn")
    assert sign_in.isVisible()
    assert window.editor.auth.highlighted
    assert shown_dialog(window, "oauthSignInDialog") is None
    assert not log.exists()  # no browser was opened by the send

    with qtbot.waitSignal(window.oauth.sign_in_finished, timeout=WAIT) as finished:
        click(qtbot, sign_in)
    assert finished.args[0].state == "valid"
    assert window.editor.tabs.currentWidget() is window.editor.auth
    assert not sign_in.isVisible()
    assert not window.editor.auth.highlighted
    assert send(qtbot, window) == 200
    qtbot.waitUntil(no_browser_left, timeout=WAIT)


def test_the_token_indicator_shows_the_requests_own_oauth2_token(
    qtbot, services: Services, strict: StrictOAuthServer, collection_request: Path
) -> None:
    strict.reset()
    window = open_window(qtbot, services)
    tree = window.findChild(QTreeView, "collectionTree")
    qtbot.waitUntil(lambda: tree.index_of(collection_request).isValid(), timeout=WAIT)
    indicator = child(window, QLabel, "tokenStatus")
    with qtbot.waitSignal(window.oauth.token_shown, timeout=WAIT):
        window.workspace.open(collection_request)
    qtbot.waitUntil(lambda: indicator.text() == "token: none yet", timeout=WAIT)
    assert indicator.toolTip().startswith("The request's own OAuth2 token")

    window.editor.tabs.setCurrentWidget(window.editor.auth)
    with qtbot.waitSignal(window.oauth.sign_in_finished, timeout=WAIT):
        click(qtbot, child(window, QPushButton, "authGetToken"))
    assert re.fullmatch(r"token: (10:00|9:5\d) left", indicator.text())  # not "not used"
    assert "Bearer token from the client_credentials grant" in indicator.toolTip()
    qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)  # its inspector, not the provider's
    assert child(window, QDialog, "authTokenInspector").isVisible()
    assert window.findChild(QDialog, "tokenInspector") is None

    auth = window.editor.auth
    auth.kind.setCurrentIndex(auth.kind.findData("basic"))  # no OAuth2: back to the provider's
    qtbot.waitUntil(lambda: indicator.text() == "token: not used", timeout=WAIT)
    window.close()
