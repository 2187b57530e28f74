"""What ``run`` shows while ``dbt build`` works, and where dbt's log goes.

dbt's own console output is switched off (unless ``run --verbose``): every event
dbt fires reaches ``BuildProgress.on_event``, a ``dbtRunner`` callback, which

* writes dbt's log lines (level info and above, as dbt prints them on a console)
  to the run log, ``<dbt log folder>/<warehouse file name>-<hash>.log``, next to dbt's
  own debug log ``dbt.log``;
* counts the nodes done (models and tests apart, with the tests that warned or
  failed and the nodes that errored) and keeps the slowest node so far;
* shows that count: in a terminal, one line rewritten in place; anywhere else
  (a scheduled job, a pipe, a file), plain lines a log collector can keep: one
  when the first node starts, one every ~10 seconds, one at the end.

dbt turns an exception raised by a callback into an error of every node, so
``on_event`` never raises: whatever it cannot read, it skips.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

LOG_PATH_ENV_VAR = "DBT_LOG_PATH"
LOG_SUFFIX = ".log"

MODEL_TYPES = frozenset({"model"})
TEST_TYPES = frozenset({"test", "unit_test"})

# Events dbt prints without a time stamp, whatever their level (dbt_common's
# PRINT_EVENT_NAMES); every other event is printed from level info up.
_PRINT_EVENTS = frozenset({"PrintEvent", "ShowNode", "CompiledNode"})
_PRINTED_LEVELS = frozenset({"info", "warn", "error"})

PLAIN_INTERVAL_SECONDS = 10.0
"""Not in a terminal: the longest wait between two progress lines."""
TICK_SECONDS = 1.0
"""How often the elapsed time is brought up to date between dbt events."""
REDRAW_SECONDS = 0.1
"""In a terminal: the shortest wait between two redraws on dbt events."""
MIN_NAME_SHOWN = 12
"""In a narrow terminal: the shortest part of the slowest node's name shown."""


def log_directory(project_dir: Path) -> Path:
    """dbt's log folder: ``$DBT_LOG_PATH``, else the project's ``logs``."""
    configured = os.environ.get(LOG_PATH_ENV_VAR)
    if configured:
        return Path(configured).resolve()
    return Path(project_dir).resolve() / "logs"


def run_log_path(warehouse: Path, project_dir: Path) -> Path:
    """The run log of a warehouse: one file per warehouse, rewritten by each run.

    Named ``<file name>-<hash>.log``, the hash a short digest of the warehouse's
    absolute path: two warehouses of one name in different folders never share
    a log.
    """
    resolved = Path(warehouse).resolve()
    digest = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:8]
    return log_directory(project_dir) / f"{resolved.name}-{digest}{LOG_SUFFIX}"


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (OSError, ValueError):
        return str(path)


class RunLog:
    """The log file of one run: the full load report, dbt's log, the full summary.

    Writing never raises: a log that cannot be written is given up (``error``
    says why) and the run goes on.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.error: str | None = None
        self._lock = threading.Lock()
        self._file: TextIO | None = None

    @classmethod
    def create(cls, path: Path) -> RunLog:
        log = cls(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            log._file = path.open("w", encoding="utf-8")
        except OSError as error:
            log.error = f"cannot write {path}: {error}"
        return log

    @property
    def writable(self) -> bool:
        return self._file is not None

    def write_lines(self, lines: Iterable[str]) -> None:
        with self._lock:
            if self._file is None:
                return
            try:
                for line in lines:
                    self._file.write(line + "\n")
                self._file.flush()
            except (OSError, ValueError) as error:
                self.error = f"cannot write {self.path}: {error}"
                self._close()

    def write(self, text: str) -> None:
        self.write_lines(text.splitlines() or [""])

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError, ValueError):
                self._file.close()
            self._file = None


def format_elapsed(seconds: float) -> str:
    """``mm:ss``, or ``h:mm:ss`` from an hour on."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def _field(value: Any, *names: str) -> Any:
    """``value.a.b...`` or None when any step is missing."""
    for name in names:
        if value is None:
            return None
        value = getattr(value, name, None)
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _event_time(msg: Any) -> str:
    """The event's time stamp as dbt prints it (UTC, ``HH:MM:SS``)."""
    seconds = _field(msg, "info", "ts", "seconds")
    if isinstance(seconds, int) and seconds > 0:
        moment = datetime.fromtimestamp(seconds, UTC)
    else:
        moment = datetime.now(UTC)
    return moment.strftime("%H:%M:%S")


def _scrubbed(text: str) -> str:
    """``text`` without the values of secret environment variables (as dbt does)."""
    try:
        from dbt_common.events.functions import env_scrubber
    except ImportError:  # pragma: no cover - dbt is a dependency
        return text
    return str(env_scrubber(text))


def dbt_log_line(msg: Any) -> str | None:
    """The line dbt's console would print for an event, or None (too detailed)."""
    name = _text(_field(msg, "info", "name"))
    level = _text(_field(msg, "info", "level"))
    text = _scrubbed(_text(_field(msg, "info", "msg")))
    if name in _PRINT_EVENTS:
        return text
    if level not in _PRINTED_LEVELS:
        return None
    return f"{_event_time(msg)}  {text}"


