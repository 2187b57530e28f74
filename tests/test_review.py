"""``pipeline.py review``: analysts' decisions appended to finding_reviews.csv."""

from __future__ import annotations

import csv
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from utility_warehouse import cli, contract, landing_read, review
from utility_warehouse.generate import generate

ENTITY = contract.ENTITY_BY_NAME["finding_reviews"]
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def run_review(landing: Path, *args: str) -> int:
    try:
        return cli.main(["review", *args, "--landing", str(landing)])
    except SystemExit as exc:  # argparse errors
        return int(exc.code or 0)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def staged_rows(path: Path, scratch: Path) -> list[dict[str, Any]]:
    """The file read by the loader's CSV reading (landing_read.stage_file)."""
    scratch.mkdir(exist_ok=True)
    with duckdb.connect(":memory:") as con:
        staged = landing_read.stage_file(con, ENTITY, path, scratch, "utf-8")
        assert staged.stage_table is not None
        cursor = con.execute(f"select * from {staged.stage_table} order by rowid")
        names = [contract.normalize_name(name) for name in staged.names]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_a_new_file_gets_the_header_and_one_row_per_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_review(
        tmp_path,
        "F1",
        " F2 ",
        "F1",
        "--status",
        "Resolved",
        "--note",
        "fixed",
        "--by",
        "ana",
    )

    assert code == 0
    rows = read_csv(tmp_path / "finding_reviews.csv")
    assert rows[0] == list(ENTITY.columns)
    assert [row[:4] for row in rows[1:]] == [
        ["F1", "RESOLVED", "fixed", "ana"],
        ["F2", "RESOLVED", "fixed", "ana"],
    ]
    assert all(TIMESTAMP.match(row[4]) for row in rows[1:])
    out = capsys.readouterr().out
    assert "finding_reviews.csv: F1 RESOLVED by ana at " in out
    assert "finding_reviews.csv: F2 RESOLVED by ana at " in out
    assert "the next pipeline.py run" in out


def test_the_reviewer_defaults_to_the_user_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review.getpass, "getuser", lambda: "olga")
    assert run_review(tmp_path, "F1", "--status", "open", "--note", "again") == 0
    assert read_csv(tmp_path / "finding_reviews.csv")[1][3] == "olga"


def test_without_a_user_name_the_reviewer_is_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_user() -> str:
        raise OSError("no user")

    monkeypatch.setattr(review.getpass, "getuser", no_user)
    assert run_review(tmp_path, "F1", "--status", "open", "--note", "again") == 0
    assert read_csv(tmp_path / "finding_reviews.csv")[1][3] == ""


def test_reviewed_at_is_utc_in_the_written_form() -> None:
    moment = datetime(2026, 12, 7, 23, 5, 9, 123456, tzinfo=UTC)
    assert review.timestamp_text(moment) == "2026-12-07T23:05:09Z"


def test_rows_go_under_an_existing_header_in_its_own_order(tmp_path: Path) -> None:
    path = tmp_path / "Finding_Reviews.csv"
    path.write_bytes(
        b"\xef\xbb\xbf Reviewed_At ,note,STATUS, finding_id,extra,reviewed_by\r\n"
        b"2026-01-01T00:00:00Z,old,open,F0,x,bo"
    )

    assert (
        run_review(tmp_path, "F1", "--status", "dismissed", "--note", "n", "--by", "b")
        == 0
    )

    assert sorted(p.name for p in tmp_path.iterdir()) == ["Finding_Reviews.csv"]
    data = path.read_bytes()
    assert data.count(b"\r\n") == 3  # the missing final newline was added first
    rows = read_csv(path)
    assert rows[1] == ["2026-01-01T00:00:00Z", "old", "open", "F0", "x", "bo"]
    written = rows[2]
    assert written[1:] == ["n", "DISMISSED", "F1", "", "b"]
    assert TIMESTAMP.match(written[0])


def test_commas_quotes_and_unicode_are_quoted_and_load_back(tmp_path: Path) -> None:
    note = 'duplicate of "B-7", per the utility, 2 ½ €'
    assert run_review(tmp_path, "F,1", 'F"2', "--status", "open", "--note", note) == 0
    assert run_review(tmp_path, "F3", "--status", "resolved", "--note", "") == 0

    rows = staged_rows(tmp_path / "finding_reviews.csv", tmp_path / "scratch")

    assert [(r["finding_id"], r["status"], r["note"]) for r in rows] == [
        ("F,1", "OPEN", note),
        ('F"2', "OPEN", note),
        ("F3", "RESOLVED", None),
    ]
    assert all(TIMESTAMP.match(r["reviewed_at"]) for r in rows)


def test_the_appended_file_passes_the_loaders_header_check(tmp_path: Path) -> None:
    path = tmp_path / "finding_reviews.csv"
    path.write_text(
        "finding_id,status,reviewed_at,note,reviewed_by\n", encoding="utf-8"
    )
    assert run_review(tmp_path, "F1", "--status", "open", "--note", "x") == 0
    [row] = staged_rows(path, tmp_path / "scratch")
    assert (row["finding_id"], row["status"], row["note"]) == ("F1", "OPEN", "x")


