"""A real in-memory store with the same transaction semantics as the databases.

The committed state is a set of dicts that are never changed once published.
A unit of work starts from the committed state as it is (snapshot isolation),
copies a table on its first write to it, and records the version each written
aggregate had when it first touched it. :meth:`MemoryUnitOfWork.commit` takes
the store's lock, refuses with :class:`ConflictError` when another unit of
work committed a different version of any of those aggregates meanwhile, and
publishes new tables holding the committed state plus this unit's writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import attrs

from helpdesk_core.errors import ConflictError, NotFound
from helpdesk_core.model.assets import Equipment, ServiceObject
from helpdesk_core.model.contracts import Contract
from helpdesk_core.model.parties import Company, Contact, CustomerGroup
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import Event, Ticket
from helpdesk_core.privacy.audit import AuditRecord
from helpdesk_core.privacy.consent import ConsentLedger
from helpdesk_core.privacy.holds import LegalHold
from helpdesk_core.storage.documents import (
    KINDS,
    PRIVACY_KINDS,
    by_name,
    event_document,
    from_utc_microseconds,
    ticket_header,
    utc_microseconds,
)
from helpdesk_core.storage.protocols import (
    DEFAULT_BATCH_SIZE,
    Stored,
    TextCell,
    TicketPosition,
    TicketShortcuts,
)

T = TypeVar("T")

TICKETS = "tickets"
SCHEMA_VERSION = 1
"""The memory store has no schema; it reports the SQL backends' latest number."""

Tables = dict[str, dict[str, Stored[Any]]]
ExternalIds = dict[str, dict[str, str]]


@attrs.frozen
class _Snapshot:
    tables: Tables
    external: ExternalIds


def _empty() -> _Snapshot:
    names = [TICKETS, *(k.name for k in (*KINDS, *PRIVACY_KINDS))]
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

    def iter_tickets(
        self,
        *,
        after: TicketPosition | None = None,
        status: str | None = None,
        company: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        through: TicketPosition | None = None,
    ) -> Iterator[Stored[Ticket]]:
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


class _Writes:
    """The writes of one unit of work over its own copy of the snapshot."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.begin()

    def begin(self) -> None:
        base = self._store._committed
        self.snapshot = _Snapshot(dict(base.tables), dict(base.external))
        self.copied: set[str] = set()
        self.base_versions: dict[tuple[str, str], int | None] = {}

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
            self._store._committed = _Snapshot(tables, externals)
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
    """Reads and writes tickets inside a memory unit of work."""

    def __init__(self, writes: _Writes) -> None:
        MemoryTicketReader.__init__(self, TICKETS, "ticket", writes.view)
        _MemoryWriter.__init__(self, TICKETS, "ticket", writes)

    def append(self, id: str, events: Sequence[Event], *, expected_version: int) -> int:
        current = self._writes.snapshot.tables[TICKETS].get(id)
        _check_version("ticket", id, expected_version, current)
        assert current is not None
        ticket = attrs.evolve(current.value, events=(*current.value.events, *events))
        return self.save(ticket, expected_version=expected_version)


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

    def commit(self) -> None:
        self._writes.commit()

    def rollback(self) -> None:
        self._writes.begin()


class MemoryStore(TicketShortcuts):
    """Everything in the process: ``memory://``. Lost when the process ends."""

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self._lock = threading.Lock()
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
        for name, table in snapshot.tables.items():
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
