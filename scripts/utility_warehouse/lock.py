"""One writer per warehouse: an advisory lock file beside the DuckDB file.

``load`` and ``run`` hold ``<database>.lock`` (``fcntl.flock``, exclusive,
non-blocking) for their whole duration, so that a second run on the same warehouse
is refused at once (exit 3, busy) instead of loading its files into the gap
between the first run's load and its build. The lock belongs to the open file:
the operating system releases it when the holder's process ends, however it ends,
so a crashed run never leaves the warehouse locked. The holder writes its pid,
host, command and start time into the file so that a refused run can name it.

DuckDB also locks the database file itself while any process has it open; its
error ("Could not set lock on file ...: Conflicting lock is held in ...") is
recognized here too so that every command can answer it with one line.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

LOCK_SUFFIX = ".lock"
_LOCK_ERROR_MARKERS = ("could not set lock on file", "conflicting lock")
_HOLDER_READ_ATTEMPTS = 20
_HOLDER_READ_PAUSE = 0.025  # seconds: a new holder writes its details right away


class WarehouseBusy(Exception):
    """The warehouse is held by another process; ``str()`` is one line."""


def lock_path(database: Path) -> Path:
    """The lock file of a warehouse: ``<database>.lock`` beside the DuckDB file."""
    resolved = Path(database).resolve()
    return resolved.with_name(resolved.name + LOCK_SUFFIX)


def is_duckdb_lock_error(error: BaseException | str | None) -> bool:
    """True for DuckDB's "Could not set lock on file" (conflicting lock) error."""
    if error is None:
        return False
    text = str(error).lower()
    return any(marker in text for marker in _LOCK_ERROR_MARKERS)


def duckdb_busy_message(database: Path, error: BaseException | str) -> str:
    """One line for DuckDB's lock error, naming the holder DuckDB reports."""
    text = " ".join(str(error).split())
    holder = "another process holds it open"
    lowered = text.lower()
    start = lowered.find("conflicting lock")
    if start >= 0:
        detail = text[start:]
        cut = detail.lower().find(". see also")
        holder = (detail[:cut] if cut >= 0 else detail).rstrip(". ")
    return (
        f"the warehouse file {database} is in use by another process ({holder}); "
        "retry when it has closed the file"
    )


def _holder_description(details: str) -> str:
    try:
        info = json.loads(details)
    except ValueError:
        info = None
    if not isinstance(info, dict):
        return "details unknown"
    parts = []
    if info.get("pid") is not None:
        host = f" on {info['host']}" if info.get("host") else ""
        parts.append(f"pid {info['pid']}{host}")
    if info.get("started_at"):
        parts.append(f"since {info['started_at']}")
    if info.get("command"):
        parts.append(f"command: {info['command']}")
    return ", ".join(parts) or "details unknown"


def read_holder(path: Path) -> str:
    """The holder's details as written into a lock file (``""`` when none)."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


class WarehouseLock:
    """The advisory lock of one warehouse, held while the context is open.

    ``acquire`` raises ``WarehouseBusy`` at once when another process holds it,
    and ``OSError`` when the lock file cannot be created.
    """

    def __init__(self, database: Path, command: str | None = None) -> None:
        self.database = Path(database)
        self.path = lock_path(self.database)
        self.command = command if command is not None else _current_command()
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                details = self._holder_details(fd)
                os.close(fd)
                raise WarehouseBusy(
                    f"the warehouse {self.database} is busy: another run holds its "
                    f"lock {self.path} ({_holder_description(details)}); "
                    "retry when it has ended"
                ) from None
            except BaseException:
                os.close(fd)
                raise
            # The previous holder removes the file when it releases the lock: a lock
            # taken on a removed (or replaced) file locks nothing, so take it again.
            try:
                same_file = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same_file = False
            if same_file:
                break
            os.close(fd)
        self._fd = fd
        details = json.dumps(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "command": self.command,
                "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, (details + "\n").encode("utf-8"), 0)

    @staticmethod
    def _holder_details(fd: int) -> str:
        """What the holder wrote; it may be writing it just now, so wait a little."""
        for _ in range(_HOLDER_READ_ATTEMPTS):
            data = os.pread(fd, 1 << 16, 0).decode("utf-8", "replace").strip()
            if data:
                return data
            time.sleep(_HOLDER_READ_PAUSE)
        return ""

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        # Remove the file while still holding the lock (see acquire), then let go.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.close(fd)

    def __enter__(self) -> WarehouseLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def _current_command() -> str:
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return shlex.join([program, *sys.argv[1:]])
