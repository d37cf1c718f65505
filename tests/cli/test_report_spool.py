"""``helpdesk sla report --jobs N --output FILE`` in an encoded format: the
workers write the rows to temporary files the parent appends; the file is the
same, and no temporary file outlives the run, however it ends."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from test_report_jobs import AS_OF, invoke

from helpdesk_cli import output, report_jobs
from helpdesk_core.errors import ValidationError
from helpdesk_core.reports.stored_report import sla_report_lines
from helpdesk_core.sample import DEMO_CONFIGURATION

TICKETS = 650


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("spool")
    config = folder / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    db = str(folder / "desk.sqlite3")
    result = invoke(db, config, "generate", "--tickets", str(TICKETS), "--seed", "7", "--days", "60")
    assert result.exit_code == 0, result.output
    return db, config


@pytest.fixture
def spools(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[Path]]:
    """The spool folders a report makes (under a private TMPDIR)."""
    made: list[Path] = []
    temp = tmp_path / "tmp"
    temp.mkdir()
    original = tempfile.mkdtemp

    def mkdtemp(*args: Any, **kwargs: Any) -> str:
        folder: str = original(*args, **{"dir": str(temp), **kwargs})
        made.append(Path(folder))
        return folder

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    yield made
    assert list(temp.iterdir()) == [], "a temporary file or folder outlived the report"


def report(db: str, config: Path, fmt: str, out: Path, jobs: int, *extra: str) -> Result:
    return invoke(db, config, "sla", "report", "--as-of", AS_OF, "--format", fmt, "--output", str(out),
                  "--jobs", str(jobs), "--group-by", "priority", *extra)


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_a_spooled_file_is_byte_for_byte_the_one_process_file(
    desk: tuple[str, Path], tmp_path: Path, spools: list[Path], fmt: str
) -> None:
    db, config = desk
    one = report(db, config, fmt, tmp_path / f"one.{fmt}", 1)
    two = report(db, config, fmt, tmp_path / f"two.{fmt}", 2)
    assert one.exit_code == two.exit_code == 0, two.output
    assert len(spools) == 1 and not spools[0].exists()
    written = (tmp_path / f"two.{fmt}").read_bytes()
    assert written == (tmp_path / f"one.{fmt}").read_bytes()
    assert written == invoke(db, config, "sla", "report", "--as-of", AS_OF, "--format", fmt,
                             "--jobs", "1").stdout_bytes
    assert written.endswith(b"\n") and written.count(b"\n") >= TICKETS
    assert two.stderr == one.stderr and f"{TICKETS} tickets:" in two.stderr


@pytest.mark.parametrize(("fmt", "empty"), [("jsonl", b""), ("json", b"[]\n"), ("csv", None)])
def test_a_spooled_report_without_rows_is_the_empty_file_of_its_format(
    desk: tuple[str, Path], tmp_path: Path, spools: list[Path], fmt: str, empty: bytes | None
) -> None:
    db, config = desk
    no_ticket = ("--from", "2999-01-01")
    one = report(db, config, fmt, tmp_path / f"one.{fmt}", 1, *no_ticket)
    three = report(db, config, fmt, tmp_path / f"three.{fmt}", 3, *no_ticket)
    assert one.exit_code == three.exit_code == 0, three.output
    written = (tmp_path / f"three.{fmt}").read_bytes()
    assert written == (tmp_path / f"one.{fmt}").read_bytes()
    if empty is not None:
        assert written == empty
    else:
        assert written.startswith(b"ticket,") and written.count(b"\n") == 1


def _failing_lines(*args: Any, **kwargs: Any) -> Iterator[Any]:
    """Report lines of a range until its 50th, then a library error."""
    for count, line in enumerate(sla_report_lines(*args, **kwargs)):
        if count == 50:
            raise ValidationError("ticket T-0050: broken history (in a worker)")
        yield line


@pytest.mark.parametrize("to_file", [True, False])
def test_a_worker_error_is_one_line_and_its_exit_code_and_leaves_no_temporary_file(
    desk: tuple[str, Path], tmp_path: Path, spools: list[Path], monkeypatch: pytest.MonkeyPatch,
    to_file: bool,
) -> None:
    db, config = desk
    monkeypatch.setattr(report_jobs, "sla_report_lines", _failing_lines)
    args = ["sla", "report", "--as-of", AS_OF, "--format", "jsonl", "--jobs", "2"]
    result = invoke(db, config, *args, *(["--output", str(tmp_path / "rows.jsonl")] if to_file else []))
    assert result.exit_code == ValidationError.exit_code
    assert result.stderr == "Error: ticket T-0050: broken history (in a worker)\n"
    assert "Traceback" not in result.output
    assert len(spools) == (1 if to_file else 0) and not any(folder.exists() for folder in spools)


def test_an_interrupted_spooled_report_removes_its_temporary_files(
    desk: tuple[str, Path], tmp_path: Path, spools: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, config = desk
    appended: list[str] = []
    append = output._append

    def interrupted(path: str, out: Any, skip: int) -> int:
        if appended:
            raise KeyboardInterrupt
        appended.append(path)
        return append(path, out, skip)

    monkeypatch.setattr(output, "_append", interrupted)
    result = report(db, config, "jsonl", tmp_path / "rows.jsonl", 2)
    assert result.exit_code == 130 and result.stderr.endswith("Error: interrupted (Ctrl-C)\n")
    assert len(appended) == 1 and len(spools) == 1 and not spools[0].exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"], "no output file, whole or partial"


def test_an_unwritable_output_is_refused_before_any_temporary_file(
    desk: tuple[str, Path], tmp_path: Path, spools: list[Path]
) -> None:
    db, config = desk
    out = tmp_path / "missing" / "rows.csv"
    result = report(db, config, "csv", out, 2)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {out}: cannot write the output: ")
    assert spools == []
