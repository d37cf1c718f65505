"""Repositories over any SQL database reached through a small :class:`Session`.

SQLite and PostgreSQL share the tables (see ``migrations/``) and these
repositories; each backend supplies a session that runs ``?``-style SQL on one
connection and translates its driver's errors into the storage-neutral ones.

Versions are checked in the write itself (``UPDATE … WHERE id = ? AND version
= ?``), so the row lock taken by the update — or SQLite's single writer —
guarantees that of two writers based on the same version only one succeeds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

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
    Kind,
    assignee_columns,
    by_name,
    check_appended,
    event_documents,
    from_utc_microseconds,
    ticket_from_documents,
    ticket_header,
    utc_microseconds,
)
from helpdesk_core.storage.protocols import (
    DEFAULT_BATCH_SIZE,
    Stored,
    TicketPosition,
    TicketWithSlaState,
)
from helpdesk_core.storage.sql_desk import (
    SqlOutbox,
    SqlOutboxReader,
    SqlSchedule,
    SqlScheduleReader,
    SqlSequences,
    forget_schedule,
    mark_stale,
)
from helpdesk_core.storage.sql_sla import (
    SqlSettings,
    SqlSettingsReader,
    SqlSlaStateReader,
    SqlSlaStates,
)

T = TypeVar("T")

Row = tuple[Any, ...]
_FIRST = -(2**62)
"""Below every stored instant (UTC microseconds): the start of keyset pagination."""
_MANY_PER_QUERY = 500
"""Ids per ``IN (…)`` list of a batch lookup (well below SQLite's parameter limit)."""


class Session(Protocol):
    """One connection, inside a transaction or not, speaking ``?`` placeholders.

    Integrity violations come out as :class:`ConflictError`, an unreachable
    or broken database as :class:`StorageUnavailable`.
    """

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """Every row of a query."""
        ...

    def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        """The first row of a query, or None."""
        ...

    def run(self, sql: str, params: Sequence[object] = ()) -> int:
        """Execute a statement; returns how many rows it changed."""
        ...

    def run_many(self, sql: str, params: Iterable[Sequence[object]]) -> None:
        """Execute a statement once per parameter row."""
        ...


Borrow = Callable[[], AbstractContextManager[Session]]
"""Lends a session for one operation (a pooled connection, or the unit of work's)."""


def _stale(label: str, id: str, expected: int | None, session: Session, table: str) -> ConflictError:
    row = session.one(f"SELECT version FROM {table} WHERE id = ?", (id,))
    if expected is None:
        return ConflictError(f"{label} {id} already exists (version {row[0] if row else '?'})")
    if row is None:
        return ConflictError(f"{label} {id}: expected version {expected}, but it is gone")
    return ConflictError(
        f"{label} {id}: expected version {expected}, the store holds {row[0]}; somebody else saved it first"
    )


class SqlReader(Generic[T]):
    """Reads one kind of aggregate from its table ``(id, external_id, version, document)``."""

    def __init__(self, kind: Kind[T], borrow: Borrow) -> None:
        self._kind = kind
        self._borrow = borrow
        self._table = kind.name

    def get(self, id: str) -> Stored[T]:
        found = self.find(id)
        if found is None:
            raise NotFound(f"{self._kind.label} {id!r} not found")
        return found

    def find(self, id: str) -> Stored[T] | None:
        with self._borrow() as session:
            row = session.one(f"SELECT version, document FROM {self._table} WHERE id = ?", (id,))
        return None if row is None else Stored(self._kind.decode(row[1]), row[0])

    def get_by_external_id(self, external_id: str) -> Stored[T] | None:
        with self._borrow() as session:
            row = session.one(
                f"SELECT version, document FROM {self._table} WHERE external_id = ?", (external_id,)
            )
        return None if row is None else Stored(self._kind.decode(row[1]), row[0])

    def find_many(self, ids: Iterable[str]) -> dict[str, Stored[T]]:
        return self._find_many("id", ids)

    def find_many_by_external_id(self, external_ids: Iterable[str]) -> dict[str, Stored[T]]:
        return self._find_many("external_id", external_ids)

    def _find_many(self, column: str, keys: Iterable[str]) -> dict[str, Stored[T]]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Stored[T]] = {}
        with self._borrow() as session:
            for start in range(0, len(wanted), _MANY_PER_QUERY):
                chunk = wanted[start : start + _MANY_PER_QUERY]
                marks = ", ".join("?" * len(chunk))
                for key, version, document in session.rows(
                    f"SELECT {column}, version, document FROM {self._table} WHERE {column} IN ({marks})",
                    chunk,
                ):
                    found[key] = Stored(self._kind.decode(document), version)
        return found

    def iter(self, *, after: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[Stored[T]]:
        position = "" if after is None else after
        while True:
            with self._borrow() as session:
                rows = session.rows(
                    f"SELECT id, version, document FROM {self._table} WHERE id > ? ORDER BY id LIMIT ?",
                    (position, batch_size),
                )
            for _, version, document in rows:
                yield Stored(self._kind.decode(document), version)
            if len(rows) < batch_size:
                return
            position = rows[-1][0]

    def count(self) -> int:
        with self._borrow() as session:
            row = session.one(f"SELECT count(*) FROM {self._table}")
        return 0 if row is None else int(row[0])


class SqlRepository(SqlReader[T]):
    """Reads and writes one kind of aggregate on a unit of work's session."""

    def add(self, value: T) -> int:
        return self.save(value, expected_version=None)

    def add_many(self, values: Iterable[T]) -> int:
        rows = [
            (value.id, getattr(value, "external_id", None), self._kind.encode(value))  # type: ignore[attr-defined]
            for value in values
        ]
        if rows:
            with self._borrow() as session:
                try:
                    session.run_many(
                        f"INSERT INTO {self._table} (id, external_id, version, document) VALUES (?, ?, 1, ?)",
                        rows,
                    )
                except ConflictError as error:
                    raise ConflictError(
                        f"{self._kind.label}: of {len(rows)} new ones, an id or external id is already taken "
                        f"({error})"
                    ) from error
        return len(rows)

    def save(self, value: T, *, expected_version: int | None) -> int:
        id: str = value.id  # type: ignore[attr-defined]
        external_id: str | None = getattr(value, "external_id", None)
        document = self._kind.encode(value)
        label = self._kind.label
        with self._borrow() as session:
            try:
                if expected_version is None:
                    session.run(
                        f"INSERT INTO {self._table} (id, external_id, version, document) VALUES (?, ?, 1, ?)",
                        (id, external_id, document),
                    )
                    return 1
                changed = session.run(
                    f"UPDATE {self._table} SET external_id = ?, version = version + 1, document = ? "
                    "WHERE id = ? AND version = ?",
                    (external_id, document, id, expected_version),
                )
            except ConflictError as error:
                if "external_id" in str(error):
                    raise ConflictError(
                        f"{label} {id}: external id {external_id!r} already belongs to another {label}"
                    ) from error
                raise ConflictError(f"{label} {id} already exists") from error
            if changed != 1:
                raise _stale(label, id, expected_version, session, self._table)
        return expected_version + 1

    def delete(self, id: str, *, expected_version: int) -> None:
        with self._borrow() as session:
            changed = session.run(
                f"DELETE FROM {self._table} WHERE id = ? AND version = ?", (id, expected_version)
            )
            if changed != 1:
                raise _stale(self._kind.label, id, expected_version, session, self._table)


_EVENTS_OF = (
    "(SELECT group_concat(seq) || ';' || group_concat(document, ',') FROM ticket_events "
    "WHERE ticket_id = {}.id)"
)
"""The events of the ticket row named by the blank, aggregated (below)."""
_EVENTS_JOINED = f"CASE WHEN event_count <> 0 THEN {_EVENTS_OF.format('tickets')} END"
"""A ticket's events in one text: its ``seq`` numbers joined by commas, a
semicolon, then its event documents joined by commas — one row per ticket
instead of one per event, joined by SQLite instead of Python. SQLite before
3.44 has no ``ORDER BY`` inside an aggregate and documents the order of
``group_concat`` as arbitrary; it follows the primary key ``(ticket_id, seq)``
that the subquery walks, and the ``seq`` numbers beside the documents prove it
for every ticket (see :func:`events_in_seq_order`). Tickets without events
(``event_count`` 0) skip the subquery, as the per-event query skipped them."""
_TICKET_COLUMNS = f"id, created_us, version, header, event_count, {_EVENTS_JOINED}"
_SEQ_PREFIXES = tuple(",".join(map(str, range(n))) + ";" for n in range(64))
"""``"0,1,…,n-1;"`` for the usual event counts ``n``: what a history aggregated
in order begins with (events are numbered from 0 as they are appended)."""


def events_in_seq_order(event_count: int, aggregate: str | None) -> str | None:
    """The event documents joined by commas out of an aggregate of
    :data:`_EVENTS_JOINED`, if its ``seq`` numbers read ``0,1,…,event_count-1``
    in that order; None when they do not (another order, a gap, another count
    or no event row at all), and the history must be read by the ordered query.

    The ``seq`` text holds digits, commas and minus signs only, so the first
    semicolon ends it and a matching prefix proves the documents that follow are
    exactly the ticket's events in ``seq`` order."""
    if aggregate is None:
        return None
    prefix = (
        _SEQ_PREFIXES[event_count]
        if 0 <= event_count < len(_SEQ_PREFIXES)
        else ",".join(map(str, range(event_count))) + ";"
    )
    return aggregate[len(prefix) :] if aggregate.startswith(prefix) else None


class SqlTicketReader:
    """Reads tickets: a header row with its events already joined, streamed by
    keyset pages (SQLite's dialect: ``group_concat``; PostgreSQL's reader has
    its own ``string_agg … ORDER BY seq``)."""

    def __init__(self, borrow: Borrow) -> None:
        self._borrow = borrow

    def get(self, id: str) -> Stored[Ticket]:
        found = self.find(id)
        if found is None:
            raise NotFound(f"ticket {id!r} not found")
        return found

    def find(self, id: str) -> Stored[Ticket] | None:
        with self._borrow() as session:
            row = session.one("SELECT version, header, event_count FROM tickets WHERE id = ?", (id,))
            if row is None:
                return None
            events = (
                [
                    r[0]
                    for r in session.rows(
                        "SELECT document FROM ticket_events WHERE ticket_id = ? ORDER BY seq", (id,)
                    )
                ]
                if row[2]
                else None
            )
        return Stored(ticket_from_documents(row[1], events), row[0])

    def find_many(self, ids: Iterable[str]) -> dict[str, Stored[Ticket]]:
        wanted = list(dict.fromkeys(ids))
        read: list[tuple[str, int, str, str | list[str] | None]] = []
        with self._borrow() as session:  # every chunk and any history read again: one snapshot
            for start in range(0, len(wanted), _MANY_PER_QUERY):
                chunk = wanted[start : start + _MANY_PER_QUERY]
                rows = session.rows(self._many_sql(len(chunk)), chunk)
                read.extend(
                    (id, version, header, _history(session, id, count, aggregate) if count else None)
                    for id, _, version, header, count, aggregate in rows
                )
        return {
            id: Stored(ticket_from_documents(header, events), version) for id, version, header, events in read
        }

    def _many_sql(self, count: int) -> str:
        """The query of :meth:`find_many` for ``count`` ids (the columns of
        :meth:`iter_tickets`' pages)."""
        return f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id IN ({', '.join('?' * count)})"

    def count(self) -> int:
        with self._borrow() as session:
            row = session.one("SELECT count(*) FROM tickets")
        return 0 if row is None else int(row[0])

    def taken(self, ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        with self._borrow() as session:
            for start in range(0, len(wanted), _MANY_PER_QUERY):
                chunk = wanted[start : start + _MANY_PER_QUERY]
                marks = ", ".join("?" * len(chunk))
                rows = session.rows(f"SELECT id FROM tickets WHERE id IN ({marks})", chunk)
                found.update(r[0] for r in rows)
        return found

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
        position: tuple[int, str] = (_FIRST, "") if after is None else (utc_microseconds(after[0]), after[1])
        where, params = ticket_filter(status, company, active_since)
        if through is not None:
            where += " AND (created_us, id) <= (?, ?)"
            params = (*params, *_key(through))
        sql = (
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE (created_us, id) > (?, ?){where} "
            "ORDER BY created_us, id LIMIT ?"
        )
        while True:
            with self._borrow() as session:  # the page and any history read again: one snapshot
                rows = session.rows(sql, (*position, *params, batch_size))
                page = [
                    (version, header, _history(session, id, count, aggregate) if count else None)
                    for id, _, version, header, count, aggregate in rows
                ]
            for version, header, events in page:
                yield Stored(ticket_from_documents(header, events), version)
            if len(rows) < batch_size:
                return
            position = (rows[-1][1], rows[-1][0])

    def positions(self, every: int, *, company: str | None = None) -> list[TicketPosition]:
        if every < 1:
            raise ValueError(f"positions: every must be at least 1, got {every}")
        where, params = ticket_filter(None, company)
        sql = (
            f"SELECT created_us, id FROM tickets WHERE (created_us, id) > (?, ?){where} "
            "ORDER BY created_us, id LIMIT 1 OFFSET ?"
        )
        found: list[TicketPosition] = []
        position: tuple[int, str] = (_FIRST, "")
        with self._borrow() as session:  # one snapshot; each step skips inside the index
            while (row := session.one(sql, (*position, *params, every - 1))) is not None:
                position = (row[0], row[1])
                found.append((from_utc_microseconds(row[0]), row[1]))
        return found

    def assigned_counts(self, employees: Collection[str] | None) -> dict[str, dict[str, int]]:
        """One ``GROUP BY`` per :data:`_MANY_PER_QUERY` employees (or one over
        everybody) on the ``tickets_by_assignee`` index (``(assignee, status)``
        of the tickets held by an employee, not a group): no document is read."""
        found: dict[str, dict[str, int]] = {}
        with self._borrow() as session:  # every chunk: one snapshot
            if employees is None:
                rows = session.rows(assigned_counts_sql(None))
            else:
                wanted = sorted(set(employees))
                rows = []
                for start in range(0, len(wanted), _MANY_PER_QUERY):
                    chunk = wanted[start : start + _MANY_PER_QUERY]
                    rows += session.rows(assigned_counts_sql(len(chunk)), chunk)
        for employee, status, count in rows:
            found.setdefault(employee, {})[status] = int(count)
        return found

    def latest_event(self) -> datetime | None:
        with self._borrow() as session:
            row = session.one("SELECT max(last_us) FROM tickets")
        return None if row is None or row[0] is None else from_utc_microseconds(row[0])

    def iter_with_sla_states(
        self,
        fingerprint: str,
        *,
        after: TicketPosition | None = None,
        through: TicketPosition | None = None,
        company: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Iterator[TicketWithSlaState]:
        position: tuple[int, str] = (_FIRST, "") if after is None else _key(after)
        where, params = ticket_filter(None, company)
        where = where.replace(" company", " t.company")
        if through is not None:
            where += " AND (t.created_us, t.id) <= (?, ?)"
            params = (*params, *_key(through))
        sql = (
            f"SELECT t.id, t.created_us, t.company, {_UNUSABLE}, s.document "
            "FROM tickets t LEFT JOIN ticket_sla s ON s.ticket_id = t.id "
            f"WHERE (t.created_us, t.id) > (?, ?){where} ORDER BY t.created_us, t.id LIMIT ?"
        )
        while True:
            with self._borrow() as session:  # the page and the histories it needs: one snapshot
                rows = session.rows(sql, (fingerprint, *position, *params, batch_size))
                histories = _histories(session, [row[0] for row in rows if row[3] is not None])
            for id, created, firm, unusable, document in rows:
                registered = from_utc_microseconds(created)
                if unusable is None:
                    yield TicketWithSlaState(id, registered, firm, document, None, None)
                else:
                    yield TicketWithSlaState(id, registered, firm, None, histories[id], unusable)
            if len(rows) < batch_size:
                return
            position = (rows[-1][1], rows[-1][0])


def assigned_counts_sql(count: int | None) -> str:
    """The query of :meth:`SqlTicketReader.assigned_counts` for ``count``
    employees (None: every one holding a ticket): its ``assignee_group = 0``
    matches the partial index's condition, so both backends read the index
    alone, in its order (no sort for the ``GROUP BY``)."""
    which = "IS NOT NULL" if count is None else f"IN ({', '.join('?' * count)})"
    return (
        "SELECT assignee, status, count(*) FROM tickets "
        f"WHERE assignee_group = 0 AND assignee {which} GROUP BY assignee, status"
    )


_UNUSABLE = (
    "CASE WHEN s.ticket_version = t.version AND s.fingerprint = ? THEN NULL "
    "WHEN s.ticket_id IS NULL THEN 'missing' WHEN s.ticket_version <> t.version THEN 'stale' "
    "ELSE 'configuration' END"
)
"""Why a ticket's SLA state cannot be read (NULL: it can, the first test,
the common case); one parameter, the fingerprint."""


def _histories(session: Session, ids: list[str]) -> dict[str, Ticket]:
    """The tickets ``ids`` with their histories, read in one query per
    :data:`_MANY_PER_QUERY` (the tickets of a page whose SLA state cannot be read)."""
    found: dict[str, Ticket] = {}
    for start in range(0, len(ids), _MANY_PER_QUERY):
        chunk = ids[start : start + _MANY_PER_QUERY]
        marks = ", ".join("?" * len(chunk))
        for id, _, _, header, count, aggregate in session.rows(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id IN ({marks})", chunk
        ):
            events = _history(session, id, count, aggregate) if count else None
            found[id] = ticket_from_documents(header, events)
    return found


def _history(session: Session, id: str, event_count: int, aggregate: str | None) -> str | list[str]:
    """A ticket's event documents: joined by SQLite when :func:`events_in_seq_order`
    proves the order, else read again one per row in ``seq`` order."""
    joined = events_in_seq_order(event_count, aggregate)
    if joined is not None:
        return joined
    return [
        r[0]
        for r in session.rows("SELECT document FROM ticket_events WHERE ticket_id = ? ORDER BY seq", (id,))
    ]


def _key(position: TicketPosition) -> tuple[int, str]:
    return utc_microseconds(position[0]), position[1]


def ticket_filter(
    status: str | None, company: str | None, active_since: datetime | None = None
) -> tuple[str, tuple[object, ...]]:
    """The extra ``AND …`` of a ticket query and its parameters."""
    where = ""
    params: tuple[object, ...] = ()
    if active_since is not None:
        where += " AND last_us >= ?"
        params += (utc_microseconds(active_since),)
    if status is not None:
        where += " AND status = ?"
        params += (status,)
    if company is not None:
        where += " AND company = ?"
        params += (company,)
    return where, params


def position_bounds(
    after: TicketPosition | None, through: TicketPosition | None
) -> tuple[str, tuple[object, ...]]:
    """The extra ``AND …`` keeping tickets ``t`` positioned strictly after
    ``after`` and at or before ``through`` (``(created_us, id)``), and its
    parameters."""
    where = ""
    params: tuple[object, ...] = ()
    if after is not None:
        where += " AND (t.created_us, t.id) > (?, ?)"
        params += (utc_microseconds(after[0]), after[1])
    if through is not None:
        where += " AND (t.created_us, t.id) <= (?, ?)"
        params += (utc_microseconds(through[0]), through[1])
    return where, params


class SqlTicketRepository(SqlTicketReader):
    """Reads and writes tickets on a unit of work's session."""

    def add(self, value: Ticket) -> int:
        return self.save(value, expected_version=None)

    def save(self, value: Ticket, *, expected_version: int | None) -> int:
        documents = event_documents(value.events)
        columns = (
            utc_microseconds(value.created_at),
            value.status,
            value.company,
            len(documents),
            utc_microseconds(value.updated_at),
            ticket_header(value),
            *assignee_columns(value.assignee),
        )
        with self._borrow() as session:
            if expected_version is None:
                try:
                    session.run(
                        "INSERT INTO tickets (created_us, status, company, event_count, last_us, header, "
                        "assignee, assignee_group, id, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                        (*columns, value.id),
                    )
                except ConflictError as error:
                    raise ConflictError(f"ticket {value.id} already exists") from error
                _insert_events(session, value.id, 0, documents)
                mark_stale(session, value.id)
                return 1
            changed = session.run(
                "UPDATE tickets SET created_us = ?, status = ?, company = ?, event_count = ?, last_us = ?, "
                "header = ?, assignee = ?, assignee_group = ?, version = version + 1 "
                "WHERE id = ? AND version = ?",
                (*columns, value.id, expected_version),
            )
            if changed != 1:
                raise _stale("ticket", value.id, expected_version, session, "tickets")
            stored = [
                r[0]
                for r in session.rows(
                    "SELECT document FROM ticket_events WHERE ticket_id = ? ORDER BY seq", (value.id,)
                )
            ]
            if documents[: len(stored)] == stored:
                _insert_events(session, value.id, len(stored), documents[len(stored) :])
            else:
                session.run("DELETE FROM ticket_events WHERE ticket_id = ?", (value.id,))
                _insert_events(session, value.id, 0, documents)
            mark_stale(session, value.id)
        return expected_version + 1

    def append(self, id: str, events: Sequence[Event], *, expected_version: int) -> int:
        with self._borrow() as session:
            row = session.one("SELECT version, event_count, last_us FROM tickets WHERE id = ?", (id,))
            if row is None or row[0] != expected_version:
                raise _stale("ticket", id, expected_version, session, "tickets")
            appended = check_appended(id, row[2], events)
            assignment = appended.assignment
            responsible: tuple[object, ...] = ()
            reassigns = ""
            if assignment is not None:  # only an appended assign event moves the responsible
                responsible = assignee_columns(assignment.assignee)
                reassigns = "assignee = ?, assignee_group = ?, "
            changed = session.run(
                f"UPDATE tickets SET status = coalesce(?, status), {reassigns}event_count = event_count + ?, "
                "last_us = ?, version = version + 1 WHERE id = ? AND version = ?",
                (appended.status, *responsible, len(events), appended.last_us, id, expected_version),
            )
            if changed != 1:
                raise _stale("ticket", id, expected_version, session, "tickets")
            _insert_events(session, id, row[1], event_documents(events))
            mark_stale(session, id)
        return expected_version + 1

    def delete(self, id: str, *, expected_version: int) -> None:
        """Remove the ticket; its events and SLA state go with it (``ON DELETE CASCADE``)."""
        with self._borrow() as session:
            changed = session.run("DELETE FROM tickets WHERE id = ? AND version = ?", (id, expected_version))
            if changed != 1:
                raise _stale("ticket", id, expected_version, session, "tickets")
            forget_schedule(session, id)


def _insert_events(session: Session, ticket_id: str, first: int, documents: Sequence[str]) -> None:
    if documents:
        session.run_many(
            "INSERT INTO ticket_events (ticket_id, seq, document) VALUES (?, ?, ?)",
            [(ticket_id, first + n, doc) for n, doc in enumerate(documents)],
        )



class SqlReaders:
    """The readers of every aggregate besides tickets, over one way of borrowing
    a session: what an SQL store offers outside a unit of work."""

    def __init__(self, borrow: Borrow) -> None:
        kinds = by_name()
        self.companies: SqlReader[Company] = SqlReader(kinds["companies"], borrow)
        self.contacts: SqlReader[Contact] = SqlReader(kinds["contacts"], borrow)
        self.customer_groups: SqlReader[CustomerGroup] = SqlReader(kinds["customer_groups"], borrow)
        self.contracts: SqlReader[Contract] = SqlReader(kinds["contracts"], borrow)
        self.service_objects: SqlReader[ServiceObject] = SqlReader(kinds["service_objects"], borrow)
        self.equipment: SqlReader[Equipment] = SqlReader(kinds["equipment"], borrow)
        self.employees: SqlReader[Employee] = SqlReader(kinds["employees"], borrow)
        self.employee_groups: SqlReader[EmployeeGroup] = SqlReader(kinds["employee_groups"], borrow)
        self.audit_records: SqlReader[AuditRecord] = SqlReader(kinds["audit_records"], borrow)
        self.consents: SqlReader[ConsentLedger] = SqlReader(kinds["consents"], borrow)
        self.legal_holds: SqlReader[LegalHold] = SqlReader(kinds["legal_holds"], borrow)
        self.outbox = SqlOutboxReader(borrow)
        self.schedule = SqlScheduleReader(borrow)
        self.settings = SqlSettingsReader(borrow)
        self.sla_states = SqlSlaStateReader(borrow)


class SqlRepositories:
    """The repositories of every aggregate besides tickets inside one SQL unit
    of work (the same session for all of them)."""

    def __init__(self, borrow: Borrow) -> None:
        kinds = by_name()
        self.companies: SqlRepository[Company] = SqlRepository(kinds["companies"], borrow)
        self.contacts: SqlRepository[Contact] = SqlRepository(kinds["contacts"], borrow)
        self.customer_groups: SqlRepository[CustomerGroup] = SqlRepository(kinds["customer_groups"], borrow)
        self.contracts: SqlRepository[Contract] = SqlRepository(kinds["contracts"], borrow)
        self.service_objects: SqlRepository[ServiceObject] = SqlRepository(kinds["service_objects"], borrow)
        self.equipment: SqlRepository[Equipment] = SqlRepository(kinds["equipment"], borrow)
        self.employees: SqlRepository[Employee] = SqlRepository(kinds["employees"], borrow)
        self.employee_groups: SqlRepository[EmployeeGroup] = SqlRepository(kinds["employee_groups"], borrow)
        self.audit_records: SqlRepository[AuditRecord] = SqlRepository(kinds["audit_records"], borrow)
        self.consents: SqlRepository[ConsentLedger] = SqlRepository(kinds["consents"], borrow)
        self.legal_holds: SqlRepository[LegalHold] = SqlRepository(kinds["legal_holds"], borrow)
        self.outbox = SqlOutbox(borrow)
        self.schedule = SqlSchedule(borrow)
        self.sequences = SqlSequences(borrow)
        self.settings = SqlSettings(borrow)
        self.sla_states = SqlSlaStates(borrow)

__all__ = [
    "Borrow",
    "Row",
    "Session",
    "SqlReader",
    "SqlReaders",
    "SqlRepositories",
    "SqlRepository",
    "SqlTicketReader",
    "SqlTicketRepository",
    "assigned_counts_sql",
    "events_in_seq_order",
    "ticket_filter",
]
