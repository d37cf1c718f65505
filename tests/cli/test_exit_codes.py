"""Every exit code of the README's table, each produced by a real command, and
Ctrl-C (a real SIGINT to a running ``helpdesk``): exit 130 and no output file,
whole or partial."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli import sla as sla_commands
from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.errors import StorageUnavailable, ValidationError
from helpdesk_core.reports.stored_report import sla_report_lines
from helpdesk_core.sample import DEMO_CONFIGURATION
from helpdesk_core.storage.sqlite import SqliteStore

README = Path(__file__).resolve().parents[2] / "README.md"
AS_OF = "2026-04-08T12:00:00+02:00"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generated desk (60 tickets, some breached) and the demo configuration."""
    folder = tmp_path_factory.mktemp("codes")
    config = folder / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    db = folder / "desk.sqlite3"
    made = helpdesk(db, config, "generate", "--tickets", "60", "--companies", "10", "--seed", "3")
    assert made.exit_code == 0, made.output
    return db, config


def helpdesk(db: Path | str, config: Path | None, *args: str, input: str | None = None) -> Result:
    app = AppContext(db_url=str(db), config_path=config)
    return CliRunner().invoke(cli, list(args), obj=app, input=input, catch_exceptions=False)


def copy_of(db: Path, tmp_path: Path) -> Path:
    """A private copy of the shared desk, for a command that changes it."""
    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


def ok(desk: tuple[Path, Path], tmp_path: Path) -> Result:
    result = helpdesk(*desk, "ticket", "list", "--format", "jsonl")
    assert len(result.stdout.splitlines()) == 60
    return result


def found_a_breach(desk: tuple[Path, Path], tmp_path: Path) -> Result:
    result = helpdesk(*desk, "sla", "report", "--as-of", AS_OF, "--format", "jsonl", "--fail-on-breach")
    assert '"state": "breached"' in result.stdout
    return result


def invalid_value(desk: tuple[Path, Path], tmp_path: Path) -> Result:
    result = helpdesk(*desk, "ticket", "list", "--status", "opne")
    assert result.stderr == (
        "Error: unknown status 'opne' (known: open, in_progress, postponed, resolved, closed) "
        "(did you mean 'open'?)\n"
    )
    return result


def not_found(desk: tuple[Path, Path], tmp_path: Path) -> Result:
    result = helpdesk(*desk, "sla", "report", "--as-of", AS_OF, "--company", "C-99", "--fail-on-breach")
    assert result.stdout == ""
    assert result.stderr.startswith("Error: company 'C-99' is not known (no such company, and no ticket of it) "
                                    "(did you mean ")
    return result


def conflict(desk: tuple[Path, Path], tmp_path: Path) -> Result:
    db = copy_of(desk[0], tmp_path)
    result = helpdesk(db, None, "generate", "--tickets", "60", "--companies", "10", "--seed", "3")
    assert "already exists" in result.stderr
    return result


def storage_unavailable(desk: tuple[Path, Path], tmp_path: Path) -> Result:
    result = helpdesk("postgresql://postgres@127.0.0.1:1/none", None, "ticket", "list")
    assert result.stderr.startswith("Error: cannot open PostgreSQL store postgresql://postgres@127.0.0.1:1/none")
    return result


def declined(desk: tuple[Path, Path], tmp_path: Path) -> Result:
    db = copy_of(desk[0], tmp_path)
    result = helpdesk(db, None, "privacy", "forget", "P-1-1", input="n\n")
    assert "Forget contact P-1-1? This cannot be undone [y/N]: n" in result.stdout
    assert result.stderr == "Error: not confirmed: nothing changed\n"
    unanswered = helpdesk(db, None, "privacy", "forget", "P-1-1")  # no terminal, no --yes
    assert unanswered.exit_code == result.exit_code
    assert unanswered.stderr == "Error: no answer (give --yes to go on without asking): nothing changed\n"
    assert helpdesk(db, None, "privacy", "export", "P-1-1").exit_code == 0, "P-1-1 is still there"
    return result


