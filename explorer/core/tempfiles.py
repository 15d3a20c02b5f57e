"""The one place that creates temp files for large response bodies, and the disk they may take.

A hostile server can answer 256 concurrent requests with bodies up to the 4 GiB cap each; written
to the temp folder, that fills the disk. So every spill file is created and charged here: the
bytes held in spill files by this process at once are capped (``API_EXPLORER_MAX_SPILL``, default
8 GiB) and a spill never takes the temp folder below ``MIN_FREE`` free space; past either, the
body is stopped with one sentence.

Files are named ``api-explorer-body-<pid>-<random>.bin``. Normal exit removes ours (each body's
finaliser runs at exit), a SIGTERM is turned into an orderly exit by ``install_cleanup``, and
``kill -9`` cannot be caught: the next process to start removes files whose pid is no longer
alive (``sweep_stale``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO

from explorer.core.errors import ResponseTooLarge, UsageError

PREFIX = "api-explorer-body-"
SUFFIX = ".bin"
DEFAULT_MAX_SPILL = 8 * 1024**3
MIN_FREE = 512 * 1024**2
"""Free space a spill must leave in the temp folder: the rest of the machine needs disk too."""
FREE_CHECK_EVERY = 64 * 1024**2
LIMIT_VARIABLE = "API_EXPLORER_MAX_SPILL"

_OURS = re.compile(rf"^{re.escape(PREFIX)}(\d+)-[^/]*{re.escape(SUFFIX)}$")
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_size(text: str) -> int:
    """``8G``, ``500M``, ``1048576``: a byte count with an optional binary unit (``B`` allowed)."""
    match = re.fullmatch(r"\s*(\d+)\s*([KMGT]?)(?:I?B)?\s*", text.upper())
    if match is None:
        raise UsageError(
            f"{LIMIT_VARIABLE}={text!r} is not a size; write a byte count such as 8G or 500M."
        )
    return int(match.group(1)) * _UNITS[match.group(2)]


class SpillFiles:
    """Creates spill files and keeps the count of bytes they hold; safe from many threads."""

    def __init__(self, limit: int, directory: Path | None = None) -> None:
        self.limit = limit
        self.directory = Path(directory or tempfile.gettempdir())
        self._lock = threading.Lock()
        self._held = 0
        self._next_free_check = 0

    @property
    def held(self) -> int:
        """Bytes currently in this process's spill files."""
        return self._held

    def create(self) -> tuple[BinaryIO, Path]:
        fd, name = tempfile.mkstemp(
            prefix=f"{PREFIX}{os.getpid()}-", suffix=SUFFIX, dir=self.directory
        )
        return os.fdopen(fd, "wb"), Path(name)

    def charge(self, size: int) -> None:
        """Account ``size`` more bytes about to be written to a spill file, or refuse them."""
        with self._lock:
            held = self._held + size
            if held > self.limit:
                raise ResponseTooLarge(
                    f"Large response bodies already take {self.limit:,} bytes of temporary disk "
                    f"space in this process (the {LIMIT_VARIABLE} limit), so this one was stopped; "
                    "raise the limit or fetch fewer large bodies at once."
                )
            check_free = held >= self._next_free_check
            self._held = held
            if check_free:
                self._next_free_check = held + FREE_CHECK_EVERY
        if check_free and shutil.disk_usage(self.directory).free - size < MIN_FREE:
            self.release(size)
            raise ResponseTooLarge(
                f"The temp folder {self.directory} has less than {MIN_FREE // 1024**2} MB free, "
                "so this large response body was stopped instead of filling the disk."
            )

    def release(self, size: int) -> None:
        """``size`` bytes of spill files were removed."""
        with self._lock:
            self._held = max(0, self._held - size)


_spill: list[SpillFiles] = []
_spill_lock = threading.Lock()


def spill_files() -> SpillFiles:
    """This process's spill manager, limit read from ``API_EXPLORER_MAX_SPILL`` on first use."""
    with _spill_lock:
        if not _spill:
            raw = os.environ.get(LIMIT_VARIABLE)
            _spill.append(SpillFiles(parse_size(raw) if raw else DEFAULT_MAX_SPILL))
        return _spill[0]


def sweep_stale(directory: Path | None = None) -> int:
    """Remove spill files left by processes that no longer run (``kill -9``, a power cut);
    returns how many. Files of live processes and of other users are left alone."""
    if os.name != "posix":
        return 0  # the pid check below is POSIX's; elsewhere the OS cleans its temp folder
    removed = 0
    try:
        entries = list(os.scandir(directory or tempfile.gettempdir()))
    except OSError:
        return 0
    for entry in entries:
        match = _OURS.match(entry.name) if entry.name.startswith(PREFIX) else None
        if match is None or _alive(int(match.group(1))):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            continue
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or not a pid we can judge): leave it be
    return True


def install_cleanup() -> None:
    """Make SIGTERM end a headless command like Ctrl+C does, so the unwinding removes its spill
    files (the default action would kill the process with them on disk). Call from the main
    thread; a handler someone else installed is kept."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(_number: int, _frame: object) -> None:
    raise KeyboardInterrupt
