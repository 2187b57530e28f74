"""Atomic publishing: build beside the published warehouse, then swap it in.

``run --publish PATH`` never writes ``PATH`` itself. It holds the run lock of
``PATH`` (``PATH.lock``) for the whole run and builds in ``PATH.building``, a
sibling in the same directory: a copy of ``PATH`` when it exists (so that
incremental models only process what changed), else a new file. The load, the
``dbt build``, the summary and the ``marts.run_metadata`` row are exactly those of
``run --database PATH.building``. Then:

* when every error gate passed and the volume gate (below) passed, the build file
  is checkpointed and closed (no ``.wal`` left), ``PATH`` is hard-linked to
  ``PATH.previous`` (through a temporary name and ``os.replace``, so an older
  previous is replaced atomically) and ``os.replace(PATH.building, PATH)`` swaps
  the new file in; the directory is fsynced. ``PATH`` is never missing: a reader
  opening it finds the old file until the rename and the new one after.
* otherwise (a gate failed, dbt raised, the volume gate held it) ``PATH`` is left
  byte-identical and the build is kept as ``PATH.failed`` (replacing an older one)
  for inspection. A killed run leaves ``PATH.building`` behind: the next run
  removes every ``PATH.building*`` leftover before it starts.

The volume gate compares the new build with the published one, in one DuckDB
session (the published file attached read-only): for each company and commodity
the counted usage (sum of ``marts.fct_meter_monthly.usage``) and, per currency,
the cost (sum of ``cost``). A figure moves when it changes by more than the
threshold (a fraction, default 0.5 = 50%) of its published value; a published
value of 0 (or no published row) that becomes non-zero counts as a move, since
there is no ratio to compare with. A company of the published
``marts.dim_companies`` that the new build lacks is a reason too, and so is a
comparison that cannot be made (a missing mart): the gate fails closed. The first
publish (no ``PATH`` yet) has nothing to compare with. ``--accept-changes``
publishes anyway and records the findings as accepted.

Readers should open ``PATH`` read-only (``duckdb.connect(PATH, read_only=True)``):
the run only ever reads ``PATH`` (a file copy, a read-only attach), so they never
meet a lock error. ``PATH`` must not be written by anything but a publishing run;
one that has a write-ahead log (``PATH.wal``) is refused, and so is a ``PATH``
that is not a warehouse of this project (``utility_warehouse.warehouse_marker``),
before anything is copied or built.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb

from utility_warehouse import dbt_build, metadata, warehouse_marker
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_GATE_FAILED, EXIT_OK
from utility_warehouse.lock import duckdb_busy_message, is_duckdb_lock_error
from utility_warehouse.summary import format_amount

BUILDING_SUFFIX = ".building"
PREVIOUS_SUFFIX = ".previous"
FAILED_SUFFIX = ".failed"
LINKING_SUFFIX = ".previous.linking"
WAL_SUFFIX = ".wal"
THRESHOLD_ENV_VAR = "UTILITY_WAREHOUSE_VOLUME_THRESHOLD"
DEFAULT_THRESHOLD = Decimal("0.5")

_PUBLISHED_ALIAS = "published_warehouse"
_METER_MONTHLY = "marts.fct_meter_monthly"
_COMPANIES = "marts.dim_companies"

USAGE = "usage"
COST = "cost"
COMPANY_MISSING = "company_missing"
NOT_COMPARED = "not_compared"


class PublishError(Exception):
    """The build cannot be published (or started); ``str()`` is one line."""


class PublishBusyError(PublishError):
    """Another process has the published file open for writing."""


def _one_line(error: BaseException | str) -> str:
    return " ".join(str(error).split())


def _with_suffix(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


@dataclass(frozen=True)
class PublishPaths:
    """The published file and its siblings, all in one directory."""

    target: Path

    @classmethod
    def of(cls, path: Path) -> PublishPaths:
        # Resolved like the lock file's path: a symlinked PATH publishes its target.
        return cls(Path(path).resolve())

    @property
    def building(self) -> Path:
        return _with_suffix(self.target, BUILDING_SUFFIX)

    @property
    def previous(self) -> Path:
        return _with_suffix(self.target, PREVIOUS_SUFFIX)

    @property
    def failed(self) -> Path:
        return _with_suffix(self.target, FAILED_SUFFIX)

    @property
    def linking(self) -> Path:
        """Where the previous file is linked before it replaces an older one."""
        return _with_suffix(self.target, LINKING_SUFFIX)

    def leftovers(self) -> list[Path]:
        """``PATH.building*`` (the file, its ``.wal``, DuckDB's ``.tmp`` spill
        folder) and a half-made previous link: what a killed run leaves."""
        prefix = self.target.name + BUILDING_SUFFIX
        try:
            found = [
                entry
                for entry in self.target.parent.iterdir()
                if entry.name.startswith(prefix)
            ]
        except FileNotFoundError:
            found = []
        if self.linking.exists() or self.linking.is_symlink():
            found.append(self.linking)
        return sorted(found)


def wal_path(database: Path) -> Path:
    """DuckDB's write-ahead log of a database file."""
    return _with_suffix(database, WAL_SUFFIX)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- the threshold -----------------------------------------------------------------


