"""The landing contract: its enumerations agree with the seeds the models read."""

from __future__ import annotations

import csv
from collections import defaultdict

from conftest import PROJECT_ROOT
from utility_warehouse import contract

SEEDS = PROJECT_ROOT / "seeds"


def seed_rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_enumerations_agree_with_the_enumerations_seed() -> None:
    seeded: dict[str, list[str]] = defaultdict(list)
    for row in seed_rows("enumerations"):
        seeded[row["enumeration"]].append(row["enum_value"])
    assert seeded, "seeds/enumerations.csv is empty"
    for name, values in seeded.items():
        assert name in contract.ENUMERATIONS, name
        assert sorted(values) == sorted(contract.ENUMERATIONS[name]), name


def test_commodities_and_identifier_types_agree_with_their_seeds() -> None:
    commodities = [row["commodity"] for row in seed_rows("commodities")]
    assert sorted(commodities) == sorted(contract.ENUMERATIONS["commodity"])
    ranked = sorted(
        seed_rows("identifier_type_ranks"), key=lambda row: int(row["identifier_rank"])
    )
    assert [row["identifier_type"] for row in ranked] == list(
        contract.ENUMERATIONS["identifier_type"]
    )


def test_every_enumeration_column_names_a_known_enumeration() -> None:
    for entity in contract.ENTITIES:
        for column, enumeration in entity.enumerations:
            assert column in entity.columns, (entity.name, column)
            assert enumeration in contract.ENUMERATIONS, (entity.name, column)


def test_required_and_alternative_columns_are_contract_columns() -> None:
    for entity in contract.ENTITIES:
        for column in (*entity.required_columns, *entity.alternative_columns):
            assert column in entity.columns, (entity.name, column)
        for column, _ in entity.kinds:
            assert column in entity.columns, (entity.name, column)
    usage = contract.ENTITY_BY_NAME["usage_data"]
    assert usage.one_of == (
        ("standard_usage", "raw_usage"),
        ("meter_id", "extracted_identifiers"),
    )
