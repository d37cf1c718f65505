"""A real in-memory store: the same behaviour as SQLite, kept in a dict."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from helpdesk_core.errors import NotFound
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.storage.protocols import SaveSummary


class MemoryStore:
    """Tickets in a dict; a batch is checked whole before any of it is kept."""

    def __init__(self) -> None:
        self._tickets: dict[str, Ticket] = {}

    def save_tickets(self, tickets: Iterable[Ticket], *, dry_run: bool = False) -> SaveSummary:
        staged = dict(self._tickets)
        created = updated = unchanged = 0
        for ticket in tickets:
            old = staged.get(ticket.id)
            if old is None:
                created += 1
            elif old == ticket:
                unchanged += 1
            else:
                updated += 1
            staged[ticket.id] = ticket
        if not dry_run:
            self._tickets = staged
        return SaveSummary(created, updated, unchanged)

    def get_ticket(self, ticket_id: str) -> Ticket:
        try:
            return self._tickets[ticket_id]
        except KeyError:
            raise NotFound(f"ticket {ticket_id!r} not found") from None

    def iter_tickets(self, *, status: str | None = None, batch_size: int = 1000) -> Iterator[Ticket]:
        ordered = sorted(self._tickets.values(), key=lambda t: (t.created_at, t.id))
        return (t for t in ordered if status is None or t.status == status)

    def count_tickets(self) -> int:
        return len(self._tickets)

    def close(self) -> None:
        self._tickets = {}