class BuildProgress:
    """Follows a ``dbt build`` through dbt's events; see the module docstring.

    ``show`` False (``--verbose``: dbt prints its own log) only writes the log.
    ``terminal`` defaults to whether ``stream`` is a terminal.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        log: RunLog | None = None,
        show: bool = True,
        terminal: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        plain_interval: float = PLAIN_INTERVAL_SECONDS,
        tick_seconds: float | None = TICK_SECONDS,
        width: int | None = None,
    ) -> None:
        self.stream = stream
        self.log = log
        self.show = show
        self.terminal = _is_terminal(stream) if terminal is None else terminal
        self.clock = clock
        self.plain_interval = plain_interval
        self.tick_seconds = tick_seconds
        self.width = width
        self.callback_errors = 0
        self.lines_shown = 0
        self.node_total: int | None = None
        self.threads: int | None = None
        self.totals: dict[str, int] = {}
        self.done: Counter[str] = Counter()  # "models", "tests", "other"
        self.problems: Counter[str] = Counter()  # warned, failed, errored, skipped
        self.slowest: tuple[str, float] | None = None
        self._finished_ids: set[str] = set()
        self._started = False
        self._lock = threading.RLock()
        self._start_time = clock()
        self._last_line_at = self._start_time
        self._last_draw_at: float | None = None
        self._drawn_width = 0
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        self._closed = False

    # --- the life of a build ----------------------------------------------------

    def start(self) -> None:
        """Start the clock (and, when shown, the ticker that updates the time)."""
        with self._lock:
            self._start_time = self.clock()
            self._last_line_at = self._start_time
            if self.show and self.terminal:
                self._draw()
        if self.show and self.tick_seconds:
            self._ticker = threading.Thread(
                target=self._tick, name="build-progress", daemon=True
            )
            self._ticker.start()

    def set_totals(self, models: int | None, tests: int | None) -> None:
        """The models and tests the build selected (None: unknown)."""
        with self._lock:
            if models is not None:
                self.totals["models"] = models
            if tests is not None:
                self.totals["tests"] = tests

    def finish(self) -> str:
        """Stop the ticker and show the final line (returned as well)."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        with self._lock:
            line = self.final_line()
            if self.show and not self._closed:
                if self.terminal:
                    self._draw(final=True)
                else:
                    self._say(line)
            self._closed = True
        if self.log is not None:
            self.log.write_lines([line])
        return line

    # --- dbt's events -----------------------------------------------------------

    def on_event(self, msg: Any) -> None:
        """The dbtRunner callback: never raises."""
        try:
            self._on_event(msg)
        except Exception:
            self.callback_errors += 1

    def _on_event(self, msg: Any) -> None:
        if self.log is not None:
            line = dbt_log_line(msg)
            if line is not None:
                self.log.write_lines([line])
        name = _text(_field(msg, "info", "name"))
        data = getattr(msg, "data", None)
        if name == "ConcurrencyLine":
            self._on_concurrency(data)
        elif name == "NodeStart":
            self._on_node_start()
        elif name == "NodeFinished":
            self._on_node_finished(data)
        else:
            return
        self._refresh()

    def _on_concurrency(self, data: Any) -> None:
        count = _field(data, "node_count")
        threads = _field(data, "num_threads")
        with self._lock:
            if isinstance(count, int):
                self.node_total = count
            if isinstance(threads, int):
                self.threads = threads

    def _on_node_start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
            if self.show and not self.terminal:
                self._say(self.started_line())

    def _on_node_finished(self, data: Any) -> None:
        node = _field(data, "node_info")
        unique_id = _text(_field(node, "unique_id"))
        resource_type = _text(_field(node, "resource_type"))
        status = _text(_field(data, "run_result", "status")).lower()
        seconds = _field(data, "run_result", "execution_time")
        with self._lock:
            if unique_id and unique_id in self._finished_ids:
                return
            if unique_id:
                self._finished_ids.add(unique_id)
            if resource_type in MODEL_TYPES:
                self.done["models"] += 1
            elif resource_type in TEST_TYPES:
                self.done["tests"] += 1
            else:
                self.done["other"] += 1
            problem = _problem(resource_type, status)
            if problem:
                self.problems[problem] += 1
            if (
                isinstance(seconds, int | float)
                and status != "skipped"
                and (self.slowest is None or seconds > self.slowest[1])
            ):
                name = _text(_field(node, "node_name")) or unique_id or "?"
                self.slowest = (name, float(seconds))

    # --- the lines ----------------------------------------------------------------

    @property
    def nodes_done(self) -> int:
        return sum(self.done.values())

    def elapsed(self) -> str:
        return format_elapsed(self.clock() - self._start_time)

    def _of(self, key: str) -> str:
        total = self.totals.get(key)
        done = self.done[key]
        return f"{key} {done}" if total is None else f"{key} {done}/{total}"

    def _details(self) -> str:
        parts = [self._of("models"), self._of("tests")]
        for problem in ("warned", "failed", "errored", "skipped"):
            if self.problems[problem]:
                parts.append(f"{self.problems[problem]} {problem}")
        return ", ".join(parts)

    def _nodes(self) -> str:
        total = "?" if self.node_total is None else str(self.node_total)
        return f"{self.nodes_done}/{total} nodes ({self._details()})"

    def _slowest(self, label: str, room: int | None = None) -> str:
        """``, <label>: <node> <seconds> s``; with ``room``, the node's name is
        shortened to fit in that many characters ("" when it cannot)."""
        if self.slowest is None:
            return ""
        name, seconds = self.slowest
        text = f", {label}: {name} {seconds:.1f} s"
        if room is None or len(text) <= room:
            return text
        name_room = room - (len(text) - len(name))
        if name_room < MIN_NAME_SHOWN:
            return ""
        return f", {label}: {name[: name_room - 1]}… {seconds:.1f} s"

    def _line(self, *, final: bool, room: int | None = None) -> str:
        """The progress line (``final``: the last one); with ``room``, made to
        fit in that many characters: shorter words, then a shortened node name,
        then a cut."""
        with self._lock:
            elapsed = self.elapsed()
            if self.node_total is None and not self.nodes_done:
                if final:
                    return _cut(f"dbt build: no node run, {elapsed} elapsed", room)
                return _cut(f"dbt build: reading the project, {elapsed} elapsed", room)
            if final:
                forms = [(f"dbt build: done, {self._nodes()} in {elapsed}", "slowest")]
            else:
                forms = [
                    (
                        f"dbt build: {self._nodes()}, {elapsed} elapsed",
                        "slowest so far",
                    ),
                    (f"dbt build: {self._nodes()}, {elapsed}", "slowest"),
                ]
            if room is None:
                head, label = forms[0]
                return head + self._slowest(label)
            for head, label in forms:
                line = head + self._slowest(label)
                if len(line) <= room:
                    return line
            head, label = forms[-1]
            if len(head) < room:
                return head + self._slowest(label, room - len(head))
            return _cut(head, room)

    def current_line(self) -> str:
        return self._line(final=False)

    def final_line(self) -> str:
        return self._line(final=True)

    def started_line(self) -> str:
        with self._lock:
            total = "?" if self.node_total is None else str(self.node_total)
            parts = [
                f"{key} {self.totals[key]}"
                for key in ("models", "tests")
                if key in self.totals
            ]
            kinds = f" ({', '.join(parts)})" if parts else ""
            threads = "" if self.threads is None else f" on {self.threads} threads"
            return (
                f"dbt build: started {total} nodes{kinds}{threads}, "
                f"{self.elapsed()} elapsed"
            )

    # --- showing them -------------------------------------------------------------

    def _refresh(self, *, timer: bool = False) -> None:
        if not self.show:
            return
        with self._lock:
            if self._closed:
                return
            now = self.clock()
            if self.terminal:
                due = (
                    timer
                    or self._last_draw_at is None
                    or now - self._last_draw_at >= REDRAW_SECONDS
                )
                if due:
                    self._draw()
            elif now - self._last_line_at >= self.plain_interval:
                self._say(self.current_line())

    def _tick(self) -> None:
        assert self.tick_seconds is not None
        while not self._stop.wait(self.tick_seconds):
            try:
                self._refresh(timer=True)
            except Exception:
                self.callback_errors += 1

    def _columns(self) -> int:
        if self.width is not None:
            return self.width
        return shutil.get_terminal_size(fallback=(100, 24)).columns

    def _draw(self, *, final: bool = False) -> None:
        """Rewrite the terminal's current line: never wider than the terminal,
        but for the final line, which ends the line and may wrap."""
        room = max(20, self._columns() - 1)
        line = self._line(final=final, room=None if final else room)
        padding = " " * max(0, min(self._drawn_width, room) - len(line))
        self._write("\r" + line + padding + ("\n" if final else ""))
        self._drawn_width = 0 if final else len(line)
        self._last_draw_at = self.clock()
        if final:
            self.lines_shown += 1

    def _say(self, line: str) -> None:
        self._write(line + "\n")
        self._last_line_at = self.clock()
        self.lines_shown += 1

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self.show = False  # the stream is gone (a closed pipe): stop showing


def _cut(text: str, room: int | None) -> str:
    """``text`` cut to ``room`` characters (an ellipsis marks the cut)."""
    if room is None or len(text) <= room:
        return text
    return text[: room - 1] + "…"


def _problem(resource_type: str, status: str) -> str | None:
    """How a finished node counts against the build (None: it went fine)."""
    if status == "skipped":
        return "skipped"
    if resource_type in TEST_TYPES:
        if status in ("pass", "success"):
            return None
        if status in ("warn", "fail"):
            return "warned" if status == "warn" else "failed"
        return "errored"
    if status in ("success", "pass", "no-op", ""):
        return None
    return "errored"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False
