"""The application service: load → decide → save.

The desk is the imperative shell around the pure domain. It owns the store and
the clock; every CLI command is one call here, so a Python caller can do
anything the terminal can.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.catalog import Catalogs
from helpdesk_core.model.staff import Employee
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.serialization import ticket_from_json
from helpdesk_core.storage.protocols import SaveSummary, Store, save_all
from helpdesk_core.workflow import AutomationPolicy, StatusCategory, TransitionGraph, check_history


class ImportRefused(ValidationError):
    """An import file with a bad line; nothing of the file was stored."""


def read_ticket_histories(
    lines: Iterable[str],
    *,
    graph: TransitionGraph,
    policy: AutomationPolicy | None = None,
    catalogs: Catalogs | None = None,
    source: str = "input",
) -> Iterator[Ticket]:
    """Parse ticket-history JSONL and replay each history through the workflow.

    Raises :class:`ImportRefused` naming ``source``, the line number (1-based)
    and the reason at the first line that cannot be imported. Blank lines are
    skipped; a ticket id seen twice in one file is refused.
    """
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            ticket = ticket_from_json(line)
            check_history(ticket, graph, policy=policy)
            if catalogs is not None:
                catalogs.check_ticket(ticket)
        except ValidationError as error:
            raise ImportRefused(f"{source} line {number}: {error}") from None
        if ticket.id in seen:
            raise ImportRefused(
                f"{source} line {number}: ticket {ticket.id} appears again (first on line {seen[ticket.id]})"
            )
        seen[ticket.id] = number
        yield ticket


def import_ticket_histories(
    path: Path | str,
    *,
    store: Store,
    graph: TransitionGraph,
    policy: AutomationPolicy | None = None,
    catalogs: Catalogs | None = None,
    dry_run: bool = False,
) -> SaveSummary:
    """Import a ticket-history JSONL file all-or-nothing: every line is checked
    before anything is written, and the write is one transaction."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig") as file:
            tickets = list(
                read_ticket_histories(file, graph=graph, policy=policy, catalogs=catalogs, source=str(path))
            )
    except FileNotFoundError:
        raise ImportRefused(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise ImportRefused(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    with store.unit_of_work() as uow:
        summary = save_all(uow.tickets, tickets)
        if not dry_run:
            uow.commit()
    return summary


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


__all__ = [
    "ImportRefused",
    "deactivate_employee",
    "import_ticket_histories",
    "read_ticket_histories",
    "unclosed_tickets_of",
]
