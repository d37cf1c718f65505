"""The storage contract on a real PostgreSQL server (see conftest.py)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from helpdesk_core.errors import StorageUnavailable
from helpdesk_core.model.domain_events import ScheduleEntry
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.storage import open_store
from helpdesk_core.storage.documents import ticket_header, utc_microseconds
from helpdesk_core.storage.migrations import latest, migrations
from helpdesk_core.storage.postgres import PostgresSession
from helpdesk_core.storage.protocols import STALE_WAKEUP
from helpdesk_core.storage.sql_desk import DUE, NEXT_WAKEUP, STALE_US
from helpdesk_core.testing.contract import START, StoreContract


class TestPostgresStore(StoreContract):
    @pytest.fixture
    def store_url(self, postgres_url: str) -> str:
        return postgres_url


def test_a_postgres_schema_written_by_a_newer_version_is_refused(postgres_url: str) -> None:
    open_store(postgres_url).close()
    schema = postgres_url.rsplit("%3D", 1)[1]
    base = postgres_url.split("?", 1)[0]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"INSERT INTO {schema}.schema_version (version) VALUES (42)")
    with pytest.raises(
        StorageUnavailable, match=rf"schema version 42, newer than .*\({latest('postgresql')}\)"
    ):
        open_store(postgres_url)


def test_tickets_stored_before_the_live_desk_get_a_stale_schedule_entry(postgres_url: str) -> None:
    ticket = Ticket.register(id="T-1", subject="Printer jams", created_at=START)
    with psycopg.connect(postgres_url.replace("pool_size=2&", "")) as conn:
        session = PostgresSession(conn, "test")
        session.run("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for step in migrations("postgresql")[:2]:  # the schema before issue 14
            step.apply(session)
            session.run("INSERT INTO schema_version (version) VALUES (?)", (step.number,))
        session.run(
            "INSERT INTO tickets (id, created_us, status, company, version, event_count, last_us, header) "
            "VALUES (?, ?, ?, NULL, 4, 0, ?, ?)",
            (ticket.id, utc_microseconds(START), ticket.status, utc_microseconds(START), ticket_header(ticket)),
        )
        conn.commit()
    store = open_store(postgres_url)
    try:
        assert store.schema_version() == latest("postgresql") >= 3
        assert store.tickets.get("T-1").version == 4
        assert store.schedule.find("T-1") == ScheduleEntry(ticket="T-1", stale=True)
        assert store.schedule.next_wakeup() == STALE_WAKEUP
        assert store.outbox.last_position() == 0
    finally:
        store.close()


def _plan(conn: psycopg.Connection[Any], sql: str, params: tuple[object, ...] = ()) -> str:
    rows = conn.execute(f"EXPLAIN {sql.replace('?', '%s')}", params).fetchall()
    return "\n".join(row[0] for row in rows)


def test_due_is_a_range_scan_and_the_next_wake_up_one_index_probe(postgres_url: str) -> None:
    open_store(postgres_url).close()
    with psycopg.connect(postgres_url.replace("pool_size=2&", "")) as conn:
        # 100,000 entries, 1 % of them due: the planner's choice on a desk-sized table
        conn.execute(
            "INSERT INTO ticket_schedule (ticket_id, wake_us, checked_us) "
            "SELECT 'T-' || n, CASE WHEN n % 100 = 0 THEN n ELSE 10000000 + n END, NULL "
            "FROM generate_series(1, 100000) AS n"
        )
        conn.execute("ANALYZE ticket_schedule")
        due = _plan(conn, DUE, (1_000_000, STALE_US - 1, "", 1000))
        wakeup = _plan(conn, NEXT_WAKEUP)
    # an index scan in due order, or (the planner's choice when many are due) a
    # bitmap scan of the same index range whose few rows are then sorted
    assert "Index Scan using ticket_schedule_by_wakeup" in due or (
        "Bitmap Index Scan on ticket_schedule_by_wakeup" in due
    ), due
    assert "Index Cond: ((wake_us <= " in due and "Seq Scan" not in due, due
    assert "Index Only Scan using ticket_schedule_by_wakeup" in wakeup, wakeup
    assert "Seq Scan" not in wakeup and "Limit" in wakeup, wakeup
