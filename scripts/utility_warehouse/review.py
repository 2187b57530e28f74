"""``pipeline.py review FINDING_ID... --status S --note TEXT --landing DIR``.

Records an analyst's decision on data-quality findings (``dq_findings``): one
row per finding id is appended to the landing folder's ``finding_reviews.csv``
(created with its header when absent), with the status in upper case, the note,
the reviewer (``--by``, else the operating-system user name, else empty) and
``reviewed_at``, the current time in UTC as ``YYYY-MM-DDTHH:MM:SSZ``. The next
``run`` of the folder applies the reviews: per finding, the latest
``reviewed_at`` wins, then the last row.

The file is never damaged: everything is checked and encoded before one append
(a missing final newline is added first), which is then synced to disk. An
existing file keeps its column order: values go under its own header's columns,
matched like the loader matches them (case and surrounding spaces ignored);
columns it has beyond the contract's are left empty. Refused with exit 2 and
left as they are: a DIR that is not a folder; a finding_reviews file that is a
symbolic link, not a regular file, not CSV (``.jsonl``, ``.parquet``: add the
rows yourself) or whose header lacks a contract column; an empty finding id;
a finding id, note or name holding a control character (a line break
included: a review is one line of the file); a value the folder's encoding
(``landing.json``) cannot write.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import os
import stat
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from utility_warehouse import contract
from utility_warehouse.contract import normalize_name
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_OK
from utility_warehouse.landing_columns import column_problems
from utility_warehouse.landing_errors import LandingContractError
from utility_warehouse.landing_files import split_file_name
from utility_warehouse.landing_scan import UTF8_BOM, check_encoding, is_utf8
from utility_warehouse.landing_settings import ENCODING, read_landing_json

COMMAND = "review"
HELP = (
    "Record a decision on data-quality findings: append one row per finding id "
    "to the landing folder's finding_reviews.csv."
)
ENTITY = contract.ENTITY_BY_NAME["finding_reviews"]
FILE_NAME = f"{ENTITY.name}.csv"
STATUSES: tuple[str, ...] = contract.ENUMERATIONS["review_status"]
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
MAX_HEADER_BYTES = 1 << 20
"""The most bytes read to find an existing file's header row (as the loader)."""
_BREAKS = ("Cc", "Zl", "Zp")
"""Unicode categories refused in a value: control characters (tab, line
breaks, ...) and the line and paragraph separators."""


class ReviewError(Exception):
    """The reviews cannot be written; ``str()`` is one line."""


@dataclass(frozen=True)
class Review:
    """One row of finding_reviews.csv, as written."""

    finding_id: str
    status: str
    note: str
    reviewed_by: str
    reviewed_at: str

    def value(self, column: str) -> str:
        return str(getattr(self, column))


def timestamp_text(moment: datetime) -> str:
    """``moment`` in UTC as ``YYYY-MM-DDTHH:MM:SSZ`` (staging reads it exactly)."""
    if moment.tzinfo is None:
        raise ValueError("a time zone is needed")
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def default_reviewer() -> str:
    """The operating-system user name, or empty when there is none to be had."""
    try:
        name = getpass.getuser()
    except Exception:  # no user name to be had (KeyError, OSError, ...)
        return ""
    return name if _unwritable_character(name) is None else ""


def _unwritable_character(text: str) -> str | None:
    for character in text:
        if unicodedata.category(character) in _BREAKS:
            return character
    return None


def check_value(what: str, text: str) -> None:
    """Refuse a value holding a control character or a line break."""
    found = _unwritable_character(text)
    if found is not None:
        raise ReviewError(
            f"{what} {text!r} holds the control character U+{ord(found):04X}; "
            "write it on one line without control characters"
        )


