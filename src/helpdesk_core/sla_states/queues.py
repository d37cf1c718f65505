"""Work queues of the stored SLA states: what an agent's list means, as pure
values and decisions (no I/O; :mod:`~helpdesk_core.desk.sla_queue`
reads the store).

A queue lists tickets that still owe a target, sorted by the earliest due
instant they owe (then ticket id):

* ``overdue`` — a target still owed is past due: ``due <= now``;
* ``at_risk`` — ``at_risk_from <= now < due``;
* ``due_today`` — ``now <= due <`` the end of ``now``'s local day in the
  desk's home zone (the zone of the first configured calendar, UTC without
  calendars);
* none — every ticket that owes something.

The store's index is trusted only when the store setting ``sla.fingerprint``
equals the configuration's fingerprint (:func:`trusts_index`); otherwise the
reader folds every ticket and says so (:func:`stale_store_warning`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.sla.row import SlaRow

QueueState = Literal["overdue", "at_risk", "due_today"]
QUEUE_STATES: tuple[QueueState, ...] = ("overdue", "at_risk", "due_today")
"""The states a queue can list (None lists every ticket that owes something)."""
DEFAULT_LIMIT = 50


@attrs.frozen(kw_only=True)
class QueueEntry:
    """One ticket of a queue: the indexed facts it was found by (``due``, the
    earliest due instant still owed; ``at_risk_from``), who and what it is,
    and its SLA row as of the queue's ``now``."""

    ticket: str
    subject: str
    state: str
    """The row's state as of ``now``: ``at_risk``, ``breached``, ``ok`` …"""
    due: datetime
    at_risk_from: datetime | None
    assignee: str | None
    company: str | None
    status: str
    row: SlaRow

    def to_json(self) -> dict[str, object]:
        """The entry as the CLI writes it (instants ISO-8601 with offset)."""
        return {
            "ticket": self.ticket,
            "subject": self.subject,
            "state": self.state,
            "due": self.due.isoformat(),
            "at_risk_from": None if self.at_risk_from is None else self.at_risk_from.isoformat(),
            "assignee": self.assignee,
            "company": self.company,
            "status": self.status,
        }


QUEUE_COLUMNS = ("ticket", "subject", "state", "due", "at_risk_from", "assignee", "company", "status")
"""The columns of a queue entry, in the CLI's order."""


@attrs.frozen(kw_only=True)
class SlaQueue:
    """A page of a queue as of ``now``: at most ``limit`` entries in due order.
    ``folded``: the store's states were not trusted and every ticket was
    folded (correct, slower); ``warnings`` say why and what refreshes them."""

    state: QueueState | None
    now: datetime
    entries: tuple[QueueEntry, ...]
    folded: bool = False
    warnings: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[QueueEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def end_of_day(now: datetime, zone: ZoneInfo) -> datetime:
    """The first instant after ``now``'s local day in ``zone``."""
    local = now.astimezone(zone).date()
    if local == date.max:
        return datetime.max.replace(tzinfo=UTC)
    return datetime.combine(local + timedelta(days=1), time(), tzinfo=zone)


def store_filters(
    state: QueueState | None, *, now: datetime, zone: ZoneInfo, due_before: datetime | None
) -> tuple[str | None, datetime | None, datetime | None]:
    """The store's ``state``, ``due_from`` and ``due_before`` for ``state``
    (``due_today`` is a due range: ``now`` to the end of the local day, and
    below ``due_before`` too); :class:`ValidationError` for an unknown state."""
    if state is not None and state not in QUEUE_STATES:
        raise ValidationError(f"SLA queue: state {state!r} is not one of {', '.join(QUEUE_STATES)}")
    if state != "due_today":
        return state, None, due_before
    day_end = end_of_day(now, zone)
    return None, now, day_end if due_before is None else min(due_before, day_end)


def trusts_index(setting: str | None, fingerprint: str) -> bool:
    """Whether the store's states may be read for a queue or a count: the
    setting ``sla.fingerprint`` says a complete build under this very
    configuration happened and every writer since kept the states."""
    return setting is not None and setting == fingerprint


def stale_store_warnings(setting: str | None, *, tickets: int) -> tuple[str, ...]:
    """What a queue or the dashboard says when it folded every ticket of a
    store holding ``tickets``: nothing for an empty one (nothing to refresh)."""
    return () if tickets == 0 else (stale_store_warning(setting),)


def stale_store_warning(setting: str | None) -> str:
    """What a queue or the dashboard says when it folded every ticket."""
    why = "were never built" if setting is None else "were computed under another SLA configuration"
    return (
        f"the stored SLA states {why}: every ticket was folded (correct, slower); "
        "run `helpdesk sla rebuild` to refresh them"
    )


__all__ = [
    "DEFAULT_LIMIT",
    "QUEUE_COLUMNS",
    "QUEUE_STATES",
    "QueueEntry",
    "QueueState",
    "SlaQueue",
    "end_of_day",
    "stale_store_warning",
    "stale_store_warnings",
    "store_filters",
    "trusts_index",
]
