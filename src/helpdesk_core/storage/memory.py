"""A real in-memory store with the same transaction semantics as the databases.

The committed state is a set of dicts that are never changed once published.
A unit of work starts from the committed state as it is (snapshot isolation),
copies a table on its first write to it, and records the version each written
aggregate had when it first touched it. :meth:`MemoryUnitOfWork.commit` takes
the store's lock, refuses with :class:`ConflictError` when another unit of
work committed a different version of any of those aggregates meanwhile, and
publishes new tables holding the committed state plus this unit's writes.

The schedule is one more table (an entry per ticket, conflict-checked like an
aggregate). The out-box and the sequences are counters: a unit of work that
appends to the out-box or takes a number holds the store's *counter* until it
commits or rolls back (as a database holds a counter row's lock), so positions
and numbers are gap-free in commit order. A second unit of work of the same
thread asking for the counter would wait for itself forever; it is refused
with :class:`StorageUnavailable` instead.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Generic, TypeVar

import attrs

from helpdesk_core.errors import ConflictError, NotFound, StorageUnavailable, ValidationError
from helpdesk_core.model.assets import Equipment, ServiceObject
from helpdesk_core.model.contracts import Contract
from helpdesk_core.model.domain_events import DomainEvent, OutboxEntry, ScheduleEntry
from helpdesk_core.model.parties import Company, Contact, CustomerGroup
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import Event, Ticket
from helpdesk_core.privacy.audit import AuditRecord
from helpdesk_core.privacy.consent import ConsentLedger
from helpdesk_core.privacy.holds import LegalHold
from helpdesk_core.serialization import domain_event_from_json, domain_event_to_json
from helpdesk_core.storage.documents import (
    KINDS,
    PRIVACY_KINDS,
    assigned_counts_of,
    by_name,
    event_document,
    from_utc_microseconds,
    ticket_header,
    utc_microseconds,
)
from helpdesk_core.storage.protocols import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONSUMER,
    STALE_WAKEUP,
    SlaStateCounts,
    SlaStateRecord,
    StandingState,
    Stored,
    TextCell,
    TicketPosition,
    TicketShortcuts,
    TicketWithSlaState,
)
from helpdesk_core.storage.sla_queue import queue_request, stored_record

T = TypeVar("T")

TICKETS = "tickets"
SCHEDULE = "schedule"
SETTINGS = "settings"
SLA_STATES = "ticket_sla"
OUTBOX = "outbox"
COUNTER_WAIT = 30.0
"""Seconds a unit of work waits for another one's out-box and sequence counter."""
SCHEMA_VERSION = 1
"""The memory store has no schema; it reports the SQL backends' latest number."""

Tables = dict[str, dict[str, Stored[Any]]]
ExternalIds = dict[str, dict[str, str]]


@attrs.frozen
class _Snapshot:
    tables: Tables
    external: ExternalIds
    outbox: tuple[OutboxEntry, ...] = ()
    acknowledged: Mapping[str, int] = attrs.field(factory=dict)
    sequences: Mapping[str, int] = attrs.field(factory=dict)


def _empty() -> _Snapshot:
    names = [TICKETS, SCHEDULE, SETTINGS, SLA_STATES, *(k.name for k in (*KINDS, *PRIVACY_KINDS))]
    return _Snapshot({n: {} for n in names}, {n: {} for n in names})


class MemoryLookup(Generic[T]):
    """Reads one table of a snapshot (the committed one, or a unit of work's)."""

    def __init__(self, name: str, label: str, view: Callable[[], _Snapshot]) -> None:
        self._name = name
        self._label = label
        self._view = view

    def _table(self) -> Mapping[str, Stored[T]]:
        return self._view().tables[self._name]

    def get(self, id: str) -> Stored[T]:
        found = self.find(id)
        if found is None:
            raise NotFound(f"{self._label} {id!r} not found")
        return found

    def find(self, id: str) -> Stored[T] | None:
        return self._table().get(id)

    def count(self) -> int:
        return len(self._table())


