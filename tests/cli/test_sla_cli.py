"""``helpdesk sla report|explain|lint`` over the example desk."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.config import load_configuration
from helpdesk_core.reports import SlaTally, sla_rows
from helpdesk_core.serialization import ticket_from_json
from helpdesk_core.sla import REPORT_COLUMNS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AS_OF = "2026-03-10T12:00:00+01:00"


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    db = tmp_path / "desk.sqlite3"
    result = invoke(db, "import", "tickets", str(EXAMPLES / "tickets.jsonl"))
    assert result.exit_code == 0, result.output
    return db


def invoke(db: Path, *args: str, config: Path | None = EXAMPLES / "helpdesk.toml") -> Result:
    app = AppContext(db_url=str(db), config_path=config)
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


def test_report_rows_have_the_fixed_columns_and_the_engine_numbers(desk: Path) -> None:
    result = invoke(desk, "sla", "report", "--as-of", AS_OF, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = {row["ticket"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert len(rows) == 8
    assert all(list(row)[: len(REPORT_COLUMNS)] == list(REPORT_COLUMNS) for row in rows.values())
    by_hand = rows["T-1006"]
    assert by_hand["resolution_due"] == "2026-03-06T12:00:00+01:00"
    assert by_hand["resolution_due_set_by_hand"] is True
    assert by_hand["resolution_breached"] is True and by_hand["state"] == "breached"
    assert rows["T-1001"]["paused_minutes"] == 23 * 60, "postponed 10:00 to 09:00 next day"

    config = load_configuration(EXAMPLES / "helpdesk.toml")
    assert config.sla is not None
    tickets = [ticket_from_json(line) for line in (EXAMPLES / "tickets.jsonl").read_text().splitlines()]
    tally = SlaTally()
    from datetime import datetime

    for row in sla_rows(tickets, policy=config.sla, graph=config.graph, as_of=datetime.fromisoformat(AS_OF)):
        tally.add(row)
    summary = tally.summary()
    assert result.stderr.startswith(
        f"8 tickets: {summary.states.get('breached', 0)} breached, {summary.states.get('at_risk', 0)} at risk"
    )


def test_fail_on_breach_exits_1(desk: Path) -> None:
    result = invoke(desk, "sla", "report", "--as-of", AS_OF, "--format", "jsonl", "--fail-on-breach")
    assert result.exit_code == 1


def test_before_any_ticket_nothing_is_reported_and_nothing_fails(desk: Path) -> None:
    result = invoke(desk, "sla", "report", "--as-of", "2026-03-01", "--format", "jsonl", "--fail-on-breach")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith("0 tickets: 0 breached")


def test_csv_to_a_file_has_the_header_and_one_row_per_ticket(desk: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    result = invoke(desk, "sla", "report", "--as-of", AS_OF, "--format", "csv", "--output", str(out))
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == list(REPORT_COLUMNS)
    assert len(rows) == 9


def test_bad_as_of_is_a_usage_error(desk: Path) -> None:
    result = invoke(desk, "sla", "report", "--as-of", "next tuesday")
    assert result.exit_code == 2
    assert "'next tuesday' is not an ISO-8601 date-time" in result.stderr
    naive = invoke(desk, "sla", "report", "--as-of", "2026-03-10T12:00")
    assert naive.exit_code == 2 and "has no UTC offset" in naive.stderr


def test_report_without_sla_rules_says_what_to_add(desk: Path) -> None:
    result = invoke(desk, "sla", "report", config=None)
    assert result.exit_code == 2
    assert result.stderr == "Error: defaults: no SLA rules are configured (add [[sla.rules]] to helpdesk.toml)\n"


def test_explain_tells_the_rule_and_the_due_instants(desk: Path) -> None:
    result = invoke(desk, "sla", "explain", "T-1001", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ticket T-1001 as of 2026-03-10")
    assert "High priority" in result.stdout


def test_explain_unknown_ticket(desk: Path) -> None:
    result = invoke(desk, "sla", "explain", "T-404")
    assert result.exit_code == 3
    assert result.stderr == "Error: ticket 'T-404' not found\n"


def test_lint_finds_a_shadowed_rule_and_a_missing_catch_all(tmp_path: Path) -> None:
    config = tmp_path / "h.toml"
    config.write_text(
        """
[[calendars]]
name = "24x7"
tz = "UTC"
week = { mon = [["00:00", "24:00"]] }

[[sla.rules]]
name = "All high"
when = { priority = ["high"] }
calendar = "24x7"
reaction = "1h"
resolution = "8h"

[[sla.rules]]
name = "High incidents"
when = { priority = ["high"], type = ["incident"] }
calendar = "24x7"
reaction = "30m"
resolution = "4h"
""",
        encoding="utf-8",
    )
    result = invoke(tmp_path / "d.sqlite3", "sla", "lint", config=config)
    assert result.exit_code == 1
    assert "shadowed: rule 'High incidents'" in result.stdout
    assert "no_catch_all" in result.stdout


def test_lint_of_the_example_table_is_clean(tmp_path: Path) -> None:
    result = invoke(tmp_path / "d.sqlite3", "sla", "lint")
    assert result.exit_code == 0
    assert result.stdout == "no findings\n"


def test_every_sla_command_has_help() -> None:
    for name in ("report", "explain", "lint"):
        result = CliRunner().invoke(cli, ["sla", name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