def make_reviews(
    finding_ids: Sequence[str],
    status: str,
    note: str,
    reviewed_by: str,
    reviewed_at: datetime,
) -> list[Review]:
    """The rows to write: one per finding id (trimmed; repeats written once)."""
    normalized = status.strip().upper()
    if normalized not in STATUSES:
        raise ReviewError(
            f"status {status!r} is not one of {', '.join(s.lower() for s in STATUSES)}"
        )
    check_value("the note", note)
    check_value("the reviewer name", reviewed_by)
    moment = timestamp_text(reviewed_at)
    ids: list[str] = []
    for raw in finding_ids:
        finding_id = raw.strip()
        if not finding_id:
            raise ReviewError("an empty finding id; give the finding_id of dq_findings")
        check_value("finding id", finding_id)
        if finding_id not in ids:
            ids.append(finding_id)
    if not ids:
        raise ReviewError("no finding id given")
    return [
        Review(finding_id, normalized, note.strip(), reviewed_by.strip(), moment)
        for finding_id in ids
    ]


def landing_file(landing: Path) -> Path:
    """The folder's finding_reviews CSV: the one there (any case of its name), or
    ``finding_reviews.csv`` to create."""
    if not landing.exists():
        raise ReviewError(f"--landing {landing}: no such folder")
    if not landing.is_dir():
        raise ReviewError(f"--landing {landing}: not a folder")
    found = []
    for path in sorted(landing.iterdir(), key=lambda item: item.name):
        parts = split_file_name(path.name)
        if contract.is_ignored_file_name(path.name) or parts is None:
            continue
        if parts[0] == ENTITY.name and parts[1] in contract.FILE_FORMATS:
            found.append((path, parts[1]))
    if len(found) > 1:
        names = ", ".join(repr(path.name) for path, _ in found)
        raise ReviewError(
            f"{landing}: more than one {ENTITY.name} file ({names}); keep exactly one"
        )
    if not found:
        return landing / FILE_NAME
    path, file_format = found[0]
    if file_format != "csv":
        raise ReviewError(
            f"{path}: review appends to a CSV file only; add the rows to this "
            f"{file_format} file yourself, or convert it to {FILE_NAME}"
        )
    return path


def folder_encoding(landing: Path) -> str:
    """The text encoding of the folder's files (``landing.json``, else UTF-8),
    refused when appending text in it is not safe (UTF-16, UTF-32)."""
    try:
        settings, _ = read_landing_json(landing)
    except LandingContractError as error:
        raise ReviewError("; ".join(error.problems)) from error
    name = settings.get(ENCODING, "utf-8")
    codec = check_encoding(name)
    if is_utf8(codec):
        return "utf-8"
    probe = "finding_id,status\n"
    try:
        appendable = probe.encode(codec.name) == probe.encode("ascii")
    except UnicodeError:
        appendable = False
    if not appendable:
        raise ReviewError(
            f"{landing}: landing.json gives the encoding {name!r}, which review "
            "cannot append to; write the rows yourself"
        )
    return codec.name


def _read_header(
    fd: int, path: Path, size: int, encoding: str
) -> tuple[list[str], str]:
    """The header row of an existing file and its line ending."""
    head = os.pread(fd, min(size, MAX_HEADER_BYTES), 0)
    if size > MAX_HEADER_BYTES and b"\n" in head:
        # Cut at a line end: the read may stop inside a character.
        head = head[: head.rindex(b"\n") + 1]
    head = head.removeprefix(UTF8_BOM)
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError as error:
        raise ReviewError(f"{path}: not valid {encoding} text ({error})") from error
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as error:
        raise ReviewError(f"{path}: unreadable header row ({error})") from error
    first_break = head.find(b"\n")
    ending = (
        "\r\n"
        if first_break > 0 and head[first_break - 1 : first_break] == b"\r"
        else "\n"
    )
    return header, ending


def _check_header(path: Path, header: Sequence[str]) -> None:
    problems = column_problems(ENTITY, path.name, header, check_required=False)
    if problems:
        raise ReviewError("; ".join(problems))
    present = {normalize_name(name) for name in header}
    missing = [column for column in ENTITY.columns if column not in present]
    if missing:
        raise ReviewError(
            f"{path}: its header lacks the column(s) "
            f"{', '.join(repr(column) for column in missing)}; add them to the "
            "header row (in any order) or move the file away"
        )


