"""The snippet dialog: the builder's request as code in any target, with a highlighted preview.

Every option change asks the snippet service for a new text (generated off the UI thread, where
stored secrets are read only to reveal them); the preview is indexed on the view worker and
highlighted there block by block, so even a request with a multi-megabyte body never stalls the
window. Results of an older choice are dropped (latest wins). A request that cannot become a
snippet (an undefined variable, full flow without a grant) shows the core's one sentence instead.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future

from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.core.errors import ExplorerError
from explorer.core.models import RequestSpec
from explorer.core.snippets import LANGUAGES
from explorer.services.api import SendContext, SnippetChoice, SnippetService
from explorer.ui.body_document import Document, make_document
from explorer.ui.relay import Relay
from explorer.ui.text_view import BodyTextView
from explorer.ui.theme import live_colors, status_color

#: Snippet lines are code: rows as long as the longest line (scroll sideways), up to this.
MAX_WRAP = 4000
AUTH_MODES = (
    ("as-sent", "As sent: secrets from environment variables"),
    ("reveal", "Reveal secrets in the code"),
    ("flow", "Full flow: the code fetches its own token"),
)
REVEAL_WARNING = "This snippet contains secrets in clear text; do not share or commit it."


def snippet_document(text: str, lexer: str) -> Document:
    """Worker: the snippet indexed for the preview, its lines unwrapped (a body may be long)."""
    longest = max((len(line) for line in text.splitlines()), default=0)
    return make_document(text, lexer, wrap=min(MAX_WRAP, max(80, longest + 1)))


class SnippetDialog(QDialog):
    """Language picker, auth mode, variables kept or resolved, preview, Copy."""

    def __init__(
        self,
        service: SnippetService,
        worker: Executor,
        spec: RequestSpec,
        context: SendContext,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("snippetDialog")
        self.setWindowTitle("Code snippet")
        self._service = service
        self._worker = worker
        self._spec = spec
        self._context = context
        self._relay = Relay(self)
        self._generation = 0
        self._text = ""

        options = self._build_options()
        self._build_messages()
        self.preview = BodyTextView(worker, self)
        self.preview.setObjectName("snippetPreview")
        self.preview.setAccessibleName("Snippet preview")
        buttons = self._build_buttons()

        layout = QVBoxLayout(self)
        layout.addLayout(options)
        layout.addWidget(self.warning)
        layout.addWidget(self.error)
        layout.addWidget(self.preview, 1)
        layout.addWidget(buttons)
        self.resize(860, 560)

        self.language.currentIndexChanged.connect(self._on_language_changed)
        self.auth_mode.currentIndexChanged.connect(self._on_options_changed)
        self.keep_variables.toggled.connect(self._on_options_changed)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self._on_language_changed()

    def _build_options(self) -> QHBoxLayout:
        self.language = QComboBox(self)
        self.language.setObjectName("snippetLanguage")
        self.language.setAccessibleName("Language")
        for lang in LANGUAGES:
            self.language.addItem(lang.label, lang.id)
        self.auth_mode = QComboBox(self)
        self.auth_mode.setObjectName("snippetAuthMode")
        self.auth_mode.setAccessibleName("Secrets and auth")
        for mode, label in AUTH_MODES:
            self.auth_mode.addItem(label, mode)
        self.keep_variables = QCheckBox("Keep {{variables}}", self)
        self.keep_variables.setObjectName("snippetKeepVariables")
        self.keep_variables.setToolTip(
            "Declare each variable once at the top of the code instead of resolving it"
        )
        options = QHBoxLayout()
        options.setSpacing(8)
        options.addWidget(self.language)
        options.addWidget(self.auth_mode)
        options.addWidget(self.keep_variables)
        options.addStretch(1)
        return options

    def _build_messages(self) -> None:
        self.warning = QLabel(REVEAL_WARNING, self)
        self.warning.setObjectName("snippetWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        background, foreground = live_colors(self.palette())
        self.warning.setStyleSheet(
            f"background:{background}; color:{foreground}; border-radius:3px; padding:4px 8px;"
        )
        self.error = QLabel(self)
        self.error.setObjectName("snippetError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color:{status_color(self.palette(), 0)};")
        self.error.hide()

    def _build_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("Copy to clipboard", self)
        self.copy_button.setObjectName("snippetCopy")
        self.copy_button.setEnabled(False)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        return buttons

    @property
    def text(self) -> str:
        """The snippet shown now ('' while generating or after an error)."""
        return self._text

    def choice(self) -> SnippetChoice:
        return SnippetChoice(
            lang=str(self.language.currentData()),
            auth_mode=str(self.auth_mode.currentData()),
            keep_variables=self.keep_variables.isChecked(),
        )

    def _on_language_changed(self) -> None:
        """Full flow exists for some targets only: offer it where it does."""
        lang = next(c for c in LANGUAGES if c.id == self.language.currentData())
        flow = self.auth_mode.findData("flow")
        item = self.auth_mode.model().item(flow)  # type: ignore[attr-defined]
        item.setEnabled(lang.flow)
        item.setToolTip("" if lang.flow else f"Not available for {lang.label}")
        if not lang.flow and self.auth_mode.currentIndex() == flow:
            self.auth_mode.setCurrentIndex(self.auth_mode.findData("as-sent"))
            return  # the index change regenerates
        self._on_options_changed()

    def _on_options_changed(self) -> None:
        self._generation += 1
        generation = self._generation
        choice = self.choice()
        self.warning.setVisible(choice.auth_mode == "reveal")
        self._text = ""
        self.copy_button.setEnabled(False)
        self._relay.watch(
            self._service.generate(self._spec, self._context, choice),
            lambda done: self._on_service_generated(generation, choice, done),
        )

    def _on_service_generated(
        self, generation: int, choice: SnippetChoice, done: Future[str]
    ) -> None:
        if generation != self._generation:
            return
        error = done.exception()
        if isinstance(error, ExplorerError):
            self.error.setText(str(error))
            self.error.show()
            self.preview.set_document(None)
            return
        if error is not None:
            raise error
        self.error.hide()
        lexer = next(c.lexer for c in LANGUAGES if c.id == choice.lang)
        self._relay.submit(
            self._worker,
            lambda indexed: self._on_worker_indexed(generation, indexed),
            snippet_document,
            done.result(),
            lexer,
        )

    def _on_worker_indexed(self, generation: int, done: Future[Document]) -> None:
        if generation != self._generation:
            return
        document = done.result()
        self._text = document.text
        self.preview.set_document(document)
        self.copy_button.setEnabled(True)

    def _on_copy_clicked(self) -> None:
        QApplication.clipboard().setText(self._text)
