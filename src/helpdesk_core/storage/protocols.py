"""What the desk needs from a store, as Protocols any backend can satisfy.

The interfaces are narrow and stacked by capability (after pyeventsourcing):

* a :class:`Reader` reads one kind of aggregate — by id, by external id, all of
  them in id order; a :class:`TicketReader` adds streaming of tickets with their
  histories in ``(created_at, id)`` order;
* a :class:`Repository` is a reader that also writes, and exists only inside a
  :class:`UnitOfWork`; a :class:`TicketRepository` adds appending events;
* a :class:`Store` hands out readers (each read is its own short transaction)
  and units of work (one transaction each, **rolled back unless committed**).

**Versions.** The model classes are frozen values without a version field, so
a repository returns each aggregate wrapped as :class:`Stored` ``(value,
version)``. Version 1 is the first save; every successful save, append or
delete of the aggregate is based on the version it read (``expected_version``)
and bumps it by one. A write based on a stale version raises
:class:`~helpdesk_core.errors.ConflictError` — from the write itself or at the
latest from :meth:`UnitOfWork.commit` — and nothing of the unit of work is
kept. There is never a lost update.

**Errors** are storage-neutral: ``NotFound``, ``ConflictError``,
``StorageUnavailable`` from :mod:`helpdesk_core.errors`; every adapter
translates its driver's exceptions (``raise ConflictError(...) from e``). After
a ``ConflictError`` the unit of work is spoiled: leave the ``with`` block and
retry in a fresh one.

**References** between aggregates (a contact's company, a contract's
companies) are ids checked by the domain and the imports, not by the store: a
bundle may be saved in any order within one unit of work.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Generic, NamedTuple, Protocol, TypeVar

import attrs

from helpdesk_core.model.assets import Equipment, ServiceObject
from helpdesk_core.model.contracts import Contract
from helpdesk_core.model.domain_events import DomainEvent, OutboxEntry, ScheduleEntry
from helpdesk_core.model.parties import Company, Contact, CustomerGroup
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import Event, Ticket
from helpdesk_core.privacy.audit import AuditRecord
from helpdesk_core.privacy.consent import ConsentLedger
from helpdesk_core.privacy.holds import LegalHold

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)

TicketPosition = tuple[datetime, str]
"""Where a ticket stands in the streaming order: ``(created_at, id)``."""

DEFAULT_BATCH_SIZE = 1000
"""Rows fetched per round trip while streaming (tickets or aggregates)."""

STALE_WAKEUP = datetime(1970, 1, 1, tzinfo=UTC)
"""What :meth:`ScheduleReader.next_wakeup` answers while a ticket's wake-up is
unknown (written by an import): an instant long past, i.e. look now."""


@attrs.frozen
class Stored(Generic[T]):
    """An aggregate as the store holds it: the value and its version.

    ``version`` is a whole number >= 1 that grows by one with every write of
    this aggregate; pass it back as ``expected_version`` to write again.
    """

    value: T
    version: int


@attrs.frozen
class SaveSummary:
    """What a batch save did, aggregate by aggregate: counts of each outcome."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class Lookup(Protocol[T]):
    """Finds aggregates of one kind by ``id``."""

    def get(self, id: str) -> Stored[T]:
        """The aggregate with this id; :class:`NotFound` when there is none."""
        ...

    def find(self, id: str) -> Stored[T] | None:
        """The aggregate with this id, or None."""
        ...

    def count(self) -> int:
        """How many aggregates of this kind the store holds."""
        ...


