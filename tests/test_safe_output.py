"""Tests of the output safety rules: CSV cells, terminal text, output paths."""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from utility_warehouse import safe_output
from utility_warehouse.safe_output import (
    OutputPathError,
    csv_line,
    csv_select,
    display_width,
    folder_argument,
    json_printable,
    make_folder,
    neutralize_cell,
    neutralize_sql,
    pad,
    printable,
    refuse_unsafe_file,
    refuse_unsafe_folder,
    shorten,
    staging_folder,
    table_lines,
    write_text,
)

TEXTS = [
    '=HYPERLINK("http://x","y")',
    "=1+2",
    "+1",
    "-1",
    "-12.50",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "'=1",
    " =1",
    "a=1",
    "",
    "Head office",
    "100",
    "\u00e9=",
]


# --- CSV cells ------------------------------------------------------------------------


def test_a_text_cell_starting_a_formula_gets_a_leading_quote() -> None:
    assert (
        neutralize_cell('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    )
    assert neutralize_cell("=1+2") == "'=1+2"
    assert neutralize_cell("+1") == "'+1"
    assert neutralize_cell("-1") == "'-1"
    assert neutralize_cell("@SUM(A1)") == "'@SUM(A1)"
    assert neutralize_cell("\t=1") == "'\t=1"
    assert neutralize_cell("\r=1") == "'\r=1"
    for text in ("a=1", " =1", "'=1", "", "Head office", "100"):
        assert neutralize_cell(text) == text


def test_numbers_dates_and_null_stay_as_they_are() -> None:
    for value in (-12.5, -3, Decimal("-12.50"), date(2024, 1, 1), None, True, 0):
        assert neutralize_cell(value) is value


def test_the_sql_rule_is_the_python_rule() -> None:
    con = duckdb.connect()
    try:
        found = con.execute(
            f"SELECT text, {neutralize_sql('text')} "
            "FROM unnest(?::VARCHAR[]) AS t(text)",
            [TEXTS],
        ).fetchall()
        assert dict(found) == {text: neutralize_cell(text) for text in TEXTS}
        (null,) = (
            con.execute(f"SELECT {neutralize_sql('NULL::VARCHAR')}").fetchone() or ()
        )
        assert null is None
    finally:
        con.close()


def test_csv_select_neutralizes_text_columns_only(tmp_path: Path) -> None:
    con = duckdb.connect()
    try:
        con.execute(
            "CREATE TABLE t (description VARCHAR, cost DECIMAL(28,6), n INTEGER, "
            "day DATE, ratio DOUBLE, flag BOOLEAN, tags VARCHAR[])"
        )
        con.execute(
            "INSERT INTO t VALUES ('@SUM(A1)', -12.5, -3, DATE '2024-01-01', -0.5, "
            "false, ['=1']), (NULL, NULL, NULL, NULL, NULL, NULL, NULL)"
        )
        path = tmp_path / "t.csv"
        con.execute(f"COPY ({csv_select(con, 't')}) TO '{path}' (FORMAT csv, HEADER)")
    finally:
        con.close()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["description", "cost", "n", "day", "ratio", "flag", "tags"],
        ["'@SUM(A1)", "-12.500000", "-3", "2024-01-01", "-0.5", "false", "['=1']"],
        ["", "", "", "", "", "", ""],
    ]


def test_csv_line_quotes_what_needs_it() -> None:
    line = csv_line(["=1", 'a "b"', "x,y", "a\rb", "c\nd", None, -1, Decimal("-2.5")])
    assert line.endswith("\n") and not line.endswith("\r\n")
    assert next(csv.reader(io.StringIO(line, newline=""))) == [
        "'=1",
        'a "b"',
        "x,y",
        "a\rb",
        "c\nd",
        "",
        "-1",
        "-2.5",
    ]
    assert csv_line([Decimal("-1")], lambda value: f"<{value}>") == "<-1>\n"


# --- terminal text --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("a\rb", "a\\rb"),
        ("a\nb\tc", "a\\nb\\tc"),
        ("\x00\x7f\x9b", "\\x00\\x7f\\x9b"),
        ("abc\u202edef", "abc\\u202edef"),
        ("line\u2028sep", "line\\u2028sep"),
        ("caf\u00e9 \u6771\u4eac", "caf\u00e9 \u6771\u4eac"),
        ("C:\\x1b", "C:\\x1b"),
    ],
)
def test_control_characters_are_shown_visibly(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_printable_can_keep_white_space() -> None:
    assert printable("a\tb\nc\x1b\r", keep="\t\n") == "a\tb\nc\\x1b\\r"


def test_json_text_escapes_what_json_leaves_raw() -> None:
    import json

    text = json.dumps(
        {"name": "a\x9bb\x7fc\u202ed\u00e9\x1b"}, indent=1, ensure_ascii=False
    )
    safe = json_printable(text)
    assert safe == '{\n "name": "a\\u009bb\\u007fc\\u202ed\u00e9\\u001b"\n}'
    assert json.loads(safe) == json.loads(text)


def test_display_width_pad_and_shorten() -> None:
    assert display_width("abc") == 3
    assert display_width("\u6771\u4eac") == 4
    assert display_width("e\u0301") == 1
    assert pad("\u6771", 4) == "\u6771  "
    assert pad("7", 3, right=True) == "  7"
    assert shorten("abcdef", 4) == "abc~"
    assert shorten("abc", 4) == "abc"
    assert shorten("\u6771\u4eac\u90fd", 5) == "\u6771\u4eac~"
    assert display_width(shorten("\u6771\u4eac\u90fd\u5e02", 4)) <= 4


def test_table_lines_align_by_display_width() -> None:
    lines = table_lines(
        ["name", "n"], [["\u6771\u4eac", "1"], ["abc", "22"]], [False, True]
    )
    assert lines == ["name   n", "----  --", "\u6771\u4eac   1", "abc   22"]
    assert len({display_width(line) for line in lines}) == 1


# --- output paths ---------------------------------------------------------------------


def test_a_missing_or_regular_file_may_be_written(tmp_path: Path) -> None:
    refuse_unsafe_file(tmp_path / "new.html")
    (tmp_path / "old.html").write_text("x")
    refuse_unsafe_file(tmp_path / "old.html")
    refuse_unsafe_file(tmp_path / "missing" / "new.html")


def special_files(tmp_path: Path) -> None:
    """A symlink to a regular file, a dangling one, a FIFO, a folder."""
    target = tmp_path / "victim.txt"
    target.write_text("victim\n")
    (tmp_path / "link").symlink_to(target)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("link", "a symbolic link"),
        ("dangling", "a symbolic link"),
        ("fifo", "a FIFO (named pipe)"),
        ("folder", "a folder"),
    ],
)
def test_anything_but_a_regular_file_is_refused(
    tmp_path: Path, name: str, kind: str
) -> None:
    special_files(tmp_path)
    path = tmp_path / name
    with pytest.raises(OutputPathError) as raised:
        refuse_unsafe_file(path)
    assert str(raised.value) == (
        f"--out {path} is {kind}, not a regular file; nothing was written"
    )
    with pytest.raises(OutputPathError, match=re.escape(f"is {kind}")):
        write_text(path, "html")
    assert (tmp_path / "victim.txt").read_text() == "victim\n"


