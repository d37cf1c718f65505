"""Reading the workload report (:func:`helpdesk_core.routing.load.workload`)
from a store: the imperative shell behind ``helpdesk report workload``.

Every employee record is read (they are few); the tickets are not: the store
counts each employee's tickets by current status from its assignee index
(:meth:`~helpdesk_core.storage.protocols.TicketReader.assigned_counts`),
everybody holding a ticket at once — employees the store has no record of
included, so tickets held by somebody unknown are not lost from sight.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from helpdesk_core.model.checks import require_aware
from helpdesk_core.routing.load import WorkloadRow, workload
from helpdesk_core.routing.staff import StaffSnapshot

if TYPE_CHECKING:
    from helpdesk_core.config import Configuration
    from helpdesk_core.model.staff import Employee
    from helpdesk_core.storage.protocols import Reader, TicketReader


class WorkloadSources(Protocol):
    """What the report reads: a :class:`~helpdesk_core.storage.Store` or a
    :class:`~helpdesk_core.storage.UnitOfWork`."""

    @property
    def tickets(self) -> TicketReader: ...

    @property
    def employees(self) -> Reader[Employee]: ...


def workload_report(store: WorkloadSources, config: Configuration, at: datetime) -> tuple[WorkloadRow, ...]:
    """Each employee's load at ``at`` — their tickets in statuses counting
    toward load, by status —, capacity and whether ``at`` is inside their
    working hours (on their own calendar of ``config``), by employee id; a row
    too for each unknown employee holding such tickets. Tickets held by a
    group count for nobody."""
    require_aware(at, "workload report: at")
    staff = StaffSnapshot.of((stored.value for stored in store.employees.iter()), calendars=config.calendars)
    return workload(store.tickets.assigned_counts(None), config.graph, staff, at)


__all__ = ["WorkloadSources", "workload_report"]
