"""Test-session settings and fixtures shared by every test directory.

Hypothesis: under CI (the ``CI`` environment variable) it runs derandomized, the
same examples on every run, so a submission's result does not depend on luck.
Developers' runs stay random and keep exploring; a failure they find is printed
with the blob that reproduces it.

PostgreSQL: a real server for the contract tests, started from the machine's
binaries for the test session and stopped afterwards, even when tests fail.

The server runs in a temporary directory on a free loopback port (127.0.0.1
only, its unix socket in the same directory) with trust authentication, as the
non-root ``postgres`` user when the tests run as root (the server refuses
root). Each test gets a fresh schema through ``options=-csearch_path=…``.
Under pytest-xdist (``make test`` runs ``pytest -n logical``) every worker is its
own test session and so starts its own server, in its own directory on its own
port: workers share nothing but the machine.

Without the binaries the PostgreSQL tests are skipped locally, and FAIL when
the ``CI`` environment variable is set: CI never skips them silently.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from hypothesis import settings

pytest_plugins = ["dovecot_server"]
"""The IMAP server fixture of the mail-source tests (tests/dovecot_server.py)."""

settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

PREFERRED_BIN = Path("/usr/lib/postgresql/15/bin")
START_TIMEOUT = 60
"""Seconds pg_ctl waits for the server to accept connections."""
START_ATTEMPTS = 3
"""Ports tried: a free port can be taken by another process before the server binds it."""

_schemas = itertools.count(1)

TERMINAL_VARIABLES = ("COLUMNS", "LINES")
"""Set to 80 and 24 in every pytest-xdist worker's environment (its process is
started without a terminal); the CLI lays out its tables by ``COLUMNS``, so a
worker gets back the values the controller had, or none."""


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist's controller, once per worker: the terminal variables it has."""
    node.workerinput["terminal_variables"] = {name: os.environ.get(name) for name in TERMINAL_VARIABLES}


def pytest_configure(config: pytest.Config) -> None:
    """In a pytest-xdist worker: the controller's terminal variables, so a test
    sees the environment it sees when the suite runs in one process."""
    given: dict[str, str | None] = getattr(config, "workerinput", {}).get("terminal_variables", {})
    for name, value in given.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def postgres_binaries() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``: version 15 first, else
    the newest other version installed under /usr/lib/postgresql."""
    candidates = [PREFERRED_BIN, *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}): {result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a throw-away PostgreSQL server's ``postgres`` database."""
    binaries = postgres_binaries()
    if binaries is None:
        message = (
            "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin; "
            "install the postgresql package to run the PostgreSQL contract tests"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL contract tests: {message}", pytrace=False)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="helpdesk-pg-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    started = False
    try:
        _run(
            _as_server_user(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            ),
            "initdb",
        )
        for attempt in range(1, START_ATTEMPTS + 1):
            port = _free_port()
            options = (
                f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                _run(
                    _as_server_user(
                        [
                            str(binaries / "pg_ctl"),
                            "-D",
                            str(data),
                            "-l",
                            str(root / "server.log"),
                            "-w",
                            "-t",
                            str(START_TIMEOUT),
                            "-o",
                            options,
                            "start",
                        ]
                    ),
                    "pg_ctl start",
                )
            except RuntimeError:
                # Another process (a parallel pytest worker's server) may have
                # taken the free port between the probe and the bind: try another.
                if attempt == START_ATTEMPTS:
                    raise
                continue
            break
        started = True
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A store URL on the test server whose tables live in a fresh schema."""
    schema = f"contract_{os.getpid()}_{next(_schemas)}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{postgres_server}?pool_size=2&options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")
