"""The storage contract on a real PostgreSQL server (see conftest.py)."""

from __future__ import annotations

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
