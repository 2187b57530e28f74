"""The generate command: generate() for Python callers, and the subcommand's
arguments and main."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_OK
from utility_warehouse.generate.company import _Generator
from utility_warehouse.generate.conventions import (
    DEFAULT_LOCALE,
    LANDING_SETTINGS_NAME,
    LOCALES,
)
from utility_warehouse.generate.landing import MANIFEST_NAME, _Landing
from utility_warehouse.generate.parameters import (
    CARBON_ENTITIES,
    GENERATED_ENTITIES,
    NOT_GENERATED,
    OPTIONAL_FILES,
    OUTPUT_FORMATS,
    Parameters,
    formats_by_entity,
)
from utility_warehouse.generate.writers import _landing_entity, landing_file_name

COMMAND = "generate"
HELP = "Write a synthetic, messy landing folder of utility bills with a manifest."


def _clear_landing_files(out_dir: Path, keep: set[str]) -> None:
    """Remove files of any entity, in any format or spelling, not in ``keep``;
    analysts' files the generator never writes (finding_reviews) stay."""
    for path in out_dir.iterdir():
        entity = _landing_entity(path)
        if (
            path.is_file()
            and path.name not in keep
            and entity
            and entity not in NOT_GENERATED
        ):
            path.unlink()


def _write_landing_settings(out_dir: Path, params: Parameters) -> None:
    """Write landing.json when the folder needs one, else remove an old one."""
    path = out_dir / LANDING_SETTINGS_NAME
    settings = params.landing_settings() if params.landing_json else {}
    if settings:
        path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    elif path.is_file():
        path.unlink()


def generate(
    out_dir: Path,
    *,
    companies: int = 3,
    sites: int = 4,
    months: int = 24,
    seed: int = 42,
    end_month: str = "2026-10",
    meters_per_site: int = 3,
    file_format: str = "csv",
    without: Sequence[str] = (),
    messy_names: bool = True,
    encoding: str = "utf-8",
    locale: str = DEFAULT_LOCALE,
    landing_json: bool = True,
) -> dict[str, int]:
    """Write a landing folder and its manifest; the rows written per entity.

    ``locale`` names the folder's convention (LOCALES); unless ``landing_json``
    is False, a folder whose convention or encoding is not the loader's
    default describes itself in landing.json. Raises ValueError on a bad
    parameter (before anything is written).
    """
    if isinstance(without, str):
        without = (without,)
    params = Parameters(
        companies=companies,
        sites=sites,
        months=months,
        seed=seed,
        end_month=end_month,
        meters_per_site=meters_per_site,
        file_format=file_format,
        without=tuple(sorted(set(without))),
        messy_names=messy_names,
        encoding=encoding,
        locale=locale,
        landing_json=landing_json,
    )
    first_day, last_day = params.validate()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    formats = formats_by_entity(file_format)
    keep = {
        landing_file_name(entity.name, formats[entity.name], messy_names)
        for entity in (*GENERATED_ENTITIES, *CARBON_ENTITIES)
        if entity.name not in params.without
    }
    _clear_landing_files(out_dir, keep)
    _write_landing_settings(out_dir, params)
    landing = _Landing(out_dir, params, formats)
    try:
        try:
            _Generator(params, landing, first_day, last_day).run()
        finally:
            landing.close()
        landing.write_manifest(out_dir / MANIFEST_NAME, last_day + timedelta(days=1))
    finally:
        landing.discard()
    return landing.rows()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from utility_warehouse.safe_output import folder_argument

    parser.add_argument(
        "--out",
        type=folder_argument,
        required=True,
        metavar="DIR",
        help="landing folder to write (a folder or a new name; never a symlink)",
    )
    parser.add_argument(
        "--companies", type=int, default=3, metavar="N", help="companies (default 3)"
    )
    parser.add_argument(
        "--sites",
        type=int,
        default=4,
        metavar="N",
        help="sites per company (default 4)",
    )
    parser.add_argument(
        "--months",
        type=int,
        default=24,
        metavar="N",
        help="months of bills (default 24)",
    )
    parser.add_argument(
        "--seed", type=int, default=42, metavar="N", help="random seed (default 42)"
    )
    parser.add_argument(
        "--end-month",
        default="2026-10",
        metavar="YYYY-MM",
        help="the last month with bills (default 2026-10)",
    )
    parser.add_argument(
        "--meters-per-site",
        type=int,
        default=3,
        metavar="N",
        help="regular meters per site (default 3)",
    )
    parser.add_argument(
        "--format",
        dest="file_format",
        choices=OUTPUT_FORMATS,
        default="csv",
        help="file format; mixed gives each entity one of the three (default csv)",
    )
    parser.add_argument(
        "--without",
        action="append",
        choices=OPTIONAL_FILES,
        default=[],
        metavar="FILE",
        help=(
            "leave an optional file out: " + ", ".join(OPTIONAL_FILES) + " (repeatable)"
        ),
    )
    parser.add_argument(
        "--clean-names",
        action="store_true",
        help=(
            "write the contract's file and column names (default: messy names "
            "such as Meter_Tags.csv, line_items.CSV and a ' updated_at ' header)"
        ),
    )
    parser.add_argument(
        "--encoding",
        default="utf-8",
        metavar="NAME",
        help="text encoding of CSV and JSONL files, e.g. cp1252 (default utf-8)",
    )
    parser.add_argument(
        "--locale",
        choices=tuple(LOCALES),
        default=DEFAULT_LOCALE,
        help=(
            "how dates and decimals are written: mdy-point (month-first dates, "
            "decimal points; the default), dmy-comma (13/01/2025 or 13.01.2025, "
            "1.820,55 €, 12,5), or dmy-point and mdy-comma (one of the two); "
            "the same seed writes the same portfolio in each"
        ),
    )
    parser.add_argument(
        "--no-landing-json",
        dest="landing_json",
        action="store_false",
        help=(
            "leave landing.json out, so that a folder in another convention than "
            "the loader's default must be refused unless the run is told it"
        ),
    )


def main(args: argparse.Namespace) -> int:
    try:
        rows = generate(
            args.out,
            companies=args.companies,
            sites=args.sites,
            months=args.months,
            seed=args.seed,
            end_month=args.end_month,
            meters_per_site=args.meters_per_site,
            file_format=args.file_format,
            without=args.without,
            messy_names=not args.clean_names,
            encoding=args.encoding,
            locale=args.locale,
            landing_json=args.landing_json,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        print(f"error: cannot write {args.out}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    counts = ", ".join(f"{name} {count:,}" for name, count in rows.items())
    print(f"generated {args.out}: {counts} rows")
    return EXIT_OK
