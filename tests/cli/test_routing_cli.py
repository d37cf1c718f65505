"""``helpdesk routing lint``: the routing table checked against the store's
staff, the same findings as the library's one call; ``routing explain`` (a
ticket's recorded decision, or facts) and ``routing replay`` (a backtest)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.config import load_configuration
from helpdesk_core.desk.routing_check import routing_findings
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.storage import open_store

CALENDAR = """
[[calendars]]
name = "office"
tz = "Europe/Prague"
week = { mon = [["09:00", "17:00"]], tue = [["09:00", "17:00"]] }
"""

MISTAKES = CALENDAR + """
[routing]
default_assignee = "E-1"

[[routing.rules]]
name = "Outages"
when = { type = ["outage"] }
assignee = { group = "G-field" }
strategy = "round_robin"

[[routing.rules]]
name = "Outages again"
when = { type = ["outage"] }
assignee = "E-9"

[[routing.rules]]
name = "Nobody"
when = { priority = ["high"] }
assignee = "E-99"
observer_groups = ["G-nowhere"]
"""

CLEAN = CALENDAR + """
[routing]
default_assignee = "E-1"

[[routing.rules]]
name = "Outages"
when = { type = ["outage"] }
assignee = { group = "G-field" }
strategy = "round_robin"

[[routing.rules]]
name = "Everything else"
assignee = { group = "G-support" }
"""


def invoke(db: Path, config: Path, *args: str) -> Result:
    app = AppContext(db_url=str(db), config_path=config)
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("routing")
    db, config = folder / "desk.sqlite3", folder / "plain.toml"
    config.write_text(CALENDAR, encoding="utf-8")
    assert invoke(db, config, "generate", "--tickets", "5").exit_code == 0  # staff: E-1…E-12, G-field, G-support
    return db


def test_every_mistake_is_one_line_and_the_exit_code_is_1(store_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "mistakes.toml"
    config.write_text(MISTAKES, encoding="utf-8")
    result = invoke(store_file, config, "routing", "lint")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith("shadowed [Outages again]: ") for line in lines), lines
    assert any(line.startswith("unknown_employee [Nobody]: ") and "'E-99'" in line for line in lines), lines
    assert any(line.startswith("unknown_group [Nobody]: ") and "'G-nowhere'" in line for line in lines), lines
    assert any(line.startswith("no_catch_all: ") for line in lines), lines
    store = open_store(str(store_file))
    try:  # the command prints what the library's one call finds, in its order
        found = routing_findings(store, load_configuration(config))
    finally:
        store.close()
    assert [f.kind.value for f in found] == [line.split(" ")[0].split(":")[0] for line in lines]


def test_a_clean_table_says_so(store_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "clean.toml"
    config.write_text(CLEAN, encoding="utf-8")
    result = invoke(store_file, config, "routing", "lint")
    assert result.exit_code == 0, result.output
    assert result.stdout == "no findings\n"


def test_a_missing_store_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "clean.toml"
    config.write_text(CLEAN, encoding="utf-8")
    result = invoke(tmp_path / "typo.sqlite3", config, "routing", "lint")
    assert result.exit_code == 3
    assert not (tmp_path / "typo.sqlite3").exists()


# routing explain / replay -------------------------------------------------------------------------

TABLE = CALENDAR + """
[routing]
default_assignee = "E-1"

[[routing.rules]]
name = "Outages"
when = { type = ["outage"] }
assignee = { group = "G-field" }
strategy = "round_robin"
"""

PROPOSED = CALENDAR + """
[routing]
default_assignee = "E-1"

