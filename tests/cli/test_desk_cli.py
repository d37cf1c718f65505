"""The live desk from the terminal (FORMATS.md): ``helpdesk ticket new|comment|
move|assign|priority|type|due|sla``, each one desk use case; text and JSON
output; every refusal with its exit code and nothing stored."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.desk.clock import FixedClock

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "examples" / "helpdesk.toml"
MONDAY = "2026-03-02T09:00:00+01:00"
"""A working Monday in Prague (the examples' office calendar opens at 09:00)."""
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
"""The clock of the tests' desk: 13:00 in Prague, when no --at is given."""


@pytest.fixture(scope="module")
def customer_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples' companies, contacts, staff and contracts, no ticket."""
    db = tmp_path_factory.mktemp("base") / "base.sqlite3"
    imported = helpdesk(db, "import", "--bundle", str(ROOT / "examples" / "import"))
    assert imported.exit_code == 0, imported.output
    return db


@pytest.fixture
def db(customer_base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "desk.sqlite3"
    with sqlite3.connect(customer_base) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


def helpdesk(db: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    app = AppContext(db_url=str(db), config_path=CONFIG, clock=FixedClock(NOW))
    return CliRunner().invoke(cli, list(args), obj=app, env=env, catch_exceptions=False)


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def register(db: Path, *extra: str) -> Result:
    result = helpdesk(db, "ticket", "new", "--subject", "Oven cold", "--type", "incident", "--priority", "high",
                      "--channel", "phone", "--company", "C-2", "--contact", "P-3", "--assignee", "E-2",
                      "--by", "E-2", "--at", MONDAY, *extra)
    assert result.exit_code == 0, result.output
    return result


def stored(db: Path, ticket: str = "T-1001") -> Any:
    return as_json(helpdesk(db, "ticket", "show", ticket, "--format", "json"))


def versions(db: Path) -> list[tuple[str, int, int]]:
    """Every ticket's id, version and number of events."""
    listed = helpdesk(db, "ticket", "list", "--format", "jsonl")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    return [(row["id"], row["version"], len(stored(db, row["id"])["events"])) for row in rows]


# -- ticket new ------------------------------------------------------------------------


def test_new_registers_the_next_id_of_the_sequence_and_says_so(db: Path) -> None:
    result = register(db)
    assert result.stdout == "T-1001 version 1: registered, assigned to E-2; status open\n"
    second = helpdesk(db, "ticket", "new", "--subject", "Second", "--by", "E-2", "--at", MONDAY)
    assert second.stdout == "T-1002 version 1: registered; status open\n"
    ticket = stored(db)
    assert (ticket["subject"], ticket["type"], ticket["priority"], ticket["channel"], ticket["company"],
            ticket["contact"]) == ("Oven cold", "incident", "high", "phone", "C-2", "P-3")
    assert ticket["created_at"] == MONDAY


def test_new_as_json_is_the_ticket_history_object_with_version_and_sla(db: Path) -> None:
    ticket = as_json(register(db, "--format", "json"))
    assert ticket["id"] == "T-1001" and ticket["version"] == 1
    assert ticket["created_at"] == MONDAY
    sla = ticket["sla"]
    assert sla["ticket"] == "T-1001" and sla["rule"] == "High priority" and sla["calendar"] == "prague-office"
    assert sla["state"] == "running"
    assert sla["reaction_due"] == "2026-03-02T09:30:00+01:00"
    assert sla["reaction_left"] == 30, "as of --at: 30 working minutes to react"
    assert sla["resolution_left"] == 8 * 60


def test_new_without_assignee_routes_and_json_shows_the_decision(db: Path) -> None:
    """The examples' company C-1 names E-3 responsible: the owner chain makes
    E-3 the owner; the JSON's top-level assignee is the owner and ``routing``
    the whole decision, recorded in the assign event at registration too."""
    text = helpdesk(db, "ticket", "new", "--subject", "Grinder", "--company", "C-1", "--by", "E-2", "--at", MONDAY)
    assert text.stdout == (
        "T-1001 version 1: registered, assigned to E-3 (routed: the company's responsible); status open\n"
    )
    ticket = as_json(helpdesk(db, "ticket", "new", "--subject", "Grinder", "--company", "C-1", "--contact",
                              "P-1", "--by", "E-2", "--at", MONDAY, "--format", "json"))
    assert ticket["assignee"] == "E-3"
    decision = ticket["routing"]
    assert decision["decided_by"] == "contact" and decision["assignee"] == "E-3"
    assert [step["link"] for step in decision["chain"]] == ["service_object", "contact"]
    [event] = ticket["events"]
    assert event["kind"] == "assign" and event["by"] == "system" and event["routing"] == decision
    assert stored(db, ticket["id"])["events"] == ticket["events"]


def test_new_with_a_given_id_keeps_it(db: Path) -> None:
    result = register(db, "--id", "INC-7")
    assert result.stdout.startswith("INC-7 version 1: registered")


def test_new_warns_of_a_contract_that_does_not_cover_the_day(db: Path) -> None:
    args = ("ticket", "new", "--subject", "Grinder", "--company", "C-1", "--contact", "P-1", "--contract", "K-2026-01",
            "--service-object", "SO-1", "--equipment", "EQ-1", "--by", "E-3")
    covered = helpdesk(db, *args, "--at", "2026-03-02T09:00:00+01:00")
    assert (covered.exit_code, covered.stderr) == (0, "")
    unpaid = helpdesk(db, *args, "--at", "2026-08-03T09:00:00+02:00", "--format", "json")
    assert unpaid.exit_code == 0, unpaid.output
    assert unpaid.stderr.startswith("Warning: ") and "K-2026-01" in unpaid.stderr
    ticket = json.loads(unpaid.stdout)
    assert (ticket["id"], ticket["contract"], ticket["service_object"], ticket["equipment"]) == (
        "T-1002", "K-2026-01", "SO-1", "EQ-1")


def test_by_defaults_to_helpdesk_by_then_system(db: Path) -> None:
    helpdesk(db, "ticket", "new", "--subject", "By env", "--at", MONDAY, env={"HELPDESK_BY": "E-3"})
    helpdesk(db, "ticket", "new", "--subject", "By nobody", "--at", MONDAY, env={"HELPDESK_BY": ""})
    registered = [stored(db, ticket) for ticket in ("T-1001", "T-1002")]
    assert [ticket["subject"] for ticket in registered] == ["By env", "By nobody"]
    comment = helpdesk(db, "ticket", "comment", "T-1001", "--author", "employee", "--body", "Seen",
                       "--at", MONDAY, "--format", "json", env={"HELPDESK_BY": "E-3"})
    assert as_json(comment)["events"][-1]["by"] == "E-3"
    move = helpdesk(db, "ticket", "move", "T-1002", "in_progress", "--at", MONDAY, "--format", "json")
    assert as_json(move)["events"][-1]["by"] == "system"


def test_new_without_at_is_dated_by_the_desk_clock(db: Path) -> None:
    ticket = as_json(helpdesk(db, "ticket", "new", "--subject", "Now", "--format", "json"))
    assert datetime.fromisoformat(ticket["created_at"]) == NOW


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--assignee", "E-99"), 2, "E-99"),
        (("--priority", "urgent"), 2, "urgent"),
        (("--type", "incidnet"), 2, "incidnet"),
        (("--company", "C-99"), None, "C-99"),
        (("--company", "C-1", "--contact", "P-3"), 2, "P-3"),
        (("--company", "C-2", "--equipment", "EQ-1"), 2, "EQ-1"),
        (("--at", "2026-03-02T09:00:00"), 2, "no UTC offset"),
        (("--by", "P-1"), 9, "P-1"),
    ],
)
def test_new_refusals_store_nothing(db: Path, args: tuple[str, ...], code: int | None, message: str) -> None:
    base = ["ticket", "new", "--subject", "Refused", "--by", "E-2", "--at", MONDAY]
    result = helpdesk(db, *base, *args)
    assert result.exit_code != 0 and (code is None or result.exit_code == code), result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""
    assert versions(db) == []


# -- the writes on a ticket ------------------------------------------------------------


def test_comment_text_and_json(db: Path) -> None:
    register(db)
    said = helpdesk(db, "ticket", "comment", "T-1001", "--author", "employee", "--private", "--body", "Checking",
                    "--by", "E-2", "--at", "2026-03-02T09:10:00+01:00")
    assert said.stdout == "T-1001 version 2: private comment by employee E-2; status open\n"
    ticket = as_json(helpdesk(db, "ticket", "comment", "T-1001", "--author", "employee", "--public", "--body",
                              "On my way", "--by", "E-2", "--at", "2026-03-02T09:20:00+01:00", "--format", "json"))
    assert ticket["version"] == 3
    assert ticket["events"][-1] == {"at": "2026-03-02T09:20:00+01:00", "kind": "comment", "by": "E-2",
                                    "author": "employee", "body": "On my way"}
    assert ticket["sla"]["reacted_at"] == "2026-03-02T09:20:00+01:00", "a public comment is the reaction"
    assert ticket["sla"]["reaction_left"] is None, "achieved: no time left to count"
    assert ticket["sla"]["resolution_left"] == 8 * 60 - 20


def test_a_contact_comment_on_a_resolved_ticket_reopens_it(db: Path) -> None:
    register(db)
    helpdesk(db, "ticket", "move", "T-1001", "resolved", "--by", "E-2", "--at", "2026-03-02T10:00:00+01:00")
    reply = helpdesk(db, "ticket", "comment", "T-1001", "--author", "contact", "--body", "Still cold",
                     "--by", "P-3", "--at", "2026-03-02T11:00:00+01:00", "--format", "json")
    ticket = as_json(reply)
    assert ticket["events"][-2:] == [
        {"kind": "comment", "at": "2026-03-02T11:00:00+01:00", "author": "contact", "body": "Still cold",
         "by": "P-3"},
        {"kind": "status", "at": "2026-03-02T11:00:00+01:00", "to": "open", "by": "system"},
    ]
    assert ticket["version"] == 3
    assert stored(db)["events"] == ticket["events"]


def test_a_contact_comment_on_a_closed_ticket_registers_a_follow_up(db: Path) -> None:
    register(db)
    helpdesk(db, "ticket", "move", "T-1001", "resolved", "--by", "E-2", "--at", "2026-03-02T10:00:00+01:00")
    helpdesk(db, "ticket", "move", "T-1001", "closed", "--by", "E-2", "--at", "2026-03-02T10:10:00+01:00")
    reply = helpdesk(db, "ticket", "comment", "T-1001", "--author", "contact", "--body", "Cold again",
                     "--by", "P-3", "--at", "2026-03-05T11:00:00+01:00")
    assert reply.stdout == (
        "T-1002 version 1: registered as a follow-up of T-1001 (public comment by contact P-3); status open\n")
    assert stored(db, "T-1001")["events"][-1]["to"] == "closed", "a closed ticket stays closed"
    follow_up = stored(db, "T-1002")
    assert (follow_up["company"], follow_up["contact"]) == ("C-2", "P-3")


def test_move_assign_priority_type_due_each_make_one_version(db: Path) -> None:
    register(db)
    steps = [
        (("move", "T-1001", "postponed", "--until", "2026-03-03T09:00:00+01:00"),
         "T-1001 version 2: moved to postponed until 2026-03-03T09:00:00+01:00; status postponed"),
        (("assign", "T-1001", "G-1"), "T-1001 version 3: assigned to G-1; status postponed"),
        (("priority", "T-1001", "normal"), "T-1001 version 4: priority normal; status postponed"),
        (("type", "T-1001", "request"), "T-1001 version 5: type request; status postponed"),
        (("due", "T-1001", "--resolution", "2026-03-06T12:00:00+01:00"),
         "T-1001 version 6: resolution due 2026-03-06T12:00:00+01:00; status postponed"),
    ]
    for minute, (args, expected) in enumerate(steps, start=1):
        at = f"2026-03-02T10:{minute:02d}:00+01:00"
        result = helpdesk(db, "ticket", *args, "--by", "E-2", "--at", at)
        assert result.exit_code == 0, result.output
        assert result.stdout == f"{expected}\n"
    ticket = stored(db)
    assert [event["kind"] for event in ticket["events"]] == ["status", "assign", "priority", "type", "sla"]
    assert ticket["events"][-1]["resolution_due"] == "2026-03-06T12:00:00+01:00"
    sla = as_json(helpdesk(db, "ticket", "sla", "T-1001", "--as-of", "2026-03-02T11:00:00+01:00",
                           "--format", "json"))
    assert sla["resolution_due"] == "2026-03-06T12:00:00+01:00"


def test_an_automatic_return_is_applied_before_the_agents_move(db: Path) -> None:
    register(db)
    helpdesk(db, "ticket", "move", "T-1001", "postponed", "--until", "2026-03-03T09:00:00+01:00",
             "--by", "E-2", "--at", "2026-03-02T10:00:00+01:00")
    moved = as_json(helpdesk(db, "ticket", "move", "T-1001", "in_progress", "--by", "E-2",
                             "--at", "2026-03-03T10:00:00+01:00", "--format", "json"))
    assert [(event["to"], event["by"]) for event in moved["events"] if event["kind"] == "status"] == [
        ("postponed", "E-2"), ("open", "system"), ("in_progress", "E-2")]
    assert moved["version"] == 3, "one version per use case"


# -- refusals --------------------------------------------------------------------------


REFUSALS = [
    # what, arguments, exit code, words of the message
    ("a move the graph forbids", ("move", "T-1001", "closed", "--by", "E-2"), 2, "closed"),
    ("an unknown status", ("move", "T-1001", "opne", "--by", "E-2"), 2, "opne"),
    ("a deactivated or unknown assignee", ("assign", "T-1001", "E-99", "--by", "E-2"), 2, "E-99"),
    ("a priority outside the catalog", ("priority", "T-1001", "urgent", "--by", "E-2"), 2, "urgent"),
    ("a type outside the catalog", ("type", "T-1001", "incidnet", "--by", "E-2"), 2, "incidnet"),
    ("an instant before the last event",
     ("comment", "T-1001", "--author", "employee", "--body", "x", "--by", "E-2", "--at", "2026-03-02T08:00:00+01:00"),
     2, "T-1001"),
    ("an unknown ticket", ("move", "T-9999", "in_progress", "--by", "E-2"), 3, "T-9999"),
    ("a stale version", ("move", "T-1001", "in_progress", "--by", "E-2", "--expected-version", "7"), 4, "T-1001"),
    ("a contact moving a ticket", ("move", "T-1001", "in_progress", "--by", "P-3"), 9, "P-3"),
    ("an unknown actor", ("priority", "T-1001", "low", "--by", "E-77"), 9, "E-77"),
    ("an employee writing as the contact",
     ("comment", "T-1001", "--author", "contact", "--body", "x", "--by", "E-2"), 9, "E-2"),
    ("a contact writing as an employee",
     ("comment", "T-1001", "--author", "employee", "--body", "x", "--by", "P-3"), 9, "P-3"),
    ("another company's contact replying",
     ("comment", "T-1001", "--author", "contact", "--body", "x", "--by", "P-1"), 9, "P-1"),
]


@pytest.mark.parametrize(("what", "args", "code", "words"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_each_refusal_has_its_exit_code_and_stores_nothing(
    db: Path, what: str, args: tuple[str, ...], code: int, words: str
) -> None:
    register(db)
    helpdesk(db, "ticket", "comment", "T-1001", "--author", "employee", "--body", "On it", "--by", "E-2",
             "--at", "2026-03-02T09:15:00+01:00")
    before = versions(db)
    if "--at" not in args:
        args = (*args, "--at", "2026-03-02T10:00:00+01:00")
    result = helpdesk(db, "ticket", *args)
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and words in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert versions(db) == before, f"{what}: nothing may be stored"


@pytest.mark.parametrize(
    "args",
    [
        ("move", "T-1001", "in_progress", "--at", "2026-03-02T10:00:00"),
        ("move", "T-1001", "in_progress", "--at", "yesterday"),
        ("due", "T-1001", "--by", "E-2"),
        ("comment", "T-1001", "--author", "customer", "--body", "x"),
        ("priority", "T-1001", "low", "--expected-version", "0"),
        ("new", "--subject", "x", "--expected-version", "1"),
    ],
)
def test_usage_errors_are_exit_2_and_store_nothing(db: Path, args: tuple[str, ...]) -> None:
    register(db)
    before = versions(db)
    result = helpdesk(db, "ticket", *args)
    assert result.exit_code == 2, result.output
    assert "Error: " in result.stderr and "Traceback" not in result.output
    assert versions(db) == before


def test_the_current_version_is_accepted(db: Path) -> None:
    register(db)
    assert stored(db)["version"] == 1
    assert "  version    1\n" in helpdesk(db, "ticket", "show", "T-1001").stdout
    moved = helpdesk(db, "ticket", "move", "T-1001", "in_progress", "--by", "E-2", "--expected-version", "1",
                     "--at", "2026-03-02T10:00:00+01:00")
    assert moved.stdout == "T-1001 version 2: moved to in_progress; status in_progress\n"


# -- ticket sla ------------------------------------------------------------------------


def test_sla_text_and_json(db: Path) -> None:
    register(db)
    as_of = "2026-03-02T10:00:00+01:00"
    row = as_json(helpdesk(db, "ticket", "sla", "T-1001", "--as-of", as_of, "--format", "json"))
    assert list(row)[:11] == ["ticket", "rule", "calendar", "reaction_due", "reacted_at", "reaction_breached",
                              "resolution_due", "resolved_at", "resolution_breached", "paused_minutes", "state"]
    assert (row["reaction_left"], row["resolution_left"]) == (-30, 8 * 60 - 60)
    assert row["reaction_breached"] is True and row["state"] == "breached"
    text = helpdesk(db, "ticket", "sla", "T-1001", "--as-of", as_of)
    assert text.stdout.splitlines() == [
        "ticket      T-1001",
        "rule        High priority (calendar prague-office)",
        "state       breached",
        "reaction    due 2026-03-02T09:30:00+01:00, breached 30m of working time ago",
        "resolution  due 2026-03-03T09:00:00+01:00, 7h00m of working time left",
        "paused      0 minutes",
    ]


def test_sla_left_counts_working_minutes_on_the_rules_calendar(db: Path) -> None:
    register(db, "--priority", "normal")  # the Default rule: 16 working hours
    rows = [as_json(helpdesk(db, "ticket", "sla", "T-1001", "--as-of", as_of, "--format", "json"))
            for as_of in ("2026-03-02T20:00:00+01:00", "2026-03-03T08:59:00+01:00", "2026-03-03T12:30:00+01:00")]
    assert [row["resolution_left"] for row in rows] == [8 * 60, 8 * 60, 5 * 60], (
        "the office is closed at night and from 12:00 to 13:00 on Tuesdays")


def test_sla_without_as_of_is_as_of_the_desk_clock(db: Path) -> None:
    register(db)
    row = as_json(helpdesk(db, "ticket", "sla", "T-1001", "--format", "json"))
    assert row["resolution_left"] == 8 * 60 - 4 * 60, "13:00 in Prague: 4 working hours gone"


def test_sla_of_an_unknown_ticket_is_exit_3(db: Path) -> None:
    result = helpdesk(db, "ticket", "sla", "T-9")
    assert result.exit_code == 3 and "T-9" in result.stderr


# -- ticket list -----------------------------------------------------------------------


def listed(db: Path, *args: str) -> list[str]:
    result = helpdesk(db, "ticket", "list", "--format", "jsonl", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


@pytest.fixture
def five(db: Path) -> Path:
    """T-1001…T-1005 registered a minute apart: companies C-2, C-3, C-2, C-1, none;
    assignees E-2, G-1, E-3, E-2, none; T-1003 resolved."""
    parties = [("C-2", "E-2"), ("C-3", "G-1"), ("C-2", "E-3"), ("C-1", "E-2"), (None, None)]
    for minute, (company, assignee) in enumerate(parties):
        args = ["ticket", "new", "--subject", f"Ticket {minute}", "--priority", "normal", "--by", "E-1",
                "--at", f"2026-03-02T09:0{minute}:00+01:00"]
        args += ["--company", company] if company else []
        args += ["--assignee", assignee] if assignee else []
        assert helpdesk(db, *args).exit_code == 0
    helpdesk(db, "ticket", "move", "T-1003", "resolved", "--by", "E-3", "--at", "2026-03-02T09:30:00+01:00")
    return db


def test_list_filters_by_assignee_company_and_status(five: Path) -> None:
    assert listed(five) == ["T-1001", "T-1002", "T-1003", "T-1004", "T-1005"]
    assert listed(five, "--assignee", "E-2") == ["T-1001", "T-1004"]
    assert listed(five, "--assignee", "G-1") == ["T-1002"]
    assert listed(five, "--company", "C-2") == ["T-1001", "T-1003"]
    assert listed(five, "--status", "resolved") == ["T-1003"]
    assert listed(five, "--status", "open", "--company", "C-2") == ["T-1001"]
    assert listed(five, "--company", "C-2", "--assignee", "E-3") == ["T-1003"]


def test_list_rows_carry_the_assignee_and_version(five: Path) -> None:
    rows = [json.loads(line) for line in helpdesk(five, "ticket", "list", "--format", "jsonl").stdout.splitlines()]
    assert [(row["id"], row["assignee"], row["version"]) for row in rows] == [
        ("T-1001", "E-2", 1), ("T-1002", "G-1", 1), ("T-1003", "E-3", 2), ("T-1004", "E-2", 1), ("T-1005", None, 1)]


def test_list_overdue_as_of(five: Path) -> None:
    # the Default rule reacts within 4 working hours: due 13:00-13:04 on the Monday
    assert listed(five, "--overdue", "--as-of", "2026-03-02T13:02:30+01:00") == ["T-1001", "T-1002"]
    assert listed(five, "--overdue", "--as-of", "2026-03-02T12:00:00+01:00") == []
    everyone = listed(five, "--overdue", "--as-of", "2026-03-09T12:00:00+01:00")
    assert everyone == ["T-1001", "T-1002", "T-1004", "T-1005"], "a resolved ticket is not overdue"
    assert listed(five, "--overdue", "--assignee", "E-2", "--as-of", "2026-03-09T12:00:00+01:00") == [
        "T-1001", "T-1004"]


def test_list_pages_with_limit_and_after(five: Path) -> None:
    assert listed(five, "--limit", "2") == ["T-1001", "T-1002"]
    assert listed(five, "--limit", "2", "--after", "T-1002") == ["T-1003", "T-1004"]
    assert listed(five, "--limit", "2", "--after", "T-1004") == ["T-1005"]
    assert listed(five, "--after", "T-1005") == []
    assert listed(five, "--assignee", "E-2", "--limit", "1", "--after", "T-1001") == ["T-1004"]
    table = helpdesk(five, "ticket", "list", "--limit", "2")
    assert table.stdout.endswith("2 tickets (more: --after T-1002)\n")
    last = helpdesk(five, "ticket", "list", "--limit", "2", "--after", "T-1004")
    assert last.stdout.endswith("1 tickets\n")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--assignee", "E-22"), 3, "Error: assignee 'E-22' is not known"),
        (("--company", "C-22"), 3, "Error: company 'C-22' is not known"),
        (("--status", "opne"), 2, "Error: unknown status 'opne'"),
        (("--after", "T-9999"), 2, "no ticket 'T-9999' to continue after"),
        (("--limit", "0"), 2, "--limit"),
        (("--as-of", "2026-03-02T12:00:00+01:00"), 2, "--overdue"),
    ],
)
def test_list_refuses_unknown_filters(five: Path, args: tuple[str, ...], code: int, message: str) -> None:
    result = helpdesk(five, "ticket", "list", *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr and result.stdout == ""


def test_list_suggests_the_closest_assignee(five: Path) -> None:
    result = helpdesk(five, "ticket", "list", "--assignee", "E-22")
    assert "(did you mean 'E-2'?)" in result.stderr


# -- employee deactivate --reassign-to -----------------------------------------------


def test_deactivate_without_reassign_says_how(five: Path) -> None:
    result = helpdesk(five, "employee", "deactivate", "E-2")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: employee E-2 (Tomáš Procházka) cannot be deactivated while responsible for 2 unclosed "
        "ticket(s): T-1001, T-1004; reassign or close them first: give --reassign-to ID to hand them all "
        "over, or reassign each with helpdesk ticket assign TICKET ID\n"
    )


def test_deactivate_reassigns_each_unclosed_ticket_then_deactivates(five: Path) -> None:
    result = helpdesk(five, "employee", "deactivate", "E-2", "--reassign-to", "G-1", "--by", "E-1",
                      "--at", "2026-03-02T11:00:00+01:00")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "T-1001 version 2: assigned to G-1",
        "T-1004 version 2: assigned to G-1",
        "deactivated E-2 (Tomáš Procházka), 2 ticket(s) reassigned to G-1",
    ]
    assert listed(five, "--assignee", "G-1") == ["T-1001", "T-1002", "T-1004"]
    last = stored(five, "T-1001")["events"][-1]
    assert (last["kind"], last["to"], last["by"], last["at"]) == ("assign", "G-1", "E-1", "2026-03-02T11:00:00+01:00")
    refused = helpdesk(five, "ticket", "assign", "T-1002", "E-2", "--by", "E-1")
    assert refused.exit_code == 2 and "E-2" in refused.stderr, "E-2 is deactivated now"


@pytest.mark.parametrize(
    ("target", "code", "words"),
    [("E-2", 2, "name another employee or a group"), ("E-99", 2, "E-99"), ("P-3", 2, "P-3")],
)
def test_deactivate_refuses_a_target_that_cannot_take_the_tickets(
    five: Path, target: str, code: int, words: str
) -> None:
    before = versions(five)
    result = helpdesk(five, "employee", "deactivate", "E-2", "--reassign-to", target, "--by", "E-1")
    assert result.exit_code == code, result.output
    assert words in result.stderr
    assert versions(five) == before, "no ticket reassigned"
    assert listed(five, "--assignee", "E-2") == ["T-1001", "T-1004"]


def test_deactivate_with_reassign_of_an_employee_without_tickets(five: Path) -> None:
    result = helpdesk(five, "employee", "deactivate", "E-4", "--reassign-to", "E-3")
    assert result.stdout == "deactivated E-4 (Jiří Černý), 0 ticket(s) reassigned to E-3\n"


def test_sla_of_a_desk_without_sla_rules_says_so(db: Path) -> None:
    app = AppContext(db_url=str(db), config_path=None, clock=FixedClock(NOW))
    made = CliRunner().invoke(cli, ["ticket", "new", "--subject", "No rules", "--format", "json"], obj=app)
    ticket = as_json(made)
    assert ticket["sla"]["state"] == "no_sla"
    assert (ticket["sla"]["reaction_left"], ticket["sla"]["resolution_left"]) == (None, None)
    app = AppContext(db_url=str(db), config_path=None, clock=FixedClock(NOW))
    text = CliRunner().invoke(cli, ["ticket", "sla", "T-1001"], obj=app)
    assert text.stdout.splitlines()[1:5] == ["rule        -", "state       no_sla", "reaction    -", "resolution  -"]


def test_deactivate_an_unknown_employee_with_reassign_is_exit_3(five: Path) -> None:
    before = versions(five)
    result = helpdesk(five, "employee", "deactivate", "E-99", "--reassign-to", "G-1")
    assert result.exit_code == 3 and "E-99" in result.stderr
    assert versions(five) == before