def parse_threshold(text: str) -> Decimal:
    """A volume threshold: a fraction of the published value, 0 or more."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation as error:
        raise ValueError(
            f"expected a fraction such as 0.5 (= 50%), got {text!r}"
        ) from error
    if not value.is_finite() or value < 0:
        raise ValueError(f"expected a fraction of 0 or more, got {text!r}")
    return value


def threshold_argument(text: str) -> Decimal:
    """An argparse type for ``--volume-threshold``."""
    try:
        return parse_threshold(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def resolve_threshold(given: Decimal | None, environ: Mapping[str, str]) -> Decimal:
    """``--volume-threshold``, else ``UTILITY_WAREHOUSE_VOLUME_THRESHOLD``, else 0.5.

    Raises ValueError (naming the variable) for a bad value in the environment.
    """
    if given is not None:
        return given
    text = environ.get(THRESHOLD_ENV_VAR, "").strip()
    if not text:
        return DEFAULT_THRESHOLD
    try:
        return parse_threshold(text)
    except ValueError as error:
        raise ValueError(f"{THRESHOLD_ENV_VAR}: {error}") from error


def format_threshold(threshold: Decimal) -> str:
    percent = (threshold * 100).normalize()
    return f"{percent:f}%"


# --- the volume gate ---------------------------------------------------------------


@dataclass(frozen=True)
class VolumeFinding:
    """One reason the volume gate holds a publish."""

    kind: str  # usage, cost, company_missing or not_compared
    company_id: str | None = None
    company_name: str | None = None
    commodity: str | None = None
    currency: str | None = None
    old: Decimal | None = None
    new: Decimal | None = None
    message: str | None = None

    @property
    def change(self) -> Decimal | None:
        """(new - old) / |old|; None when there is no ratio (old is 0 or absent)."""
        if self.old is None or self.new is None or self.old == 0:
            return None
        return (self.new - self.old) / abs(self.old)

    def describe(self) -> str:
        if self.kind == NOT_COMPARED:
            return f"cannot compare with the published warehouse: {self.message}"
        name = f" ({self.company_name})" if self.company_name else ""
        company = f"company {self.company_id}{name}"
        if self.kind == COMPANY_MISSING:
            return (
                f"{company}: in the published {_COMPANIES}, missing from the new build"
            )
        what = "usage" if self.kind == USAGE else f"cost {self.currency}"
        change = self.change
        shift = "(was 0)" if change is None else f"({change * 100:+.1f}%)"
        return (
            f"{company} {self.commodity} {what}: {format_amount(self.old)} -> "
            f"{format_amount(self.new)} {shift}"
        )

    def as_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"kind": self.kind}
        if self.kind == NOT_COMPARED:
            item["message"] = self.message
            return item
        item["company_id"] = self.company_id
        if self.kind == COMPANY_MISSING:
            item["company_name"] = self.company_name
            return item
        change = self.change
        item.update(
            commodity=self.commodity,
            currency=self.currency,
            old=None if self.old is None else str(self.old),
            new=None if self.new is None else str(self.new),
            change=None if change is None else float(change),
        )
        return item


def _decimal(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def moved(old: Decimal, new: Decimal, threshold: Decimal) -> bool:
    """More than ``threshold`` of ``|old|`` apart; from 0 any non-zero value moved."""
    if old == 0:
        return new != 0
    return abs(new - old) > threshold * abs(old)


def _compare_sums(
    con: duckdb.DuckDBPyConnection, kind: str, threshold: Decimal
) -> list[VolumeFinding]:
    """Usage per company and commodity, or cost per company, commodity, currency."""
    keys = ["company_id", "commodity"] + (["currency"] if kind == COST else [])
    listed = ", ".join(keys)
    joined = " and ".join(f"new.{key} is not distinct from old.{key}" for key in keys)
    chosen = ", ".join(f"coalesce(new.{key}, old.{key})" for key in keys)
    rows = con.execute(
        f"""
        with
        new as (
            select {listed}, sum({kind}) as total
            from {_METER_MONTHLY} group by {listed}
        ),
        old as (
            select {listed}, sum({kind}) as total
            from {_PUBLISHED_ALIAS}.{_METER_MONTHLY} group by {listed}
        )
        select {chosen}, old.total, new.total
        from new full outer join old on {joined}
        order by all
        """
    ).fetchall()
    findings = []
    for row in rows:
        old, new = _decimal(row[-2]), _decimal(row[-1])
        if not moved(old, new, threshold):
            continue
        findings.append(
            VolumeFinding(
                kind=kind,
                company_id=None if row[0] is None else str(row[0]),
                commodity=None if row[1] is None else str(row[1]),
                currency=str(row[2]) if kind == COST and row[2] is not None else None,
                old=old,
                new=new,
            )
        )
    return findings


def _missing_companies(con: duckdb.DuckDBPyConnection) -> list[VolumeFinding]:
    rows = con.execute(
        f"""
        select old.company_id, old.company_name
        from {_PUBLISHED_ALIAS}.{_COMPANIES} as old
        where not exists (
            select 1 from {_COMPANIES} as new where new.company_id = old.company_id
        )
        order by old.company_id
        """
    ).fetchall()
    return [
        VolumeFinding(
            kind=COMPANY_MISSING,
            company_id=str(company_id),
            company_name=None if name is None else str(name),
        )
        for company_id, name in rows
    ]


def compare_volumes(
    con: duckdb.DuckDBPyConnection, published: Path, threshold: Decimal
) -> list[VolumeFinding]:
    """The volume gate: what moved between ``con``'s warehouse and ``published``.

    ``published`` is attached read-only to ``con`` for the comparison and detached
    after. A comparison that cannot be made is a finding (the gate fails closed).
    """
    try:
        con.execute(f"attach ? as {_PUBLISHED_ALIAS} (read_only)", [str(published)])
    except duckdb.Error as error:
        return [VolumeFinding(kind=NOT_COMPARED, message=_one_line(error))]
    try:
        return [
            *_missing_companies(con),
            *_compare_sums(con, USAGE, threshold),
            *_compare_sums(con, COST, threshold),
        ]
    except duckdb.Error as error:
        return [VolumeFinding(kind=NOT_COMPARED, message=_one_line(error))]
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"detach {_PUBLISHED_ALIAS}")


# --- the decision ------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """Whether a build is published, and what the volume gate found."""

    status: str  # one of the metadata publish statuses
    threshold: Decimal
    compared_with: Path | None = None
    findings: tuple[VolumeFinding, ...] | None = None  # None: the gate did not run
    accepted: bool = False

    @property
    def publishes(self) -> bool:
        return self.status == metadata.PUBLISHED

    def findings_json(self) -> str | None:
        """The volume gate's findings for ``marts.run_metadata`` (None: not run)."""
        if self.findings is None:
            return None
        return json.dumps(
            {
                "compared_with": str(self.compared_with),
                "threshold": float(self.threshold),
                "accepted": self.accepted,
                "findings": [finding.as_json() for finding in self.findings],
            },
            ensure_ascii=False,
        )

    def summary_lines(self) -> list[str]:
        """The volume gate's lines for the run summary."""
        if self.status == metadata.PUBLISH_GATE_FAILED:
            return ["volume gate: not run (the quality gate failed)"]
        if self.findings is None:
            return ["volume gate: first publish, nothing to compare with"]
        head = (
            f"volume gate: compared with {self.compared_with} "
            f"(threshold {format_threshold(self.threshold)})"
        )
        if not self.findings:
            return [f"{head}: no change beyond the threshold"]
        count = len(self.findings)
        if self.accepted:
            verdict = f"{count} reason(s) to hold, ACCEPTED (--accept-changes)"
        else:
            verdict = f"{count} reason(s) to hold the publish"
        return [f"{head}: {verdict}:"] + [
            f"  {finding.describe()}" for finding in self.findings
        ]


