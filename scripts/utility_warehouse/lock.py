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
import errno
import fcntl
import json
import os
import shlex
import socket
import stat
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


class LockFileError(Exception):
    """The lock file is not a regular file (a symbolic link, a directory, ...)."""


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
    ``LockFileError`` when the lock file is a symbolic link or not a regular file
    (it is opened without following links, so a link's target is never written)
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
            fd = _open_lock_file(self.path)
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
                same_file = os.path.samestat(os.fstat(fd), os.lstat(self.path))
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


_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_NOT_FILES = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _refusal(path: Path, mode: int | None = None) -> LockFileError:
    """The lock file is not a regular file: say what it is and what to do."""
    if mode is None:
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            mode = 0
    if stat.S_ISLNK(mode):
        what = f"a symbolic link (to {os.readlink(path)}); it is never followed"
    else:
        kinds = [kind for test, kind in _NOT_FILES if test(mode)]
        what = f"not a regular file ({kinds[0] if kinds else 'unknown kind'})"
    return LockFileError(
        f"the lock file {path} is {what}: remove it and retry (a run creates it "
        "as a regular file)"
    )


def _open_lock_file(path: Path) -> int:
    """Open (or create) the lock file without following a symbolic link.

    Raises LockFileError when it is a link or anything but a regular file, and
    OSError when it cannot be created.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS, 0o644)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO) or path.is_symlink():
            raise _refusal(path) from error
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise _refusal(path, mode)
    return fd


def _current_command() -> str:
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return shlex.join([program, *sys.argv[1:]])
