"""``helpdesk report dashboard`` over a generated desk: JSON numbers, tables, charts."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli import reports as reports_cli
from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.reports.dashboard import MAX_DAYS, Dashboard, DayCount
from helpdesk_core.sample import DEMO_CONFIGURATION

AS_OF = "2026-04-08T12:00:00+02:00"


def invoke(db: Path, config: Path | None, *args: str) -> Result:
    app = AppContext(db_url=str(db), config_path=config)
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("dashboard")
    config = folder / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    db = folder / "desk.sqlite3"
    result = invoke(db, config, "generate", "--tickets", "120", "--seed", "9", "--days", "30")
    assert result.exit_code == 0, result.output
    return db, config


def test_dashboard_json_counts_open_tickets_like_the_sla_report(desk: tuple[Path, Path]) -> None:
    db, config = desk
    result = invoke(db, config, "report", "dashboard", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    board = json.loads(result.stdout)
    report = invoke(db, config, "sla", "report", "--as-of", AS_OF, "--format", "jsonl")
    rows = [json.loads(line) for line in report.stdout.splitlines()]
    unresolved = [r for r in rows if r["clock"] != "stopped"]
    assert board["open"] == len(unresolved)
    assert board["overdue"] == sum(r["state"] == "breached" for r in unresolved)
    assert board["overdue"] + board["due_today"] <= board["open"]
    assert [d["day"] for d in board["days"]][-1] == "2026-04-08" and len(board["days"]) == 14
    resolved = invoke(db, config, "report", "dashboard", "--as-of", AS_OF, "--format", "json",
                      "--from", "2026-03-01", "--to", "2026-04-08")
    assert sum(d["created"] for d in json.loads(resolved.stdout)["days"]) == len(rows), "every ticket in 30 days"


def test_dashboard_table_names_every_counter(desk: tuple[Path, Path]) -> None:
    db, config = desk
    result = invoke(db, config, "report", "dashboard", "--as-of", AS_OF, "--from", "2026-04-01")
    assert result.exit_code == 0, result.output
    for name in ("open", "overdue", "in progress", "due today", "without responsible", "2026-04-01 Wed"):
        assert name in result.stdout
    assert "2026-03-31" not in result.stdout


@pytest.mark.parametrize(("name", "magic"), [("board.png", b"\x89PNG"), ("board.svg", b"<?xml")])
def test_chart_is_written(desk: tuple[Path, Path], tmp_path: Path, name: str, magic: bytes) -> None:
    db, config = desk
    chart = tmp_path / name
    result = invoke(db, config, "report", "dashboard", "--as-of", AS_OF, "--chart", str(chart))
    assert result.exit_code == 0, result.output
    assert chart.read_bytes().startswith(magic)
    assert result.stderr.endswith(f"chart written to {chart}\n"), "after the stored SLA states' warning, if any"


def test_bad_dates_are_usage_errors(desk: tuple[Path, Path]) -> None:
    db, config = desk
    result = invoke(db, config, "report", "dashboard", "--from", "2026-04-09", "--to", "2026-04-01")
    assert result.exit_code == 2
    assert "Invalid value for '--to': --to is before --from" in result.stderr
    result = invoke(db, config, "report", "dashboard", "--as-of", "soon")
    assert result.exit_code == 2 and "'soon' is not an ISO-8601 date-time" in result.stderr


def test_dashboard_without_configuration_counts_but_judges_nothing(desk: tuple[Path, Path]) -> None:
    db, _ = desk
    result = invoke(db, None, "report", "dashboard", "--as-of", AS_OF, "--format", "json")
    board = json.loads(result.stdout)
    assert board["open"] > 0 and board["overdue"] == 0 and board["zone"] == "UTC"


def test_the_day_cut_short_by_the_instant_says_until_when(desk: tuple[Path, Path]) -> None:
    db, config = desk
    noon = invoke(db, config, "report", "dashboard", "--as-of", AS_OF, "--from", "2026-04-07")
    assert noon.exit_code == 0, noon.output
    assert "2026-04-08 Wed (until 12:00)" in noon.stdout
    assert "2026-04-07 Tue (until" not in noon.stdout, "a whole day is not marked"
    evening = invoke(db, config, "report", "dashboard", "--as-of", "2026-04-08T17:30:00Z", "--from", "2026-04-07")
    assert "2026-04-08 Wed (until 19:30)" in evening.stdout, "the local time of the desk's zone"
    midnight = invoke(db, config, "report", "dashboard", "--as-of", "2026-04-08T00:00:00+02:00",
                      "--from", "2026-04-06")
    assert "(until" not in midnight.stdout


def test_at_midnight_the_default_period_ends_with_the_day_that_is_over(desk: tuple[Path, Path]) -> None:
    db, config = desk
    result = invoke(db, config, "report", "dashboard", "--as-of", "2026-04-08T00:00:00+02:00", "--format", "json")
    days = [d["day"] for d in json.loads(result.stdout)["days"]]
    assert (days[0], days[-1], len(days)) == ("2026-03-25", "2026-04-07", 14)
    one_second_later = invoke(db, config, "report", "dashboard", "--as-of", "2026-04-08T00:00:01+02:00",
                              "--format", "json")
    assert json.loads(one_second_later.stdout)["days"][-1]["day"] == "2026-04-08"


def test_a_dashboard_period_longer_than_a_year_is_refused_before_reading_the_store(
    desk: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, config = desk
    monkeypatch.setattr(reports_cli, "read_dashboard", lambda *a, **k: pytest.fail("the store was read"))
    result = invoke(db, config, "report", "dashboard", "--as-of", AS_OF, "--from", "1900-01-01")
    assert result.exit_code == 2
    assert "dashboard period 1900-01-01..2026-04-08 has 46,119 days" in result.stderr
    assert f"at most {MAX_DAYS} days (a year)" in result.stderr
    result = invoke(db, config, "report", "dashboard", "--as-of", AS_OF, "--to", "2999-12-31")
    assert result.exit_code == 2 and "at most 366 days" in result.stderr


def test_a_dashboard_of_a_whole_year_is_drawn(desk: tuple[Path, Path]) -> None:
    db, config = desk
    result = invoke(db, config, "report", "dashboard", "--as-of", AS_OF, "--from", "2025-04-08",
                    "--to", "2026-04-08", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["days"]) == MAX_DAYS


def test_the_first_and_last_days_an_option_may_take_have_a_dashboard(desk: tuple[Path, Path]) -> None:
    db, config = desk
    last = invoke(db, config, "report", "dashboard", "--as-of", "2999-12-31T12:00:00Z", "--format", "json")
    assert last.exit_code == 0, last.output
    assert json.loads(last.stdout)["days"][-1]["day"] == "2999-12-31"
    first = invoke(db, config, "report", "dashboard", "--as-of", "1900-01-02T12:00:00Z", "--format", "json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["days"][-1]["day"] == "1900-01-02"


def _board(counts: list[tuple[int, int]], as_of: str = "2026-04-08T10:00:00.123456+00:00") -> Dashboard:
    first = date(2026, 4, 9) - timedelta(days=len(counts))
    return Dashboard(
        as_of=datetime.fromisoformat(as_of), zone="Europe/Prague", open=0, overdue=0, in_progress=0,
        due_today=0, without_responsible=0,
        days=tuple(DayCount(first + timedelta(days=n), c, r) for n, (c, r) in enumerate(counts)),
    )


@pytest.mark.parametrize("days", [14, 40])
def test_an_empty_period_is_charted_from_zero_in_whole_tickets(days: int) -> None:
    figure = reports_cli.dashboard_figure(_board([(0, 0)] * days))
    [axes] = figure.axes
    assert axes.get_ylim() == (0.0, 1.0), "not matplotlib's -0.04…0.04 around nothing"
    ticks = [t for t in axes.get_yticks() if 0 <= t <= 1]
    assert ticks == [0.0, 1.0]


def test_chart_counts_are_whole_tickets() -> None:
    figure = reports_cli.dashboard_figure(_board([(1, 0), (3, 2), (2, 1)]))
    [axes] = figure.axes
    low, high = axes.get_ylim()
    assert low == 0 and high >= 3
    ticks = [t for t in axes.get_yticks() if low <= t <= high]
    assert ticks and all(t == int(t) for t in ticks), ticks


def test_chart_title_and_days_are_in_the_home_zone_to_the_minute() -> None:
    figure = reports_cli.dashboard_figure(_board([(1, 0), (3, 2)]))
    assert figure.get_suptitle() == "Help desk as of 2026-04-08 12:00 Europe/Prague"
    [axes] = figure.axes
    assert [label.get_text() for label in axes.get_xticklabels()] == ["Tue\n07.04.", "Wed\n08.04.\nuntil 12:00"]
    assert axes.get_ylabel() == "tickets per day (Europe/Prague)"


def test_dashboard_table_title_is_local_to_the_minute(desk: tuple[Path, Path]) -> None:
    db, config = desk
    result = invoke(db, config, "report", "dashboard", "--as-of", "2026-04-08T10:00:00.654321+00:00")
    assert result.exit_code == 0, result.output
    assert "Dashboard as of 2026-04-08 12:00 Europe/Prague" in result.stdout
    assert ".654321" not in result.stdout and "10:00" not in result.stdout
