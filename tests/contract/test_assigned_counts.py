"""``TicketReader.assigned_counts`` on every backend: the tickets each
employee is responsible for, by status, agree with the tickets themselves
(:func:`assigned_counts_of`) after registration, reassignment to an employee,
a group or nobody, status changes, a rewrite by ``save``, privacy work and a
delete — read from the ``tickets`` table's assignee columns on SQL stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from helpdesk_core.desk import privacy as desk_privacy
from helpdesk_core.model.ticket import Assignee, Assignment, Comment, Event, StatusChange, Ticket
from helpdesk_core.storage import Store, open_store
from helpdesk_core.storage.documents import assigned_counts_of
from helpdesk_core.testing.contract import FORGET_AT, START, privacy_sample, sample_aggregates

EVERYBODY = ("E-1", "E-2", "E-3", "E-4", "G-1", "P-1")
"""The ids asked about: employees, and a group's id (never counted as an employee)."""


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'counts.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = open_store(url)
    try:
        yield opened
    finally:
        opened.close()


def _at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def _ticket(id: str, assignee: Assignee | None, status: str = "open") -> Ticket:
    return Ticket.register(id=id, subject=id, created_at=START, status=status, assignee=assignee)


def _counts(store: Store) -> dict[str, dict[str, int]]:
    """What the store answers, after checking it against the tickets it holds."""
    answered = store.tickets.assigned_counts(EVERYBODY)
    held = [stored.value for stored in store.tickets.iter_tickets()]
    assert answered == assigned_counts_of(held, EVERYBODY)
    # None asks for every employee holding a ticket: here, the same ones
    assert store.tickets.assigned_counts(None) == assigned_counts_of(held, None) == answered
    return answered


def _append(store: Store, id: str, *events: Event) -> None:
    with store.unit_of_work() as uow:
        stored = uow.tickets.get(id)
        uow.tickets.append(id, list(events), expected_version=stored.version)
        uow.commit()


def test_assigned_counts_follow_registration_reassignment_and_status(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.tickets.add(_ticket("T-1", Assignee(id="E-1")))
        uow.tickets.add(_ticket("T-2", Assignee(id="E-1"), "in_progress"))
        uow.tickets.add(_ticket("T-3", Assignee(id="G-1", group=True)))
        uow.tickets.add(_ticket("T-4", None))
        uow.tickets.add(_ticket("T-5", Assignee(id="E-2")))
        # inside the unit of work, before the commit, its own writes count
        assert uow.tickets.assigned_counts(["E-1", "G-1"]) == {"E-1": {"open": 1, "in_progress": 1}}
        uow.commit()
    assert _counts(store) == {"E-1": {"open": 1, "in_progress": 1}, "E-2": {"open": 1}}

    _append(store, "T-3", Assignment(at=_at(1), to="E-2"))  # group → employee
    _append(store, "T-4", Comment(at=_at(1), author="employee", body="seen"), Assignment(at=_at(2), to="E-3"))
    _append(store, "T-1", Assignment(at=_at(1), to="G-1", group=True))  # employee → group
    _append(store, "T-5", Assignment(at=_at(1), to=None))  # employee → nobody
    _append(store, "T-2", StatusChange(at=_at(1), to="resolved"))  # a status change keeps the holder
    assert _counts(store) == {"E-2": {"open": 1}, "E-3": {"open": 1}, "E-1": {"resolved": 1}}

    # an append without an assign event leaves the responsible as it is
    _append(store, "T-3", StatusChange(at=_at(2), to="in_progress"), Comment(at=_at(3), author="employee"))
    # several assign events in one append: the last one holds
    _append(
        store,
        "T-2",
        Assignment(at=_at(2), to="E-4"),
        Assignment(at=_at(3), to="G-1", group=True),
        Assignment(at=_at(4), to="E-3"),
    )
    assert _counts(store) == {"E-2": {"in_progress": 1}, "E-3": {"open": 1, "resolved": 1}}
    assert store.tickets.assigned_counts(["E-3"]) == {"E-3": {"open": 1, "resolved": 1}}
    assert store.tickets.assigned_counts([]) == {}
    assert store.tickets.assigned_counts(["E-9"]) == {}


def test_a_rewrite_by_save_and_a_delete_move_the_counts(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.tickets.add(_ticket("T-1", Assignee(id="E-1")).with_event(Assignment(at=_at(1), to="E-2")))
        uow.tickets.add(_ticket("T-2", Assignee(id="E-1")))
        uow.commit()
    assert _counts(store) == {"E-2": {"open": 1}, "E-1": {"open": 1}}
    with store.unit_of_work() as uow:
        stored = uow.tickets.get("T-1")
        # a rewritten history (its assign event gone): the registered assignee holds it again
        uow.tickets.save(_ticket("T-1", Assignee(id="E-1"), "in_progress"), expected_version=stored.version)
        grown = uow.tickets.get("T-2")
        uow.tickets.save(
            grown.value.with_event(Assignment(at=_at(2), to="G-1", group=True)),
            expected_version=grown.version,
        )
        uow.commit()
    assert _counts(store) == {"E-1": {"in_progress": 1}}
    with store.unit_of_work() as uow:
        uow.tickets.delete("T-1", expected_version=uow.tickets.get("T-1").version)
        uow.commit()
    assert _counts(store) == {}


def test_forgetting_a_contact_and_an_employee_keeps_the_counts(store: Store) -> None:
    privacy_sample(store)
    with store.unit_of_work() as uow:
        uow.employees.add(sample_aggregates()["employees"][0])  # E-1, who holds the sample's tickets
        uow.commit()
    before = _counts(store)
    assert before, "the privacy sample assigns tickets to employees"
    desk_privacy.forget_contact(store, "P-1", by="E-0", now=FORGET_AT)
    assert _counts(store) == before
    desk_privacy.forget_employee(store, "E-1", by="E-0", now=FORGET_AT)
    assert _counts(store) == before


def test_many_employees_are_counted_in_chunks(store: Store) -> None:
    employees = [f"E-{n:04d}" for n in range(1_200)]
    with store.unit_of_work() as uow:
        for n in range(0, 1_200, 7):
            uow.tickets.add(_ticket(f"T-{n:04d}", Assignee(id=employees[n])))
        uow.commit()
    found = store.tickets.assigned_counts(employees)
    assert found == {employees[n]: {"open": 1} for n in range(0, 1_200, 7)}
    assert store.tickets.assigned_counts(None) == found
    # employees the store has no record of are counted as any other
    assert store.tickets.assigned_counts(["E-0007", "nobody"]) == {"E-0007": {"open": 1}}
