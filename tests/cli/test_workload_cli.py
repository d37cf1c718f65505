"""``helpdesk report workload``: each agent's open load by status, capacity,
and whether the instant is inside their working hours."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.model import Assignment, Employee, StatusChange, Ticket
from helpdesk_core.model.ticket import Assignee
from helpdesk_core.storage import open_store

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
MONDAY_10 = "2026-03-02T10:00:00+01:00"
"""Inside the office's hours; Eva's own calendar has the day as a holiday."""
SATURDAY_10 = "2026-03-07T10:00:00+01:00"
WEEK = '{ mon = [["09:00", "17:00"]], tue = [["09:00", "17:00"]], wed = [["09:00", "17:00"]], ' \
       'thu = [["09:00", "17:00"]], fri = [["09:00", "17:00"]] }'  # fmt: skip
CONFIG = f"""
[[calendars]]
name = "office"
tz = "Europe/Prague"
week = {WEEK}

[[calendars]]
name = "eva"
tz = "Europe/Prague"
week = {WEEK}
holidays = ["2026-03-02"]
"""


def _person(id: str, name: str, **fields: object) -> Employee:
    return Employee(id=id, first_name=name, email=f"{name.lower()}@desk.example", **fields)  # type: ignore[arg-type]


def _ticket(id: str, assignee: Assignee | None, status: str = "open") -> Ticket:
    return Ticket.register(id=id, subject=id, created_at=T0, status=status, assignee=assignee)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("workload")
    config = folder / "helpdesk.toml"
    config.write_text(CONFIG, encoding="utf-8")
    db = folder / "desk.sqlite3"
    store = open_store(str(db))
    later = T0 + timedelta(minutes=5)
    with store.unit_of_work() as uow:
        uow.employees.add(_person("E-1", "Jana", calendar="office", capacity=2))
        uow.employees.add(_person("E-2", "Petr", active=False))
        uow.employees.add(_person("E-3", "Eva", calendar="eva", capacity=5))
        uow.employees.add(_person("E-4", "Ota"))
        uow.employees.add(_person("E-5", "Iva", calendar="gone"))  # a calendar the configuration lacks
        for ticket in (
            _ticket("T-1", Assignee(id="E-1")),
            _ticket("T-2", None).with_event(Assignment(at=later, to="E-1"))
            .with_event(StatusChange(at=later, to="in_progress")),
            _ticket("T-3", Assignee(id="E-1"), "resolved"),  # does not count toward load
            _ticket("T-4", Assignee(id="E-2"), "closed"),
            _ticket("T-5", Assignee(id="E-3"), "postponed"),  # rests: does not count
            _ticket("T-6", Assignee(id="E-3")),
            _ticket("T-7", Assignee(id="G-1", group=True)),  # a group's: nobody's load
            _ticket("T-8", Assignee(id="E-4")).with_event(Assignment(at=later, to="G-1", group=True)),
            _ticket("T-9", Assignee(id="E-4")).with_event(Assignment(at=later, to=None)),
            _ticket("T-10", Assignee(id="E-9")),  # somebody the store has no record of
            _ticket("T-11", Assignee(id="E-9"), "escalated"),  # a status the workflow lacks counts
        ):
            uow.tickets.add(ticket)
        uow.commit()
    store.close()
    return db, config


def invoke(desk: tuple[Path, Path], *args: str) -> Result:
    db, config = desk
    app = AppContext(db_url=str(db), config_path=config)
    return CliRunner().invoke(cli, ["report", "workload", *args], obj=app, catch_exceptions=False)


def test_json_rows_count_open_work_per_employee(desk: tuple[Path, Path]) -> None:
    result = invoke(desk, "--at", MONDAY_10, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"employee": "E-1", "name": "Jana", "active": True, "load": 2, "by_status": {"in_progress": 1, "open": 1},
         "capacity": 2, "at_capacity": True, "working": True},
        {"employee": "E-2", "name": "Petr", "active": False, "load": 0, "by_status": {},
         "capacity": None, "at_capacity": False, "working": None},
        {"employee": "E-3", "name": "Eva", "active": True, "load": 1, "by_status": {"open": 1},
         "capacity": 5, "at_capacity": False, "working": False},
        {"employee": "E-4", "name": "Ota", "active": True, "load": 0, "by_status": {},
         "capacity": None, "at_capacity": False, "working": None},
        {"employee": "E-5", "name": "Iva", "active": True, "load": 0, "by_status": {},
         "capacity": None, "at_capacity": False, "working": False},
        {"employee": "E-9", "name": "", "active": False, "load": 2, "by_status": {"escalated": 1, "open": 1},
         "capacity": None, "at_capacity": False, "working": None},
    ]  # fmt: skip


def test_working_hours_follow_the_instant(desk: tuple[Path, Path]) -> None:
    result = invoke(desk, "--at", SATURDAY_10, "--format", "json")
    assert result.exit_code == 0, result.output
    working = {row["employee"]: row["working"] for row in json.loads(result.stdout)}
    assert working == {"E-1": False, "E-2": None, "E-3": False, "E-4": None, "E-5": False, "E-9": None}


def test_the_table_and_csv_say_yes_no_and_dash(desk: tuple[Path, Path]) -> None:
    table = invoke(desk, "--at", MONDAY_10)
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["employee", "name", "active", "load", "by", "status", "capacity", "at",
                                "capacity", "working"]  # fmt: skip
    assert lines[2].split() == ["E-1", "Jana", "yes", "2", "in_progress", "1,", "open", "1", "2", "yes", "yes"]
    assert lines[4].split() == ["E-3", "Eva", "yes", "1", "open", "1", "5", "no", "no"]
    assert lines[5].split() == ["E-4", "Ota", "yes", "0", "—", "—", "no", "—"]
    found = list(csv.DictReader(io.StringIO(invoke(desk, "--at", MONDAY_10, "--format", "csv").stdout)))
    assert [row["employee"] for row in found] == ["E-1", "E-2", "E-3", "E-4", "E-5", "E-9"]
    assert found[0] == {
        "employee": "E-1", "name": "Jana", "active": "yes", "load": "2", "by_status": "in_progress 1, open 1",
        "capacity": "2", "at_capacity": "yes", "working": "yes",
    }  # fmt: skip
    assert (found[1]["active"], found[1]["by_status"], found[1]["working"]) == ("no", "—", "—")


def test_without_at_it_is_now_and_a_bad_instant_is_a_usage_error(desk: tuple[Path, Path]) -> None:
    result = invoke(desk, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [row["load"] for row in json.loads(result.stdout)] == [2, 0, 1, 0, 0, 2]
    bad = invoke(desk, "--at", "2026-03-02T10:00")
    assert bad.exit_code == 2 and "has no UTC offset" in bad.stderr
    assert "Traceback" not in bad.output


def test_a_missing_store_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    result = CliRunner().invoke(
        cli, ["report", "workload"], obj=AppContext(db_url=str(missing)), catch_exceptions=False
    )
    assert result.exit_code == 3 and "no store at" in result.stderr
    assert not missing.exists()


def test_the_example_of_the_routing_docs_reads_as_written(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "routing.md").read_text(encoding="utf-8")
    block = text.split("## Workload report", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    command, shown = block[0], [line.removeprefix("# ") for line in block[1:]]
    config = tmp_path / "helpdesk.toml"
    config.write_text(CONFIG, encoding="utf-8")
    db = tmp_path / "desk.sqlite3"
    store = open_store(str(db))
    with store.unit_of_work() as uow:
        uow.employees.add(_person("E-1", "Jana", calendar="office", capacity=2))
        uow.employees.add(_person("E-2", "Petr", active=False))
        uow.tickets.add(_ticket("T-1", Assignee(id="E-1")))
        uow.tickets.add(_ticket("T-2", Assignee(id="E-1"), "in_progress"))
        uow.tickets.add(_ticket("T-3", Assignee(id="E-9")))
        uow.commit()
    store.close()
    args = command.split()[1:]
    assert args[:2] == ["report", "workload"]
    result = CliRunner().invoke(cli, args, obj=AppContext(db_url=str(db), config_path=config))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if not set(line) <= {"─", " "}]
    assert [line.split() for line in lines] == [line.split() for line in shown]
