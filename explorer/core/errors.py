"""Typed errors raised by the core.

Every error a user can cause or meet carries one sentence that says what failed, why, and what to
do. The UI and the CLI show ``str(error)`` as it is; they never match on the text. Anything that is
not an ``ExplorerError`` is a bug and reaches the crash handler.
"""

from __future__ import annotations

from collections.abc import Mapping


class ExplorerError(Exception):
    """Root of every error the core raises on purpose."""

    #: Exit status of the ``api-explorer`` CLI when this error ends a command.
    exit_status = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(ExplorerError):
    """The user asked for something that cannot be done as stated (bad option, bad argument)."""

    exit_status = 2


class TemplateError(ExplorerError):
    """A ``{{variable}}`` could not be resolved.

    ``problems`` lists each undefined (recursive, too deep, too large) variable with where it was
    used, so the UI can underline every one of them at once instead of failing on the first.
    """

    def __init__(
        self,
        problems: list[tuple[str, str]],
        *,
        reason: str = "undefined",
        hints: Mapping[str, str] | None = None,
    ) -> None:
        self.problems = problems
        self.reason = reason
        listed = ", ".join(f"{{{{{name}}}}} in {where}" for name, where in problems)
        noun = "variable" if len(problems) == 1 else "variables"
        if reason == "recursive":
            text = f"Recursive {noun} {listed}: a variable refers back to itself; break the cycle."
        elif reason == "too deep":
            verb = "is" if len(problems) == 1 else "are"
            text = (
                f"{noun.capitalize()} {listed} {verb} nested more than 10 levels deep (a value "
                "that uses a variable whose value uses another ...); flatten the chain."
            )
        elif reason == "too large":
            verb = "expands" if len(problems) == 1 else "expand"
            text = (
                f"{noun.capitalize()} {listed} {verb} to more than 16 MB because variables refer "
                "to others many times over (a template bomb); nothing was sent."
            )
        else:
            text = (  # a full stop, not a colon: "password: define" reads as a credential
                f"Undefined {noun} {listed}. Define {'it' if len(problems) == 1 else 'them'} "
                "in the request, collection or environment, or pass --var NAME=VALUE."
            )
            if hints:  # secrets read from the environment (--secrets-from-env): name where
                places = ", ".join(dict.fromkeys(hints.values()))
                noun = "variable" if len(set(hints.values())) == 1 else "variables"
                text = (
                    f"Undefined {'variable' if len(problems) == 1 else 'variables'} {listed}. "
                    f"Set the environment {noun} {places} (read with --secrets-from-env)"
                    + ("." if set(hints) >= {n for n, _ in problems} else ", or pass --var.")
                )
        super().__init__(text)


class InvalidRequest(ExplorerError):
    """The request cannot be built: bad URL, bad header, unreadable body file, invalid JSON."""


class InvalidURL(InvalidRequest):
    """The URL is malformed or uses a scheme we cannot send to."""


class TransportError(ExplorerError):
    """The request was built but the exchange with the server failed."""


class ConnectError(TransportError):
    """No connection could be made (refused, DNS failure, unreachable)."""


class RequestTimeout(TransportError):
    """The server did not answer within the configured timeout."""

    def __init__(self, message: str, *, phase: str) -> None:
        super().__init__(message)
        self.phase = phase


class TLSError(TransportError):
    """The TLS handshake or certificate verification failed."""


class TooManyRedirects(TransportError):
    """The redirect chain was longer than the configured maximum."""


class IncompleteResponse(TransportError):
    """The server closed the connection before the whole body arrived, or sent a broken body."""


class MalformedResponse(TransportError):
    """The server answered with something that is not valid HTTP (a garbled status line, a
    header line over 64 KB, more than 100 headers, conflicting lengths, no answer at all)."""


class ResponseTooLarge(TransportError):
    """The decoded body grew past the configured cap (protects against decompression bombs)."""


class StorageError(ExplorerError):
    """A file could not be written (read-only, disk full, a folder in the way); the previous
    version of the file is left as it was."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class Cancelled(ExplorerError):
    """The user cancelled the request; nothing is wrong."""


class FormatError(ExplorerError):
    """A file we read (collection, preset, import) is malformed.

    ``path`` and ``line`` locate the problem so it can be fixed by hand.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        location = ""
        if path is not None:
            location = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(location + message)
        self.path = path
        self.line = line
