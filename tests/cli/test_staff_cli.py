"""Deactivating an employee is refused while they hold unclosed tickets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.model import Assignment, Employee, Role, StatusChange, Ticket
from helpdesk_core.storage import open_store

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def desk(tmp_path: Path) -> Path:
    db = tmp_path / "desk.sqlite3"
    store = open_store(str(db))
    with store.unit_of_work() as uow:
        uow.employees.add(Employee(id="E-1", first_name="Jana", last_name="Nováková",
                                   email="jana@example.com", role=Role.SPECIALIST))
        uow.employees.add(Employee(id="E-2", first_name="Petr", last_name="Svoboda",
                                   email="petr@example.com", role=Role.SPECIALIST))
        open_one = Ticket.register(id="T-1", subject="Leak", created_at=T0).with_event(
            Assignment(at=T0, to="E-1"))
        closed_one = (
            Ticket.register(id="T-2", subject="Noise", created_at=T0)
            .with_event(Assignment(at=T0, to="E-2"))
            .with_event(StatusChange(at=T0, to="resolved"))
            .with_event(StatusChange(at=T0, to="closed"))
        )
        uow.tickets.add(open_one)
        uow.tickets.add(closed_one)
        uow.commit()
    store.close()
    return db


def invoke(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=AppContext(db_url=str(db)), catch_exceptions=False)


def test_refused_while_responsible_for_an_unclosed_ticket(tmp_path: Path) -> None:
    db = desk(tmp_path)
    result = invoke(db, "employee", "deactivate", "E-1")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: employee E-1 (Jana Nováková) cannot be deactivated while responsible for "
        "1 unclosed ticket(s): T-1; reassign or close them first: give --reassign-to ID to hand them all over, "
        "or reassign each with helpdesk ticket assign TICKET ID\n"
    )
    store = open_store(str(db))
    assert store.employees.get("E-1").value.active, "nothing may change"


def test_an_employee_whose_tickets_are_closed_is_deactivated(tmp_path: Path) -> None:
    db = desk(tmp_path)
    result = invoke(db, "employee", "deactivate", "E-2")
    assert result.exit_code == 0
    assert result.stdout == "deactivated E-2 (Petr Svoboda)\n"
    stored = open_store(str(db)).employees.get("E-2")
    assert not stored.value.active and stored.version == 2


def test_unknown_employee_exits_3(tmp_path: Path) -> None:
    result = invoke(desk(tmp_path), "employee", "deactivate", "E-404")
    assert result.exit_code == 3
    assert "E-404" in result.stderr
