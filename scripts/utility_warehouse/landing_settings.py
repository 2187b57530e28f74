"""How a landing folder is written: its date order, decimal separator and encoding.

A landing folder may describe itself in ``landing.json``::

    {"date_order": "dmy", "decimal_separator": ",", "encoding": "cp1252"}

``date_order`` is ``mdy`` or ``dmy`` (how ``A/B/YYYY`` dates are read: month or
day first), ``decimal_separator`` is ``.`` or ``,`` and ``encoding`` is a text
encoding Python knows (of the CSV and JSON lines files). The options
``--date-order``, ``--decimal-separator`` and ``--encoding`` override the file;
the defaults are ``mdy``, ``.`` and ``utf-8``. Invalid JSON, a value outside
those or a file that is not a JSON object is a contract error naming
``landing.json`` and the key; an unknown key is named in a warning.

The effective date order and decimal separator go to dbt as the vars
``date_order`` and ``decimal_separator``: the parsing macros read them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from utility_warehouse.contract import normalize_name
from utility_warehouse.landing_errors import LandingContractError
from utility_warehouse.landing_files import LANDING_SETTINGS_FILE, unreadable_reason
from utility_warehouse.landing_scan import DEFAULT_ENCODING, check_encoding

DATE_ORDER = "date_order"
DECIMAL_SEPARATOR = "decimal_separator"
ENCODING = "encoding"
DATE_ORDERS: tuple[str, ...] = ("mdy", "dmy")
DECIMAL_SEPARATORS: tuple[str, ...] = (".", ",")
DEFAULTS: dict[str, str] = {
    DATE_ORDER: "mdy",
    DECIMAL_SEPARATOR: ".",
    ENCODING: DEFAULT_ENCODING,
}
OPTIONS: dict[str, str] = {
    DATE_ORDER: "--date-order",
    DECIMAL_SEPARATOR: "--decimal-separator",
    ENCODING: "--encoding",
}
MAX_SETTINGS_BYTES = 64 * 1024
DEFAULT_SOURCE = "default"


@dataclass(frozen=True)
class LandingSettings:
    """The effective settings of a load and where each came from."""

    date_order: str = DEFAULTS[DATE_ORDER]
    decimal_separator: str = DEFAULTS[DECIMAL_SEPARATOR]
    encoding: str = DEFAULTS[ENCODING]
    sources: tuple[tuple[str, str], ...] = ()
    """``(setting, source)``: the option or ``landing.json``; absent = default."""

    def value(self, key: str) -> str:
        return str(getattr(self, key))

    def source(self, key: str) -> str:
        return dict(self.sources).get(key, DEFAULT_SOURCE)

    def dbt_vars(self) -> dict[str, str]:
        """The vars the parsing macros read."""
        return {
            DATE_ORDER: self.date_order,
            DECIMAL_SEPARATOR: self.decimal_separator,
        }

    def is_default(self, key: str) -> bool:
        value = self.value(key)
        if key == ENCODING:
            return check_encoding(value).name == check_encoding(DEFAULTS[key]).name
        return value == DEFAULTS[key]

    def describe(self) -> list[str]:
        """The settings that are not the defaults, e.g.
        ``date_order dmy from landing.json``."""
        described = []
        for key in DEFAULTS:
            if self.is_default(key):
                continue
            value = self.value(key)
            shown = repr(value) if key == DECIMAL_SEPARATOR else value
            described.append(f"{key} {shown} from {self.source(key)}")
        return described


def _find_settings_file(raw_dir: Path) -> Path | None:
    found = [
        path
        for path in sorted(raw_dir.iterdir(), key=lambda item: item.name)
        if normalize_name(path.name) == LANDING_SETTINGS_FILE
    ]
    if len(found) > 1:
        names = ", ".join(repr(path.name) for path in found)
        raise LandingContractError([f"more than one {LANDING_SETTINGS_FILE}: {names}"])
    return found[0] if found else None


def _read_settings_file(path: Path) -> Any:
    name = path.name
    reason = unreadable_reason(path)
    if reason is not None:
        raise LandingContractError([f"{name}: cannot be read: {reason}"])
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SETTINGS_BYTES + 1)
    except OSError as error:
        raise LandingContractError([f"{name}: cannot be read: {error}"]) from error
    if len(data) > MAX_SETTINGS_BYTES:
        raise LandingContractError(
            [f"{name}: larger than {MAX_SETTINGS_BYTES:,} bytes; not a settings file"]
        )
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise LandingContractError([f"{name}: not UTF-8 text ({error})"]) from error
    except ValueError as error:
        raise LandingContractError([f"{name}: not valid JSON ({error})"]) from error


def _checked_value(name: str, key: str, value: Any) -> str:
    """A landing.json value, checked (raises LandingContractError)."""
    if key == ENCODING:
        if isinstance(value, str) and value.strip():
            try:
                check_encoding(value.strip())
                return value.strip()
            except LookupError:
                pass
        raise LandingContractError(
            [
                f"{name}: {key!r} must be a text encoding such as 'utf-8', "
                f"'cp1252' or 'latin-1', not {json.dumps(value)}"
            ]
        )
    accepted = DATE_ORDERS if key == DATE_ORDER else DECIMAL_SEPARATORS
    if isinstance(value, str) and value in accepted:
        return value
    allowed = " or ".join(json.dumps(item) for item in accepted)
    raise LandingContractError(
        [f"{name}: {key!r} must be {allowed}, not {json.dumps(value)}"]
    )


def read_landing_json(raw_dir: Path) -> tuple[dict[str, str], list[str]]:
    """The settings of ``landing.json`` (empty without the file) and warnings.

    Raises LandingContractError naming the file and the key.
    """
    path = _find_settings_file(raw_dir)
    if path is None:
        return {}, []
    content = _read_settings_file(path)
    if not isinstance(content, dict):
        raise LandingContractError(
            [
                f"{path.name}: must be a JSON object such as "
                '{"date_order": "dmy", "decimal_separator": ","}'
            ]
        )
    settings = {
        key: _checked_value(path.name, key, value)
        for key, value in content.items()
        if key in DEFAULTS
    }
    unknown = [key for key in content if key not in DEFAULTS]
    warnings = []
    if unknown:
        warnings.append(
            f"{path.name}: unknown key(s) ignored: "
            + ", ".join(repr(key) for key in unknown)
            + f" (known: {', '.join(DEFAULTS)})"
        )
    return settings, warnings


def resolve_settings(
    raw_dir: Path, given: Mapping[str, str | None]
) -> tuple[LandingSettings, list[str]]:
    """The effective settings: an option given, else landing.json, else the
    default; and landing.json's warnings."""
    from_file, warnings = read_landing_json(raw_dir)
    values: dict[str, str] = {}
    sources: list[tuple[str, str]] = []
    for key, default in DEFAULTS.items():
        option = given.get(key)
        if option is not None:
            values[key] = option
            sources.append((key, OPTIONS[key]))
        elif key in from_file:
            values[key] = from_file[key]
            sources.append((key, LANDING_SETTINGS_FILE))
        else:
            values[key] = default
    return LandingSettings(**values, sources=tuple(sources)), warnings