def test_an_empty_existing_file_gets_the_header(tmp_path: Path) -> None:
    path = tmp_path / "finding_reviews.csv"
    path.write_bytes(b"")
    assert run_review(tmp_path, "F1", "--status", "open", "--note", "x") == 0
    rows = read_csv(path)
    assert rows[0] == list(ENTITY.columns)
    assert rows[1][:3] == ["F1", "OPEN", "x"]


def test_a_cp1252_folder_is_appended_in_its_encoding(tmp_path: Path) -> None:
    (tmp_path / "landing.json").write_text('{"encoding": "cp1252"}', encoding="utf-8")
    path = tmp_path / "finding_reviews.csv"
    path.write_bytes(
        "finding_id,status,note,reviewed_by,reviewed_at\n".encode("cp1252")
    )
    assert run_review(tmp_path, "F1", "--status", "open", "--note", "café") == 0
    assert "café" in path.read_bytes().decode("cp1252")


def refused(capsys: pytest.CaptureFixture[str], landing: Path, *args: str) -> str:
    assert run_review(landing, *args) == 2
    return capsys.readouterr().err


def test_a_landing_folder_that_is_not_a_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(capsys, tmp_path / "none", "F1", "--status", "open", "--note", "x")
    assert "no such folder" in err
    file = tmp_path / "file"
    file.write_text("x")
    err = refused(capsys, file, "F1", "--status", "open", "--note", "x")
    assert "not a folder" in err


def test_a_symbolic_link_or_a_non_regular_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere.csv"
    target.write_text("finding_id,status,note,reviewed_by,reviewed_at\n")
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "finding_reviews.csv").symlink_to(target)
    err = refused(capsys, landing, "F1", "--status", "open", "--note", "x")
    assert "symbolic link" in err
    assert target.read_text() == "finding_id,status,note,reviewed_by,reviewed_at\n"

    other = tmp_path / "other"
    other.mkdir()
    (other / "finding_reviews.csv").mkdir()
    err = refused(capsys, other, "F1", "--status", "open", "--note", "x")
    assert "not a regular file" in err


def test_a_header_without_the_contract_columns_is_refused_naming_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "finding_reviews.csv"
    path.write_text("finding_id,status,reviewed_at\nF0,open,2026-01-01\n")
    err = refused(capsys, tmp_path, "F1", "--status", "open", "--note", "x")
    assert "'note', 'reviewed_by'" in err
    assert path.read_text() == "finding_id,status,reviewed_at\nF0,open,2026-01-01\n"


def test_other_formats_and_two_files_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "finding_reviews.jsonl").write_text("")
    err = refused(capsys, tmp_path, "F1", "--status", "open", "--note", "x")
    assert "CSV file only" in err
    (tmp_path / "FINDING_REVIEWS.csv").write_text("")
    err = refused(capsys, tmp_path, "F1", "--status", "open", "--note", "x")
    assert "more than one finding_reviews file" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["  ", "--status", "open", "--note", "x"], "an empty finding id"),
        (["F\n1", "--status", "open", "--note", "x"], "U+000A"),
        (["F1", "--status", "open", "--note", "two\nlines"], "U+000A"),
        (["F1", "--status", "open", "--note", "tab\there"], "U+0009"),
        (["F1", "--status", "open", "--note", "x", "--by", "a\rb"], "U+000D"),
        (["F1", "--status", "open", "--note", "line\u2028sep"], "U+2028"),
        (["F1", "--status", "closed", "--note", "x"], "invalid choice"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    err = refused(capsys, tmp_path, *args)
    assert message in err
    assert not (tmp_path / "finding_reviews.csv").exists()


def test_an_unwritable_value_leaves_the_file_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "landing.json").write_text('{"encoding": "latin-1"}', encoding="utf-8")
    path = tmp_path / "finding_reviews.csv"
    path.write_bytes(b"finding_id,status,note,reviewed_by,reviewed_at\n")
    before = os.stat(path).st_size
    err = refused(capsys, tmp_path, "F1", "--status", "open", "--note", "€ 5")
    assert "cannot be written" in err
    assert os.stat(path).st_size == before


def test_the_generator_neither_writes_nor_clears_the_reviews(tmp_path: Path) -> None:
    landing = tmp_path / "raw"
    landing.mkdir()
    assert run_review(landing, "F1", "--status", "open", "--note", "x") == 0
    before = (landing / "finding_reviews.csv").read_bytes()

    generate(landing, companies=1, sites=1, months=2, meters_per_site=1)

    assert (landing / "finding_reviews.csv").read_bytes() == before


def test_a_large_file_is_appended_whatever_its_first_mebibyte_ends_in(
    tmp_path: Path,
) -> None:
    path = tmp_path / "finding_reviews.csv"
    body = b"finding_id,status,note,reviewed_by,reviewed_at\n"
    row = b"F0,open," + b"a" * 90 + b",bo,2026-01-01\n"
    body += row * ((review.MAX_HEADER_BYTES - 300 - len(body)) // len(row))
    start = body + b"F0,open,"
    padding = b"a" * (review.MAX_HEADER_BYTES - 1 - len(start))
    # The first mebibyte ends inside the two bytes of an e with an accent.
    path.write_bytes(start + padding + "\u00e9".encode() + b",bo,2026-01-01\n")
    assert run_review(tmp_path, "F1", "--status", "open", "--note", "x") == 0
    assert read_csv(path)[-1][:3] == ["F1", "OPEN", "x"]