# --- the publisher -----------------------------------------------------------------


class Publisher:
    """Runs one publish: ``prepare`` the build file, ``decide`` after the build
    (with the build file still open), ``seal`` it, then ``finish`` (swap or keep
    the failed build) once every connection to it is closed."""

    def __init__(
        self, target: Path, threshold: Decimal, *, accept_changes: bool = False
    ) -> None:
        self.paths = PublishPaths.of(target)
        self.threshold = threshold
        self.accept_changes = accept_changes
        self.decision: Decision | None = None
        self.run_id: str | None = None
        self._had_target = False

    @property
    def building(self) -> Path:
        return self.paths.building

    def _say(self, line: str) -> None:
        print(line, flush=True)

    def remove_leftovers(self) -> list[Path]:
        found = self.paths.leftovers()
        for path in found:
            _remove(path)
        return found

    def _check_target(self) -> None:
        """The published file must be a closed, checkpointed DuckDB file, and a
        warehouse of this project (see ``utility_warehouse.warehouse_marker``)."""
        target = self.paths.target
        try:
            warehouse_marker.check_file(target)
        except warehouse_marker.ForeignWarehouseError as error:
            raise PublishError(str(error)) from error
        except duckdb.Error as error:
            if is_duckdb_lock_error(error):
                raise PublishBusyError(duckdb_busy_message(target, error)) from error
            raise PublishError(
                f"cannot read the published warehouse {target}: {_one_line(error)}"
            ) from error
        if wal_path(target).exists():
            raise PublishError(
                f"the published warehouse {target} has a write-ahead log "
                f"{wal_path(target)}: something wrote to it outside `run --publish`; "
                "open it read-write once to checkpoint it, then publish again"
            )

    def prepare(self) -> None:
        """Remove a killed run's leftovers, then start ``PATH.building``: a copy
        of the published file when there is one.

        Raises PublishBusyError when another process writes the published file and
        PublishError when it cannot be read or copied.
        """
        target, building = self.paths.target, self.paths.building
        target.parent.mkdir(parents=True, exist_ok=True)
        removed = self.remove_leftovers()
        if removed:
            names = ", ".join(path.name for path in removed)
            self._say(f"publish: removed the leftovers of an earlier run: {names}")
        self._had_target = target.exists()
        if not self._had_target:
            self._say(f"publish: first publish of {target}: building {building}")
            return
        self._check_target()
        started = time.perf_counter()
        try:
            shutil.copyfile(target, building)
            shutil.copymode(target, building)  # readers keep their permissions
        except OSError as error:
            _remove(building)
            raise PublishError(
                f"cannot copy {target} to {building}: {_one_line(error)}"
            ) from error
        seconds = time.perf_counter() - started
        size = building.stat().st_size
        self._say(
            f"publish: copied {target} ({size / 1e6:,.1f} MB) to {building} "
            f"in {seconds:.2f} s"
        )

    def discard(self) -> None:
        """Nothing was built (the landing folder broke the contract): drop it."""
        self.remove_leftovers()
        self._say(f"publish: nothing built; {self._unchanged()}")

    def decide(
        self,
        con: duckdb.DuckDBPyConnection,
        outcome: dbt_build.BuildOutcome,
        run_id: str,
    ) -> Decision:
        """After the build, with the build file open on ``con``: the error gates,
        then the volume gate against the published file."""
        self.run_id = run_id
        if outcome.gate_failed:
            decision = Decision(metadata.PUBLISH_GATE_FAILED, self.threshold)
        elif not self._had_target:
            decision = Decision(metadata.PUBLISHED, self.threshold)
        else:
            findings = tuple(compare_volumes(con, self.paths.target, self.threshold))
            held = bool(findings) and not self.accept_changes
            decision = Decision(
                metadata.HELD_BY_VOLUME_GATE if held else metadata.PUBLISHED,
                self.threshold,
                compared_with=self.paths.target,
                findings=findings,
                accepted=bool(findings) and self.accept_changes,
            )
        self.decision = decision
        return decision

    def seal(self, con: duckdb.DuckDBPyConnection) -> None:
        """Checkpoint the build file (its run_metadata row included)."""
        try:
            con.execute("checkpoint")
        except duckdb.Error as error:
            print(
                f"warning: cannot checkpoint {self.building}: {_one_line(error)}",
                file=sys.stderr,
                flush=True,
            )

    def _ensure_no_wal(self) -> None:
        """Every connection is closed: a ``.wal`` left means one is not."""
        building = self.building
        if not wal_path(building).exists():
            return
        try:
            with duckdb.connect(str(building)) as con:
                con.execute("checkpoint")
        except duckdb.Error as error:
            raise PublishError(
                f"cannot checkpoint {building}: {_one_line(error)}"
            ) from error
        if wal_path(building).exists():
            raise PublishError(
                f"{building} still has a write-ahead log after its checkpoint: "
                "a connection to it is still open"
            )

    def _swap(self) -> float:
        """Link PATH to PATH.previous, rename the build onto PATH; seconds taken."""
        paths = self.paths
        target, building = paths.target, paths.building
        started = time.perf_counter()
        _fsync_file(building)
        if target.exists():
            _remove(paths.linking)
            try:
                os.link(target, paths.linking)
            except OSError:  # a file system without hard links
                shutil.copy2(target, paths.linking)
            _remove(wal_path(paths.previous))
            os.replace(paths.linking, paths.previous)
        os.replace(building, target)
        try:
            _fsync_directory(target.parent)
        except OSError as error:  # published: only durability is in question
            print(
                f"warning: cannot fsync {target.parent}: {_one_line(error)}",
                file=sys.stderr,
                flush=True,
            )
        return time.perf_counter() - started

    def _keep_failed(self) -> Path | None:
        """Move the build to PATH.failed (replacing an older one)."""
        paths = self.paths
        if not paths.building.exists():
            return None
        _remove(wal_path(paths.failed))
        if wal_path(paths.building).exists():
            os.replace(wal_path(paths.building), wal_path(paths.failed))
        os.replace(paths.building, paths.failed)
        return paths.failed

    def _mark_not_published(self, database: Path) -> None:
        if self.run_id is None:
            return
        try:
            with duckdb.connect(str(database)) as con:
                metadata.set_publish_status(con, self.run_id, metadata.NOT_PUBLISHED)
        except duckdb.Error as error:
            print(
                f"warning: cannot update {metadata.QUALIFIED_TABLE} in {database}: "
                f"{_one_line(error)}",
                file=sys.stderr,
                flush=True,
            )

    def _unchanged(self) -> str:
        target = self.paths.target
        return f"{target} unchanged" if self._had_target else f"{target} not created"

    def finish(self, exit_code: int) -> int:
        """Swap the sealed build in, or keep it as PATH.failed; the exit code."""
        # dbt-duckdb's shared instance must be closed before the file is renamed.
        dbt_build.release_database()
        target = self.paths.target
        decision = self.decision
        if decision is not None and decision.publishes and exit_code == EXIT_OK:
            try:
                self._ensure_no_wal()
                seconds = self._swap()
            except (OSError, PublishError) as error:
                print(
                    f"error: cannot publish {self.building} as {target}: "
                    f"{_one_line(error)}",
                    file=sys.stderr,
                    flush=True,
                )
                failed = self._keep_failed_quietly()
                if failed is not None:
                    self._mark_not_published(failed)
                self._say(
                    f"NOT published: {self._unchanged()}"
                    + (f"; the build is kept as {failed}" if failed else "")
                )
                self.remove_leftovers()
                return EXIT_BAD_INPUT
            self.remove_leftovers()
            previous = (
                f"the previous warehouse is kept as {self.paths.previous}"
                if self._had_target
                else "first publish: no previous warehouse"
            )
            self._say(
                f"published {target}: swapped in {seconds * 1000:.1f} ms ({previous})"
            )
            return exit_code
        failed = self._keep_failed_quietly()
        kept = f"the new build is kept as {failed}" if failed else "nothing was kept"
        if decision is not None and decision.status == metadata.HELD_BY_VOLUME_GATE:
            self._say(
                f"publish HELD by the volume gate: {self._unchanged()}; {kept}; "
                "rerun with --accept-changes to publish it"
            )
            exit_code = EXIT_GATE_FAILED
        else:
            self._say(f"NOT published: {self._unchanged()}; {kept}")
        self.remove_leftovers()
        return exit_code

    def _keep_failed_quietly(self) -> Path | None:
        try:
            return self._keep_failed()
        except OSError as error:
            print(
                f"warning: cannot keep {self.building} as {self.paths.failed}: "
                f"{_one_line(error)}",
                file=sys.stderr,
                flush=True,
            )
            return None
