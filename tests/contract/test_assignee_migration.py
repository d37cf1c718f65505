"""The ``tickets`` table's assignee columns: filled for the tickets a store
held before them (SQLite schema 6 → 7, PostgreSQL 5 → 6), and counted from
their index alone."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import psycopg

from helpdesk_core.model.ticket import Assignee, Assignment, Comment, StatusChange, Ticket
from helpdesk_core.storage import open_store
from helpdesk_core.storage.documents import (
    assigned_counts_of,
    event_documents,
    ticket_header,
    utc_microseconds,
)
from helpdesk_core.storage.migrations import latest, migrations
from helpdesk_core.storage.postgres import PostgresSession
from helpdesk_core.storage.sql import Session, assigned_counts_sql
from helpdesk_core.storage.sqlite import SqliteSession
from helpdesk_core.testing.contract import START

EMPLOYEES = ("E-1", "E-2", "E-3", "G-1")


def _at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def _old_tickets() -> list[Ticket]:
    def registered(id: str, assignee: Assignee | None, status: str = "open") -> Ticket:
        return Ticket.register(id=id, subject=id, created_at=START, status=status, assignee=assignee)

    e1, group = Assignee(id="E-1"), Assignee(id="G-1", group=True)
    return [
        registered("T-1", e1),  # assigned at registration, no event
        registered("T-2", e1)  # reassigned by an event, then moved on
        .with_event(Assignment(at=_at(1), to="E-2"))
        .with_event(StatusChange(at=_at(2), to="in_progress"))
        .with_event(Comment(at=_at(3), author="employee", body='mentions "assign" in a text')),
        registered("T-3", e1).with_event(Assignment(at=_at(1), to=None)),  # unassigned by an event
        registered("T-4", group),  # a group at registration
        registered("T-5", None)  # to an employee, then to a group
        .with_event(Assignment(at=_at(1), to="E-3"))
        .with_event(Assignment(at=_at(2), to="G-1", group=True)),
        registered("T-6", None, "resolved")  # to a group, then to an employee
        .with_event(Assignment(at=_at(1), to="G-1", group=True))
        .with_event(Assignment(at=_at(2), to="E-3")),
        registered("T-7", None),  # nobody, ever
    ]


EXPECTED = {"E-1": {"open": 1}, "E-2": {"in_progress": 1}, "E-3": {"resolved": 1}}
COLUMNS = {
    "T-1": ("E-1", 0), "T-2": ("E-2", 0), "T-3": (None, 0), "T-4": ("G-1", 1),
    "T-5": ("G-1", 1), "T-6": ("E-3", 0), "T-7": (None, 0),
}  # fmt: skip


def _store_before(session: Session, steps: int, number: Callable[[int], int] = int) -> None:
    """The schema of ``steps`` migrations, holding :func:`_old_tickets` as
    that schema's writers stored them."""
    backend = "sqlite" if isinstance(session, SqliteSession) else "postgresql"
    session.run("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for step in migrations(backend)[:steps]:
        step.apply(session)
        session.run("INSERT INTO schema_version (version) VALUES (?)", (step.number,))
    for ticket in _old_tickets():
        documents = event_documents(ticket.events)
        session.run(
            "INSERT INTO tickets (id, created_us, status, company, version, event_count, last_us, header) "
            "VALUES (?, ?, ?, NULL, 3, ?, ?, ?)",
            (
                ticket.id,
                utc_microseconds(ticket.created_at),
                ticket.status,
                len(documents),
                utc_microseconds(ticket.updated_at),
                ticket_header(ticket),
            ),
        )
        session.run_many(
            "INSERT INTO ticket_events (ticket_id, seq, document) VALUES (?, ?, ?)",
            [(ticket.id, seq, document) for seq, document in enumerate(documents)],
        )


def _check_migrated(url: str, columns: Callable[[], dict[str, tuple[str | None, int]]]) -> None:
    store = open_store(url)
    try:
        assert store.tickets.assigned_counts(EMPLOYEES) == EXPECTED
        held = [stored.value for stored in store.tickets.iter_tickets()]
        assert assigned_counts_of(held, EMPLOYEES) == EXPECTED
        assert columns() == COLUMNS
        with store.unit_of_work() as uow:  # the migrated columns go on as any other
            uow.tickets.append("T-4", [Assignment(at=_at(5), to="E-1")], expected_version=3)
            uow.commit()
        assert store.tickets.assigned_counts(["E-1"]) == {"E-1": {"open": 2}}
    finally:
        store.close()


def test_a_sqlite_store_of_schema_6_gets_each_tickets_assignee(tmp_path: Path) -> None:
    path = tmp_path / "v6.sqlite3"
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        _store_before(SqliteSession(db, "test"), 6)
    assert latest("sqlite") == 7

    def columns() -> dict[str, tuple[str | None, int]]:
        with closing(sqlite3.connect(path)) as db:
            return {r[0]: (r[1], r[2]) for r in db.execute("SELECT id, assignee, assignee_group FROM tickets")}

    _check_migrated(str(path), columns)


def test_a_postgres_store_of_schema_5_gets_each_tickets_assignee(postgres_url: str) -> None:
    libpq = postgres_url.replace("pool_size=2&", "")
    with psycopg.connect(libpq) as conn:
        _store_before(PostgresSession(conn, "test"), 5)
        conn.commit()
    assert latest("postgresql") == 6

    def columns() -> dict[str, tuple[str | None, int]]:
        with psycopg.connect(libpq) as conn:
            rows = conn.execute("SELECT id, assignee, assignee_group FROM tickets").fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    _check_migrated(postgres_url, columns)


def test_sqlite_counts_from_the_assignee_index_alone(tmp_path: Path) -> None:
    path = tmp_path / "plan.sqlite3"
    open_store(str(path)).close()
    with closing(sqlite3.connect(path)) as db:
        plan = " | ".join(
            row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {assigned_counts_sql(3)}", ("a", "b", "c"))
        )
        everybody = " | ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {assigned_counts_sql(None)}"))
    assert plan == "SEARCH tickets USING COVERING INDEX tickets_by_assignee (assignee=?)", plan
    assert everybody == "SEARCH tickets USING COVERING INDEX tickets_by_assignee (assignee>?)", everybody


def test_postgres_counts_from_the_assignee_index(postgres_url: str) -> None:
    open_store(postgres_url).close()
    with psycopg.connect(postgres_url.replace("pool_size=2&", "")) as conn:
        conn.execute("SET enable_seqscan = off")  # a tiny table: the planner would rightly scan it
        plan = " | ".join(
            str(row[0])
            for row in conn.execute(
                "EXPLAIN " + assigned_counts_sql(3).replace("?", "%s"), ("a", "b", "c")
            ).fetchall()
        )
    assert "tickets_by_assignee" in plan and "Seq Scan" not in plan, plan
