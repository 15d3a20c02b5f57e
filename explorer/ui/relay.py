"""Brings the result of work done on an executor back to the UI thread.

A future's done-callback runs on the worker; touching a widget there is a bug. The relay emits a
queued signal from the worker and calls the continuation on the thread the relay lives in (the
UI thread), the way Anki's task manager marshals results. Callers check their own generation
counter in the continuation so a superseded result is dropped (latest wins).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

T = TypeVar("T")


class Relay(QObject):
    _delivered = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._delivered.connect(self._on_self_delivered)

    def watch(self, future: Future[T], then: Callable[[Future[T]], None]) -> Future[T]:
        """Call ``then(future)`` on the UI thread once ``future`` is done."""
        future.add_done_callback(lambda done: self._emit(done, then))
        return future

    def submit(
        self,
        executor: Executor,
        then: Callable[[Future[T]], None],
        fn: Callable[..., T],
        *args: Any,
        **kwargs: Any,
    ) -> Future[T]:
        return self.watch(executor.submit(fn, *args, **kwargs), then)

    def _emit(self, future: Future[Any], then: Callable[[Future[Any]], None]) -> None:
        if future.cancelled():  # dropped at shutdown: nobody waits for it any more
            return
        with contextlib.suppress(RuntimeError):  # the relay's owner is gone: nobody to tell
            self._delivered.emit(then, future)

    def _on_self_delivered(self, then: object, future: object) -> None:
        if callable(then):
            then(future)
