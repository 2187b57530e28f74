"""The generator's arguments (Parameters), validated, and each entity's file
format."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import date, timedelta

from utility_warehouse import contract
from utility_warehouse.generate.conventions import DEFAULT_LOCALE, LOCALES, Convention

OUTPUT_FORMATS: tuple[str, ...] = (*contract.FILE_FORMATS, "mixed")
CARBON_INPUTS: tuple[str, ...] = ("emission_factors", "contractual_instruments")
"""Optional entities written clean, only for the carbon company (carbon_company):
no case is planted in them."""
NOT_GENERATED: tuple[str, ...] = ("finding_reviews",)
"""Optional entities the generator never writes: analysts' reviews come from
``pipeline.py review``, not from a source system."""
GENERATED_ENTITIES: tuple[contract.Entity, ...] = tuple(
    entity
    for entity in contract.ENTITIES
    if entity.name not in CARBON_INPUTS and entity.name not in NOT_GENERATED
)
"""The portfolio's entities, where the cases are planted."""
CARBON_ENTITIES: tuple[contract.Entity, ...] = tuple(
    entity for entity in contract.ENTITIES if entity.name in CARBON_INPUTS
)
OPTIONAL_FILES: tuple[str, ...] = tuple(
    entity.name for entity in GENERATED_ENTITIES if entity.file_optional
)


@dataclass(frozen=True)
class Parameters:
    """The generator's arguments, validated."""

    companies: int = 3
    sites: int = 4
    months: int = 24
    seed: int = 42
    end_month: str = "2026-10"
    meters_per_site: int = 3
    file_format: str = "csv"
    without: tuple[str, ...] = ()
    messy_names: bool = True
    encoding: str = "utf-8"
    locale: str = DEFAULT_LOCALE
    landing_json: bool = True

    def validate(self) -> tuple[date, date]:
        """The first and the last day with bills; ValueError on a bad value."""
        for name, value in (
            ("companies", self.companies),
            ("sites", self.sites),
            ("months", self.months),
            ("meters-per-site", self.meters_per_site),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"--{name} must be a whole number >= 1, got {value!r}")
        if self.months > 1200:
            raise ValueError(f"--months must be at most 1200, got {self.months}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"--seed must be a whole number, got {self.seed!r}")
        if self.file_format not in OUTPUT_FORMATS:
            choices = ", ".join(OUTPUT_FORMATS)
            raise ValueError(
                f"--format must be one of {choices}, got {self.file_format!r}"
            )
        for name in self.without:
            if name not in OPTIONAL_FILES:
                choices = ", ".join(OPTIONAL_FILES)
                raise ValueError(
                    f"--without takes an optional file ({choices}), got {name!r}"
                )
        try:
            info = codecs.lookup(self.encoding)
        except (LookupError, TypeError):
            info = None
        if info is None or not getattr(info, "_is_text_encoding", True):
            raise ValueError(f"--encoding: unknown text encoding {self.encoding!r}")
        if self.locale not in LOCALES:
            choices = ", ".join(LOCALES)
            raise ValueError(f"--locale must be one of {choices}, got {self.locale!r}")
        match = re.fullmatch(r"(\d{4})-(\d{2})", str(self.end_month))
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(
                f"--end-month must be a month as YYYY-MM, got {self.end_month!r}"
            )
        year, month = int(match.group(1)), int(match.group(2))
        first_index = year * 12 + month - 1 - (self.months - 1)
        # Planted periods reach 450 days back: every date meant to be plausible
        # stays after 1950 (earlier dates are implausible).
        if first_index < 1952 * 12:
            raise ValueError("--end-month and --months reach back before 1952")
        if year > 2200:
            raise ValueError("--end-month must be before 2200")
        first_day = date(first_index // 12, first_index % 12 + 1, 1)
        next_index = year * 12 + month
        last_day = date(next_index // 12, next_index % 12 + 1, 1) - timedelta(days=1)
        return first_day, last_day

    def as_dict(self) -> dict[str, object]:
        return {
            "companies": self.companies,
            "sites": self.sites,
            "months": self.months,
            "seed": self.seed,
            "end_month": self.end_month,
            "meters_per_site": self.meters_per_site,
            "format": self.file_format,
            "without": list(self.without),
            "messy_names": self.messy_names,
            "encoding": self.encoding,
            "locale": self.locale,
            "landing_json": self.landing_json,
        }

    @property
    def convention(self) -> Convention:
        return LOCALES[self.locale]

    def landing_settings(self) -> dict[str, str]:
        """What the folder's landing.json states: the settings that are not
        the loader's defaults (empty: no landing.json is needed)."""
        settings = self.convention.settings()
        if codecs.lookup(self.encoding).name != "utf-8":
            settings["encoding"] = self.encoding
        return settings


def formats_by_entity(file_format: str) -> dict[str, str]:
    """The file format of each entity; ``mixed`` cycles through all three."""
    return {
        entity.name: (
            contract.FILE_FORMATS[index % len(contract.FILE_FORMATS)]
            if file_format == "mixed"
            else file_format
        )
        for index, entity in enumerate(contract.ENTITIES)
    }
