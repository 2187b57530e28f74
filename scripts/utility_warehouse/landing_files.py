"""Find the landing file of each entity in a landing folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from utility_warehouse import contract
from utility_warehouse.contract import normalize_name


@dataclass
class Located:
    """The landing file of each entity found, and what was wrong or odd."""

    files: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def split_file_name(name: str) -> tuple[str, str] | None:
    """``(entity, format)`` of a landing file name, ignoring case and spaces."""
    normalized = normalize_name(name)
    stem, dot, suffix = normalized.rpartition(".")
    if not dot:
        return None
    return stem.strip(), suffix.strip()


def locate(raw_dir: Path) -> Located:
    located = Located()
    candidates: dict[str, list[Path]] = {
        entity.name: [] for entity in contract.ENTITIES
    }
    unknown: list[str] = []
    for path in sorted(raw_dir.iterdir(), key=lambda item: item.name):
        if contract.is_ignored_file_name(path.name) or not path.is_file():
            continue
        parts = split_file_name(path.name)
        if (
            parts is not None
            and parts[0] in candidates
            and parts[1] in contract.FILE_FORMATS
        ):
            candidates[parts[0]].append(path)
        else:
            unknown.append(path.name)
    for entity in contract.ENTITIES:
        paths = candidates[entity.name]
        if len(paths) > 1:
            names = ", ".join(repr(path.name) for path in paths)
            located.problems.append(
                f"{entity.name}: more than one file for one entity: {names} "
                "(keep exactly one)"
            )
        elif paths:
            located.files[entity.name] = paths[0]
        elif not entity.file_optional:
            names = f"{entity.name}." + "|.".join(contract.FILE_FORMATS)
            located.problems.append(f"missing required file: {names} in {raw_dir}")
    if unknown:
        located.warnings.append(
            f"file(s) the contract does not know, not loaded: "
            f"{', '.join(repr(name) for name in unknown)}"
        )
    return located