def encoding_argument(text: str) -> str:
    """An argparse type: a text encoding Python knows (utf-8, cp1252, latin-1, ...)."""
    name = text.strip()
    try:
        check_encoding(name)
    except LookupError as error:
        raise argparse.ArgumentTypeError(
            f"unknown text encoding {text!r} (e.g. utf-8, cp1252, latin-1)"
        ) from error
    return name


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--encoding, --date-order and --decimal-separator (they override
    landing.json)."""
    parser.add_argument(
        "--encoding",
        type=encoding_argument,
        default=None,
        metavar="NAME",
        help="encoding of the CSV and JSON lines files (default: landing.json's, "
        "else utf-8; e.g. cp1252 or latin-1 for spreadsheet exports); others are "
        "transcoded to UTF-8 before loading",
    )
    parser.add_argument(
        "--date-order",
        choices=DATE_ORDERS,
        default=None,
        help="how dates written A/B/YYYY (or with . or -) are read: mdy month "
        "first, dmy day first (default: landing.json's, else mdy); year-first "
        "dates are read year-month-day in either",
    )
    parser.add_argument(
        "--decimal-separator",
        choices=DECIMAL_SEPARATORS,
        default=None,
        help="decimal separator of numbers and amounts: '.' (1,234.56) or ',' "
        "(1.234,56) (default: landing.json's, else '.')",
    )


def given_settings(args: argparse.Namespace) -> dict[str, str | None]:
    """The settings options of a parsed command line (None: not given)."""
    return {key: getattr(args, key, None) for key in DEFAULTS}
