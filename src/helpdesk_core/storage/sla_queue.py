"""What every store checks and means by the SLA-state table's writes and work
queues: one record's plain values made ready for storing, and one queue
request checked and reduced to UTC microseconds (see
:class:`~helpdesk_core.storage.protocols.SlaStateReader`). Pure: no I/O."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.storage.documents import utc_microseconds
from helpdesk_core.storage.protocols import SLA_QUEUE_STATES, SlaStateRecord

CLOCK_STATES = ("counting", "paused", "stopped")
"""The values of :attr:`SlaStateRecord.clock`."""
QUEUE_ORDERS = ("due",)
"""The orders of a queue: by due instant, then ticket id."""
_INSTANTS = ("due", "at_risk_from", "next_change", "reaction_due", "resolution_due", "breached_from")


def stored_record(record: SlaStateRecord) -> SlaStateRecord:
    """``record`` as every store keeps it: its instants in UTC, not stale.
    :class:`ValidationError` naming the ticket and the field for a naive
    instant, an unknown clock state or a value of the wrong type."""
    where = f"SLA state of ticket {record.ticket!r}"
    if not isinstance(record.ticket, str) or not record.ticket:
        raise ValidationError(f"SLA state: ticket must be a non-empty text, got {record.ticket!r}")
    for name in ("document", "fingerprint"):
        if not isinstance(getattr(record, name), str):
            raise ValidationError(f"{where}: {name} must be a text, got {getattr(record, name)!r}")
    for name in ("assignee", "company", "status_category", "status"):
        value = getattr(record, name)
        if value is not None and not isinstance(value, str):
            raise ValidationError(f"{where}: {name} must be a text or None, got {value!r}")
    for name in ("reacted", "resolved"):
        if not isinstance(getattr(record, name), bool):
            raise ValidationError(f"{where}: {name} must be True or False, got {getattr(record, name)!r}")
    if record.clock not in CLOCK_STATES:
        raise ValidationError(
            f"{where}: clock {record.clock!r} is not one of {', '.join(CLOCK_STATES)}"
        )
    instants: dict[str, datetime | None] = {}
    for name in _INSTANTS:
        value = getattr(record, name)
        if value is not None:
            if not isinstance(value, datetime) or value.utcoffset() is None:
                raise ValidationError(f"{where}: {name} must be an aware date-time, got {value!r}")
            value = value.astimezone(UTC)
        instants[name] = value
    return attrs.evolve(record, stale=False, **instants)  # type: ignore[arg-type]


@attrs.frozen
class QueueRequest:
    """A checked :meth:`~helpdesk_core.storage.protocols.SlaStateReader.queue`
    call, instants in UTC microseconds; ``after`` is the keyset position
    ``(due_us, ticket)`` to start strictly after."""

    now: int | None
    state: str | None
    due_from: int | None
    due_before: int | None
    assignee: str | None
    without_responsible: bool
    company: str | None
    limit: int
    after: tuple[int, str] | None

    def admits(self, record: SlaStateRecord) -> bool:
        """Whether ``record`` belongs to this queue (the memory store's filter;
        the SQL stores say the same in their ``WHERE``)."""
        if record.due is None:
            return False
        due = utc_microseconds(record.due)
        if self.after is not None and (due, record.ticket) <= self.after:
            return False
        if self.now is not None and self.state == "overdue" and not due <= self.now:
            return False
        if self.now is not None and self.state == "at_risk":
            at_risk = None if record.at_risk_from is None else utc_microseconds(record.at_risk_from)
            if not (due > self.now and at_risk is not None and at_risk <= self.now):
                return False
        if self.due_from is not None and due < self.due_from:
            return False
        if self.due_before is not None and due >= self.due_before:
            return False
        if self.without_responsible and record.assignee is not None:
            return False
        if self.assignee is not None and record.assignee != self.assignee:
            return False
        return self.company is None or record.company == self.company


def _us(value: datetime | None, name: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValidationError(f"SLA queue: {name} must be an aware date-time, got {value!r}")
    return utc_microseconds(value)


def queue_request(
    *,
    now: datetime | None,
    state: str | None,
    due_from: datetime | None,
    due_before: datetime | None,
    assignee: str | None,
    without_responsible: bool,
    company: str | None,
    order: str,
    limit: int,
    after: SlaStateRecord | None,
) -> QueueRequest:
    """The queue call checked: :class:`ValidationError` naming the argument
    for an unknown state or order, a state without ``now``, a naive instant,
    a limit that is not a whole number >= 0, or an assignee together with
    ``without_responsible``."""
    if state is not None and state not in SLA_QUEUE_STATES:
        raise ValidationError(f"SLA queue: state {state!r} is not one of {', '.join(SLA_QUEUE_STATES)}")
    if state is not None and now is None:
        raise ValidationError(f"SLA queue: state {state!r} needs now")
    if order not in QUEUE_ORDERS:
        raise ValidationError(f"SLA queue: order {order!r} is not one of {', '.join(QUEUE_ORDERS)}")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise ValidationError(f"SLA queue: limit must be a whole number >= 0, got {limit!r}")
    if assignee is not None and without_responsible:
        raise ValidationError(
            f"SLA queue: assignee {assignee!r} and without_responsible exclude each other"
        )
    position = None
    if after is not None:
        if after.due is None:
            raise ValidationError(f"SLA queue: after (ticket {after.ticket!r}) has no due instant")
        position = (utc_microseconds(after.due), after.ticket)
    return QueueRequest(
        now=_us(now, "now"),
        state=state,
        due_from=_us(due_from, "due_from"),
        due_before=_us(due_before, "due_before"),
        assignee=assignee,
        without_responsible=without_responsible,
        company=company,
        limit=limit,
        after=position,
    )


__all__ = ["CLOCK_STATES", "QUEUE_ORDERS", "QueueRequest", "queue_request", "stored_record"]
