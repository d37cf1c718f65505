"""A ticket history may only name parties the desk knows: its company, its
contact, who it is assigned to (an employee, or a group with ``"group":
true``) and its comments' authors (an employee, or a contact). An unknown
one refuses the file with its line and the id, and stores nothing;
``--skip-invalid`` leaves out just those lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.desk import import_ticket_histories
from helpdesk_core.model import Company, Contact, Employee, EmployeeGroup
from helpdesk_core.storage import open_store
from helpdesk_core.workflow import DEFAULT_GRAPH

AT = "2026-03-02T09:00:00+01:00"


def ticket(id_: str, **fields: Any) -> str:
    return json.dumps({"id": id_, "subject": "Boiler stopped", "created_at": AT, **fields}) + "\n"


def comment(by: str, author: str) -> dict[str, Any]:
    return {"at": "2026-03-02T09:20:00+01:00", "kind": "comment", "by": by, "author": author, "body": "On it."}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A store knowing company C-1, its contact P-1, employee E-1 and group G-1."""
    path = tmp_path / "desk.sqlite3"
    store = open_store(str(path))
    try:
        with store.unit_of_work() as uow:
            uow.companies.add(Company(id="C-1", name="Kavárna U Zlatého klíče"))
            uow.contacts.add(Contact(id="P-1", first_name="Jana", last_name="Nováková", company="C-1"))
            uow.employees.add(Employee(id="E-1", first_name="Lenka", last_name="Dvořáková",
                                       email="lenka@servis.cz"))
            uow.employee_groups.add(EmployeeGroup(id="G-1", name="První linie", members=("E-1",)))
            uow.commit()
    finally:
        store.close()
    return path


def run(db: Path, *args: str) -> Result:
    app = AppContext(db_url=str(db), config_path=None)
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


def stored_tickets(db: Path) -> list[str]:
    return [json.loads(line)["id"] for line in run(db, "ticket", "list", "--format", "jsonl").stdout.splitlines()]


def test_a_ticket_naming_only_known_parties_is_imported(db: Path, tmp_path: Path) -> None:
    file = tmp_path / "t.jsonl"
    file.write_text(
        ticket("T-1", company="C-1", contact="P-1", assignee="E-1",
               events=[comment("P-1", "contact"), comment("E-1", "employee"),
                       {"at": "2026-03-02T10:00:00+01:00", "kind": "assign", "to": "G-1", "group": True},
                       {"at": "2026-03-02T11:00:00+01:00", "kind": "status", "to": "in_progress",
                        "by": "system"}])
        + ticket("T-2", assignee={"id": "G-1", "group": True})
        + ticket("T-3", events=[comment("E-1", "employee") | {"by": None}]),
        encoding="utf-8",
    )
    result = run(db, "import", "tickets", str(file))
    assert result.exit_code == 0, result.output
    assert stored_tickets(db) == ["T-1", "T-2", "T-3"]


UNKNOWN = [
    ({"company": "C-9"}, "company 'C-9' is not known"),
    ({"contact": "P-30"}, "contact 'P-30' is not known"),
    ({"assignee": "E-5"}, "assignee: employee 'E-5' is not known"),
    ({"assignee": "G-1"}, "assignee: employee 'G-1' is not known"),  # a group, but not said so
    ({"assignee": {"id": "E-1", "group": True}}, "assignee: employee group 'E-1' is not known"),
    ({"events": [{"at": "2026-03-02T10:00:00+01:00", "kind": "assign", "to": "G-field", "group": True}]},
     "events[0]: assigned to employee group 'G-field' is not known"),
    ({"events": [comment("E-3", "employee")]}, "events[0]: comment by employee 'E-3' is not known"),
    ({"events": [comment("E-1", "contact")]}, "events[0]: comment by contact 'E-1' is not known"),
    ({"events": [comment("P-1", "employee")]}, "events[0]: comment by employee 'P-1' is not known"),
]


@pytest.mark.parametrize(("fields", "message"), UNKNOWN)
def test_an_unknown_party_refuses_the_whole_file_naming_line_and_id(
    db: Path, tmp_path: Path, fields: dict[str, Any], message: str
) -> None:
    file = tmp_path / "t.jsonl"
    file.write_text(ticket("T-1", company="C-1") + ticket("T-2", **fields), encoding="utf-8")
    result = run(db, "import", "tickets", str(file))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {file} line 2: ticket T-2: {message} "
        "(not in the store; import the customer base and the staff first)\n"
    )
    assert stored_tickets(db) == [], "a refused file stores nothing, not even its good lines"
    assert run(db, "import", "tickets", "--dry-run", str(file)).exit_code == 2


def test_skip_invalid_leaves_out_just_the_lines_naming_unknown_parties(db: Path, tmp_path: Path) -> None:
    file = tmp_path / "t.jsonl"
    file.write_text(
        ticket("T-1", company="C-1") + ticket("T-2", company="C-9") + "\n"
        + ticket("T-3", contact="P-1") + ticket("T-4", events=[comment("E-3", "employee")]),
        encoding="utf-8",
    )
    result = run(db, "import", "tickets", "--skip-invalid", str(file))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"imported {file}: 2 created, 0 appended, 0 unchanged, 2 skipped\n"
    assert result.stderr == (
        f"Skipped: {file} line 2: ticket T-2: company 'C-9' is not known "
        "(not in the store; import the customer base and the staff first)\n"
        f"Skipped: {file} line 5: ticket T-4: events[0]: comment by employee 'E-3' is not known "
        "(not in the store; import the customer base and the staff first)\n"
    )
    assert stored_tickets(db) == ["T-1", "T-3"]


def test_skip_invalid_also_leaves_out_lines_bad_for_other_reasons(db: Path, tmp_path: Path) -> None:
    file = tmp_path / "t.jsonl"
    file.write_text(ticket("T-1") + "{not json\n" + ticket("T-1") + ticket("T-2"), encoding="utf-8")
    store = open_store(str(db))
    try:
        summary = import_ticket_histories(file, store=store, graph=DEFAULT_GRAPH, skip_invalid=True)
    finally:
        store.close()
    assert (summary.created, len(summary.skipped)) == (2, 2)
    assert summary.skipped[0].startswith(f"{file} line 2: ")
    assert summary.skipped[1] == f"{file} line 3: ticket T-1 appears again (first on line 1)"
    assert stored_tickets(db) == ["T-1", "T-2"]
