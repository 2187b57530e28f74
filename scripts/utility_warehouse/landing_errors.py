"""What can go wrong in a load: a landing folder that breaks the contract, or a
warehouse file that cannot be written."""

from __future__ import annotations

from collections.abc import Sequence


class LandingContractError(Exception):
    """The landing folder breaks the contract; ``problems`` has one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class FileProblems(Exception):
    """One landing file breaks the contract; ``problems`` has one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class WarehouseWriteError(Exception):
    """The landing folder is fine but the warehouse file could not be written."""


class WarehouseBusyError(WarehouseWriteError):
    """The warehouse file is held open by another process (DuckDB's file lock)."""