class MemoryReader(MemoryLookup[T]):
    """Reads companies, contacts and the other kinds with external ids."""

    def get_by_external_id(self, external_id: str) -> Stored[T] | None:
        snapshot = self._view()
        id = snapshot.external[self._name].get(external_id)
        return None if id is None else snapshot.tables[self._name].get(id)

    def find_many(self, ids: Iterable[str]) -> dict[str, Stored[T]]:
        table = self._table()
        return {id: table[id] for id in ids if id in table}

    def find_many_by_external_id(self, external_ids: Iterable[str]) -> dict[str, Stored[T]]:
        snapshot = self._view()
        index, table = snapshot.external[self._name], snapshot.tables[self._name]
        return {e: table[index[e]] for e in external_ids if e in index}

    def iter(self, *, after: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[Stored[T]]:
        table = self._table()
        for id in sorted(table):
            if after is None or id > after:
                yield table[id]


class MemoryTicketReader(MemoryLookup[Ticket]):
    """Reads tickets; streaming sorts the snapshot once per call."""

    def find_many(self, ids: Iterable[str]) -> dict[str, Stored[Ticket]]:
        table = self._table()
        return {id: table[id] for id in dict.fromkeys(ids) if id in table}

    def taken(self, ids: Iterable[str]) -> set[str]:
        table = self._table()
        return {id for id in ids if id in table}

    def iter_tickets(
        self,
        *,
        after: TicketPosition | None = None,
        status: str | None = None,
        company: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        through: TicketPosition | None = None,
        active_since: datetime | None = None,
    ) -> Iterator[Stored[Ticket]]:
        since = None if active_since is None else utc_microseconds(active_since)
        start = None if after is None else (utc_microseconds(after[0]), after[1])
        end = None if through is None else (utc_microseconds(through[0]), through[1])
        for key, stored in self._keyed():
            if start is not None and key <= start:
                continue
            if end is not None and key > end:
                return
            if status is not None and stored.value.status != status:
                continue
            if company is not None and stored.value.company != company:
                continue
            if since is not None and utc_microseconds(stored.value.updated_at) < since:
                continue
            yield stored

    def _keyed(self) -> list[tuple[tuple[int, str], Stored[Ticket]]]:
        return sorted(
            ((utc_microseconds(s.value.created_at), s.value.id), s) for s in self._table().values()
        )

    def positions(self, every: int, *, company: str | None = None) -> list[TicketPosition]:
        if every < 1:
            raise ValueError(f"positions: every must be at least 1, got {every}")
        keys = [
            key for key, stored in self._keyed() if company is None or stored.value.company == company
        ]
        return [
            (from_utc_microseconds(created_us), id) for created_us, id in keys[every - 1 :: every]
        ]

    def assigned_counts(self, employees: Collection[str] | None) -> dict[str, dict[str, int]]:
        return assigned_counts_of((stored.value for stored in self._table().values()), employees)

    def latest_event(self) -> datetime | None:
        return max((s.value.updated_at for s in self._table().values()), default=None)

    def iter_with_sla_states(
        self,
        fingerprint: str,
        *,
        after: TicketPosition | None = None,
        through: TicketPosition | None = None,
        company: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Iterator[TicketWithSlaState]:
        view = self._view()  # tickets and states of one snapshot
        states = view.tables[SLA_STATES]
        start = None if after is None else (utc_microseconds(after[0]), after[1])
        end = None if through is None else (utc_microseconds(through[0]), through[1])
        tickets: Mapping[str, Stored[Ticket]] = view.tables[TICKETS]
        keyed = sorted(((utc_microseconds(s.value.created_at), s.value.id), s) for s in tickets.values())
        for key, stored in keyed:
            ticket = stored.value
            if (start is not None and key <= start) or (company is not None and ticket.company != company):
                continue
            if end is not None and key > end:
                return
            kept = states.get(ticket.id)
            unusable = (
                "missing" if kept is None
                else "stale" if kept.value.ticket_version != stored.version
                else "configuration" if kept.value.record.fingerprint != fingerprint
                else None
            )  # fmt: skip
            yield TicketWithSlaState(
                ticket.id, ticket.created_at, ticket.company,
                kept.value.record.document if unusable is None and kept is not None else None,
                ticket if unusable is not None else None, unusable,
            )  # fmt: skip


class _Writes:
    """The writes of one unit of work over its own copy of the snapshot."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._holds = False
        self.begin()

    def begin(self) -> None:
        base = self._store._committed
        self.snapshot = _Snapshot(
            dict(base.tables), dict(base.external), base.outbox, base.acknowledged, base.sequences
        )
        self.copied: set[str] = set()
        self.base_versions: dict[tuple[str, str], int | None] = {}
        self.release_counter()
        self.appended: list[OutboxEntry] = []
        self.rewritten: dict[int, OutboxEntry] = {}
        self.acknowledged: dict[str, int] = {}
        self.sequences: dict[str, int] = {}

    @property
    def holds_counter(self) -> bool:
        return self._holds

    def hold_counter(self) -> None:
        """Take the store's out-box and sequence counter until this unit of
        work ends; read the committed out-box and sequences afresh under it."""
        if self._holds:
            return
        store = self._store
        if store._counter_owner == threading.get_ident():
            raise StorageUnavailable(
                "memory store: another unit of work of this thread holds the out-box and sequence "
                "counter (a nested unit of work would wait for itself); commit or leave it first"
            )
        if not store._counter.acquire(timeout=COUNTER_WAIT):
            raise StorageUnavailable(
                f"memory store: the out-box and sequence counter stayed held by another unit of work "
                f"for {COUNTER_WAIT:.0f} s"
            )
        store._counter_owner = threading.get_ident()
        self._holds = True
        committed = store._committed
        self.snapshot = attrs.evolve(self.snapshot, outbox=committed.outbox, sequences=committed.sequences)

    def release_counter(self) -> None:
        if self._holds:
            self._holds = False
            self._store._counter_owner = None
            self._store._counter.release()

    def view(self) -> _Snapshot:
        return self.snapshot

    def put(self, name: str, label: str, id: str, stored: Stored[Any] | None) -> None:
        if name not in self.copied:
            self.snapshot.tables[name] = dict(self.snapshot.tables[name])
            self.snapshot.external[name] = dict(self.snapshot.external[name])
            self.copied.add(name)
        table = self.snapshot.tables[name]
        external = self.snapshot.external[name]
        old = table.get(id)
        new_external = None if stored is None else getattr(stored.value, "external_id", None)
        if new_external is not None and external.get(new_external, id) != id:
            raise ConflictError(
                f"{label} {id}: external id {new_external!r} already belongs to {label} "
                f"{external[new_external]}"
            )
        self.base_versions.setdefault((name, id), None if old is None else old.version)
        old_external = None if old is None else getattr(old.value, "external_id", None)
        if old_external is not None:
            external.pop(old_external, None)
        if stored is None:
            table.pop(id, None)
        else:
            table[id] = stored
            if new_external is not None:
                external[new_external] = id

    def commit(self) -> None:
        with self._store._lock:
            current = self._store._committed
            for (name, id), base in self.base_versions.items():
                now = current.tables[name].get(id)
                now_version = None if now is None else now.version
                if now_version != base:
                    raise ConflictError(
                        f"{name} {id}: another writer committed first (this unit of work read "
                        f"version {base}, the store now holds {now_version}); retry"
                    )
            tables = dict(current.tables)
            externals = dict(current.external)
            for name in self.copied:
                ids = [i for n, i in self.base_versions if n == name]
                table = dict(current.tables[name])
                external = dict(current.external[name])
                for id in ids:
                    old = table.pop(id, None)
                    old_external = None if old is None else getattr(old.value, "external_id", None)
                    if old_external is not None and external.get(old_external) == id:
                        del external[old_external]
                for id in ids:
                    mine = self.snapshot.tables[name].get(id)
                    if mine is None:
                        continue
                    table[id] = mine
                    new_external = getattr(mine.value, "external_id", None)
                    if new_external is not None:
                        if external.get(new_external, id) != id:
                            raise ConflictError(
                                f"{name} {id}: external id {new_external!r} was taken by "
                                f"{external[new_external]} meanwhile; retry"
                            )
                        external[new_external] = id
                tables[name] = table
                externals[name] = external
            outbox, sequences = current.outbox, current.sequences
            if self.rewritten:
                outbox = tuple(self.rewritten.get(e.position, e) for e in outbox)
            if self.holds_counter:
                outbox = (*outbox, *self.appended)
                sequences = {**current.sequences, **self.sequences}
            acknowledged = dict(current.acknowledged)
            for consumer, through in self.acknowledged.items():
                acknowledged[consumer] = max(through, acknowledged.get(consumer, 0))
            self._store._committed = _Snapshot(tables, externals, outbox, acknowledged, sequences)
        self.begin()


class _MemoryWriter(Generic[T]):
    def __init__(self, name: str, label: str, writes: _Writes) -> None:
        self._w_name = name
        self._w_label = label
        self._writes = writes

    def add(self, value: T) -> int:
        return self.save(value, expected_version=None)

    def save(self, value: T, *, expected_version: int | None) -> int:
        id: str = value.id  # type: ignore[attr-defined]
        current = self._writes.snapshot.tables[self._w_name].get(id)
        _check_version(self._w_label, id, expected_version, current)
        version = 1 if expected_version is None else expected_version + 1
        self._writes.put(self._w_name, self._w_label, id, Stored(value, version))
        return version

    def delete(self, id: str, *, expected_version: int) -> None:
        current = self._writes.snapshot.tables[self._w_name].get(id)
        _check_version(self._w_label, id, expected_version, current)
        self._writes.put(self._w_name, self._w_label, id, None)


def _check_version(label: str, id: str, expected: int | None, current: Stored[Any] | None) -> None:
    if expected is None and current is not None:
        raise ConflictError(f"{label} {id} already exists (version {current.version})")
    if expected is not None and current is None:
        raise ConflictError(f"{label} {id}: expected version {expected}, but it is gone")
    if expected is not None and current is not None and current.version != expected:
        raise ConflictError(
            f"{label} {id}: expected version {expected}, the store holds {current.version}; "
            "somebody else saved it first"
        )


class MemoryRepository(MemoryReader[T], _MemoryWriter[T]):
    """Reads and writes one kind inside a memory unit of work."""

    def __init__(self, name: str, label: str, writes: _Writes) -> None:
        MemoryReader.__init__(self, name, label, writes.view)
        _MemoryWriter.__init__(self, name, label, writes)

    def add_many(self, values: Iterable[T]) -> int:
        return sum(self.add(value) for value in values)


class MemoryTicketRepository(MemoryTicketReader, _MemoryWriter[Ticket]):
    """Reads and writes tickets inside a memory unit of work; every write
    marks the ticket's schedule entry stale, a delete removes it."""

    def __init__(self, writes: _Writes) -> None:
        MemoryTicketReader.__init__(self, TICKETS, "ticket", writes.view)
        _MemoryWriter.__init__(self, TICKETS, "ticket", writes)

    def save(self, value: Ticket, *, expected_version: int | None) -> int:
        version = _MemoryWriter.save(self, value, expected_version=expected_version)
        table = self._writes.snapshot.tables[SCHEDULE]
        old = table.get(value.id)
        entry = ScheduleEntry(
            ticket=value.id, checked_through=None if old is None else old.value.checked_through, stale=True
        )
        self._writes.put(SCHEDULE, "schedule entry", value.id, Stored(entry, _next_version(old)))
        return version

    def delete(self, id: str, *, expected_version: int) -> None:
        _MemoryWriter.delete(self, id, expected_version=expected_version)
        for name, label in ((SCHEDULE, "schedule entry"), (SLA_STATES, "SLA state")):
            if id in self._writes.snapshot.tables[name]:
                self._writes.put(name, label, id, None)

    def append(self, id: str, events: Sequence[Event], *, expected_version: int) -> int:
        current = self._writes.snapshot.tables[TICKETS].get(id)
        _check_version("ticket", id, expected_version, current)
        assert current is not None
        ticket = attrs.evolve(current.value, events=(*current.value.events, *events))
        return self.save(ticket, expected_version=expected_version)


def _next_version(old: Stored[Any] | None) -> int:
    return 1 if old is None else old.version + 1


def _due_key(entry: ScheduleEntry) -> tuple[int, int, str]:
    """Where an entry stands in due order: stale ones first, then by wake-up."""
    if entry.stale or entry.wake_at is None:
        return (0, 0, entry.ticket)
    return (1, utc_microseconds(entry.wake_at), entry.ticket)


class MemoryOutboxReader:
    """Reads the out-box of a snapshot (the committed one, or a unit of work's)."""

    def __init__(self, view: Callable[[], _Snapshot]) -> None:
        self._outbox_view = view

    def _entries(self) -> Sequence[OutboxEntry]:
        return self._outbox_view().outbox

    def _acknowledged(self) -> Mapping[str, int]:
        return self._outbox_view().acknowledged

    def entries(self, *, after: int = 0, limit: int = DEFAULT_BATCH_SIZE) -> list[OutboxEntry]:
        entries = self._entries()  # position p is at index p - 1
        return list(entries[max(after, 0) : max(after, 0) + max(limit, 0)])

    def acknowledged(self, consumer: str = DEFAULT_CONSUMER) -> int:
        return self._acknowledged().get(consumer, 0)

    def pending(
        self, consumer: str = DEFAULT_CONSUMER, *, limit: int = DEFAULT_BATCH_SIZE
    ) -> list[OutboxEntry]:
        return self.entries(after=self.acknowledged(consumer), limit=limit)

    def last_position(self) -> int:
        return len(self._entries())


class MemoryOutbox(MemoryOutboxReader):
    """The out-box inside a memory unit of work."""

    def __init__(self, writes: _Writes) -> None:
        super().__init__(writes.view)
        self._writes = writes

    def _entries(self) -> Sequence[OutboxEntry]:
        rewritten = self._writes.rewritten
        committed = self._writes.snapshot.outbox
        if rewritten:
            committed = tuple(rewritten.get(e.position, e) for e in committed)
        return (*committed, *self._writes.appended)

    def _acknowledged(self) -> Mapping[str, int]:
        mine = self._writes.acknowledged
        base = self._writes.snapshot.acknowledged
        return {c: max(base.get(c, 0), mine.get(c, 0)) for c in {*base, *mine}}

    def append(self, events: Sequence[DomainEvent]) -> list[OutboxEntry]:
        # Each event goes through the JSON the SQL stores keep: what one store
        # refuses (NaN, a date-time object in data), every store refuses.
        kept = [domain_event_from_json(domain_event_to_json(event)) for event in events]
        if not kept:
            return []
        self._writes.hold_counter()
        first = self.last_position() + 1
        entries = [OutboxEntry(position=first + i, event=e) for i, e in enumerate(kept)]
        self._writes.appended.extend(entries)
        return entries

    def rewrite(self, entry: OutboxEntry) -> None:
        kept = attrs.evolve(entry, event=domain_event_from_json(domain_event_to_json(entry.event)))
        writes = self._writes
        if 1 <= entry.position <= len(writes.snapshot.outbox):
            writes.rewritten[entry.position] = kept
        elif 0 < entry.position - len(writes.snapshot.outbox) <= len(writes.appended):
            writes.appended[entry.position - len(writes.snapshot.outbox) - 1] = kept
        else:
            raise NotFound(f"out-box entry {entry.position} not found")

    def acknowledge(self, consumer: str, through: int) -> None:
        last = max(self.last_position(), len(self._writes._store._committed.outbox))
        if through > last:
            raise ValidationError(
                f"out-box consumer {consumer!r}: cannot acknowledge position {through}, "
                f"the last entry is at {last}"
            )
        if through > self.acknowledged(consumer):
            self._writes.acknowledged[consumer] = through


class MemoryScheduleReader:
    """Reads the schedule table of a snapshot."""

    def __init__(self, view: Callable[[], _Snapshot]) -> None:
        self._schedule_view = view

    def _schedule(self) -> Mapping[str, Stored[ScheduleEntry]]:
        return self._schedule_view().tables[SCHEDULE]

    def find(self, ticket: str) -> ScheduleEntry | None:
        stored = self._schedule().get(ticket)
        return None if stored is None else stored.value

    def due(
        self, now: datetime, *, after: ScheduleEntry | None = None, limit: int = DEFAULT_BATCH_SIZE
    ) -> list[ScheduleEntry]:
        now_key = (1, utc_microseconds(now), "\U0010ffff" * 8)
        start = None if after is None else _due_key(after)
        due = sorted(
            (key, stored.value)
            for stored in self._schedule().values()
            if (stored.value.stale or stored.value.wake_at is not None)
            and (key := _due_key(stored.value)) <= now_key
            and (start is None or key > start)
        )
        return [entry for _, entry in due[: max(limit, 0)]]

    def next_wakeup(self) -> datetime | None:
        earliest: datetime | None = None
        for stored in self._schedule().values():
            entry = stored.value
            if entry.stale:
                return STALE_WAKEUP
            if entry.wake_at is not None and (earliest is None or entry.wake_at < earliest):
                earliest = entry.wake_at
        return earliest


class MemorySchedule(MemoryScheduleReader):
    """The schedule inside a memory unit of work."""

    def __init__(self, writes: _Writes) -> None:
        super().__init__(writes.view)
        self._writes = writes

    def put(self, entry: ScheduleEntry, *, checked_through_was: datetime | None) -> None:
        old = self._writes.snapshot.tables[SCHEDULE].get(entry.ticket)
        stored_through = None if old is None else old.value.checked_through
        if stored_through != checked_through_was:  # aware instants: equal when the same instant
            raise ConflictError(
                f"ticket {entry.ticket}: schedule checked through "
                f"{'never' if stored_through is None else stored_through.isoformat()}, not "
                f"{'never' if checked_through_was is None else checked_through_was.isoformat()}: "
                "another scheduler handled it meanwhile; retry"
            )
        kept = attrs.evolve(entry, stale=False)
        self._writes.put(SCHEDULE, "schedule entry", entry.ticket, Stored(kept, _next_version(old)))

    def mark_all_stale(self) -> int:
        marked = 0
        for ticket, stored in list(self._writes.snapshot.tables[SCHEDULE].items()):
            if not stored.value.stale:
                stale = ScheduleEntry(ticket=ticket, checked_through=stored.value.checked_through, stale=True)
                self._writes.put(SCHEDULE, "schedule entry", ticket, Stored(stale, stored.version + 1))
                marked += 1
        return marked


class MemorySettingsReader:
    """Reads the settings table of a snapshot."""

    def __init__(self, view: Callable[[], _Snapshot]) -> None:
        self._settings_view = view

    def get(self, key: str) -> str | None:
        stored = self._settings_view().tables[SETTINGS].get(key)
        return None if stored is None else str(stored.value)


class MemorySettings(MemorySettingsReader):
    """The settings inside a memory unit of work: compare-and-set on the value
    now, and on the version read at the commit."""

    def __init__(self, writes: _Writes) -> None:
        super().__init__(writes.view)
        self._writes = writes

    def put(self, key: str, value: str, *, expected: str | None) -> None:
        old = self._writes.snapshot.tables[SETTINGS].get(key)
        stored = None if old is None else old.value
        if stored != expected:
            raise ConflictError(
                f"store setting {key!r} is {'unset' if stored is None else repr(stored)}, not "
                f"{'unset' if expected is None else repr(expected)}: "
                "another writer changed it meanwhile; retry"
            )
        self._writes.put(SETTINGS, "store setting", key, Stored(value, _next_version(old)))


@attrs.frozen
class _KeptSlaState:
    """An SLA state as the memory store keeps it: the record and the version
    of its ticket it was put at (read back stale once the ticket moved on)."""

    record: SlaStateRecord
    ticket_version: int


class MemorySlaStateReader:
    """Reads the SLA-state table of a snapshot; a queue sorts the snapshot's
    matching records."""

    def __init__(self, view: Callable[[], _Snapshot]) -> None:
        self._sla_view = view

    def _record(self, kept: _KeptSlaState) -> SlaStateRecord:
        ticket = self._sla_view().tables[TICKETS].get(kept.record.ticket)
        stale = ticket is None or ticket.version != kept.ticket_version
        return attrs.evolve(kept.record, stale=True) if stale else kept.record

    def _states(self) -> Mapping[str, Stored[_KeptSlaState]]:
        return self._sla_view().tables[SLA_STATES]

    def get(self, ticket: str) -> SlaStateRecord | None:
        stored = self._states().get(ticket)
        return None if stored is None else self._record(stored.value)

    def fingerprints(self, tickets: Iterable[str]) -> dict[str, str]:
        states = self._states()
        found = {t: self._record(states[t].value) for t in tickets if t in states}
        return {t: "" if record.stale else record.fingerprint for t, record in found.items()}

    def count(self) -> int:
        return len(self._states())

    def standing(
        self, fingerprint: str, *, after: str | None = None, limit: int = DEFAULT_BATCH_SIZE
    ) -> list[StandingState]:
        tickets = self._sla_view().tables[TICKETS]
        states = self._states()
        ids = heapq.nsmallest(limit, (t for t in tickets if after is None or t > after))
        found = []
        for ticket in ids:
            kept = states.get(ticket)
            record = None if kept is None else self._record(kept.value)
            if record is None or record.stale or record.fingerprint != fingerprint:
                found.append(StandingState(ticket))
            else:
                found.append(StandingState(ticket, record.company, record.document))
        return found

    def queue(
        self,
        *,
        now: datetime | None = None,
        state: str | None = None,
        due_from: datetime | None = None,
        due_before: datetime | None = None,
        assignee: str | None = None,
        without_responsible: bool = False,
        company: str | None = None,
        order: str = "due",
        limit: int = DEFAULT_BATCH_SIZE,
        after: SlaStateRecord | None = None,
    ) -> list[SlaStateRecord]:
        request = queue_request(
            now=now, state=state, due_from=due_from, due_before=due_before, assignee=assignee,
            without_responsible=without_responsible, company=company, order=order, limit=limit, after=after,
        )  # fmt: skip
        found = sorted(
            ((utc_microseconds(s.value.record.due), s.value.record.ticket), s.value)  # type: ignore[arg-type]
            for s in self._states().values()
            if request.admits(s.value.record)
        )
        return [self._record(kept) for _, kept in found[: request.limit]]


    def _settled(self, fingerprint: str, as_of: datetime) -> Iterator[SlaStateRecord]:
        """The records :meth:`dashboard_counts` counts, open ones only."""
        tickets = self._sla_view().tables[TICKETS]
        for stored in self._states().values():
            record = self._record(stored.value)
            ticket = tickets.get(record.ticket)
            if (
                ticket is None
                or record.stale
                or record.fingerprint != fingerprint
                or record.status_category is None
                or ticket.value.updated_at > as_of
            ):
                continue
            if record.status_category not in ("resolved", "closed"):
                yield record

    def dashboard_counts(
        self, *, fingerprint: str, as_of: datetime, day_end: datetime, initial_status: str
    ) -> SlaStateCounts:
        counts = dict.fromkeys(("open", "overdue", "in_progress", "due_today", "without_responsible"), 0)
        moving: list[tuple[str, str]] = []
        for record in self._settled(fingerprint, as_of):
            counts["open"] += 1
            counts["without_responsible"] += record.assignee is None
            if record.status_category != "waiting" and record.status != initial_status:
                counts["in_progress"] += 1
            if record.breached_from is not None and record.breached_from <= as_of:
                counts["overdue"] += 1
                continue
            if record.clock == "paused" and record.resolution_due is None and not record.resolved:
                moving.append((record.ticket, record.document))
                continue
            pending = [record.resolution_due, None if record.reacted else record.reaction_due]
            counts["due_today"] += any(due is not None and as_of <= due < day_end for due in pending)
        return SlaStateCounts(**counts, moving=tuple(sorted(moving)))

    def unsettled(self, *, fingerprint: str, as_of: datetime, open_statuses: Collection[str]) -> list[str]:
        states = self._states()
        found = []
        for stored in self._sla_view().tables[TICKETS].values():
            ticket = stored.value
            if ticket.created_at > as_of:
                continue
            if ticket.updated_at > as_of:
                found.append(ticket.id)
                continue
            if ticket.status not in open_statuses:
                continue
            kept = states.get(ticket.id)
            record = None if kept is None else self._record(kept.value)
            if (
                record is None
                or record.stale
                or record.fingerprint != fingerprint
                or record.status_category is None
            ):
                found.append(ticket.id)
        return sorted(found)


class MemorySlaStates(MemorySlaStateReader):
    """The SLA states inside a memory unit of work."""

    def __init__(self, writes: _Writes) -> None:
        super().__init__(writes.view)
        self._writes = writes

    def put(self, record: SlaStateRecord) -> None:
        kept = stored_record(record)
        ticket = self._writes.snapshot.tables[TICKETS].get(kept.ticket)
        if ticket is None:
            raise NotFound(f"SLA state of ticket {kept.ticket!r}: the store holds no such ticket")
        old = self._writes.snapshot.tables[SLA_STATES].get(kept.ticket)
        row = Stored(_KeptSlaState(kept, ticket.version), _next_version(old))
        self._writes.put(SLA_STATES, "SLA state", kept.ticket, row)

    def put_many(
        self, records: Iterable[SlaStateRecord], *, ticket_versions: Mapping[str, int] | None = None
    ) -> int:
        written = 0
        for record in records:
            if ticket_versions is not None:
                ticket = self._writes.snapshot.tables[TICKETS].get(record.ticket)
                if ticket is None or ticket.version != ticket_versions.get(record.ticket):
                    continue
            self.put(record)
            written += 1
        return written

    def delete(self, ticket: str) -> bool:
        if ticket not in self._writes.snapshot.tables[SLA_STATES]:
            return False
        self._writes.put(SLA_STATES, "SLA state", ticket, None)
        return True

    def delete_all(self) -> int:
        tickets = list(self._writes.snapshot.tables[SLA_STATES])
        for ticket in tickets:
            self._writes.put(SLA_STATES, "SLA state", ticket, None)
        return len(tickets)

    def mark_stale(self, company: str) -> int:
        marked = 0
        for ticket, stored in list(self._writes.snapshot.tables[SLA_STATES].items()):
            kept = stored.value
            if kept.record.company == company and kept.ticket_version != 0:
                # no ticket has version 0: read back stale
                row = Stored(_KeptSlaState(kept.record, 0), stored.version + 1)
                self._writes.put(SLA_STATES, "SLA state", ticket, row)
                marked += 1
        return marked


class MemorySequences:
    """Named gap-free counters inside a memory unit of work."""

    def __init__(self, writes: _Writes) -> None:
        self._writes = writes

    def current(self, name: str) -> int | None:
        mine = self._writes.sequences.get(name)
        return mine if mine is not None else self._writes.snapshot.sequences.get(name)

    def next(self, name: str, *, start: int = 1) -> int:
        self._writes.hold_counter()
        last = self.current(name)
        value = start if last is None else last + 1
        self._writes.sequences[name] = value
        return value

    def advance(self, name: str, to: int) -> None:
        self._writes.hold_counter()
        last = self.current(name)
        if last is None or last < to:
            self._writes.sequences[name] = to


class MemoryUnitOfWork:
    """One transaction over a memory store: see the module docstring."""

    def __init__(self, store: MemoryStore) -> None:
        self._writes = _Writes(store)
        w = self._writes
        self.tickets = MemoryTicketRepository(w)
        self.companies: MemoryRepository[Company] = MemoryRepository("companies", "company", w)
        self.contacts: MemoryRepository[Contact] = MemoryRepository("contacts", "contact", w)
        self.customer_groups: MemoryRepository[CustomerGroup] = MemoryRepository(
            "customer_groups", "customer group", w
        )
        self.contracts: MemoryRepository[Contract] = MemoryRepository("contracts", "contract", w)
        self.service_objects: MemoryRepository[ServiceObject] = MemoryRepository(
            "service_objects", "service object", w
        )
        self.equipment: MemoryRepository[Equipment] = MemoryRepository("equipment", "equipment", w)
        self.employees: MemoryRepository[Employee] = MemoryRepository("employees", "employee", w)
        self.employee_groups: MemoryRepository[EmployeeGroup] = MemoryRepository(
            "employee_groups", "employee group", w
        )
        self.audit_records: MemoryRepository[AuditRecord] = MemoryRepository(
            "audit_records", "audit record", w
        )
        self.consents: MemoryRepository[ConsentLedger] = MemoryRepository("consents", "consent ledger", w)
        self.legal_holds: MemoryRepository[LegalHold] = MemoryRepository("legal_holds", "legal hold", w)
        self.outbox = MemoryOutbox(w)
        self.schedule = MemorySchedule(w)
        self.sequences = MemorySequences(w)
        self.settings = MemorySettings(w)
        self.sla_states = MemorySlaStates(w)

    def commit(self) -> None:
        self._writes.commit()

    def rollback(self) -> None:
        self._writes.begin()


class MemoryStore(TicketShortcuts):
    """Everything in the process: ``memory://``. Lost when the process ends."""

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self._lock = threading.Lock()
        self._counter = threading.Lock()
        self._counter_owner: int | None = None
        self._committed = _empty()
        view = self._view
        self.tickets = MemoryTicketReader(TICKETS, "ticket", view)
        self.companies: MemoryReader[Company] = MemoryReader("companies", "company", view)
        self.contacts: MemoryReader[Contact] = MemoryReader("contacts", "contact", view)
        self.customer_groups: MemoryReader[CustomerGroup] = MemoryReader(
            "customer_groups", "customer group", view
        )
        self.contracts: MemoryReader[Contract] = MemoryReader("contracts", "contract", view)
        self.service_objects: MemoryReader[ServiceObject] = MemoryReader(
            "service_objects", "service object", view
        )
        self.equipment: MemoryReader[Equipment] = MemoryReader("equipment", "equipment", view)
        self.employees: MemoryReader[Employee] = MemoryReader("employees", "employee", view)
        self.employee_groups: MemoryReader[EmployeeGroup] = MemoryReader(
            "employee_groups", "employee group", view
        )
        self.audit_records: MemoryReader[AuditRecord] = MemoryReader("audit_records", "audit record", view)
        self.consents: MemoryReader[ConsentLedger] = MemoryReader("consents", "consent ledger", view)
        self.legal_holds: MemoryReader[LegalHold] = MemoryReader("legal_holds", "legal hold", view)
        self.outbox = MemoryOutboxReader(view)
        self.schedule = MemoryScheduleReader(view)
        self.settings = MemorySettingsReader(view)
        self.sla_states = MemorySlaStateReader(view)

    def _view(self) -> _Snapshot:
        return self._committed

    @contextmanager
    def unit_of_work(self) -> Iterator[MemoryUnitOfWork]:
        uow = MemoryUnitOfWork(self)
        try:
            yield uow
        finally:
            uow.rollback()

    def schema_version(self) -> int:
        return SCHEMA_VERSION

    def scan_text(self, *, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[TextCell]:
        """Every aggregate of the committed state as the JSON documents an SQL
        backend would keep: ticket headers, events, and one document per aggregate."""
        snapshot = self._committed
        kinds = by_name()
        for entry in snapshot.outbox:
            yield TextCell(OUTBOX, str(entry.position), "document", domain_event_to_json(entry.event))
        for name, table in snapshot.tables.items():
            if name == SCHEDULE:
                continue  # ticket ids and instants only
            if name == SETTINGS:
                for key, stored in table.items():
                    yield TextCell("store_settings", key, "value", stored.value)
                continue
            if name == SLA_STATES:
                for id, stored in table.items():
                    yield TextCell(name, id, "document", stored.value.record.document)
                continue
            for id, stored in table.items():
                if name == TICKETS:
                    yield TextCell(name, id, "header", ticket_header(stored.value))
                    for seq, event in enumerate(stored.value.events):
                        yield TextCell("ticket_events", f"{id} {seq}", "document", event_document(event))
                else:
                    yield TextCell(name, id, "document", kinds[name].encode(stored.value))
                    external = getattr(stored.value, "external_id", None)
                    if external is not None:
                        yield TextCell(name, id, "external_id", external)

    def scrub(self, tables: Sequence[str] = ()) -> str:
        return "memory store: erased values are dropped with the objects; nothing is on disk"

    def close(self) -> None:
        self._committed = _empty()


__all__ = ["MemoryStore", "MemoryUnitOfWork"]
