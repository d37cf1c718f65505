"""The storage contract on a real PostgreSQL server (see conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime
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
from helpdesk_core.storage.sql_sla import queue_sql
from helpdesk_core.testing.contract import SLA_QUEUES, START, StoreContract


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
            "SELECT 'T-' || n, CASE WHEN mod(n, 100) = 0 THEN n ELSE 10000000 + n END, NULL "
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


def test_every_sla_queue_is_an_index_scan_in_due_order(postgres_url: str) -> None:
    """100,000 SLA states on a desk-sized table (1 % overdue, 1 % at risk, 200
    assignees, 500 companies, 0.5 % without responsible): each queue walks one
    index in due order and stops at the limit — no sequential scan, no sort.
    (With a filter that keeps many rows, e.g. a tenth without responsible,
    the planner rightly walks ``ticket_sla_by_due`` and filters: still in due
    order, stopping at the limit.)"""
    open_store(postgres_url).close()
    noon = utc_microseconds(datetime(2026, 3, 2, 12, tzinfo=UTC))
    hour = 3_600_000_000
    with psycopg.connect(postgres_url.replace("pool_size=2&", "")) as conn:
        conn.execute(
            "INSERT INTO tickets (id, created_us, status, company, version, event_count, last_us, header) "
            "SELECT 'T-' || n, 0, 'new', NULL, 1, 0, 0, '{}' FROM generate_series(1, 100000) AS n"
        )
        conn.execute(
            "INSERT INTO ticket_sla (ticket_id, document, fingerprint, clock, due_us, at_risk_us, "
            "reacted, resolved, assignee, company, ticket_version) "
            "SELECT 'T-' || n, '{}', 'F', 'counting', due, due - 2 * %s, 0, 0, "
            "CASE WHEN mod(n, 200) = 7 THEN NULL ELSE 'E-' || mod(n, 200) END, 'C-' || mod(n, 500), 1 "
            "FROM generate_series(1, 100000) AS n, "
            "LATERAL (SELECT CASE WHEN mod(n, 100) = 0 THEN %s - n WHEN mod(n, 100) = 1 THEN %s + %s "
            "ELSE %s + 10 * %s + n * 1000 END AS due) AS d",
            (hour, noon, noon, hour, noon, hour),
        )
        conn.execute("ANALYZE ticket_sla")
        plans = {name: _plan(conn, *queue_sql(request)) for name, request in SLA_QUEUES.items()}
    # the planner's choice: the query's own index, or the due index filtered
    # when few rows pass (both in due order); a bitmap scan of the filter's
    # index whose few rows are then sorted
    by_due, by_assignee, by_company = "ticket_sla_by_due", "ticket_sla_by_assignee", "ticket_sla_by_company"
    allowed = {
        "overdue now": {by_due},
        "at risk now": {by_due},
        "due today": {by_due},
        "without responsible": {by_assignee, by_due},
        "assignee's queue by due": {by_assignee},
        "assignee's overdue": {by_assignee, by_due},
        "company's at risk": {by_company, by_due},
    }

    def walks(plan: str, indexes: set[str]) -> bool:
        ordered = any(f"Index Scan using {i} on ticket_sla" in plan for i in indexes) and "Sort" not in plan
        bitmap = any(f"Bitmap Index Scan on {i}" in plan for i in indexes - {by_due})
        return plan.startswith("Limit") and "Seq Scan" not in plan and (ordered or bitmap)

    wrong = {name: plan for name, plan in plans.items() if not walks(plan, allowed[name])}
    assert wrong == {}, "\n\n".join(f"{name}:\n{plan}" for name, plan in wrong.items())


def test_the_scheduler_policy_counters_become_the_setting_on_migration(postgres_url: str) -> None:
    with psycopg.connect(postgres_url.replace("pool_size=2&", "")) as conn:
        session = PostgresSession(conn, "test")
        session.run("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for step in migrations("postgresql")[:3]:  # the schema of issue 14
            step.apply(session)
            session.run("INSERT INTO schema_version (version) VALUES (?)", (step.number,))
        session.run_many(
            "INSERT INTO sequences (name, value) VALUES (?, ?)",
            [("scheduler_policy", 3), ("scheduler_policy:aaa", 3), ("scheduler_policy:bbb", 2), ("tickets", 7)],
        )
        conn.commit()
    store = open_store(postgres_url)
    try:
        assert store.schema_version() == latest("postgresql") >= 4
        assert store.settings.get("scheduler.policy") == "aaa"
        with store.unit_of_work() as uow:
            assert uow.sequences.current("tickets") == 7
            assert uow.sequences.current("scheduler_policy") is None
            assert uow.sequences.current("scheduler_policy:aaa") is None
        assert store.sla_states.count() == 0
    finally:
        store.close()
