"""Find the landing file of each entity in a landing folder.

An entry named after an entity (``meters.csv``, ``Line_Items.JSONL``) must be a
readable regular file (or a symbolic link to one): a dangling link, a directory, a
FIFO or an unreadable file is a contract error naming it and why, for optional
entities too, never a file that is "not there". Any other file is named in a
warning, with the entity it looks like (``bills.csv``: did you mean
documents.csv?) or the format to save it in (``documents.xlsx``). Names starting
with ``_`` or ``.``, the folder's ``landing.json`` and a README are not entity
files.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from utility_warehouse import contract
from utility_warehouse.contract import normalize_name

LANDING_SETTINGS_FILE = "landing.json"

# What people call the entities' files; the closest name otherwise (difflib).
SYNONYMS: dict[str, str] = {
    "company": "companies",
    "customers": "companies",
    "clients": "companies",
    "organizations": "companies",
    "organisations": "companies",
    "buildings": "sites",
    "facilities": "sites",
    "locations": "sites",
    "properties": "sites",
    "providers": "connections",
    "utility_accounts": "accounts",
    "identifiers": "meter_identifiers",
    "meter_ids": "meter_identifiers",
    "tags": "meter_tags",
    "bills": "documents",
    "bill": "documents",
    "invoices": "documents",
    "invoice": "documents",
    "statements": "documents",
    "usage": "usage_data",
    "usages": "usage_data",
    "readings": "usage_data",
    "reads": "usage_data",
    "consumption": "usage_data",
    "charges": "line_items",
    "bill_lines": "line_items",
    "charge_lines": "line_items",
}
_CLOSE_ENOUGH = 0.75
_SEPARATORS = re.compile(r"[\s\-]+")
_FILE_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


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


def is_companion_file(name: str) -> bool:
    """``landing.json`` and a README (``README.txt``, ``readme.md``): files that
    describe the folder, never loaded nor warned about."""
    normalized = normalize_name(name)
    return normalized == LANDING_SETTINGS_FILE or normalized.partition(".")[0] == (
        "readme"
    )


def closest_entity(stem: str) -> str | None:
    """The entity a file's stem names or looks like (None when none is close)."""
    key = _SEPARATORS.sub("_", normalize_name(stem))
    if key in contract.ENTITY_BY_NAME:
        return key
    if key in SYNONYMS:
        return SYNONYMS[key]
    known = [*contract.ENTITY_BY_NAME, *SYNONYMS]
    found = difflib.get_close_matches(key, known, n=1, cutoff=_CLOSE_ENOUGH)
    if not found:
        return None
    return SYNONYMS.get(found[0], found[0])


def _formats_of(entity: str) -> str:
    first, *others = contract.FILE_FORMATS
    return f"{entity}.{first}, " + " or ".join(f".{fmt}" for fmt in others)


def unknown_file_hint(name: str) -> tuple[str | None, str | None]:
    """``(entity, hint)`` for a file the contract does not know."""
    normalized = normalize_name(name)
    stem, dot, suffix = normalized.rpartition(".")
    if not dot:
        entity = closest_entity(normalized)
        if entity is None:
            return None, None
        return entity, f"no file extension; name it {_formats_of(entity)}"
    if "." in stem:  # meters.csv.bak: a copy, not a landing file
        return None, None
    entity = closest_entity(stem)
    if entity is None:
        return None, None
    if suffix.strip() in contract.FILE_FORMATS:
        return entity, f"did you mean {entity}.{suffix.strip()}?"
    return entity, f"format .{suffix.strip()} is not read; save it as " + _formats_of(
        entity
    )


def unreadable_reason(path: Path) -> str | None:
    """Why an entry named after an entity cannot be read (None: it can)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            return f"a symbolic link to a missing file ({os.readlink(path)})"
        return "it disappeared while the folder was read"
    except OSError as error:
        return error.strerror or str(error)
    if stat.S_ISDIR(info.st_mode):
        return "a directory, not a file"
    for test, kind in _FILE_KINDS:
        if test(info.st_mode):
            return f"not a regular file ({kind})"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    try:
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
    except OSError as error:
        return error.strerror or str(error)
    return None


@dataclass
class _Entries:
    """A landing folder's entries, sorted out."""

    candidates: dict[str, list[Path]]
    broken: set[str] = field(default_factory=set)
    unknown: list[Path] = field(default_factory=list)


def _is_entity_name(name: str) -> str | None:
    parts = split_file_name(name)
    if parts is None or parts[1] not in contract.FILE_FORMATS:
        return None
    return parts[0] if parts[0] in contract.ENTITY_BY_NAME else None


def _sort_entries(raw_dir: Path, located: Located) -> _Entries:
    entries = _Entries({entity.name: [] for entity in contract.ENTITIES})
    for path in sorted(raw_dir.iterdir(), key=lambda item: item.name):
        name = path.name
        if contract.is_ignored_file_name(name):
            continue
        if is_companion_file(name):
            continue
        entity = _is_entity_name(name)
        if entity is None:
            if path.is_file():
                entries.unknown.append(path)
            continue
        reason = unreadable_reason(path)
        if reason is None:
            entries.candidates[entity].append(path)
        else:
            located.problems.append(f"{name}: cannot be read: {reason}")
            entries.broken.add(entity)
    return entries


def _missing_file_problem(raw_dir: Path, entity: str, unknown: list[Path]) -> str:
    names = f"{entity}." + "|.".join(contract.FILE_FORMATS)
    problem = f"missing required file: {names} in {raw_dir}"
    for path in unknown:
        looks_like, hint = unknown_file_hint(path.name)
        if looks_like != entity or hint is None:
            continue
        if hint.startswith("did you mean"):
            fmt = normalize_name(path.name).rpartition(".")[2].strip()
            return f"{problem} ({path.name!r} looks like it: rename it {entity}.{fmt})"
        return f"{problem} ({path.name!r}: {hint})"
    return problem


def _unknown_warning(unknown: list[Path]) -> str:
    named = []
    for path in unknown:
        _, hint = unknown_file_hint(path.name)
        named.append(f"{path.name!r} ({hint})" if hint else repr(path.name))
    return f"file(s) the contract does not know, not loaded: {', '.join(named)}"


def locate(raw_dir: Path) -> Located:
    located = Located()
    entries = _sort_entries(raw_dir, located)
    for entity in contract.ENTITIES:
        paths = entries.candidates[entity.name]
        if len(paths) > 1:
            names = ", ".join(repr(path.name) for path in paths)
            located.problems.append(
                f"{entity.name}: more than one file for one entity: {names} "
                "(keep exactly one)"
            )
        elif paths:
            located.files[entity.name] = paths[0]
        elif not entity.file_optional and entity.name not in entries.broken:
            located.problems.append(
                _missing_file_problem(raw_dir, entity.name, entries.unknown)
            )
    if entries.unknown:
        located.warnings.append(_unknown_warning(entries.unknown))
    return located
