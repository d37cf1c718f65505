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
    result = invoke(db, "import", "--bundle", str(EXAMPLES / "import"))
    assert result.exit_code == 0, result.output
    result = invoke(db, "import", "tickets", str(EXAMPLES / "tickets.jsonl"))
    assert result.exit_code == 0, result.output
    return db


def invoke(db: Path, *args: str, config: Path | None = EXAMPLES / "helpdesk.toml",
           env: dict[str, str | None] | None = None) -> Result:
    app = AppContext(db_url=str(db), config_path=config)
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False, env=env)


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
    assert result.stdout.splitlines()[0] == (
        "shadowed: rule 'High incidents' can never win: 'All high' comes first and matches every ticket "
        "that 'High incidents' matches"
    ), "the rule is named once"
    assert "no_catch_all" in result.stdout


def test_lint_of_the_example_table_is_clean(tmp_path: Path) -> None:
    result = invoke(tmp_path / "d.sqlite3", "sla", "lint")
    assert result.exit_code == 0
    assert result.stdout == "no findings\n"


def test_every_sla_command_has_help() -> None:
    for name in ("report", "explain", "lint"):
        result = CliRunner().invoke(cli, ["sla", name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


# -- the sample desk: filters, groups, formats, what-if, bad input -------------------------

SAMPLE_AS_OF = "2026-04-08T12:00:00+02:00"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generated desk of 150 tickets and the demo configuration."""
    from helpdesk_core.sample import DEMO_CONFIGURATION

    folder = tmp_path_factory.mktemp("sample")
    config = folder / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    db = folder / "sample.sqlite3"
    result = invoke(db, "generate", "--tickets", "150", "--seed", "5", "--days", "60", "--companies", "12",
                    config=config)
    assert result.exit_code == 0, result.output
    return db, config


def rows_of(result: Result) -> list[dict[str, object]]:
    assert result.exit_code in (0, 1), result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_report_streams_one_row_per_sample_ticket_with_the_engines_summary(sample: tuple[Path, Path]) -> None:
    db, config = sample
    result = invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, "--format", "jsonl", config=config)
    rows = rows_of(result)
    assert len(rows) == 150
    breached = sum(row["state"] == "breached" for row in rows)
    assert result.stderr.startswith(f"150 tickets: {breached} breached, ")


def test_filters_narrow_the_rows(sample: tuple[Path, Path]) -> None:
    db, config = sample
    everything = rows_of(invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, "--format", "jsonl", config=config))
    breached = rows_of(invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, "--format", "jsonl",
                              "--state", "breached", config=config))
    assert [r["ticket"] for r in breached] == [r["ticket"] for r in everything if r["state"] == "breached"]
    listed = json.loads(invoke(db, "ticket", "show", str(everything[0]["ticket"]), "--format", "json",
                               config=config).stdout)
    company = listed["company"]
    of_company = rows_of(invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, "--format", "jsonl",
                                "--company", company, config=config))
    assert 0 < len(of_company) < len(everything)
    first_day = rows_of(invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, "--format", "jsonl",
                               "--from", "2026-04-01", "--to", "2026-04-02", config=config))
    assert 0 < len(first_day) < len(everything)
    high = invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, "--format", "jsonl", "--priority", "high",
                  config=config)
    assert 0 < len(rows_of(high)) < len(everything)


def test_group_by_prints_a_summary_per_group_that_adds_up(sample: tuple[Path, Path]) -> None:
    db, config = sample
    result = invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, "--format", "jsonl", "--group-by", "rule",
                    config=config)
    rows = rows_of(result)
    lines = result.stderr.splitlines()
    groups = {line.split(":")[0].removeprefix("  rule "): int(line.split(": ")[1].split()[0])
              for line in lines[1:]}
    assert groups == {rule: sum(r["rule"] == rule for r in rows) for rule in {r["rule"] for r in rows}}


def test_xlsx_has_local_date_cells_named_zone_fitted_widths_a_frozen_header(sample: tuple[Path, Path],
                                                                          tmp_path: Path) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from openpyxl import load_workbook

    db, config = sample
    out = tmp_path / "sla.xlsx"
    result = invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, "--format", "xlsx", "--output", str(out),
                    config=config)
    assert result.exit_code == 0, result.output
    jsonl = rows_of(invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, "--format", "jsonl", config=config))
    table = invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, config=config, env={"COLUMNS": None}).stdout
    sheet = load_workbook(out).active
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    instants = ("reaction_due", "reacted_at", "resolution_due", "resolved_at")
    assert header == [f"{c} (Europe/Prague)" if c in instants else c for c in REPORT_COLUMNS]
    assert "Europe/Prague" in sheet.cell(1, header.index("reaction_due (Europe/Prague)") + 1).comment.text
    prague = ZoneInfo("Europe/Prague")
    utc_rows = 0
    for number, row in enumerate(jsonl, start=2):
        cells = dict(zip(REPORT_COLUMNS, [cell.value for cell in sheet[number]], strict=True))
        assert cells["ticket"] == row["ticket"]
        for column in instants:
            value = row[column]
            if isinstance(value, str):
                utc_rows += value.endswith("+00:00")
                local = datetime.fromisoformat(value).astimezone(prague)
                assert cells[column] == local.replace(tzinfo=None), (row["ticket"], column)
                assert local.strftime("%Y-%m-%d %H:%M") in table, "the time the table shows"
    assert utc_rows > 0, "rows of the UTC calendar are in Prague time too"
    assert sheet.max_row == len(jsonl) + 1
    for number, column in enumerate(REPORT_COLUMNS, start=1):
        letter = sheet.cell(1, number).column_letter
        width = sheet.column_dimensions[letter].width
        longest = max(len(str(row[column] if not isinstance(row[column], bool) else "FALSE")) for row in jsonl)
        if column in instants:
            longest = len("2026-04-08 15:00")
        assert longest < width <= max(longest, len(column), len("(Europe/Prague)")) + 3, column


def test_xlsx_cells_are_neutralised(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from helpdesk_cli.output import write_xlsx

    out = tmp_path / "x.xlsx"
    write_xlsx([{"rule": "=HYPERLINK(\"http://x\")", "n": 3}], ["rule", "n"], out)
    cell = load_workbook(out).active["A2"]
    assert cell.value == "'=HYPERLINK(\"http://x\")" and cell.data_type == "s"


def test_whatif_numbers_equal_two_separate_reports(sample: tuple[Path, Path], tmp_path: Path) -> None:
    from helpdesk_core.sample import DEMO_CONFIGURATION

    db, config = sample
    proposed = tmp_path / "proposed.toml"
    proposed.write_text(DEMO_CONFIGURATION.replace('reaction = "4h"', 'reaction = "30m"')
                        .replace('resolution = "8h"', 'resolution = "4h"'), encoding="utf-8")
    now = invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, "--format", "jsonl", config=config)
    then = invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, "--format", "jsonl", "--recompute",
                  config=proposed)  # the states were kept under config: proposed folds every ticket anyway
    whatif = invoke(db, "sla", "whatif", "--config", str(proposed), "--as-of", SAMPLE_AS_OF, "--format", "jsonl",
                    config=config)
    assert whatif.exit_code == 0, whatif.output
    current_line, proposed_line, changed_line, *_ = whatif.stderr.splitlines()
    assert current_line == f"current  ({config}): {now.stderr.strip()}"
    assert proposed_line == f"proposed ({proposed}): {then.stderr.strip()}"
    before = {r["ticket"]: r["state"] for r in rows_of(now)}
    after = {r["ticket"]: r["state"] for r in rows_of(then)}
    changed = [r for r in rows_of(whatif)]
    assert {r["ticket"] for r in changed} == {t for t in before if before[t] != after[t]}
    assert all(r["state_before"] == before[r["ticket"]] and r["state_after"] == after[r["ticket"]] for r in changed)
    assert changed_line.startswith(f"{len(changed)} tickets change state; reaction compliance -")


def test_explain_uses_the_company_of_the_ticket(sample: tuple[Path, Path]) -> None:
    db, config = sample
    rows = rows_of(invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, "--format", "jsonl", config=config))
    slovak = next(r for r in rows if r["rule"] == "Slovak customers")
    result = invoke(db, "sla", "explain", str(slovak["ticket"]), "--as-of", SAMPLE_AS_OF, config=config)
    assert result.exit_code == 0, result.output
    assert "Slovak customers" in result.stdout and "bratislava-office" in result.stdout


MALFORMED = "[[sla.rules]\nname = 'x'\n"
UNKNOWN_CALENDAR = """
[[calendars]]
name = "office"
tz = "Europe/Prague"
week = { mon = [["09:00", "17:00"]] }

[[sla.rules]]
name = "Default"
calendar = "offce"
reaction = "1h"
resolution = "8h"
"""


@pytest.mark.parametrize(
    ("args", "config_text", "code", "message"),
    [
        (["sla", "report", "--from", "2026-02-30"], None, 2,
         "Invalid value for '--from': '2026-02-30' is not a date (e.g. 2026-03-02)"),
        (["sla", "report", "--to", "yesterday"], None, 2,
         "Invalid value for '--to': 'yesterday' is not an ISO-8601 date-time (e.g. 2026-03-02T09:15:00+01:00)"),
        (["sla", "report", "--from", "2026-03-05", "--to", "2026-03-01"], None, 2,
         "Invalid value for '--to': --to is before --from"),
        (["sla", "report", "--priority", "urgent"], None, 2,
         "Error: unknown priority 'urgent' (known: low, normal, high, critical)\n"),
        (["sla", "report", "--format", "xlsx"], None, 2,
         "\n\nError: --format xlsx writes a workbook: give --output FILE.xlsx\n"),
        (["sla", "report"], MALFORMED, 2, "Error: {config}: not valid TOML: "),
        (["sla", "report"], UNKNOWN_CALENDAR, 2,
         "Error: {config}: sla.rules[0].calendar: unknown calendar 'offce' (known: office)\n"),
        (["sla", "whatif", "--config", "{missing}"], None, 2,
         "Error: {missing}: configuration file not found\n"),
        (["sla", "explain", "T-nope"], None, 3, "Error: ticket 'T-nope' not found\n"),
        (["report", "dashboard", "--chart", "board.pdf"], None, 2,
         "Invalid value for '--chart': 'board.pdf': expected a .png or .svg file"),
        (["sla", "report", "--output", "{missing}/rows.csv", "--format", "csv"], None, 2,
         "Error: {missing}/rows.csv: cannot write the output: No such file or directory\n"),
    ],
)
def test_bad_input_is_one_line_with_its_exit_code(
    desk: Path, tmp_path: Path, args: list[str], config_text: str | None, code: int, message: str
) -> None:
    config = EXAMPLES / "helpdesk.toml"
    if config_text is not None:
        config = tmp_path / "bad.toml"
        config.write_text(config_text, encoding="utf-8")
    missing = tmp_path / "nowhere"
    values = {"config": config, "missing": missing}
    result = invoke(desk, *(a.format(**values) for a in args), config=config)
    assert result.exit_code == code, result.output
    assert message.format(**values) in result.stderr
    assert "Traceback" not in result.output
    if message.startswith("Error:"):
        assert result.stderr.startswith(message.format(**values))


def test_every_command_has_help() -> None:
    for args in (["sla", "whatif"], ["report", "dashboard"], ["demo"], ["generate"], ["sla", "report"]):
        result = CliRunner().invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
        assert len(result.output.split("Options:")[0].strip().splitlines()) >= 3, "a description"


@pytest.mark.parametrize(
    "args",
    [["sla", "report"], ["sla", "explain", "T-1001"], ["sla", "whatif", "--config", "x.toml"], ["sla", "lint"],
     ["report", "dashboard"], ["demo", "--path", "{folder}/d.sqlite3"]],
)
def test_a_missing_configuration_file_is_named_by_every_command(desk: Path, tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "nope.toml"
    result = invoke(desk, *(a.format(folder=tmp_path) for a in args), config=missing)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {missing}: configuration file not found\n"


def _groups(db: Path, config: Path, by: str) -> list[str]:
    result = invoke(db, "sla", "report", "--as-of", SAMPLE_AS_OF, "--format", "jsonl", "--group-by", by,
                    config=config)
    assert result.exit_code in (0, 1), result.output
    return [line.split(":")[0].removeprefix(f"  {by} ") for line in result.stderr.splitlines()[1:]]


def test_groups_come_in_the_order_a_person_expects(sample: tuple[Path, Path]) -> None:
    db, config = sample
    priorities = _groups(db, config, "priority")
    assert len(priorities) >= 3
    urgency = ["critical", "high", "normal", "low"]
    assert priorities == sorted(priorities, key=urgency.index), "the most urgent first, as the catalog ranks them"

    desk = load_configuration(config)
    assert desk.sla is not None
    rules = _groups(db, config, "rule")
    assert rules == [name for name in desk.sla.rule_names() if name in rules], "in the table's evaluation order"

    companies = _groups(db, config, "company")
    assert {"C-2", "C-10"} <= set(companies)
    numbered = [c for c in companies if c != "(none)"]
    assert numbered == sorted(numbered, key=lambda c: int(c.removeprefix("C-"))), "C-2 before C-10"
    assert "(none)" not in companies or companies[-1] == "(none)"


def test_the_summary_table_has_a_row_per_group_then_all() -> None:
    from rich.console import Console

    from helpdesk_cli.sla import summary_table
    from helpdesk_core.reports import SlaSummary

    gold = SlaSummary(tickets=7, states={"breached": 2, "met": 4, "no_sla": 1}, reaction_judged=6,
                      reaction_met=5, resolution_judged=6, resolution_met=4)
    fresh = SlaSummary(tickets=3, states={"running": 2, "at_risk": 1}, reaction_judged=0, reaction_met=0,
                       resolution_judged=0, resolution_met=0)
    every = SlaSummary(tickets=10, states={"breached": 2, "met": 4, "no_sla": 1, "running": 2, "at_risk": 1},
                       reaction_judged=6, reaction_met=5, resolution_judged=6, resolution_met=4)
    console = Console(record=True, width=130)
    console.print(summary_table("per rule", "rule", [("Gold", gold), ("New", fresh)], every))
    lines = console.export_text().splitlines()
    headings = ["rule", "tickets", "breached", "at risk", "running", "met", "no SLA", "reaction %", "resolution %"]
    assert all(heading in lines[2] for heading in headings)
    body = [line.split() for line in lines[4:] if line.strip()]
    assert body == [
        ["Gold", "7", "2", "0", "0", "4", "1", "83.3", "66.7"],
        ["New", "3", "0", "1", "2", "0", "0", "-", "-"],  # nothing judged yet: no percentage
        ["all", "10", "2", "1", "2", "4", "1", "83.3", "66.7"],
    ]


def test_the_table_shows_every_row_in_local_time_of_the_home_zone(sample: tuple[Path, Path]) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    db, config = sample
    args = ("sla", "report", "--as-of", SAMPLE_AS_OF, "--state", "breached")
    rows = rows_of(invoke(db, *args, "--format", "jsonl", config=config))
    result = invoke(db, *args, config=config, env={"COLUMNS": None})  # the default format: a table
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "times in Europe/Prague" in text
    for heading in ("reaction due → reacted", "resolution due → resolved", "paused min", "state", "rule"):
        assert heading in text
    assert "…" not in text, "nothing is cut off in a file or a pipe"
    lines = {line.split()[0]: line for line in text.splitlines() if line.startswith("T-")}
    assert len(lines) == len(rows) > 0
    prague = ZoneInfo("Europe/Prague")
    utc_rows = 0
    for row in rows:
        line = lines[str(row["ticket"])]
        assert line.split()[1] == row["state"] == "breached"
        for kind, done in (("reaction", "reacted_at"), ("resolution", "resolved_at")):
            due, at = row[f"{kind}_due"], row[done]
            assert isinstance(due, str)
            utc_rows += due.endswith("+00:00")
            local_at = " " * 16 if at is None else datetime.fromisoformat(str(at)).astimezone(prague).strftime(
                "%Y-%m-%d %H:%M")
            shown = datetime.fromisoformat(due).astimezone(prague).strftime("%Y-%m-%d %H:%M") + " → " + local_at
            assert shown in line
            assert (shown + " ✗" in line) == row[f"{kind}_breached"]
    assert utc_rows > 0, "some rows come from the UTC calendar and are shown in Prague time"


def test_whatif_names_the_cause_of_each_state_change(sample: tuple[Path, Path], tmp_path: Path) -> None:
    from helpdesk_core.sample import DEMO_CONFIGURATION

    db, config = sample
    proposed = tmp_path / "proposed.toml"
    proposed.write_text(DEMO_CONFIGURATION.replace('reaction = "4h"', 'reaction = "30m"')
                        .replace('when = { priority = ["high", "critical"] }',
                                 'when = { priority = ["normal", "high", "critical"] }'), encoding="utf-8")
    whatif = invoke(db, "sla", "whatif", "--config", str(proposed), "--as-of", SAMPLE_AS_OF, "--format", "jsonl",
                    config=config)
    assert whatif.exit_code == 0, whatif.output
    assert whatif.stderr.splitlines()[2:] == [
        "30 tickets change state; reaction compliance -16.0 points, resolution compliance -11.6 points",
        "  met -> breached: 29",
        "    18  rule 'High priority' instead of 'Default': reaction 4h → 1h, resolution 24h → 8h",
        "     7  rule 'Default': reaction 4h → 30m",
        "     2  rule 'High priority' instead of 'Partners': reaction 2h → 1h, resolution 16h → 8h",
        "     1  rule 'High priority' instead of 'Default': reaction 4h → 1h",
        "     1  rule 'High priority' instead of 'Partners': reaction 2h → 1h",
        "  running -> breached: 1",
        "    1  rule 'Default': reaction 4h → 30m",
        "deadlines move: reaction for 63 tickets, resolution for 41 (whether their state changes or not)",
    ]
    rows = {r["ticket"]: r for r in rows_of(whatif)}
    assert rows["T-10"] == {
        "ticket": "T-10", "state_before": "met", "state_after": "breached",
        "rule_before": "Partners", "rule_after": "High priority",
        "resolution_due_before": "2026-02-17T08:00:00+01:00", "resolution_due_after": "2026-02-16T09:00:00+01:00",
        "reaction_due_before": "2026-02-13T10:00:00+01:00", "reaction_due_after": "2026-02-13T09:00:00+01:00",
        "cause": "rule 'High priority' instead of 'Partners': reaction 2h → 1h, resolution 16h → 8h",
    }
    table = invoke(db, "sla", "whatif", "--config", str(proposed), "--as-of", SAMPLE_AS_OF, config=config)
    assert any(line.split()[:3] == ["T-80", "met", "breached"] and "rule 'Default': reaction 4h → 30m" in line
               for line in table.stdout.splitlines()), table.stdout