[[routing.rules]]
name = "Outages"
when = { type = ["outage"] }
assignee = "E-5"
"""

MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Prague"))


@pytest.fixture(scope="module")
def routed_desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store whose T-1001…T-1003 (outages, Monday to Wednesday) were routed
    round robin to E-3, E-4, E-5, and T-1004 (a question, Thursday) was given
    to E-2 by hand; and the configuration they were routed under."""
    folder = tmp_path_factory.mktemp("routed")
    db, config = folder / "desk.sqlite3", folder / "helpdesk.toml"
    config.write_text(TABLE, encoding="utf-8")
    store = open_store(str(db))
    try:
        with store.unit_of_work() as uow:
            for number in range(1, 6):
                uow.employees.add(Employee(id=f"E-{number}", first_name=f"Agent {number}",
                                           email=f"e{number}@desk.example"))
            uow.employee_groups.add(EmployeeGroup(id="G-field", name="Field", members=["E-3", "E-4", "E-5"]))
            uow.commit()
    finally:
        store.close()
    for day in range(3):  # registered by the desk: routed, the decision recorded
        at = (MONDAY + timedelta(days=day)).isoformat()
        new = invoke(db, config, "ticket", "new", "--subject", "Down", "--type", "outage", "--at", at)
        assert new.exit_code == 0, new.output
    question = (MONDAY + timedelta(days=3)).isoformat()
    new = invoke(db, config, "ticket", "new", "--subject", "How?", "--type", "question", "--assignee", "E-2",
                 "--at", question)
    assert new.exit_code == 0, new.output
    return db, config


def test_explain_tells_the_recorded_decision(routed_desk: tuple[Path, Path]) -> None:
    db, config = routed_desk
    result = invoke(db, config, "routing", "explain", "T-1002")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    fingerprint = load_configuration(config).routing.fingerprint
    assert lines[0] == f"ticket T-1002 was routed at 2026-03-03T10:00:00+01:00 under configuration {fingerprint}"
    assert "'Outages' matches" in lines
    assert "round_robin in group G-field: E-4 is the next qualifying member after E-3 (by id)" in lines
    assert "assignee: employee E-4" in lines
    assert lines[-1] == "the routing configuration in force now is the same"


def test_explain_says_when_the_configuration_changed(routed_desk: tuple[Path, Path], tmp_path: Path) -> None:
    db, _ = routed_desk
    proposed = tmp_path / "proposed.toml"
    proposed.write_text(PROPOSED, encoding="utf-8")
    result = invoke(db, proposed, "routing", "explain", "T-1002", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["ticket"], data["recorded"], data["assignee"], data["rule"]) == ("T-1002", True, "E-4", "Outages")
    assert data["current_fingerprint"] == load_configuration(proposed).routing.fingerprint != data["fingerprint"]
    assert data["under_another_configuration"] is True
    text = invoke(db, proposed, "routing", "explain", "T-1002").stdout
    assert text.splitlines()[-1].startswith("decided under another configuration: ")


def test_explain_a_ticket_that_was_not_routed(routed_desk: tuple[Path, Path]) -> None:
    db, config = routed_desk
    result = invoke(db, config, "routing", "explain", "T-1004")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "ticket T-1004 was not routed: employee E-2 was made responsible by hand or by an import"
    assert lines[1].startswith("today's answer, not history: ")
    assert "assignee: employee E-1" in lines
    data = json.loads(invoke(db, config, "routing", "explain", "T-1004", "--format", "json").stdout)
    assert (data["recorded"], data["owner"], data["assignee"]) == (False, "E-2", "E-1")


def test_explain_an_unknown_ticket_exits_3(routed_desk: tuple[Path, Path]) -> None:
    db, config = routed_desk
    result = CliRunner().invoke(cli, ["routing", "explain", "T-404"], obj=AppContext(db_url=str(db), config_path=config))
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [result.stderr.strip()] and "'T-404'" in result.stderr


