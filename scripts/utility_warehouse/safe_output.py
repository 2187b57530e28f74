"""What every output of the project does with hostile values and hostile paths.

CSV cells. A spreadsheet (Excel, LibreOffice, Google Sheets) runs a cell that
starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and a leading tab or
carriage return can hide one. Following OWASP's guidance on CSV injection,
every CSV file the project writes prefixes such a *text* cell with a single
quote (``=1+2`` is written ``'=1+2``); quotes and separators inside a cell are
CSV-quoted as usual. Numbers, dates and booleans are written as they are,
negative ones included. ``neutralize_cell`` is the rule for values written by
Python, ``neutralize_sql`` the same rule as a DuckDB expression (for ``COPY``),
``csv_select`` applies it to the text columns of a query. Parquet and JSON keep
every value as it is.

Terminal text. ``printable`` shows control characters visibly (ESC as
``\\x1b``, CR as ``\\r``, tab as ``\\t``, newline as ``\\n``; every C0 and C1
control, DEL, and the Unicode controls that reorder or break lines) so that a
name cannot clear the screen, retitle the terminal or overwrite a line.
``pad`` and ``shorten`` align by display width (East Asian wide characters
take two columns, combining marks none).

Output paths. ``--out`` never writes through something that is not a regular
file: ``refuse_unsafe_file`` refuses an existing symlink, FIFO, device node,
socket or folder where a file is expected, and ``refuse_unsafe_folder`` a
symlink or a non-folder where a folder is expected (``OutputPathError``, exit 2,
naming it). Files are written in a private temporary folder created inside the
destination folder (``staging_folder``, mode 0700: nothing can be planted in
it) and moved into place with ``os.replace``, which replaces a name and never
follows a link at the destination.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import duckdb

T = TypeVar("T")

# --- CSV cells --------------------------------------------------------------------

# The first characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
NEUTRALIZING_PREFIX = "'"

# DuckDB types written as they are (numbers, booleans, dates and times, and
# bytes, which DuckDB writes escaped); a column of any other type (text, JSON,
# enumerations, lists, structs) is written as neutralized text.
_KEPT_TYPES = re.compile(
    r"^(BOOLEAN|U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|UHUGEINT|FLOAT|DOUBLE"
    r"|DECIMAL\(\d+,\s*\d+\)|DATE|TIME|TIME WITH TIME ZONE|TIMESTAMP.*|INTERVAL"
    r"|BLOB|BIT)$"
)


def neutralize_cell(value: T) -> T | str:
    """A CSV cell: a text value starting with a formula trigger gets a leading
    single quote; anything else (numbers, dates, None) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return NEUTRALIZING_PREFIX + value
    return value


def _cell_text(value: object) -> str:
    return "" if value is None else str(value)