def _rows_text(columns: Sequence[str], reviews: Sequence[Review], ending: str) -> str:
    """The CSV text of ``reviews`` under ``columns`` (the file's header names)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=ending, quoting=csv.QUOTE_MINIMAL)
    contract_columns = set(ENTITY.columns)
    for review in reviews:
        writer.writerow(
            [
                review.value(normalize_name(name))
                if normalize_name(name) in contract_columns
                else ""
                for name in columns
            ]
        )
    return buffer.getvalue()


def _encoded(text: str, encoding: str, path: Path) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        bad = error.object[error.start : error.end]
        raise ReviewError(
            f"{path}: {bad!r} cannot be written in the folder's encoding {encoding}"
        ) from error


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.fsync(fd)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _create(path: Path, reviews: Sequence[Review], encoding: str) -> None:
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(ENTITY.columns)
    text = header.getvalue() + _rows_text(ENTITY.columns, reviews, "\n")
    data = _encoded(text, encoding, path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError as error:
        raise ReviewError(f"{path}: appeared while reviewing; run again") from error
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)
    _sync_folder(path.parent)


def _append(path: Path, reviews: Sequence[Review], encoding: str) -> None:
    flags = os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise ReviewError(f"{path}: cannot be opened ({error.strerror})") from error
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ReviewError(f"{path}: not a regular file")
        size = info.st_size
        if size == 0:
            header: Sequence[str] = ENTITY.columns
            ending = "\n"
            text = ",".join(header) + ending
        else:
            header, ending = _read_header(fd, path, size, encoding)
            _check_header(path, header)
            last = os.pread(fd, 1, size - 1)
            text = "" if last in (b"\n", b"\r") else ending
        text += _rows_text(header, reviews, ending)
        _write_all(fd, _encoded(text, encoding, path))
    finally:
        os.close(fd)


def write_reviews(landing: Path, reviews: Sequence[Review]) -> Path:
    """Append ``reviews`` to the folder's finding_reviews CSV; the file written."""
    path = landing_file(landing)
    encoding = folder_encoding(landing)
    try:
        info = path.lstat()
    except FileNotFoundError:
        _create(path, reviews, encoding)
        return path
    if stat.S_ISLNK(info.st_mode):
        raise ReviewError(f"{path}: a symbolic link; review writes a regular file only")
    if not stat.S_ISREG(info.st_mode):
        raise ReviewError(f"{path}: not a regular file")
    _append(path, reviews, encoding)
    return path


def _status(text: str) -> str:
    return text.strip().upper()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "finding_ids",
        nargs="+",
        metavar="FINDING_ID",
        help="the finding_id of each finding decided (dq_findings)",
    )
    parser.add_argument(
        "--status",
        required=True,
        type=_status,
        choices=STATUSES,
        metavar="{" + ",".join(s.lower() for s in STATUSES) + "}",
        help="the decision, in any case: resolved (fixed), dismissed (not an "
        "issue) or open (look again)",
    )
    parser.add_argument(
        "--note", required=True, metavar="TEXT", help="why, in one line"
    )
    parser.add_argument(
        "--by",
        metavar="NAME",
        default=None,
        help="who decides (default: the operating-system user name)",
    )
    parser.add_argument(
        "--landing",
        type=Path,
        required=True,
        metavar="DIR",
        help="the landing folder whose finding_reviews.csv gets the rows",
    )
    parser.epilog = (
        "example:\n"
        "  pipeline.py review F1 F2 --status dismissed "
        '--note "estimated reads, confirmed by the utility" --landing raw/'
    )


def main(args: argparse.Namespace) -> int:
    landing = Path(args.landing)
    reviewer = default_reviewer() if args.by is None else str(args.by)
    try:
        reviews = make_reviews(
            args.finding_ids, args.status, args.note, reviewer, datetime.now(UTC)
        )
        path = write_reviews(landing, reviews)
    except ReviewError as error:
        print(f"pipeline.py {COMMAND}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        print(f"pipeline.py {COMMAND}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for review in reviews:
        by = review.reviewed_by or "(no name)"
        print(
            f"{path.name}: {review.finding_id} {review.status} by {by} "
            f"at {review.reviewed_at}"
        )
    print(
        f"{len(reviews)} review(s) written to {path}; the next "
        f"pipeline.py run --raw-dir {landing} applies them (dq_findings)"
    )
    return EXIT_OK
