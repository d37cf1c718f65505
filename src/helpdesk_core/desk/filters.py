"""Refusing a filter the desk does not know, before a report or a list runs.

A mistyped filter (``--company C-9999``, ``--status opne``) would select no
ticket and look like a quiet desk: a cron job's ``--fail-on-breach`` would pass
forever. So every filter is checked first: an unknown **id** (a company, an
assignee) raises :class:`NotFound` (exit code 3), an unknown **value** (a
status, a priority) raises :class:`ValidationError` (exit code 2), each with
the closest known spellings.

What the desk knows:

- a company: stored as a company, or named by a stored ticket (tickets may be
  imported before, or without, the customer base);
- an assignee: a stored employee or employee group, or responsible for a
  stored ticket at some point of its history;
- a status: one of the configured status graph, or the current status of a
  stored ticket (a status dropped from the configuration since);
- a priority: one of the configured priority catalog; without a catalog, one
  a stored ticket has had.

The first two questions of each list are answered by an index; the stored
tickets are read only for an id or value found nowhere else (a typo, or a
store whose tickets name what was never registered).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from helpdesk_core.errors import NotFound, ValidationError
from helpdesk_core.model.ticket import Assignment, PriorityChange, Ticket
from helpdesk_core.suggestions import did_you_mean

if TYPE_CHECKING:  # a ticket list needs neither the reports nor the storage modules loaded for this
    from helpdesk_core.model.catalog import Catalogs
    from helpdesk_core.reports.sla_report import ReportFilter
    from helpdesk_core.storage.protocols import Store
    from helpdesk_core.workflow import TransitionGraph


def _any(tickets: Iterable[object]) -> bool:
    return next(iter(tickets), None) is not None


def _seen(
    store: Store, facts: Callable[[Ticket], Iterable[str | None]], wanted: str
) -> tuple[bool, set[str]]:
    """Whether a stored ticket's ``facts`` include ``wanted``, and every fact
    read until then (the spellings to suggest)."""
    seen: set[str] = set()
    for stored in store.tickets.iter_tickets():
        for fact in facts(stored.value):
            if fact == wanted:
                return True, seen
            if fact is not None:
                seen.add(fact)
    return False, seen


def check_company(store: Store, company: str) -> None:
    """Refuse a company id that is neither stored nor named by a stored ticket."""
    if store.companies.find(company) is not None:
        return
    if _any(store.tickets.iter_tickets(company=company, batch_size=1)):
        return
    known = (stored.value.id for stored in store.companies.iter())
    raise NotFound(
        f"company {company!r} is not known (no such company, and no ticket of it)"
        f"{did_you_mean(company, known)}"
    )


def _assignees(ticket: Ticket) -> Iterator[str | None]:
    yield None if ticket.initial_assignee is None else ticket.initial_assignee.id
    for event in ticket.events:
        if isinstance(event, Assignment):
            yield event.to


def check_assignee(store: Store, assignee: str) -> None:
    """Refuse an assignee id that is neither a stored employee or employee
    group nor ever responsible for a stored ticket."""
    if store.employees.find(assignee) is not None or store.employee_groups.find(assignee) is not None:
        return
    found, seen = _seen(store, _assignees, assignee)
    if found:
        return
    known = [
        *seen,
        *(stored.value.id for stored in store.employees.iter()),
        *(stored.value.id for stored in store.employee_groups.iter()),
    ]
    raise NotFound(
        f"assignee {assignee!r} is not known (no such employee or group, and no ticket assigned to it)"
        f"{did_you_mean(assignee, known)}"
    )


def check_status(store: Store, status: str, *, graph: TransitionGraph) -> None:
    """Refuse a status that neither the graph nor a stored ticket has."""
    if graph.knows(status) or _any(store.tickets.iter_tickets(status=status, batch_size=1)):
        return
    raise ValidationError(
        f"unknown status {status!r} (known: {', '.join(graph.ids)}){did_you_mean(status, graph.ids)}"
    )


def _priorities(ticket: Ticket) -> Iterator[str | None]:
    yield ticket.initial_priority
    for event in ticket.events:
        if isinstance(event, PriorityChange):
            yield event.to


def check_priority(store: Store, priority: str, *, catalogs: Catalogs) -> None:
    """Refuse a priority outside the configured catalog; without a catalog,
    one no stored ticket has ever had."""
    configured = catalogs.known_values().get("priority")
    if configured is not None:
        if priority in configured:
            return
        known: Iterable[str] = configured
        listed = f" (known: {', '.join(configured)})"
    else:
        found, seen = _seen(store, _priorities, priority)
        if found:
            return
        known, listed = seen, " (no priority catalog is configured, and no stored ticket has it)"
    raise ValidationError(f"unknown priority {priority!r}{listed}{did_you_mean(priority, known)}")


def check_report_filter(store: Store, only: ReportFilter, *, catalogs: Catalogs) -> None:
    """Refuse a report filter naming a company, assignee or priority the desk
    does not know (see the module's notes): values first, then ids."""
    if only.priority is not None:
        check_priority(store, only.priority, catalogs=catalogs)
    if only.company is not None:
        check_company(store, only.company)
    if only.assignee is not None:
        check_assignee(store, only.assignee)


def check_list_filter(
    store: Store,
    *,
    status: str | None = None,
    company: str | None = None,
    assignee: str | None = None,
    graph: TransitionGraph,
) -> None:
    """Refuse a ticket-list filter naming a status, company or assignee the
    desk does not know (see the module's notes): the value first, then ids."""
    if status is not None:
        check_status(store, status, graph=graph)
    if company is not None:
        check_company(store, company)
    if assignee is not None:
        check_assignee(store, assignee)


__all__ = [
    "check_assignee",
    "check_company",
    "check_list_filter",
    "check_priority",
    "check_report_filter",
    "check_status",
]