def csv_line(values: Iterable[object], text: Callable[[Any], str] = _cell_text) -> str:
    """One CSV row ending in ``\\n``: each value neutralized
    (``neutralize_cell``), then written by ``text`` (default: ``str``, None
    empty). A cell holding a quote, a comma, a carriage return or a line feed is
    quoted (Python's writer quotes a lone carriage return only as part of the
    line terminator: the row is written with ``\\r\\n``, its end made ``\\n``)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(
        [text(neutralize_cell(value)) for value in values]
    )
    return buffer.getvalue()[:-2] + "\n"


def _sql_char(char: str) -> str:
    if char.isprintable() and char != "'":
        return f"'{char}'"
    return f"chr({ord(char)})"


def neutralize_sql(expression: str) -> str:
    """``neutralize_cell`` as a DuckDB expression over a VARCHAR expression."""
    tests = " OR ".join(
        f"prefix({expression}, {_sql_char(char)})" for char in FORMULA_TRIGGERS
    )
    prefix = _sql_char(NEUTRALIZING_PREFIX)
    return f"CASE WHEN {tests} THEN {prefix} || {expression} ELSE {expression} END"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def is_kept_type(type_name: str) -> bool:
    """True for the DuckDB types a CSV cell keeps as they are."""
    return bool(_KEPT_TYPES.match(type_name.upper()))


def csv_select(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """``SELECT`` every column of ``relation`` (a table name or a parenthesized
    query without parameters) for a CSV file, sorted on every column written:
    text columns neutralized, the others as they are."""
    cursor = con.execute(f"SELECT * FROM {relation} LIMIT 0")
    columns = []
    for name, type_code, *_ in cursor.description or []:
        column = _identifier(str(name))
        if is_kept_type(str(type_code)):
            columns.append(column)
        else:
            text = f"CAST({column} AS VARCHAR)"
            columns.append(f"{neutralize_sql(text)} AS {column}")
    return f"SELECT {', '.join(columns)} FROM {relation} ORDER BY ALL"


# --- terminal text ----------------------------------------------------------------

# C0 controls, DEL, C1 controls, and the Unicode controls that reorder text
# (bidirectional embeddings, overrides and isolates, marks) or break lines.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# What ``json.dumps`` leaves raw in strings: DEL, C1 and the Unicode controls
# (it escapes C0 controls itself; its newlines and spaces are layout).
_UNSAFE_IN_JSON = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, keep: str = "") -> str:
    """``text`` with every control character written visibly (``\\x1b``),
    except those of ``keep``."""
    if keep:
        return _UNSAFE.sub(
            lambda match: match.group() if match.group() in keep else _escape(match),
            text,
        )
    return _UNSAFE.sub(_escape, text)


def json_printable(text: str) -> str:
    """JSON text (``json.dumps`` escapes C0 controls) with DEL, C1 and the
    Unicode controls of ``printable`` written as ``\\u`` escapes too: the same
    values, decoded, and nothing a terminal acts on."""
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _char_width(char: str) -> int:
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):  # marks, format
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal (printable text)."""
    if text.isascii():
        return len(text)
    return sum(_char_width(char) for char in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` columns (right-aligned with
    ``right``)."""
    fill = " " * max(width - display_width(text), 0)
    return fill + text if right else text + fill


def shorten(text: str, width: int, marker: str = "~") -> str:
    """``text`` cut to at most ``width`` columns, ending in ``marker`` when cut."""
    if display_width(text) <= width:
        return text
    room = max(width - display_width(marker), 0)
    kept: list[str] = []
    used = 0
    for char in text:
        size = _char_width(char)
        if used + size > room:
            break
        kept.append(char)
        used += size
    return "".join(kept) + marker


# The widest a text cell of a table gets (longer text is cut, ending in ``~``).
TEXT_CELL_WIDTH = 60


def table_text(value: object, width: int | None = TEXT_CELL_WIDTH) -> str:
    """A value as a table cell: None empty, control characters shown visibly,
    cut to ``width`` columns (None: never cut)."""
    text = "" if value is None else printable(str(value))
    return text if width is None else shorten(text, width)


def table_lines(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Sequence[bool],
    indent: str = "",
) -> list[str]:
    """Aligned columns (two spaces apart) under a header and a rule; the cells
    are printable text (see ``printable``)."""
    widths = [
        max([display_width(header), *(display_width(row[i]) for row in rows)])
        for i, header in enumerate(headers)
    ]

    def line(values: Sequence[str]) -> str:
        cells = [
            pad(value, width, is_right)
            for value, width, is_right in zip(values, widths, right, strict=True)
        ]
        return (indent + "  ".join(cells)).rstrip()

    return [
        line(headers),
        line(["-" * width for width in widths]),
        *(line(row) for row in rows),
    ]


# --- output paths -----------------------------------------------------------------


class OutputPathError(Exception):
    """An output path that is not safe to write; the command exits 2."""


_KINDS: tuple[tuple[int, str], ...] = (
    (stat.S_IFLNK, "a symbolic link"),
    (stat.S_IFIFO, "a FIFO (named pipe)"),
    (stat.S_IFCHR, "a character device"),
    (stat.S_IFBLK, "a block device"),
    (stat.S_IFSOCK, "a socket"),
    (stat.S_IFDIR, "a folder"),
    (stat.S_IFREG, "a regular file"),
)


def _kind(mode: int) -> str:
    file_type = stat.S_IFMT(mode)
    return next((text for kind, text in _KINDS if kind == file_type), "not a file")


def _problem(path: Path, folder: bool) -> str | None:
    """What is wrong with writing ``path`` (a file, or a ``folder``): None when
    it does not exist yet or is the right kind."""
    try:
        found = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        return f"cannot be checked: {error.strerror or error}"
    if (stat.S_ISDIR if folder else stat.S_ISREG)(found.st_mode):
        return None
    wanted = "a folder" if folder else "a regular file"
    return f"is {_kind(found.st_mode)}, not {wanted}"


def refuse_unsafe_file(path: Path, option: str = "--out") -> None:
    """Raise ``OutputPathError`` when ``path`` exists and is not a regular file
    (a symlink, even to a regular file, a FIFO, a device, a socket, a folder)."""
    problem = _problem(path, folder=False)
    if problem is not None:
        raise OutputPathError(f"{option} {path} {problem}; nothing was written")


def refuse_unsafe_folder(path: Path, option: str = "--out") -> None:
    """Raise ``OutputPathError`` when ``path`` exists and is not a folder, or is
    a symlink (even to a folder)."""
    problem = _problem(path, folder=True)
    if problem is not None:
        raise OutputPathError(f"{option} {path} {problem}; nothing was written")


def make_folder(path: Path, option: str = "--out") -> None:
    """Create ``path`` (and its parents) unless it is a folder already; refuses
    a symlink or a non-folder at ``path``."""
    refuse_unsafe_folder(path, option)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputPathError(
            f"cannot create the output folder {path}: {error.strerror or error}"
        ) from error
    refuse_unsafe_folder(path, option)


@contextlib.contextmanager
def staging_folder(folder: Path) -> Iterator[Path]:
    """A new private folder (mode 0700) inside ``folder`` to write files in
    before ``publish`` moves them into place; removed with what is left in it."""
    try:
        staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=folder))
    except OSError as error:
        raise OutputPathError(
            f"cannot write into the output folder {folder}: {error.strerror or error}"
        ) from error
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish(staged: Path, target: Path, option: str = "--out") -> None:
    """Move the file ``staged`` to ``target`` (same file system) atomically;
    refuses a ``target`` that is not a regular file. ``os.replace`` replaces the
    name ``target``: a link planted there in the meantime is replaced, never
    followed."""
    refuse_unsafe_file(target, option)
    os.replace(staged, target)


def write_text(path: Path, text: str, option: str = "--out") -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically, creating
    its folder; refuses a ``path`` that is not a regular file. Raises
    ``OutputPathError``, or ``OSError`` when the writing fails."""
    refuse_unsafe_file(path, option)
    parent = path.parent if str(path.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    with staging_folder(parent) as staging:
        staged = staging / "file"
        with open(
            os.open(
                staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666
            ),
            "w",
            encoding="utf-8",
            newline="\n",
        ) as handle:
            handle.write(text)
        publish(staged, path, option)


def folder_argument(text: str) -> Path:
    """An argparse type: an output folder that is a folder or does not exist yet
    (never a symlink or a file)."""
    path = Path(text)
    problem = _problem(path, folder=True)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{path} {problem}")
    return path
