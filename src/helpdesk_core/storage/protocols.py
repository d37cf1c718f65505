"""What the desk needs from a store, as Protocols any backend can satisfy.

This is the small interface of the foundation; the full repositories, unit of
work and optimistic concurrency come with the storage layer proper.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

import attrs

from helpdesk_core.model.ticket import Ticket


@attrs.frozen
class SaveSummary:
    """What a batch save did, ticket by ticket: counts of each outcome."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class TicketStore(Protocol):
    """Tickets with their histories, saved all-or-nothing per batch."""

    def save_tickets(self, tickets: Iterable[Ticket], *, dry_run: bool = False) -> SaveSummary:
        """Insert or replace tickets by id in one transaction: all or nothing.
        A ticket equal to the stored one is left alone and counted unchanged."""
        ...

    def get_ticket(self, ticket_id: str) -> Ticket:
        """The ticket with this id; :class:`NotFound` when there is none."""
        ...

    def iter_tickets(self, *, status: str | None = None, batch_size: int = 1000) -> Iterator[Ticket]:
        """Every ticket (optionally only those now in ``status``), ordered by
        creation instant then id, read in batches so memory stays flat."""
        ...

    def count_tickets(self) -> int:
        """How many tickets the store holds."""
        ...

    def close(self) -> None:
        """Release the connection; the store is unusable afterwards."""
        ...


__all__ = ["SaveSummary", "TicketStore"]
