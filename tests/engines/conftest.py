"""Real engines for the parity suite: a throwaway PostgreSQL cluster and a local Spark.

``postgres_cluster`` runs ``initdb`` in a temporary folder and starts the server on a
free loopback port (unix socket in the same folder), with an ICU ``en-US`` default
collation where the server supports it, so that any text order left to the
database's collation (instead of bytes) shows as a difference; it is stopped and
removed at the end of the session. As root, the cluster runs as the ``postgres``
user (``initdb`` refuses root). The server binaries are looked up in
``UTILITY_WAREHOUSE_PG_BINDIR``, then ``pg_config --bindir``, then
``/usr/lib/postgresql/*/bin`` (Debian's ``postgresql`` package). When none has them
and the tests run as root on a machine with ``apt-get`` (a fresh CI machine), Debian's
``postgresql`` package is installed first; otherwise the session fails naming it.

``spark`` is one local Spark session for the whole session (Java 17 and the
``spark`` extra), its metastore and tables in a temporary folder; dbt's ``session``
method reuses it. Without ``java``, Debian's ``openjdk-17-jre-headless`` is installed
the same way (as root, with ``apt-get``), or the session fails naming it.

Nothing here is imported unless an ``engines`` test runs: ``make test`` deselects
them and does not need psycopg2, pyspark, PostgreSQL or Java.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

APT_LOCK = Path(tempfile.gettempdir()) / "utility-warehouse-apt.lock"


@dataclass(frozen=True)
class PostgresCluster:
    """A running throwaway cluster: connect as ``user`` on localhost:``port``."""

    port: int
    user: str = "postgres"
    host: str = "localhost"

    def connect(self, dbname: str = "postgres") -> Any:
        import psycopg2

        return psycopg2.connect(
            host=self.host, port=self.port, user=self.user, dbname=dbname
        )

    def create_database(self, name: str) -> None:
        connection = self.connect()
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'drop database if exists "{name}"')
                cursor.execute(f'create database "{name}"')
        finally:
            connection.close()


def apt_install(package: str, missing: str) -> None:
    """Install Debian's ``package`` (``missing`` says what for) with apt-get, as
    root; anywhere else fail the tests with a message naming the package."""
    apt_get = shutil.which("apt-get")
    if os.geteuid() != 0 or apt_get is None:
        pytest.fail(
            f"{missing}: install Debian's {package} package "
            f"(apt-get install -y {package}) or its equivalent; the tests install "
            "it themselves only when run as root where apt-get exists"
        )
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Two pytest workers may each need a package at once: apt-get takes its
    # own lock and refuses the second, so they take turns.
    with APT_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _apt_get(apt_get, package, missing, environment)


def _apt_get(
    apt_get: str, package: str, missing: str, environment: dict[str, str]
) -> None:
    for command in (
        [apt_get, "update"],
        [apt_get, "install", "-y", "--no-install-recommends", package],
    ):
        done = subprocess.run(
            command, env=environment, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            pytest.fail(
                f"{missing}; `{' '.join(command)}` failed: "
                f"{(done.stdout + done.stderr)[-2000:]}"
            )


def _find_postgres_bindir() -> Path | None:
    configured = os.environ.get("UTILITY_WAREHOUSE_PG_BINDIR")
    candidates: list[Path] = [Path(configured)] if configured else []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            output = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout
            candidates.append(Path(output.strip()))
    candidates.extend(
        sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
        if Path("/usr/lib/postgresql").is_dir()
        else []
    )
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


def _postgres_bindir() -> Path:
    """Where initdb and pg_ctl are, installing Debian's postgresql when missing."""
    found = _find_postgres_bindir()
    if found is None:
        missing = "PostgreSQL server binaries not found (initdb, pg_ctl)"
        apt_install("postgresql", missing)
        found = _find_postgres_bindir()
        if found is None:
            pytest.fail(f"{missing}, even after installing postgresql")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_cluster_owner(command: list[str]) -> list[str]:
    """Run as the postgres user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _initdb(bindir: Path, data: Path, log: Path) -> None:
    base = [
        str(bindir / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    ]
    with_icu = [*base, "--locale-provider=icu", "--icu-locale=en-US"]
    for command in (with_icu, base):
        with log.open("a") as handle:
            done = subprocess.run(
                _as_cluster_owner(command), stdout=handle, stderr=handle, check=False
            )
        if done.returncode == 0:
            return
        shutil.rmtree(data, ignore_errors=True)
    pytest.fail(f"initdb failed, see {log}: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    bindir = _postgres_bindir()
    base = Path(tempfile.mkdtemp(prefix="utility-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)
    data, log = base / "data", base / "server.log"
    port = _free_port()
    try:
        _initdb(bindir, data, base / "initdb.log")
        started = subprocess.run(
            _as_cluster_owner(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    f"-p {port} -k {base} -c listen_addresses=localhost "
                    "-c fsync=off -c full_page_writes=off",
                    "-l",
                    str(log),
                    "-w",
                    "start",
                ]
            ),
            capture_output=True,
            text=True,
            check=False,
        )
        if started.returncode != 0:
            pytest.fail(f"PostgreSQL did not start: {started.stderr}{log.read_text()}")
        try:
            yield PostgresCluster(port=port)
        finally:
            subprocess.run(
                _as_cluster_owner(
                    [
                        str(bindir / "pg_ctl"),
                        "-D",
                        str(data),
                        "-m",
                        "fast",
                        "-w",
                        "stop",
                    ]
                ),
                capture_output=True,
                check=False,
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def java() -> None:
    """Java 17 for Spark, in this process or a ``--target spark`` command's."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        apt_install("openjdk-17-jre-headless", "Java not found (Spark needs Java 17)")


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory, java: None) -> Iterator[Any]:
    from utility_warehouse import engines

    session = engines.spark_session(tmp_path_factory.mktemp("spark"), master="local[2]")
    try:
        yield session
    finally:
        session.stop()