class Reader(Lookup[T], Protocol[T]):
    """Reads one kind of customer-base or staff aggregate, each identified by
    its ``id`` and optionally by a unique ``external_id`` (the key of upserting
    imports)."""

    def get_by_external_id(self, external_id: str) -> Stored[T] | None:
        """The aggregate whose ``external_id`` is this, or None (external ids are
        unique per kind of aggregate)."""
        ...

    def find_many(self, ids: Iterable[str]) -> dict[str, Stored[T]]:
        """The aggregates with these ids, keyed by id; ids the store does not
        hold are left out. Few round trips however many ids (imports look up
        a batch of rows at once)."""
        ...

    def find_many_by_external_id(self, external_ids: Iterable[str]) -> dict[str, Stored[T]]:
        """The aggregates with these external ids, keyed by external id; unknown
        ones are left out. Few round trips however many ids."""
        ...

    def iter(self, *, after: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[Stored[T]]:
        """Every aggregate in id order (code-point order), starting after id
        ``after``; read ``batch_size`` at a time so memory stays flat."""
        ...


class Writer(Protocol[T_contra]):
    """Writes one kind of aggregate; only a unit of work hands one out."""

    def add(self, value: T_contra) -> int:
        """Store a new aggregate; returns its version (1). :class:`ConflictError`
        when the id, or the external id, is already taken."""
        ...

    def save(self, value: T_contra, *, expected_version: int | None) -> int:
        """Store ``value`` replacing version ``expected_version`` (``None``: it
        must be new, as :meth:`add`); returns the new version.

        :class:`ConflictError` when the stored version is another one (somebody
        saved or deleted it meanwhile), or the external id belongs to another
        aggregate.
        """
        ...

    def delete(self, id: str, *, expected_version: int) -> None:
        """Remove the aggregate. :class:`ConflictError` when its version is not
        ``expected_version`` or it is already gone."""
        ...


class Repository(Reader[T], Writer[T], Protocol[T]):
    """Reads and writes one kind of aggregate inside a unit of work."""

    def add_many(self, values: Iterable[T]) -> int:
        """Store new aggregates, each at version 1, in few round trips; returns
        how many. :class:`ConflictError` when an id or external id is taken
        (then leave the unit of work: which of them were stored is undefined)."""
        ...


class TicketReader(Lookup[Ticket], Protocol):
    """Reads tickets with their whole histories."""

    def find_many(self, ids: Iterable[str]) -> dict[str, Stored[Ticket]]:
        """The tickets of ``ids`` the store holds, with their histories and
        versions, by id (missing ones left out), in few round trips."""
        ...

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
        """Every ticket with its history, ordered by ``(created_at, id)`` —
        instants compared in UTC, ids in code-point order — optionally only those
        now in ``status`` or of ``company``, starting strictly after ``after``
        and ending with ``through`` (included) when given; with ``active_since``
        only those whose last event (the registration without one) is at or
        after it (what a dashboard's days need).

        Reads ``batch_size`` tickets per round trip (keyset pagination or a
        server-side cursor), so memory stays flat over millions of tickets.
        """
        ...

    def positions(self, every: int, *, company: str | None = None) -> list[TicketPosition]:
        """The position of every ``every``-th ticket in the streaming order
        (of ``company`` when given): the boundaries that cut the stream into
        ranges of ``every`` tickets, ``(None, p1], (p1, p2], …, (pn, None)``,
        which separate processes can read with ``after``/``through``. Read
        from the ordering index alone, no document is decoded."""
        ...


    def latest_event(self) -> datetime | None:
        """The instant of the latest event of any ticket (a ticket without
        events counts its registration), None for a store without tickets: one
        probe of the ``tickets_by_last_event`` index. A report as of this
        instant or later can read every ticket's stored SLA state."""
        ...

    def assigned_counts(self, employees: Collection[str] | None) -> dict[str, dict[str, int]]:
        """Per employee of ``employees``, how many tickets they are now
        responsible for (as an employee, not through a group), by current
        status id; employees holding none are left out. ``None``: every
        employee holding a ticket, the store's employee records or not. What
        routing's load and the workload report count (the caller keeps the
        statuses whose ``counts_toward_load`` flag is set). SQL stores read
        the ``tickets_by_assignee`` index alone, never a ticket's document."""
        ...

    def iter_with_sla_states(
        self,
        fingerprint: str,
        *,
        after: TicketPosition | None = None,
        through: TicketPosition | None = None,
        company: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Iterator[TicketWithSlaState]:
        """Every ticket in :meth:`iter_tickets`' order and bounds, each with
        its stored SLA state when that is fresh and of ``fingerprint`` (the
        document, the history left unread), else with its history (and why
        the state was not given): what the batch report reads."""
        ...


class TicketWithSlaState(NamedTuple):
    """One entry of :meth:`TicketReader.iter_with_sla_states`: the ticket's
    id, registration and company, and either its stored SLA state's
    ``document`` (fresh, of the fingerprint asked) or its ``history`` with
    ``unusable`` saying why the state was not given: ``"missing"`` (none
    stored), ``"stale"`` (the ticket was written after it), ``"configuration"``
    (computed under another SLA configuration). The report's reader adds its
    own reasons (``helpdesk_core.reports.stored_report.UNUSABLE_REASONS``)."""

    ticket: str
    created_at: datetime
    company: str | None
    document: str | None
    history: Ticket | None
    unusable: str | None


class TicketIds(Protocol):
    """Which ticket ids are taken, from the primary-key index alone."""

    def taken(self, ids: Iterable[str]) -> set[str]:
        """Of ``ids``, those the store holds a ticket under (no history is read)."""
        ...


class TicketRepository(TicketReader, TicketIds, Writer[Ticket], Protocol):
    """Reads and writes tickets inside a unit of work.

    :meth:`save` of a ticket whose stored events are a prefix of its events
    only appends the new ones; the whole history is rewritten only when an
    earlier event changed (e.g. erased for privacy).
    """

    def append(self, id: str, events: Sequence[Event], *, expected_version: int) -> int:
        """Append ``events`` to the ticket's history without rewriting it; returns
        the new version. An event earlier than the last one raises
        :class:`HistoryError`; a stale version raises :class:`ConflictError`."""
        ...


DEFAULT_CONSUMER = "default"
"""The out-box consumer of callers that do not name one."""


class OutboxReader(Protocol):
    """Reads the out-box: domain events in commit order, and how far each
    consumer (``notifications``, ``webhooks``, …) has acknowledged them."""

    def entries(self, *, after: int = 0, limit: int = DEFAULT_BATCH_SIZE) -> list[OutboxEntry]:
        """At most ``limit`` entries with a position greater than ``after``, in
        position order."""
        ...

    def acknowledged(self, consumer: str = DEFAULT_CONSUMER) -> int:
        """The last position ``consumer`` acknowledged; 0 when none."""
        ...

    def pending(
        self, consumer: str = DEFAULT_CONSUMER, *, limit: int = DEFAULT_BATCH_SIZE
    ) -> list[OutboxEntry]:
        """The first ``limit`` entries ``consumer`` has not acknowledged, in order."""
        ...

    def last_position(self) -> int:
        """The position of the newest entry; 0 for an empty out-box."""
        ...


class Outbox(OutboxReader, Protocol):
    """The out-box inside a unit of work."""

    def append(self, events: Sequence[DomainEvent]) -> list[OutboxEntry]:
        """Add ``events`` in order; each gets the next position. Positions are
        gap-free and follow commit order: a transaction that appends holds the
        out-box's counter until it commits or rolls back (a rolled-back
        append leaves no gap), so a consumer reading after position *p* never
        misses an entry that commits later with a smaller position."""
        ...

    def acknowledge(self, consumer: str, through: int) -> None:
        """``consumer`` has handled every entry up to position ``through``.
        Acknowledging less than before changes nothing; beyond
        :meth:`last_position` raises :class:`ValidationError`."""
        ...

    def rewrite(self, entry: OutboxEntry) -> None:
        """Replace the event of the entry at ``entry.position``, which stays
        where it is — for privacy erasure only: the out-box is otherwise
        append-only. :class:`NotFound` when no entry has that position."""
        ...


class ScheduleReader(Protocol):
    """When the scheduler must look at each ticket again (an indexed instant
    per ticket, so that finding what is due never scans the tickets)."""

    def find(self, ticket: str) -> ScheduleEntry | None:
        """The ticket's entry, or None when the store holds no such ticket."""
        ...

    def due(
        self, now: datetime, *, after: ScheduleEntry | None = None, limit: int = DEFAULT_BATCH_SIZE
    ) -> list[ScheduleEntry]:
        """At most ``limit`` entries to look at by ``now``, in due order: stale
        ones first, then those whose ``wake_at`` is at or before ``now`` by
        instant, ties by ticket id; strictly after ``after`` in that order
        (keyset paging). A range scan of the index."""
        ...

    def next_wakeup(self) -> datetime | None:
        """The earliest ``wake_at`` of all tickets; :data:`STALE_WAKEUP` (an
        instant long past: look now) while any entry is stale; None when
        nothing is ahead."""
        ...


class Schedule(ScheduleReader, Protocol):
    """The schedule inside a unit of work. Every write of a ticket through
    the ticket repository (add, save, append) marks its entry stale, keeping
    ``checked_through``; deleting the ticket deletes its entry.

    A unit of work that reads a ticket's entry with :meth:`find` **before**
    reading the ticket never keeps a wake-up computed from a ticket another
    writer changed meanwhile: the entry is held until the unit of work ends
    (PostgreSQL: ``SELECT … FOR UPDATE``; SQLite: the writer lock; memory:
    the commit refuses with :class:`ConflictError`)."""

    def put(self, entry: ScheduleEntry, *, checked_through_was: datetime | None) -> None:
        """Store ``entry`` (not stale) if the stored entry's
        ``checked_through`` is still ``checked_through_was`` (None also matches
        a missing entry); otherwise :class:`ConflictError`: another scheduler
        handled the ticket meanwhile."""
        ...

    def mark_all_stale(self) -> int:
        """Mark every entry stale, keeping ``checked_through`` (the rules that
        computed the wake-ups changed); returns how many entries were not
        stale before. One statement, however many tickets."""
        ...


class StoreSettingsReader(Protocol):
    """The store's own facts, a small key/value of texts: under which SLA
    configuration the stored SLA states were computed (``sla.fingerprint``),
    under which policy the schedule was made (``scheduler.policy``). Keys
    are dotted names of the part that owns them."""

    def get(self, key: str) -> str | None:
        """The value of ``key``; None when it was never set."""
        ...


class StoreSettings(StoreSettingsReader, Protocol):
    """The store's settings inside a unit of work."""

    def put(self, key: str, value: str, *, expected: str | None) -> None:
        """Set ``key`` to ``value`` if it still holds ``expected`` (None: it
        must be unset); otherwise :class:`ConflictError` naming both values —
        another writer changed it meanwhile. Compare-and-set: of two units of
        work based on the same value, one wins (the check is part of the write;
        the memory store checks again at commit)."""
        ...


SLA_QUEUE_STATES = ("overdue", "at_risk")
"""The ``state`` filters of :meth:`SlaStateReader.queue`."""


@attrs.frozen
class SlaStateRecord:
    """One ticket's stored SLA state: an opaque JSON ``document`` (the
    serialized SLA projection; the store never reads it) and the plain values
    the queues filter and sort by, as the projection computed them.

    Instants are aware datetimes (stored in UTC microseconds). ``due`` is the
    instant the queues sort by — the earliest due of the targets the ticket
    still owes; None keeps the ticket out of every queue (nothing owed, or a
    paused clock whose due is not known yet). ``at_risk_from`` is when that
    target becomes at risk (at or before ``due``). ``next_change`` is the next
    instant at which the state changes without a new event (at-risk threshold,
    due instant, escalation). ``clock`` says whether the clock is
    ``counting``, ``paused`` or ``stopped``. ``stale`` is set by the store,
    never by the caller: the ticket was written after this record (see
    :class:`SlaStates`)."""

    ticket: str
    document: str
    fingerprint: str
    clock: str
    due: datetime | None = None
    at_risk_from: datetime | None = None
    next_change: datetime | None = None
    reaction_due: datetime | None = None
    resolution_due: datetime | None = None
    reacted: bool = False
    resolved: bool = False
    assignee: str | None = None
    company: str | None = None
    status_category: str | None = None
    breached_from: datetime | None = None
    """The first instant the row is breached (at or after it the report's
    state is ``breached``); None while nothing is (the dashboard's overdue)."""
    status: str | None = None
    """The ticket's status after its last event."""
    stale: bool = False


@attrs.frozen
class StandingState:
    """A ticket as a rebuild of the SLA states sees it (:meth:`SlaStateReader.standing`):
    its id and, when its record was kept under the fingerprint asked about and
    is not stale, that record's ``company`` and ``document`` (else both None:
    the ticket needs its state computed again)."""

    ticket: str
    company: str | None = None
    document: str | None = None


class SlaStateReader(Protocol):
    """Each ticket's stored SLA state, and the work queues as range scans of
    its indexes (``(due)``, ``(assignee, due)``, ``(company, due)``)."""

    def get(self, ticket: str) -> SlaStateRecord | None:
        """The ticket's record, or None when none is stored."""
        ...

    def fingerprints(self, tickets: Iterable[str]) -> dict[str, str]:
        """The fingerprint of each of ``tickets`` that has a record (``""`` for
        a stale one), without reading documents: what a resumed rebuild skips."""
        ...

    def count(self) -> int:
        """How many records the store holds."""
        ...

    def standing(
        self, fingerprint: str, *, after: str | None = None, limit: int = DEFAULT_BATCH_SIZE
    ) -> list[StandingState]:
        """At most ``limit`` tickets in id order (code points), strictly after
        the id ``after``: each with its record's company and document when the
        record was put under ``fingerprint`` and is not stale, else without
        (no record, a stale one, another fingerprint). One range scan of the
        tickets' primary key probing the records' one: what a rebuild pages
        through to find the tickets whose state to compute again."""
        ...

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
        """At most ``limit`` records with a ``due``, sorted by ``due`` then
        ticket id (``order="due"``, the only order), strictly after ``after``
        in that order (keyset paging). Filters: ``state="overdue"`` (``due``
        at or before ``now``), ``state="at_risk"`` (``at_risk_from`` at or
        before ``now`` < ``due``), ``due_from <= due < due_before`` ("due
        today" is the day's bounds), ``assignee`` (or
        ``without_responsible``: no assignee), ``company``. ``now`` is
        required with a ``state``. A range scan of one index, stale records
        included (each says so)."""
        ...


    def dashboard_counts(
        self, *, fingerprint: str, as_of: datetime, day_end: datetime, initial_status: str
    ) -> SlaStateCounts:
        """The dashboard's counters over the **settled** records: not stale, of
        ``fingerprint``, whose ticket's last event is at or before ``as_of``,
        with a status category (see :class:`SlaStateCounts`). The open records
        only (an index range per open category), no document read but those of
        :attr:`SlaStateCounts.moving`."""
        ...

    def unsettled(self, *, fingerprint: str, as_of: datetime, open_statuses: Collection[str]) -> list[str]:
        """The tickets registered at or before ``as_of`` whose last event is
        after it, and the tickets now in one of ``open_statuses`` (last event
        at or before ``as_of``) that :meth:`dashboard_counts` does not count:
        without a record, with a stale one, one of another fingerprint or one
        without a status category. Ids only, in id order; index ranges (on
        the last event, on the status), not a pass over every ticket."""
        ...


@attrs.frozen(kw_only=True)
class SlaStateCounts:
    """The dashboard's counters read from settled stored SLA states (see
    :meth:`SlaStateReader.dashboard_counts`), for tickets open as of
    ``as_of`` (a status category other than ``resolved`` and ``closed``):
    ``open``; ``overdue`` (``breached_from <= as_of``); ``in_progress`` (not
    ``waiting``, and moved out of ``initial_status``); ``without_responsible``
    (no assignee); ``due_today`` (not overdue, and the resolution due — or the
    reaction due while none came — in ``[as_of, day_end)``), except the
    **moving** ones: a paused clock that still owes resolution time (its due
    is ``as_of`` plus that time, on the calendar), listed in ``moving`` as
    ``(ticket, document)`` for the caller to work out."""

    open: int = 0
    overdue: int = 0
    in_progress: int = 0
    due_today: int = 0
    without_responsible: int = 0
    moving: tuple[tuple[str, str], ...] = ()


class SlaStates(SlaStateReader, Protocol):
    """The stored SLA states inside a unit of work.

    A record remembers the version of its ticket it was put at, and is read
    back **stale** (``stale=True``; ``""`` from :meth:`fingerprints`) once the
    ticket's version moved on — every save or append bumps it, so a ticket
    write costs nothing here: a writer that changes a ticket and keeps its SLA
    state puts the record **after** the ticket write, in the same unit of
    work. Deleting the ticket deletes its record."""

    def put(self, record: SlaStateRecord) -> None:
        """Store ``record`` (not stale), replacing the ticket's record. The
        ticket must exist: :class:`NotFound` otherwise."""
        ...

    def put_many(
        self, records: Iterable[SlaStateRecord], *, ticket_versions: Mapping[str, int] | None = None
    ) -> int:
        """Store each of ``records`` like :meth:`put`, in few round trips;
        returns how many were written. With ``ticket_versions`` (ticket id →
        the version its record was computed from) a record is written only
        while its ticket still has that version — one written meanwhile, or
        deleted, is skipped, never stamped fresh with an older history; without
        it a ticket the store does not hold is :class:`NotFound`."""
        ...

    def delete(self, ticket: str) -> bool:
        """Remove the ticket's record; whether there was one."""
        ...

    def delete_all(self) -> int:
        """Remove every record (a rebuild from scratch); returns how many.
        One statement, however many tickets."""
        ...

    def mark_stale(self, company: str) -> int:
        """Make every record of ``company``'s tickets read back stale (as if
        each ticket had been written since): the company's client category
        or customer groups changed, so the rule selection those records were
        computed under no longer holds. Returns how many records were
        marked. One statement over the company index, however many tickets;
        the next put of a ticket's record makes it fresh again."""
        ...


class Sequences(Protocol):
    """Named gap-free counters (ticket numbers), inside a unit of work."""

    def next(self, name: str, *, start: int = 1) -> int:
        """The counter's next value: ``start`` the first time, then one more
        each call. The counter is held until the unit of work ends (a rolled-back
        number is handed out again), so numbers are gap-free under concurrency."""
        ...

    def advance(self, name: str, to: int) -> None:
        """Make the counter at least ``to`` (its next value is then above it)."""
        ...

    def current(self, name: str) -> int | None:
        """The last value handed out; None for a counter never used."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository. Nothing is kept unless
    :meth:`commit` is called; leaving the ``with`` block without it, or by an
    exception, rolls everything back."""

    @property
    def tickets(self) -> TicketRepository: ...

    @property
    def companies(self) -> Repository[Company]: ...

    @property
    def contacts(self) -> Repository[Contact]: ...

    @property
    def customer_groups(self) -> Repository[CustomerGroup]: ...

    @property
    def contracts(self) -> Repository[Contract]: ...

    @property
    def service_objects(self) -> Repository[ServiceObject]: ...

    @property
    def equipment(self) -> Repository[Equipment]: ...

    @property
    def employees(self) -> Repository[Employee]: ...

    @property
    def employee_groups(self) -> Repository[EmployeeGroup]: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def schedule(self) -> Schedule: ...

    @property
    def sequences(self) -> Sequences: ...

    @property
    def settings(self) -> StoreSettings: ...

    @property
    def sla_states(self) -> SlaStates: ...

    def commit(self) -> None:
        """Keep everything written so far; the unit of work may go on and
        commit again. :class:`ConflictError` when another writer got there first."""
        ...

    def rollback(self) -> None:
        """Drop everything written since the last commit."""
        ...


class Store(Protocol):
    """A place that keeps the help desk's aggregates: readers for reads outside
    a transaction, units of work for everything that writes."""

    @property
    def url(self) -> str:
        """The URL the store was opened with."""
        ...

    @property
    def tickets(self) -> TicketReader: ...

    @property
    def companies(self) -> Reader[Company]: ...

    @property
    def contacts(self) -> Reader[Contact]: ...

    @property
    def customer_groups(self) -> Reader[CustomerGroup]: ...

    @property
    def contracts(self) -> Reader[Contract]: ...

    @property
    def service_objects(self) -> Reader[ServiceObject]: ...

    @property
    def equipment(self) -> Reader[Equipment]: ...

    @property
    def employees(self) -> Reader[Employee]: ...

    @property
    def employee_groups(self) -> Reader[EmployeeGroup]: ...

    @property
    def outbox(self) -> OutboxReader: ...

    @property
    def schedule(self) -> ScheduleReader: ...

    @property
    def settings(self) -> StoreSettingsReader: ...

    @property
    def sla_states(self) -> SlaStateReader: ...

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        """A new transaction: ``with store.unit_of_work() as uow: ...; uow.commit()``."""
        ...

    def get_ticket(self, ticket_id: str) -> Ticket:
        """Shortcut for read-only callers: ``tickets.get(ticket_id).value``."""
        ...

    def iter_tickets(
        self, *, status: str | None = None, company: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> Iterator[Ticket]:
        """Shortcut for read-only callers (reports): the tickets of
        :meth:`TicketReader.iter_tickets` without their versions."""
        ...

    def schema_version(self) -> int:
        """The migration number the store's schema is at."""
        ...

    def close(self) -> None:
        """Release connections; the store is unusable afterwards."""
        ...


@attrs.frozen
class TextCell:
    """One text value as the store keeps it: ``table`` and ``column`` (the
    memory store names its tables and ``document``), ``key`` the row's key."""

    table: str
    key: str
    column: str
    text: str


class PrivacyUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also keeps the privacy audit trail, consent ledgers
    and legal holds."""

    @property
    def audit_records(self) -> Repository[AuditRecord]: ...

    @property
    def consents(self) -> Repository[ConsentLedger]: ...

    @property
    def legal_holds(self) -> Repository[LegalHold]: ...


class PrivacyStore(Store, Protocol):
    """A store that can forget: privacy aggregates, a scan of every text it
    holds (the proof that nothing was left), and a scrub of the files so that
    erased values leave the disk as well as the tables."""

    @property
    def audit_records(self) -> Reader[AuditRecord]: ...

    @property
    def consents(self) -> Reader[ConsentLedger]: ...

    @property
    def legal_holds(self) -> Reader[LegalHold]: ...

    def unit_of_work(self) -> AbstractContextManager[PrivacyUnitOfWork]: ...

    def scan_text(self, *, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[TextCell]:
        """Every text value of every column of every table, streamed (one
        snapshot per table, ``batch_size`` rows at a time)."""
        ...

    def scrub(self, tables: Sequence[str] = ()) -> str:
        """Make erased values unrecoverable from the store's files after a
        committed erasure; ``tables`` are those written (empty: all). Returns
        one sentence saying what was done and its limit. Runs outside any unit
        of work."""
        ...


class Upserting(Lookup[T], Writer[T], Protocol[T]):
    """What :func:`save_all` needs: find by id, add and save."""


class TicketShortcuts:
    """The read-only shortcuts of :class:`Store`, for any class with ``tickets``."""

    tickets: TicketReader

    def get_ticket(self, ticket_id: str) -> Ticket:
        return self.tickets.get(ticket_id).value

    def iter_tickets(
        self, *, status: str | None = None, company: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> Iterator[Ticket]:
        for stored in self.tickets.iter_tickets(status=status, company=company, batch_size=batch_size):
            yield stored.value


def save_all(repository: Upserting[T], values: Iterable[T]) -> SaveSummary:
    """Upsert ``values`` by id in the caller's unit of work: a value equal to the
    stored one is left alone and counted unchanged, a changed one replaces the
    version just read, a new one is added."""
    created = updated = unchanged = 0
    for value in values:
        existing = repository.find(value.id)  # type: ignore[attr-defined]
        if existing is None:
            repository.add(value)
            created += 1
        elif existing.value == value:
            unchanged += 1
        else:
            repository.save(value, expected_version=existing.version)
            updated += 1
    return SaveSummary(created, updated, unchanged)


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_CONSUMER",
    "SLA_QUEUE_STATES",
    "STALE_WAKEUP",
    "Lookup",
    "Outbox",
    "OutboxReader",
    "PrivacyStore",
    "PrivacyUnitOfWork",
    "Reader",
    "Repository",
    "SaveSummary",
    "Schedule",
    "ScheduleReader",
    "Sequences",
    "SlaStateReader",
    "SlaStateRecord",
    "SlaStates",
    "StandingState",
    "Store",
    "StoreSettings",
    "StoreSettingsReader",
    "Stored",
    "TextCell",
    "TicketIds",
    "TicketPosition",
    "TicketReader",
    "TicketRepository",
    "TicketShortcuts",
    "TicketWithSlaState",
    "UnitOfWork",
    "Upserting",
    "Writer",
    "save_all",
]
