"""New ticket ids from the configured sequence: ``T-1001``, ``T-1002``, …

The number comes from the store's gap-free counter inside the registering
unit of work, so two concurrent registrations never get the same id and a
rolled-back registration gives its number back. Ids already taken (tickets
imported under the same pattern) are skipped, in probes of many ids at once
so that a store of 100,000 imported tickets costs a few hundred lookups
the first time, not 100,000. :func:`allocate_id` does the same for any
numbered pattern (the contacts intake creates: ``[intake] contact_ids``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from helpdesk_core.config import DeskSettings
from helpdesk_core.storage.protocols import UnitOfWork

SEQUENCE = "ticket_number"
"""The name of the counter of ticket numbers."""

_PROBE = 256


def allocate_id(
    uow: UnitOfWork,
    *,
    sequence: str,
    start: int,
    id_of: Callable[[int], str],
    taken: Callable[[list[str]], Collection[str]],
) -> str:
    """The next id ``id_of(n)`` that ``taken`` does not report, ``n`` from the
    counter ``sequence`` (first ``start``); counts it as used in ``uow``."""
    number = uow.sequences.next(sequence, start=start)
    while True:
        candidates = [id_of(number + offset) for offset in range(_PROBE)]
        held = taken(candidates)
        for offset, candidate in enumerate(candidates):
            if candidate not in held:
                if offset:
                    uow.sequences.advance(sequence, number + offset)
                return candidate
        number += _PROBE
        uow.sequences.advance(sequence, number)


def allocate_ticket_id(uow: UnitOfWork, settings: DeskSettings) -> str:
    """The next free id of ``settings``' pattern; counts it as used in ``uow``."""
    return allocate_id(
        uow,
        sequence=SEQUENCE,
        start=settings.first_ticket_number,
        id_of=settings.ticket_id,
        taken=uow.tickets.taken,
    )


__all__ = ["SEQUENCE", "allocate_id", "allocate_ticket_id"]
