"""The store's settings and each ticket's stored SLA state, on any SQL store
(tables of schema 5 and 6 on SQLite, 4 and 5 on PostgreSQL).

**Settings.** ``store_settings(key, value)``: :meth:`SqlSettings.put` is one
compare-and-set statement (``UPDATE … WHERE key = ? AND value = ?``, or
``INSERT … ON CONFLICT DO NOTHING`` for a key that must be unset), so of two
writers based on the same value the row lock — SQLite's one writer — lets one
win and the other changes no row: :class:`ConflictError`.

**SLA states.** ``ticket_sla``: one row per ticket (a foreign key to
``tickets`` with ``ON DELETE CASCADE``: deleting the ticket deletes its row),
the projection's JSON document as opaque text, the queue's columns in UTC
microseconds, and the ticket's version the row was put at: a row is read back
stale when its ticket's version moved on (every ticket write bumps it), so
ticket writes cost nothing extra. Every queue is a range scan of one index, in due order:
``ticket_sla_by_due (due_us, ticket_id)``, ``ticket_sla_by_assignee
(assignee, due_us, ticket_id)`` (also ``assignee IS NULL``: without
responsible), ``ticket_sla_by_company (company, due_us, ticket_id)``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from helpdesk_core.errors import ConflictError, NotFound
from helpdesk_core.storage.documents import from_utc_microseconds, utc_microseconds
from helpdesk_core.storage.protocols import DEFAULT_BATCH_SIZE, SlaStateCounts, SlaStateRecord
from helpdesk_core.storage.sla_queue import QueueRequest, queue_request, stored_record

if TYPE_CHECKING:  # sql.py builds these objects: no import at run time
    from helpdesk_core.storage.sql import Borrow, Row

_FIRST = -(2**62)
"""Below every stored instant: the start of keyset paging."""
_MANY_PER_QUERY = 500
OPEN_CATEGORIES = "'new', 'open', 'waiting'"
"""The status categories of open tickets (not ``resolved``, ``closed``), as
SQL: an ``IN`` on them walks ``ticket_sla_by_category``, the open records only."""
_WRITTEN = (
    "ticket_id, document, fingerprint, clock, due_us, at_risk_us, next_change_us, reaction_due_us, "
    "resolution_due_us, reacted, resolved, assignee, company, status_category, breached_us, status"
)
_READ = (
    "s.ticket_id, s.document, s.fingerprint, s.clock, s.due_us, s.at_risk_us, s.next_change_us, "
    "s.reaction_due_us, s.resolution_due_us, s.reacted, s.resolved, s.assignee, s.company, "
    "s.status_category, s.breached_us, s.status, s.ticket_version <> t.version"
)
_JOINED = "ticket_sla s JOIN tickets t ON t.id = s.ticket_id"
"""Each row with its ticket (a primary-key probe): stale when the ticket's
version moved on since the row was put."""


class SqlSettingsReader:
    """Reads ``store_settings``."""

    def __init__(self, borrow: Borrow) -> None:
        self._borrow = borrow

    def get(self, key: str) -> str | None:
        with self._borrow() as session:
            row = session.one("SELECT value FROM store_settings WHERE key = ?", (key,))
        return None if row is None else str(row[0])


class SqlSettings(SqlSettingsReader):
    """The settings inside a unit of work."""

    def put(self, key: str, value: str, *, expected: str | None) -> None:
        with self._borrow() as session:
            if expected is None:
                changed = session.run(
                    "INSERT INTO store_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                    (key, value),
                )
            else:
                changed = session.run(
                    "UPDATE store_settings SET value = ? WHERE key = ? AND value = ?", (value, key, expected)
                )
            if changed == 1:
                return
            row = session.one("SELECT value FROM store_settings WHERE key = ?", (key,))
        raise ConflictError(
            f"store setting {key!r} is {_said(None if row is None else row[0])}, not {_said(expected)}: "
            "another writer changed it meanwhile; retry"
        )


def _said(value: str | None) -> str:
    return "unset" if value is None else repr(value)


def _us(instant: datetime | None) -> int | None:
    return None if instant is None else utc_microseconds(instant)


def _instant(us: int | None) -> datetime | None:
    return None if us is None else from_utc_microseconds(us)


def _record(row: Row) -> SlaStateRecord:
    (ticket, document, fingerprint, clock, due, at_risk, change, reaction, resolution,
     reacted, resolved, assignee, company, category, breached, status, stale) = row  # fmt: skip
    return SlaStateRecord(
        ticket=ticket,
        document=document,
        fingerprint=fingerprint,
        clock=clock,
        due=_instant(due),
        at_risk_from=_instant(at_risk),
        next_change=_instant(change),
        reaction_due=_instant(reaction),
        resolution_due=_instant(resolution),
        reacted=bool(reacted),
        resolved=bool(resolved),
        assignee=assignee,
        company=company,
        status_category=category,
        breached_from=_instant(breached),
        status=status,
        stale=bool(stale),
    )


def queue_sql(request: QueueRequest) -> tuple[str, tuple[object, ...]]:
    """The query of a queue and its parameters: the keyset condition on
    ``(due_us, ticket_id)`` after an equality on the index's first column
    when filtering by assignee (or none) or company, so the database walks
    one index range in due order and stops at the limit."""
    where: list[str] = []
    params: list[object] = []
    if request.without_responsible:
        where.append("s.assignee IS NULL")
    elif request.assignee is not None:
        where.append("s.assignee = ?")
        params.append(request.assignee)
    if request.company is not None:
        where.append("s.company = ?")
        params.append(request.company)
    # Lower bounds go into the keyset start: (due_us, ticket_id) > (t, "") is
    # due_us >= t, ticket ids being non-empty; one range, walked in due order.
    start = request.after if request.after is not None else (_FIRST, "")
    if request.state == "at_risk":
        start = max(start, (request.now + 1, ""))  # type: ignore[operator]
    if request.due_from is not None:
        start = max(start, (request.due_from, ""))
    where.append("(s.due_us, s.ticket_id) > (?, ?)")
    params.extend(start)
    if request.state == "overdue":
        where.append("s.due_us <= ?")
        params.append(request.now)
    elif request.state == "at_risk":
        where.append("s.at_risk_us <= ?")
        params.append(request.now)
    if request.due_before is not None:
        where.append("s.due_us < ?")
        params.append(request.due_before)
    sql = (
        f"SELECT {_READ} FROM {_JOINED} WHERE {' AND '.join(where)} "
        "ORDER BY s.due_us, s.ticket_id LIMIT ?"
    )
    return sql, (*params, request.limit)


class SqlSlaStateReader:
    """Reads ``ticket_sla``."""

    def __init__(self, borrow: Borrow) -> None:
        self._borrow = borrow

    def get(self, ticket: str) -> SlaStateRecord | None:
        with self._borrow() as session:
            row = session.one(f"SELECT {_READ} FROM {_JOINED} WHERE s.ticket_id = ?", (ticket,))
        return None if row is None else _record(row)

    def fingerprints(self, tickets: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(tickets))
        found: dict[str, str] = {}
        with self._borrow() as session:
            for start in range(0, len(wanted), _MANY_PER_QUERY):
                chunk = wanted[start : start + _MANY_PER_QUERY]
                marks = ", ".join("?" * len(chunk))
                sql = (
                    "SELECT s.ticket_id, s.fingerprint, s.ticket_version <> t.version "
                    f"FROM {_JOINED} WHERE s.ticket_id IN ({marks})"
                )
                for ticket, fingerprint, stale in session.rows(sql, chunk):
                    found[ticket] = "" if stale else fingerprint
        return found

    def count(self) -> int:
        with self._borrow() as session:
            row = session.one("SELECT count(*) FROM ticket_sla")
        return 0 if row is None else int(row[0])

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
        sql, params = queue_sql(request)
        with self._borrow() as session:
            rows = session.rows(sql, params)
        return [_record(row) for row in rows]


    def dashboard_counts(
        self, *, fingerprint: str, as_of: datetime, day_end: datetime, initial_status: str
    ) -> SlaStateCounts:
        at, end = utc_microseconds(as_of), utc_microseconds(day_end)
        settled = (
            f"FROM {_JOINED} WHERE s.ticket_version = t.version AND s.fingerprint = ? AND t.last_us <= ? "
            f"AND s.status_category IN ({OPEN_CATEGORIES})"
        )
        not_overdue = "(s.breached_us IS NULL OR s.breached_us > ?)"
        moving = "s.clock = 'paused' AND s.resolution_due_us IS NULL AND s.resolved = 0"
        sql = (
            "SELECT count(*), "
            "coalesce(sum(CASE WHEN s.breached_us <= ? THEN 1 ELSE 0 END), 0), "
            "coalesce(sum(CASE WHEN s.status_category <> 'waiting' AND s.status <> ? THEN 1 ELSE 0 END), 0), "
            f"coalesce(sum(CASE WHEN {not_overdue} AND NOT ({moving}) AND ("
            "(s.reacted = 0 AND s.reaction_due_us >= ? AND s.reaction_due_us < ?) "
            "OR (s.resolution_due_us >= ? AND s.resolution_due_us < ?)) THEN 1 ELSE 0 END), 0), "
            f"coalesce(sum(CASE WHEN s.assignee IS NULL THEN 1 ELSE 0 END), 0) {settled}"
        )
        with self._borrow() as session:  # one snapshot for both
            row = session.one(sql, (at, initial_status, at, at, end, at, end, fingerprint, at))
            listed = f"SELECT s.ticket_id, s.document {settled} AND {moving} AND {not_overdue}"
            found = session.rows(f"{listed} ORDER BY s.ticket_id", (fingerprint, at, at))
        assert row is not None
        total, overdue, in_progress, due_today, without = (int(n) for n in row)
        return SlaStateCounts(
            open=total,
            overdue=overdue,
            in_progress=in_progress,
            due_today=due_today,
            without_responsible=without,
            moving=tuple((ticket, document) for ticket, document in found),
        )

    def unsettled(self, *, fingerprint: str, as_of: datetime, open_statuses: Collection[str]) -> list[str]:
        at = utc_microseconds(as_of)
        statuses = sorted(open_statuses)
        if not statuses:
            open_ones = ""
        else:
            open_ones = (  # the open tickets without a usable record: an index range per status
                "SELECT t.id FROM tickets t LEFT JOIN ticket_sla s ON s.ticket_id = t.id "
                f"WHERE t.status IN ({', '.join('?' * len(statuses))}) AND t.last_us <= ? "
                "AND (s.ticket_id IS NULL OR s.ticket_version <> t.version OR s.fingerprint <> ? "
                "OR s.status_category IS NULL) UNION "
            )
        sql = f"{open_ones}SELECT id FROM tickets WHERE last_us > ? AND created_us <= ? ORDER BY 1"
        params = (*statuses, at, fingerprint) if statuses else ()
        with self._borrow() as session:
            return [str(r[0]) for r in session.rows(sql, (*params, at, at))]


class SqlSlaStates(SqlSlaStateReader):
    """The SLA states inside a unit of work."""

    def put(self, record: SlaStateRecord) -> None:
        r = stored_record(record)
        values = (
            r.ticket, r.document, r.fingerprint, r.clock, _us(r.due), _us(r.at_risk_from), _us(r.next_change),
            _us(r.reaction_due), _us(r.resolution_due), int(r.reacted), int(r.resolved), r.assignee,
            r.company, r.status_category, _us(r.breached_from), r.status,
        )  # fmt: skip
        with self._borrow() as session:
            # one statement: written only when the ticket exists, with its version
            changed = session.run(
                f"INSERT INTO ticket_sla ({_WRITTEN}, ticket_version) "
                "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, version FROM tickets WHERE id = ? "
                "ON CONFLICT (ticket_id) DO UPDATE SET document = excluded.document, "
                "fingerprint = excluded.fingerprint, clock = excluded.clock, due_us = excluded.due_us, "
                "at_risk_us = excluded.at_risk_us, next_change_us = excluded.next_change_us, "
                "reaction_due_us = excluded.reaction_due_us, resolution_due_us = excluded.resolution_due_us, "
                "reacted = excluded.reacted, resolved = excluded.resolved, assignee = excluded.assignee, "
                "company = excluded.company, status_category = excluded.status_category, "
                "breached_us = excluded.breached_us, status = excluded.status, "
                "ticket_version = excluded.ticket_version",
                (*values, r.ticket),
            )
        if changed != 1:
            raise NotFound(f"SLA state of ticket {r.ticket!r}: the store holds no such ticket")

    def delete(self, ticket: str) -> bool:
        with self._borrow() as session:
            return session.run("DELETE FROM ticket_sla WHERE ticket_id = ?", (ticket,)) == 1

    def delete_all(self) -> int:
        with self._borrow() as session:
            return session.run("DELETE FROM ticket_sla")

    def mark_stale(self, company: str) -> int:
        # no ticket has version 0 (the first write is version 1): read back stale
        with self._borrow() as session:
            return session.run(
                "UPDATE ticket_sla SET ticket_version = 0 WHERE company = ? AND ticket_version <> 0",
                (company,),
            )


__all__ = [
    "SqlSettings",
    "SqlSettingsReader",
    "SqlSlaStateReader",
    "SqlSlaStates",
    "queue_sql",
]
