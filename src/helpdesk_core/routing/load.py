"""Agent workload: how many tickets each employee holds in statuses that count
toward load, and each one's capacity and working hours at an instant.

Both start from what the store counts without reading a ticket
(:meth:`~helpdesk_core.storage.protocols.TicketReader.assigned_counts`: per
employee, their tickets by current status) or, over tickets in memory, from
:func:`load_by_status`. ``load_of_counts`` fills :attr:`StaffSnapshot.load`;
``workload`` gives the rows of a workload report. A status the workflow does
not know (a ticket imported from another desk) counts toward load: an
unknown status is more likely open work than closed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

import attrs

from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.routing.staff import StaffSnapshot
from helpdesk_core.workflow import TransitionGraph


def _readonly_counts(value: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(value))


def _counts(graph: TransitionGraph, status: str) -> bool:
    return not graph.knows(status) or graph.status(status).counts_toward_load


def assigned_counts_of(
    tickets: Iterable[Ticket], employees: Collection[str] | None = None
) -> dict[str, dict[str, int]]:
    """Per employee (of ``employees``; None: everybody), the tickets they are
    responsible for (as an employee, not through a group), by current status:
    :meth:`TicketReader.assigned_counts` over tickets in memory."""
    wanted = None if employees is None else set(employees)
    found: dict[str, dict[str, int]] = {}
    for ticket in tickets:
        assignee = ticket.assignee
        if assignee is None or assignee.group or (wanted is not None and assignee.id not in wanted):
            continue
        by_status = found.setdefault(assignee.id, {})
        by_status[ticket.status] = by_status.get(ticket.status, 0) + 1
    return found


def load_by_status(tickets: Iterable[Ticket], graph: TransitionGraph) -> dict[str, dict[str, int]]:
    """Per employee, their tickets counting toward load, by status id."""
    return counting_load(assigned_counts_of(tickets), graph)


def counting_load(
    counts: Mapping[str, Mapping[str, int]], graph: TransitionGraph
) -> dict[str, dict[str, int]]:
    """Of ``counts`` (per employee, their tickets by current status), the
    statuses counting toward load, each employee's in status-id order;
    employees left with none are absent."""
    counting: dict[str, bool] = {}
    found: dict[str, dict[str, int]] = {}
    for employee, by_status in counts.items():
        kept = {}
        for status in sorted(by_status):
            if status not in counting:
                counting[status] = _counts(graph, status)
            if counting[status] and by_status[status]:
                kept[status] = by_status[status]
        if kept:
            found[employee] = kept
    return found


def load_of_counts(counts: Mapping[str, Mapping[str, int]], graph: TransitionGraph) -> dict[str, int]:
    """Per employee of ``counts`` (their tickets by current status), how many
    are in statuses counting toward load (employees holding none are absent):
    :attr:`StaffSnapshot.load` from the store's ``assigned_counts``."""
    return {employee: sum(kept.values()) for employee, kept in counting_load(counts, graph).items()}


def load_by_employee(tickets: Iterable[Ticket], graph: TransitionGraph) -> dict[str, int]:
    """Per employee, the number of tickets they are responsible for in statuses
    whose ``counts_toward_load`` flag is set (employees holding none are absent)."""
    return load_of_counts(assigned_counts_of(tickets), graph)


@attrs.frozen(kw_only=True)
class WorkloadRow:
    """One employee's workload at ``at``: ``by_status`` counts their tickets
    counting toward load; ``capacity`` None is no limit; ``working`` None means
    no calendar of their own (always available), else whether ``at`` falls in
    their working hours (False also when their calendar is not known)."""

    employee: str
    name: str
    active: bool
    load: int
    by_status: Mapping[str, int] = attrs.field(converter=_readonly_counts, hash=False)
    capacity: int | None
    working: bool | None

    @property
    def at_capacity(self) -> bool:
        """Whether a routing strategy would pass them over for their load."""
        return self.capacity is not None and self.load >= self.capacity

    def to_json(self) -> dict[str, object]:
        """The row as the workload report's JSON object (docs/routing.md,
        "Workload report"): ``working`` null for no calendar of their own."""
        return {
            "employee": self.employee,
            "name": self.name,
            "active": self.active,
            "load": self.load,
            "by_status": dict(self.by_status),
            "capacity": self.capacity,
            "at_capacity": self.at_capacity,
            "working": self.working,
        }


def workload(
    counts: Mapping[str, Mapping[str, int]], graph: TransitionGraph, staff: StaffSnapshot, at: datetime
) -> tuple[WorkloadRow, ...]:
    """A row per employee of ``staff`` (and per unknown employee holding
    tickets counting toward load), by employee id. ``counts`` is, per
    employee, their tickets by current status (what the store's
    ``assigned_counts`` gives, or :func:`load_by_status`); only the statuses
    counting toward load are kept."""
    require_aware(at, "workload instant")
    by_status = counting_load(counts, graph)
    rows = []
    for employee_id in sorted(set(staff.employees) | set(by_status)):
        employee = staff.employees.get(employee_id)
        held = by_status.get(employee_id, {})
        working: bool | None = None
        if employee is not None and employee.calendar is not None:
            calendar = staff.calendars.get(employee.calendar)
            working = calendar is not None and bool(calendar.is_working(at))
        rows.append(
            WorkloadRow(
                employee=employee_id,
                name="" if employee is None else employee.display_name,
                active=employee is not None and employee.active,
                load=sum(held.values()),
                by_status=held,
                capacity=None if employee is None else employee.capacity,
                working=working,
            )
        )
    return tuple(rows)


__all__ = [
    "WorkloadRow",
    "assigned_counts_of",
    "counting_load",
    "load_by_employee",
    "load_by_status",
    "load_of_counts",
    "workload",
]
