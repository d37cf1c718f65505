"""New ticket ids from the configured sequence: ``T-1001``, ``T-1002``, …

The number comes from the store's gap-free counter inside the registering
unit of work, so two concurrent registrations never get the same id and a
rolled-back registration gives its number back. Ids already taken (tickets
imported under the same pattern) are skipped, in probes of many ids at once
so that a store of 100,000 imported tickets costs a few hundred lookups
the first time, not 100,000.
"""

from __future__ import annotations

from helpdesk_core.config import DeskSettings
from helpdesk_core.storage.protocols import UnitOfWork

SEQUENCE = "ticket_number"
"""The name of the counter of ticket numbers."""

_PROBE = 256


def allocate_ticket_id(uow: UnitOfWork, settings: DeskSettings) -> str:
    """The next free id of ``settings``' pattern; counts it as used in ``uow``."""
    number = uow.sequences.next(SEQUENCE, start=settings.first_ticket_number)
    while True:
        candidates = [settings.ticket_id(number + offset) for offset in range(_PROBE)]
        taken = uow.tickets.taken(candidates)
        for offset, candidate in enumerate(candidates):
            if candidate not in taken:
                if offset:
                    uow.sequences.advance(SEQUENCE, number + offset)
                return candidate
        number += _PROBE
        uow.sequences.advance(SEQUENCE, number)


__all__ = ["SEQUENCE", "allocate_ticket_id"]
