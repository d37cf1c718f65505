"""What the live desk keeps beside the aggregates, on any SQL store: the
out-box, the schedule and the named sequences (tables of schema 4 on SQLite,
3 on PostgreSQL).

**Counters.** Out-box positions and sequence numbers come from counter rows
(``outbox_head``, ``sequences``) incremented by ``UPDATE … RETURNING`` or
``INSERT … ON CONFLICT DO UPDATE … RETURNING``. The statement locks the row
until the transaction ends — PostgreSQL's row lock; SQLite's one writer, whose
unit of work already holds the write lock from ``BEGIN IMMEDIATE`` — so a
second transaction waits and then reads the committed value: positions and
numbers are gap-free in commit order, and a rolled-back one is handed out again.

**Schedule.** ``ticket_schedule(ticket_id, wake_us, checked_us)``: ``wake_us``
is the wake-up in UTC microseconds, :data:`STALE_US` while stale (below every
instant, so stale entries come first in due order) and NULL with nothing
ahead. The index ``(wake_us, ticket_id)`` makes :meth:`SqlScheduleReader.due`
a range scan and :meth:`SqlScheduleReader.next_wakeup` one index probe.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from helpdesk_core.errors import ConflictError, NotFound, ValidationError
from helpdesk_core.model.domain_events import DomainEvent, OutboxEntry, ScheduleEntry
from helpdesk_core.serialization import domain_event_from_json, domain_event_to_json
from helpdesk_core.storage.documents import from_utc_microseconds, utc_microseconds
from helpdesk_core.storage.protocols import DEFAULT_BATCH_SIZE, DEFAULT_CONSUMER, STALE_WAKEUP

if TYPE_CHECKING:  # sql.py builds these objects: no import at run time
    from helpdesk_core.storage.sql import Borrow, Row, Session

STALE_US = -(2**62)
"""``wake_us`` of a stale entry: below every stored instant."""

MARK_STALE = (
    "INSERT INTO ticket_schedule (ticket_id, wake_us, checked_us) VALUES (?, ?, NULL) "
    "ON CONFLICT (ticket_id) DO UPDATE SET wake_us = excluded.wake_us"
)
"""Marks a ticket's entry stale (creating it), keeping ``checked_us``;
parameters: the ticket id, :data:`STALE_US`."""


def mark_stale(session: Session, ticket_id: str) -> None:
    """A ticket was written: its wake-up is unknown until the scheduler looks."""
    session.run(MARK_STALE, (ticket_id, STALE_US))


def forget_schedule(session: Session, ticket_id: str) -> None:
    """A ticket was deleted: so is its entry."""
    session.run("DELETE FROM ticket_schedule WHERE ticket_id = ?", (ticket_id,))


def _us(instant: datetime | None) -> int | None:
    return None if instant is None else utc_microseconds(instant)


def _instant(us: int | None) -> datetime | None:
    return None if us is None else from_utc_microseconds(us)


def _entry(row: Row) -> ScheduleEntry:
    ticket, wake_us, checked_us = row
    stale = wake_us == STALE_US
    return ScheduleEntry(
        ticket=ticket,
        wake_at=None if stale else _instant(wake_us),
        checked_through=_instant(checked_us),
        stale=stale,
    )


def _due_key(entry: ScheduleEntry) -> tuple[int, str]:
    if entry.stale or entry.wake_at is None:
        return (STALE_US, entry.ticket)
    return (utc_microseconds(entry.wake_at), entry.ticket)


def _outbox_entries(rows: list[Row]) -> list[OutboxEntry]:
    return [OutboxEntry(position=int(p), event=domain_event_from_json(d)) for p, d in rows]


class SqlOutboxReader:
    """Reads the out-box (each call one snapshot)."""

    def __init__(self, borrow: Borrow) -> None:
        self._borrow = borrow

    def entries(self, *, after: int = 0, limit: int = DEFAULT_BATCH_SIZE) -> list[OutboxEntry]:
        with self._borrow() as session:
            rows = session.rows(
                "SELECT position, document FROM outbox WHERE position > ? ORDER BY position LIMIT ?",
                (after, max(limit, 0)),
            )
        return _outbox_entries(rows)

    def acknowledged(self, consumer: str = DEFAULT_CONSUMER) -> int:
        with self._borrow() as session:
            return _acknowledged(session, consumer)

    def pending(
        self, consumer: str = DEFAULT_CONSUMER, *, limit: int = DEFAULT_BATCH_SIZE
    ) -> list[OutboxEntry]:
        with self._borrow() as session:
            rows = session.rows(
                "SELECT position, document FROM outbox WHERE position > ? ORDER BY position LIMIT ?",
                (_acknowledged(session, consumer), max(limit, 0)),
            )
        return _outbox_entries(rows)

    def last_position(self) -> int:
        with self._borrow() as session:
            return _last_position(session)


def _acknowledged(session: Session, consumer: str) -> int:
    row = session.one("SELECT acknowledged FROM outbox_consumers WHERE consumer = ?", (consumer,))
    return 0 if row is None else int(row[0])


def _last_position(session: Session) -> int:
    row = session.one("SELECT position FROM outbox_head")
    return 0 if row is None else int(row[0])


class SqlOutbox(SqlOutboxReader):
    """The out-box inside a unit of work."""

    def append(self, events: Sequence[DomainEvent]) -> list[OutboxEntry]:
        documents = [domain_event_to_json(event) for event in events]
        if not documents:
            return []
        with self._borrow() as session:
            rows = session.rows(
                "UPDATE outbox_head SET position = position + ? RETURNING position", (len(documents),)
            )
            first = int(rows[0][0]) - len(documents) + 1
            session.run_many(
                "INSERT INTO outbox (position, document) VALUES (?, ?)",
                [(first + n, document) for n, document in enumerate(documents)],
            )
        return _outbox_entries([(first + n, d) for n, d in enumerate(documents)])

    def rewrite(self, entry: OutboxEntry) -> None:
        document = domain_event_to_json(entry.event)
        with self._borrow() as session:
            changed = session.run(
                "UPDATE outbox SET document = ? WHERE position = ?", (document, entry.position)
            )
        if changed != 1:
            raise NotFound(f"out-box entry {entry.position} not found")

    def acknowledge(self, consumer: str, through: int) -> None:
        with self._borrow() as session:
            last = _last_position(session)
            if through > last:
                raise ValidationError(
                    f"out-box consumer {consumer!r}: cannot acknowledge position {through}, "
                    f"the last entry is at {last}"
                )
            session.run(
                "INSERT INTO outbox_consumers (consumer, acknowledged) VALUES (?, ?) "
                "ON CONFLICT (consumer) DO UPDATE SET acknowledged = CASE "
                "WHEN outbox_consumers.acknowledged < excluded.acknowledged "
                "THEN excluded.acknowledged ELSE outbox_consumers.acknowledged END",
                (consumer, max(through, 0)),
            )


class SqlScheduleReader:
    """Reads the schedule through its ``(wake_us, ticket_id)`` index."""

    def __init__(self, borrow: Borrow) -> None:
        self._borrow = borrow

    def find(self, ticket: str) -> ScheduleEntry | None:
        with self._borrow() as session:
            row = session.one(
                "SELECT ticket_id, wake_us, checked_us FROM ticket_schedule WHERE ticket_id = ?", (ticket,)
            )
        return None if row is None else _entry(row)

    def due(
        self, now: datetime, *, after: ScheduleEntry | None = None, limit: int = DEFAULT_BATCH_SIZE
    ) -> list[ScheduleEntry]:
        start = (STALE_US - 1, "") if after is None else _due_key(after)
        with self._borrow() as session:
            rows = session.rows(DUE, (utc_microseconds(now), *start, max(limit, 0)))
        return [_entry(row) for row in rows]

    def next_wakeup(self) -> datetime | None:
        with self._borrow() as session:
            row = session.one(NEXT_WAKEUP)
        if row is None or row[0] is None:
            return None
        return STALE_WAKEUP if row[0] == STALE_US else from_utc_microseconds(row[0])


DUE = (
    "SELECT ticket_id, wake_us, checked_us FROM ticket_schedule "
    "WHERE wake_us <= ? AND (wake_us, ticket_id) > (?, ?) ORDER BY wake_us, ticket_id LIMIT ?"
)
"""Due entries: a range scan of ``ticket_schedule_by_wakeup``."""
NEXT_WAKEUP = "SELECT min(wake_us) FROM ticket_schedule"
"""The earliest wake-up: one probe at the start of ``ticket_schedule_by_wakeup``."""


class SqlSchedule(SqlScheduleReader):
    """The schedule inside a unit of work. ``find`` locks the entry until the
    transaction ends where the database can (``lock=" FOR UPDATE"`` on
    PostgreSQL; SQLite's unit of work holds the write lock already): a
    scheduler that reads the entry before the ticket cannot compute a wake-up
    from a ticket another writer changes meanwhile."""

    def __init__(self, borrow: Borrow, *, lock: str = "") -> None:
        super().__init__(borrow)
        self._lock = lock

    def find(self, ticket: str) -> ScheduleEntry | None:
        with self._borrow() as session:
            row = session.one(
                "SELECT ticket_id, wake_us, checked_us FROM ticket_schedule WHERE ticket_id = ?" + self._lock,
                (ticket,),
            )
        return None if row is None else _entry(row)

    def put(self, entry: ScheduleEntry, *, checked_through_was: datetime | None) -> None:
        values = (_us(entry.wake_at), _us(entry.checked_through), entry.ticket)
        with self._borrow() as session:
            if checked_through_was is None:
                changed = session.run(
                    "UPDATE ticket_schedule SET wake_us = ?, checked_us = ? "
                    "WHERE ticket_id = ? AND checked_us IS NULL",
                    values,
                )
            else:
                changed = session.run(
                    "UPDATE ticket_schedule SET wake_us = ?, checked_us = ? "
                    "WHERE ticket_id = ? AND checked_us = ?",
                    (*values, utc_microseconds(checked_through_was)),
                )
            if changed == 1:
                return
            row = session.one("SELECT checked_us FROM ticket_schedule WHERE ticket_id = ?", (entry.ticket,))
            if row is None and checked_through_was is None:
                session.run(
                    "INSERT INTO ticket_schedule (wake_us, checked_us, ticket_id) VALUES (?, ?, ?)", values
                )
                return
        stored = "no entry" if row is None else _said(_instant(row[0]))
        raise ConflictError(
            f"ticket {entry.ticket}: schedule checked through {stored}, not {_said(checked_through_was)}: "
            "another scheduler handled it meanwhile; retry"
        )

    def mark_all_stale(self) -> int:
        with self._borrow() as session:
            return session.run(
                "UPDATE ticket_schedule SET wake_us = ? WHERE wake_us IS NULL OR wake_us <> ?",
                (STALE_US, STALE_US),
            )


def _said(instant: datetime | None) -> str:
    return "never" if instant is None else instant.isoformat()


class SqlSequences:
    """Named gap-free counters inside a unit of work (rows of ``sequences``)."""

    def __init__(self, borrow: Borrow) -> None:
        self._borrow = borrow

    def next(self, name: str, *, start: int = 1) -> int:
        with self._borrow() as session:
            rows = session.rows(
                "INSERT INTO sequences (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value",
                (name, start),
            )
        return int(rows[0][0])

    def advance(self, name: str, to: int) -> None:
        with self._borrow() as session:
            session.run(
                "INSERT INTO sequences (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = CASE WHEN sequences.value < excluded.value "
                "THEN excluded.value ELSE sequences.value END",
                (name, to),
            )

    def current(self, name: str) -> int | None:
        with self._borrow() as session:
            row = session.one("SELECT value FROM sequences WHERE name = ?", (name,))
        return None if row is None else int(row[0])


__all__ = [
    "DUE",
    "NEXT_WAKEUP",
    "STALE_US",
    "SqlOutbox",
    "SqlOutboxReader",
    "SqlSchedule",
    "SqlScheduleReader",
    "SqlSequences",
    "forget_schedule",
    "mark_stale",
]
