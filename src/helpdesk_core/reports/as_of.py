"""What a ticket looked like at one instant: the facts reports filter and
group by, folded over the history up to ``as_of`` (later events are ignored,
so a report as of last month shows last month's priorities and assignees)."""

from __future__ import annotations

from datetime import datetime

import attrs

from helpdesk_core.model.ticket import Assignment, PriorityChange, StatusChange, Ticket, TypeChange


@attrs.frozen
class TicketAsOf:
    """The status, priority, type and responsible of a ticket at an instant.
    ``assignee`` is an employee or group id, None when nobody is responsible."""

    status: str
    priority: str | None
    type: str | None
    assignee: str | None


def ticket_as_of(ticket: Ticket, as_of: datetime) -> TicketAsOf:
    """The facts of ``ticket`` after every event at or before ``as_of``."""
    status = ticket.initial_status
    priority = ticket.initial_priority
    type_ = ticket.initial_type
    assignee = None if ticket.initial_assignee is None else ticket.initial_assignee.id
    for event in ticket.events:
        if event.at > as_of:
            break
        if isinstance(event, StatusChange):
            status = event.to
        elif isinstance(event, Assignment):
            assignee = event.to
        elif isinstance(event, PriorityChange):
            priority = event.to
        elif isinstance(event, TypeChange):
            type_ = event.to
    return TicketAsOf(status, priority, type_, assignee)


__all__ = ["TicketAsOf", "ticket_as_of"]
