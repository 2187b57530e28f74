"""Check a landing file's column names against the contract."""

from __future__ import annotations

from collections.abc import Container, Sequence

from utility_warehouse import contract
from utility_warehouse.contract import Entity, normalize_name
from utility_warehouse.landing_errors import FileProblems

RESERVED_COLUMNS = (contract.ROW_NUMBER_COLUMN, contract.SOURCE_FILE_COLUMN)
MAX_COLUMNS = 1_000
"""The most columns a landing file may have (the widest entity has 14)."""


def check_column_count(file_name: str, count: int) -> None:
    """Refuse a file with more columns than any landing file needs."""
    if count > MAX_COLUMNS:
        raise FileProblems(
            [f"{file_name}: {count:,} columns; at most {MAX_COLUMNS:,} are read"]
        )


def column_problems(
    entity: Entity, file_name: str, names: Sequence[str], *, check_required: bool = True
) -> list[str]:
    """Contract problems of a file's column names (case and spaces ignored)."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for name in names:
        folded = normalize_name(name)
        if folded in seen:
            if seen[folded] == name:
                problems.append(f"{file_name}: duplicate column {name!r}")
            else:
                problems.append(
                    f"{file_name}: columns {seen[folded]!r} and {name!r} are the "
                    "same column"
                )
        seen.setdefault(folded, name)
        if folded in RESERVED_COLUMNS:
            problems.append(
                f"{file_name}: column {name!r} is reserved for the loader; rename it"
            )
    if check_required:
        problems.extend(_missing_columns(entity, file_name, seen))
    return problems


def _missing_columns(entity: Entity, file_name: str, seen: Container[str]) -> list[str]:
    """A required column the file lacks, or a group of alternatives it lacks."""
    problems = [
        f"{file_name}: missing required column {column!r}"
        for column in entity.required_columns
        if column not in seen
    ]
    for group in entity.one_of:
        if not any(column in seen for column in group):
            names = " or ".join(repr(column) for column in group)
            problems.append(f"{file_name}: needs one of the columns {names}")
    return problems


def require_columns(
    entity: Entity, file_name: str, names: Sequence[str], *, check_required: bool = True
) -> None:
    problems = column_problems(entity, file_name, names, check_required=check_required)
    if problems:
        raise FileProblems(problems)
