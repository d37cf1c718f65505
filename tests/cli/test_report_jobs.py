"""``helpdesk sla report --jobs N``: the same bytes and summaries as one process."""

from __future__ import annotations

import gc
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli import sla as sla_cli
from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_cli.report_jobs import (
    MIN_RANGE,
    ReportJob,
    Workers,
    default_jobs,
    range_size,
    ranges,
    registration_window,
    run_ranges,
)
from helpdesk_cli.sla import stored_tickets
from helpdesk_core.sample import DEMO_CONFIGURATION
from helpdesk_core.storage import open_store

AS_OF = "2026-04-08T12:00:00+02:00"


def invoke(db: str, config: Path | None, *args: str) -> Result:
    app = AppContext(db_url=db, config_path=config)
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("jobs")
    config = folder / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    db = str(folder / "desk.sqlite3")
    result = invoke(db, config, "generate", "--tickets", "650", "--seed", "5", "--days", "60")
    assert result.exit_code == 0, result.output
    return db, config


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "table"])
def test_several_jobs_write_exactly_what_one_process_writes(desk: tuple[str, Path], fmt: str) -> None:
    db, config = desk
    args = ["sla", "report", "--as-of", AS_OF, "--format", fmt, "--group-by", "assignee"]
    one = invoke(db, config, *args, "--jobs", "1")
    two = invoke(db, config, *args, "--jobs", "2")
    assert one.exit_code == two.exit_code == 0, two.output
    assert len(ranges(open_store(db).tickets.positions(range_size(650, 2)))) == 7
    assert two.stdout == one.stdout
    assert two.stderr == one.stderr and "650 tickets:" in two.stderr and "  assignee " in two.stderr


def test_filters_and_fail_on_breach_hold_across_jobs(desk: tuple[str, Path]) -> None:
    db, config = desk
    args = ["sla", "report", "--as-of", AS_OF, "--format", "jsonl", "--state", "breached",
            "--from", "2026-03-01", "--fail-on-breach", "--group-by", "rule"]
    one = invoke(db, config, *args, "--jobs", "1")
    three = invoke(db, config, *args, "--jobs", "3")
    assert one.exit_code == three.exit_code == 1
    assert three.stdout == one.stdout and _without_note(three.stderr) == one.stderr
    assert one.stdout.count("\n") > 0


def test_a_company_report_splits_that_companys_tickets(desk: tuple[str, Path]) -> None:
    db, config = desk
    company = open_store(db).tickets.positions(1)[0]
    ticket = open_store(db).tickets.get(company[1]).value
    assert ticket.company is not None
    args = ["sla", "report", "--as-of", AS_OF, "--format", "csv", "--company", ticket.company]
    assert invoke(db, config, *args, "--jobs", "2").stdout == invoke(db, config, *args, "--jobs", "1").stdout


def test_jobs_default_to_one_process_for_small_or_private_stores() -> None:
    assert default_jobs("memory://", 10**6) == 1
    assert default_jobs("desk.sqlite3", 500) == 1
    assert default_jobs("sqlite:///desk.sqlite3", None) == 1
    assert default_jobs("sqlite:///desk.sqlite3", 10**6) >= 1
    assert range_size(10, 2) == MIN_RANGE


