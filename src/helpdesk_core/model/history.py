"""A ticket's history only grows: what a second copy of a stored ticket may add.

Importing a ticket that is already stored compares the two histories. A copy
whose events are the stored ones or their beginning (an older export) brings
nothing new; one that continues them brings the events after the stored ones;
anything else — a registration field that differs, an event that differs —
would rewrite the past and is refused, naming the ticket and the first
difference.
"""

from __future__ import annotations

from typing import Any

import attrs

from helpdesk_core.errors import HistoryError
from helpdesk_core.model.ticket import Event, Ticket

_FILE_KEYS = {
    "initial_status": "status",
    "initial_type": "type",
    "initial_priority": "priority",
    "initial_assignee": "assignee",
}
"""Registration fields under their ticket-history JSONL keys (docs/formats.md)."""


class HistoryDiverges(HistoryError):
    """A copy of a stored ticket that differs from it before its last stored
    event: importing it would rewrite a history, which only grows."""


def events_beyond(stored: Ticket, incoming: Ticket) -> tuple[Event, ...]:
    """The events ``incoming`` adds to ``stored``, the same ticket: none when
    its history equals the stored one or is a beginning of it, the events
    after the stored ones when it continues it.

    Raises :class:`HistoryDiverges` naming the ticket and the first
    difference (a registration field, or ``events[i]`` and what differs)."""
    for field in attrs.fields(Ticket):
        if field.name == "events":
            continue
        before, after = getattr(stored, field.name), getattr(incoming, field.name)
        if before != after:
            key = _FILE_KEYS.get(field.name, field.name)
            raise HistoryDiverges(
                f"ticket {stored.id}: {key} is {_shown(before)} in the store but {_shown(after)} in "
                "the file; a stored ticket's registration is not rewritten by an import"
            )
    shared = min(len(stored.events), len(incoming.events))
    for index in range(shared):
        kept, given = stored.events[index], incoming.events[index]
        if kept != given:
            raise HistoryDiverges(
                f"ticket {stored.id}: events[{index}] differs from the stored history: "
                f"{_difference(kept, given)}; histories are append-only (an import may only "
                "add events after the stored ones)"
            )
    return incoming.events[shared:]


def _difference(kept: Event, given: Event) -> str:
    if type(kept) is not type(given):
        return f"the store has {_event(kept)}, the file {_event(given)}"
    for field in attrs.fields(type(kept)):
        before, after = getattr(kept, field.name), getattr(given, field.name)
        if before != after:
            return (
                f"{_event(kept)}: {field.name} is {_shown(before)} in the store but "
                f"{_shown(after)} in the file"
            )
    return f"the store has {_event(kept)}, the file {_event(given)}"  # pragma: no cover - equal fields


def _event(event: Event) -> str:
    to = getattr(event, "to", None)
    target = f" to {to!r}" if to is not None else ""
    return f"a {event.kind} event{target} at {event.at.isoformat()}"


def _shown(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


__all__ = ["HistoryDiverges", "events_beyond"]