def test_a_device_node_is_refused(tmp_path: Path) -> None:
    device = tmp_path / "full"
    try:  # a node for the device of /dev/full (char 1, 7), never /dev/full itself
        os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 7))
    except (PermissionError, OSError):
        pytest.skip("creating a device node needs privileges")
    with pytest.raises(OutputPathError, match="is a character device"):
        write_text(device, "html")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


@pytest.mark.parametrize("name", ["link", "dangling", "fifo", "victim.txt"])
def test_a_folder_output_refuses_anything_but_a_folder(
    tmp_path: Path, name: str
) -> None:
    special_files(tmp_path)
    (tmp_path / "dir_link").symlink_to(tmp_path / "folder")
    for path in (tmp_path / name, tmp_path / "dir_link"):
        with pytest.raises(OutputPathError, match="not a folder"):
            refuse_unsafe_folder(path)
        with pytest.raises(OutputPathError, match="not a folder"):
            make_folder(path)
        with pytest.raises(argparse.ArgumentTypeError, match="not a folder"):
            folder_argument(str(path))
    refuse_unsafe_folder(tmp_path / "folder")
    assert folder_argument(str(tmp_path / "new")) == tmp_path / "new"
    make_folder(tmp_path / "new" / "sub")
    assert (tmp_path / "new" / "sub").is_dir()


def test_write_text_replaces_a_regular_file_atomically(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "report.html"
    write_text(path, "one\n")
    assert path.read_text() == "one\n"
    write_text(path, "two\n")
    assert path.read_text() == "two\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_umask()
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.html"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_link_planted_after_the_check_is_replaced_not_followed(
    tmp_path: Path,
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("victim\n")
    target = tmp_path / "out.csv"
    with staging_folder(tmp_path) as staging:
        assert stat.S_IMODE(staging.stat().st_mode) == 0o700
        staged = staging / "out.csv"
        staged.write_text("data\n")
        refuse_unsafe_file(target)
        target.symlink_to(victim)  # planted between the check and the move
        os.replace(staged, target)
    assert victim.read_text() == "victim\n"
    assert not target.is_symlink() and target.read_text() == "data\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_publish_refuses_a_special_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    with staging_folder(tmp_path) as staging:
        staged = staging / "x"
        staged.write_text("x")
        with pytest.raises(OutputPathError, match="FIFO"):
            safe_output.publish(staged, tmp_path / "fifo")
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)


def test_staging_in_a_folder_that_cannot_be_written(tmp_path: Path) -> None:
    with (
        pytest.raises(OutputPathError, match="cannot write into the output folder"),
        staging_folder(tmp_path / "missing"),
    ):
        pass
