"""Employees leaving the desk: deactivation, refused while they still own work."""

from __future__ import annotations

from helpdesk_core.model.staff import Employee
from helpdesk_core.storage.protocols import Store
from helpdesk_core.workflow import StatusCategory, TransitionGraph


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


__all__ = ["deactivate_employee", "unclosed_tickets_of"]