def proof_failed(desk: tuple[Path, Path], tmp_path: Path) -> Result:
    """The erasure is made, but the physical scrub fails (another connection
    keeps SQLite's WAL busy): the proof says so, and so does the exit code."""
    db = copy_of(desk[0], tmp_path)

    def busy(self: SqliteStore, tables: object = ()) -> str:
        raise StorageUnavailable(f"SQLite store {str(db)!r}: another connection kept the WAL busy")

    original = SqliteStore.scrub
    SqliteStore.scrub = busy  # type: ignore[method-assign]
    try:
        result = helpdesk(db, None, "privacy", "forget", "P-1-1", "--yes", "--by", "dpo")
    finally:
        SqliteStore.scrub = original  # type: ignore[method-assign]
    assert "forgot contact P-1-1:" in result.stdout
    assert re.fullmatch(
        r"Error: the physical scrub is not complete for F-\S+: run `helpdesk privacy scrub`\n", result.stderr
    )
    return result


def rows_left_out(desk: tuple[Path, Path], tmp_path: Path) -> Result:
    db = copy_of(desk[0], tmp_path)
    companies = tmp_path / "companies.csv"
    companies.write_text("external_id,name,email\nU-1,Alpha,\nU-2,Beta,not-an-address\n", encoding="utf-8")
    result = helpdesk(db, None, "import", "companies", str(companies), "--skip-invalid")
    assert result.stdout.startswith("companies.csv: 1 created, 0 updated, 0 unchanged, 1 rejected\n")
    assert result.stderr == "Error: 1 rejected row(s) left out (--skip-invalid); the rest is stored\n"
    planned = helpdesk(db, None, "import", "companies", str(companies), "--skip-invalid", "--dry-run")
    assert planned.exit_code == result.exit_code
    assert planned.stderr == "Error: 1 rejected row(s) would be left out (--skip-invalid)\n"
    return result


def permission_denied(desk: tuple[Path, Path], tmp_path: Path) -> Result:
    """A contact may reply to their ticket, not move it: refused, nothing stored."""
    db = copy_of(desk[0], tmp_path)
    first = json.loads(helpdesk(db, desk[1], "ticket", "list", "--limit", "1", "--format", "jsonl").stdout)
    result = helpdesk(db, desk[1], "ticket", "priority", first["id"], "low", "--by", "P-1-1")
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: ticket {first['id']}: 'P-1-1' may not ")
    after = json.loads(helpdesk(db, desk[1], "ticket", "list", "--limit", "1", "--format", "jsonl").stdout)
    assert after == first, "nothing stored"
    return result


CODES: dict[int, Callable[[tuple[Path, Path], Path], Result]] = {
    0: ok,
    1: found_a_breach,
    2: invalid_value,
    3: not_found,
    4: conflict,
    5: storage_unavailable,
    6: declined,
    7: proof_failed,
    8: rows_left_out,
    9: permission_denied,
}
"""A command producing each exit code of the README (130 is tested below,
with a real SIGINT)."""


def readme_codes() -> list[int]:
    """The codes of the README's table of exit codes."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## Exit codes", 1)[1].split("\n\n", 2)[1]
    return [int(m) for m in re.findall(r"^\| (\d+) \|", table, flags=re.MULTILINE)]


def test_every_exit_code_of_the_readme_is_produced_here() -> None:
    assert readme_codes() == [*CODES, 130]


@pytest.mark.parametrize("code", list(CODES))
def test_each_exit_code_comes_from_a_real_command(desk: tuple[Path, Path], tmp_path: Path, code: int) -> None:
    result = CODES[code](desk, tmp_path)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output


# -- Ctrl-C ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def large_desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A desk whose SLA report takes a few seconds: time to interrupt it."""
    folder = tmp_path_factory.mktemp("interrupted")
    config = folder / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    db = folder / "desk.sqlite3"
    made = helpdesk(db, config, "generate", "--tickets", "6000", "--companies", "50")
    assert made.exit_code == 0, made.output
    return db, config


# The Ctrl-C tests fold every history (--recompute): reading the stored SLA
# states, the large desk's report may end before the signal is sent.