def test_a_memory_store_reports_in_one_process_whatever_jobs_says(tmp_path: Path) -> None:
    config = tmp_path / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    result = invoke("memory://", config, "sla", "report", "--as-of", AS_OF, "--format", "jsonl", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("0 tickets:")


def test_jobs_must_be_a_positive_number(desk: tuple[str, Path]) -> None:
    db, config = desk
    result = invoke(db, config, "sla", "report", "--as-of", AS_OF, "--jobs", "0")
    assert result.exit_code == 2 and "--jobs" in result.output


def test_a_registration_window_gives_the_rows_of_those_tickets_and_reads_no_others(
    desk: tuple[str, Path],
) -> None:
    db, config = desk
    store = open_store(db)
    prague = ZoneInfo("Europe/Prague")
    start, end = datetime(2026, 3, 10, tzinfo=prague), datetime(2026, 3, 21, tzinfo=prague)
    inside = [t.id for t in stored_tickets(store) if start <= t.created_at < end]
    read = [t.id for t in stored_tickets(store, window=registration_window(start, end))]
    assert read == inside and 0 < len(inside) < 650

    whole = invoke(db, config, "sla", "report", "--as-of", AS_OF, "--format", "jsonl", "--jobs", "1")
    rows = {json.loads(line)["ticket"]: line for line in whole.stdout.splitlines()}
    args = ["sla", "report", "--as-of", AS_OF, "--format", "jsonl", "--from", "2026-03-10", "--to", "2026-03-20"]
    one = invoke(db, config, *args, "--jobs", "1")
    three = invoke(db, config, *args, "--jobs", "3")
    assert one.stdout.splitlines() == [rows[ticket] for ticket in inside]
    assert three.stdout == one.stdout and _without_note(three.stderr) == one.stderr


def test_a_window_includes_its_first_instant_and_excludes_its_end() -> None:
    start = datetime(2026, 3, 10, 9, tzinfo=UTC)
    after, through = registration_window(start, start + timedelta(hours=1))
    assert after is not None and through is not None
    assert after < (start, "T-1") < through
    assert not (start + timedelta(hours=1), "T-1") <= through
    assert registration_window(None, None) == (None, None)


def test_a_report_in_one_process_leaves_the_garbage_collector_as_it_found_it(desk: tuple[str, Path]) -> None:
    db, config = desk
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    result = invoke(db, config, "sla", "report", "--as-of", AS_OF, "--format", "jsonl", "--jobs", "1")
    assert result.exit_code == 0 and result.stdout.count("\n") == 650
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == frozen


def _without_note(stderr: str) -> str:
    """Standard error without the note on capped --jobs (it depends on the CPUs)."""
    return "".join(line for line in stderr.splitlines(keepends=True) if not line.startswith("--jobs "))


def test_jobs_are_capped_at_the_cpus_and_the_ranges_and_the_report_says_so(
    desk: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, config = desk
    started: list[int] = []
    real = run_ranges

    def counting(job: ReportJob, **kwargs: Any) -> Any:
        started.append(kwargs["jobs"])
        return real(job, **kwargs)

    monkeypatch.setattr(sla_cli, "run_ranges", counting)
    monkeypatch.setattr(sla_cli, "available_cpus", lambda: 2)
    args = ["sla", "report", "--as-of", AS_OF, "--format", "jsonl"]
    many = invoke(db, config, *args, "--jobs", "10000")
    one = invoke(db, config, *args, "--jobs", "1")
    assert many.exit_code == 0, many.output
    assert started == [2], "no more worker processes than CPUs"
    assert "--jobs 10000: running 2 worker processes (2 CPUs, 7 ranges of tickets)\n" in many.stderr
    assert many.stdout == one.stdout and _without_note(many.stderr) == one.stderr


def test_a_store_of_one_range_is_reported_in_one_process_whatever_jobs_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    db = str(tmp_path / "small.sqlite3")
    assert invoke(db, config, "generate", "--tickets", "8", "--days", "30").exit_code == 0
    monkeypatch.setattr(sla_cli, "run_ranges", lambda *a, **k: pytest.fail("workers started for 8 tickets"))
    result = invoke(db, config, "sla", "report", "--as-of", AS_OF, "--format", "jsonl", "--jobs", "10000")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 8
    assert "--jobs 10000: running 1 process (" in result.stderr and "1 range of tickets)" in result.stderr


def test_workers_name_what_capped_them() -> None:
    assert Workers(asked=2, cpus=8, ranges=7).note() is None
    assert Workers(asked=4, cpus=2, ranges=50).count == 2
    assert Workers(asked=4, cpus=2, ranges=50).note() == "--jobs 4: running 2 worker processes (2 CPUs)"
    assert Workers(asked=8, cpus=16, ranges=3).note() == "--jobs 8: running 3 worker processes (3 ranges of tickets)"
