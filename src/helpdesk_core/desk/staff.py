"""Employees leaving the desk: deactivation, refused while they still own work."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.staff import Employee
from helpdesk_core.model.ticket import Assignee
from helpdesk_core.storage.protocols import Store
from helpdesk_core.workflow import StatusCategory, TransitionGraph

if TYPE_CHECKING:
    from helpdesk_core.desk.service import Desk


def unclosed_tickets_of(store: Store, employee_id: str, *, graph: TransitionGraph) -> list[str]:
    """Ids of the tickets not in a closed-category status whose assignee is the
    employee ``employee_id`` (a group assignment does not count: the group stays
    responsible when one member leaves)."""
    return [
        stored.value.id
        for stored in store.tickets.iter_tickets()
        if (assignee := stored.value.assignee) is not None
        and not assignee.group
        and assignee.id == employee_id
        and graph.category(stored.value.status) is not StatusCategory.CLOSED
    ]


def deactivate_employee(store: Store, employee_id: str, *, graph: TransitionGraph) -> Employee:
    """Deactivate an employee, refused while they are responsible for unclosed
    tickets (the error names the tickets). Saved with the version read, so a
    concurrent change of the employee raises :class:`ConflictError`."""
    unclosed = unclosed_tickets_of(store, employee_id, graph=graph)
    with store.unit_of_work() as uow:
        stored = uow.employees.get(employee_id)
        employee = stored.value.deactivated(unclosed_tickets=unclosed)
        uow.employees.save(employee, expected_version=stored.version)
        uow.commit()
    return employee


def assignee_named(store: Store, assignee_id: str) -> Assignee:
    """The assignee a person means by an id: the employee group of that id
    when there is one, else the employee (whom the desk's use case checks:
    unknown or deactivated is refused)."""
    return Assignee(id=assignee_id, group=store.employee_groups.find(assignee_id) is not None)


@attrs.frozen
class Handover:
    """An employee deactivated after their unclosed tickets were reassigned:
    ``reassigned`` are those tickets with the version each assignment made."""

    employee: Employee
    to: Assignee
    reassigned: tuple[tuple[str, int], ...]


def hand_over_and_deactivate(
    desk: Desk, employee_id: str, *, to: Assignee, by: str, at: datetime | None = None
) -> Handover:
    """Reassign every unclosed ticket of ``employee_id`` to ``to`` — one
    :meth:`Desk.assign` per ticket, by ``by``, retried on a concurrent change —
    then deactivate the employee.

    ``to`` must differ from the employee; the desk refuses an unknown or
    deactivated employee on the first ticket, before anything is stored. Each
    assignment is its own transaction: should one fail half-way, the tickets
    already reassigned stay so (each is a valid change on its own), the
    employee stays active, and the error names the ticket."""
    if not to.group and to.id == employee_id:
        raise ValidationError(
            f"cannot reassign the tickets of {employee_id} to {employee_id}: name another employee or a group"
        )
    store = desk.store
    store.employees.get(employee_id)  # an unknown employee: NotFound before any ticket changes
    reassigned = []
    for ticket_id in unclosed_tickets_of(store, employee_id, graph=desk.config.graph):
        outcome = desk.retrying(functools.partial(desk.assign, ticket_id, to, by=by, at=at))
        reassigned.append((ticket_id, outcome.version))
    employee = deactivate_employee(store, employee_id, graph=desk.config.graph)
    return Handover(employee=employee, to=to, reassigned=tuple(reassigned))


__all__ = [
    "Handover",
    "assignee_named",
    "deactivate_employee",
    "hand_over_and_deactivate",
    "unclosed_tickets_of",
]