def _partial_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if ".part" in p.name]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_ctrl_c_during_a_report_exits_130_and_leaves_no_output_file(
    large_desk: tuple[Path, Path], tmp_path: Path, fmt: str
) -> None:
    db, config = large_desk
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"sla.{fmt}"
    running = subprocess.Popen(
        [sys.executable, "-m", "helpdesk_cli", "--db", str(db), "--config", str(config), "sla", "report",
         "--as-of", AS_OF, "--format", fmt, "--output", str(target), "--jobs", "1", "--recompute"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    while not _partial_files(out):  # the rows are being written
        assert running.poll() is None, f"the report ended before it was interrupted: {running.communicate()}"
        assert time.monotonic() < deadline, "the report never started writing"
        time.sleep(0.01)
    time.sleep(0.3)
    os.kill(running.pid, signal.SIGINT)
    _, stderr = running.communicate(timeout=60)
    assert running.returncode == 130, stderr
    assert stderr.endswith("Error: interrupted (Ctrl-C)\n") and "Traceback" not in stderr
    assert list(out.iterdir()) == [], "no output file, whole or partial"


def test_ctrl_c_keeps_an_older_output_file_as_it_was(large_desk: tuple[Path, Path], tmp_path: Path) -> None:
    db, config = large_desk
    target = tmp_path / "sla.csv"
    target.write_text("yesterday's report\n", encoding="utf-8")
    running = subprocess.Popen(
        [sys.executable, "-m", "helpdesk_cli", "--db", str(db), "--config", str(config), "sla", "report",
         "--as-of", AS_OF, "--format", "csv", "--output", str(target), "--jobs", "1", "--recompute"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    # Interrupted while rows are being written (the partial file has some), not
    # in the instant between creating the partial file and guarding it.
    while not any(p.exists() and p.stat().st_size > 0 for p in _partial_files(tmp_path)):
        assert running.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(running.pid, signal.SIGINT)
    running.communicate(timeout=60)
    assert running.returncode == 130
    assert target.read_text(encoding="utf-8") == "yesterday's report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sla.csv"]


def test_a_finished_output_file_replaces_the_older_one_with_its_permissions(
    desk: tuple[Path, Path], tmp_path: Path
) -> None:
    target = tmp_path / "sla.csv"
    target.write_text("yesterday's report\n", encoding="utf-8")
    target.chmod(0o640)
    result = helpdesk(*desk, "sla", "report", "--as-of", AS_OF, "--format", "csv", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("ticket,")
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sla.csv"]


def test_a_failing_report_leaves_no_output_file(
    desk: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library error half-way through the rows removes the half-written
    file as Ctrl-C does."""

    def failing(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for count, line in enumerate(sla_report_lines(*args, **kwargs)):
            if count == 20:
                raise ValidationError("ticket T-21: broken history")
            yield line

    monkeypatch.setattr(sla_commands, "sla_report_lines", failing)
    target = tmp_path / "sla.jsonl"
    result = helpdesk(*desk, "sla", "report", "--as-of", AS_OF, "--format", "jsonl", "--output", str(target))
    assert (result.exit_code, result.stderr) == (2, "Error: ticket T-21: broken history\n")
    assert list(tmp_path.iterdir()) == []


# -- a mistyped --db creates no store file -------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("import", "--bundle", str(README.parent / "examples" / "import"), "--dry-run"),
        ("import", "tickets", str(README.parent / "examples" / "tickets.jsonl"), "--dry-run"),
        ("employee", "deactivate", "E-3"),
    ],
)
def test_a_mistyped_db_creates_no_store_file(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = helpdesk(tmp_path / "dsek.sqlite3", None, *args)
    assert list(tmp_path.iterdir()) == []
    if args[0] == "employee":
        assert result.exit_code == 3
        assert result.stderr.startswith(f"Error: no store at {str(tmp_path / 'dsek.sqlite3')!r}: check --db")
    else:  # planned against an empty store (a file naming what is not there yet is refused, exit 2)
        assert result.exit_code in (0, 2), result.output
        assert result.stderr.startswith(f"Note: no store at {str(tmp_path / 'dsek.sqlite3')!r} yet: ")
