"""Check a landing file's column names against the contract."""

from __future__ import annotations

from collections.abc import Sequence

from utility_warehouse import contract
from utility_warehouse.contract import Entity, normalize_name
from utility_warehouse.landing_errors import FileProblems

RESERVED_COLUMNS = (contract.ROW_NUMBER_COLUMN, contract.SOURCE_FILE_COLUMN)


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
        for column in entity.required_columns:
            if column not in seen:
                problems.append(f"{file_name}: missing required column {column!r}")
    return problems


def require_columns(
    entity: Entity, file_name: str, names: Sequence[str], *, check_required: bool = True
) -> None:
    problems = column_problems(entity, file_name, names, check_required=check_required)
    if problems:
        raise FileProblems(problems)
