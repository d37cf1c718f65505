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

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Generic, Protocol, TypeVar

import attrs

from helpdesk_core.model.assets import Equipment, ServiceObject
from helpdesk_core.model.contracts import Contract
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

    def iter_tickets(
        self,
        *,
        after: TicketPosition | None = None,
        status: str | None = None,
        company: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        through: TicketPosition | None = None,
    ) -> Iterator[Stored[Ticket]]:
        """Every ticket with its history, ordered by ``(created_at, id)`` —
        instants compared in UTC, ids in code-point order — optionally only those
        now in ``status`` or of ``company``, starting strictly after ``after``
        and ending with ``through`` (included) when given.

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


class TicketRepository(TicketReader, Writer[Ticket], Protocol):
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
    "Lookup",
    "PrivacyStore",
    "PrivacyUnitOfWork",
    "Reader",
    "Repository",
    "SaveSummary",
    "Store",
    "Stored",
    "TextCell",
    "TicketPosition",
    "TicketReader",
    "TicketRepository",
    "TicketShortcuts",
    "UnitOfWork",
    "Upserting",
    "Writer",
    "save_all",
]