def test_explain_facts_from_a_file_and_from_standard_input(routed_desk: tuple[Path, Path], tmp_path: Path) -> None:
    db, config = routed_desk
    facts = tmp_path / "facts.json"
    facts.write_text('{"type": "outage", "registered_at": "2026-03-09T10:00:00+01:00"}', encoding="utf-8")
    result = invoke(db, config, "routing", "explain", "--facts", str(facts), "--at", "2026-03-09T10:00+01:00")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("facts routed at 2026-03-09T10:00:00+01:00 under the configuration in force")
    assert "assignee: employee E-3" in lines  # the stored cursor stands at E-5: E-3 is next
    app = AppContext(db_url=str(db), config_path=config)
    piped = CliRunner().invoke(cli, ["routing", "explain", "--facts", "-", "--format", "json"],
                               input='{"type": "question"}', obj=app)
    assert piped.exit_code == 0, piped.output
    data = json.loads(piped.stdout)
    assert (data["ticket"], data["recorded"], data["decided_by"], data["assignee"]) == (
        None, False, "default_assignee", "E-1"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"typ": "outage"}', "facts.json: routing facts.typ: unknown key"),
        ('{"type": "outage",', "facts.json: malformed JSON"),
        ('{"registered_at": "Monday"}', "facts.json: routing facts: "),
    ],
)
def test_a_bad_facts_file_is_one_line_naming_the_file(
    routed_desk: tuple[Path, Path], tmp_path: Path, text: str, message: str
) -> None:
    db, config = routed_desk
    facts = tmp_path / "facts.json"
    facts.write_text(text, encoding="utf-8")
    app = AppContext(db_url=str(db), config_path=config)
    result = CliRunner().invoke(cli, ["routing", "explain", "--facts", str(facts)], obj=app)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [[], ["T-1001", "--facts", "-"], ["T-1001", "--at", "2026-03-02"]])
def test_explain_needs_a_ticket_or_facts(routed_desk: tuple[Path, Path], args: list[str]) -> None:
    db, config = routed_desk
    app = AppContext(db_url=str(db), config_path=config)
    result = CliRunner().invoke(cli, ["routing", "explain", *args], obj=app, input="{}")
    assert result.exit_code == 2, result.output


def test_replay_a_proposed_table(routed_desk: tuple[Path, Path], tmp_path: Path) -> None:
    db, config = routed_desk
    proposed = tmp_path / "proposed.toml"
    proposed.write_text(PROPOSED, encoding="utf-8")
    result = invoke(db, config, "routing", "replay", "--config", str(proposed))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"routing replay under {proposed} (")
    assert lines[1].startswith("note: load is today's")
    assert lines[2] == ("examined 4 tickets (3 routed at registration, 1 not): 1 keep their owner, "
                        "3 would change owner")
    assert "  1  employee E-2 -> employee E-1" in lines
    assert "  1  employee E-3 -> employee E-5" in lines
    assert "  T-1001  2026-03-02T10:00:00+01:00  employee E-3 -> employee E-5  (rule 'Outages')" in lines
    ranged = invoke(db, config, "routing", "replay", "--config", str(proposed), "--from", "2026-03-03",
                    "--to", "2026-03-04", "--format", "json", "--limit", "1")
    assert ranged.exit_code == 0, ranged.output
    data = json.loads(ranged.stdout)
    assert (data["examined"], data["changed"], data["unchanged"]) == (2, 1, 1)  # T-1002 (E-4 -> E-5), T-1003 stays
    assert [t["ticket"] for t in data["changed_tickets"]] == ["T-1002"]
    assert data["registered_from"] == "2026-03-03T00:00:00+01:00"
    assert data["registered_before"] == "2026-03-05T00:00:00+01:00"


def test_replay_under_the_table_in_force_changes_only_the_hand_assigned(routed_desk: tuple[Path, Path]) -> None:
    db, config = routed_desk
    data = json.loads(invoke(db, config, "routing", "replay", "--format", "json").stdout)
    assert (data["examined"], data["changed"]) == (4, 1)
    assert data["moves"] == [{"owner_then": "E-2", "owner_now": "E-1", "tickets": 1}]


def test_replay_refuses_a_bad_proposed_configuration(routed_desk: tuple[Path, Path], tmp_path: Path) -> None:
    db, config = routed_desk
    proposed = tmp_path / "proposed.toml"
    proposed.write_text(PROPOSED.replace('assignee = "E-5"', 'assignee = "E-5"\nstrategy = "round-robin"'),
                        encoding="utf-8")
    app = AppContext(db_url=str(db), config_path=config)
    result = CliRunner().invoke(cli, ["routing", "replay", "--config", str(proposed)], obj=app)
    assert result.exit_code == 2
    assert f"{proposed}: routing.rules[0].strategy: 'round-robin' is not one of" in result.stderr
    backwards = CliRunner().invoke(cli, ["routing", "replay", "--from", "2026-03-05", "--to", "2026-03-01"], obj=app)
    assert backwards.exit_code == 2 and "the range is empty" in backwards.stderr
