"""The storage contract on SQLite, and what only a file can show: migrations
of an older file, refusal of a newer one."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from helpdesk_core.storage import open_store
from helpdesk_core.storage.migrations import latest, migrations
from helpdesk_core.storage.sql_desk import DUE, NEXT_WAKEUP, STALE_US
from helpdesk_core.storage.sql_sla import queue_sql
from helpdesk_core.storage.sqlite import SqliteSession
from helpdesk_core.testing.contract import SLA_QUEUES, StoreContract


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def store_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'contract.sqlite3'}"


def test_due_is_a_range_scan_and_the_next_wake_up_one_index_probe(tmp_path: Path) -> None:
    path = tmp_path / "plan.sqlite3"
    open_store(str(path)).close()
    with closing(sqlite3.connect(path)) as db:
        due = " ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {DUE}", (5, STALE_US - 1, "", 100)))
        wakeup = " ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {NEXT_WAKEUP}"))
    assert due.startswith("SEARCH ticket_schedule USING INDEX ticket_schedule_by_wakeup ("), due
    assert "SCAN" not in due and "TEMP B-TREE" not in due, "no full scan, no sort"
    assert wakeup == "SEARCH ticket_schedule USING COVERING INDEX ticket_schedule_by_wakeup", wakeup


def _queue_plans(db: sqlite3.Connection) -> dict[str, str]:
    plans = {}
    for name, request in SLA_QUEUES.items():
        sql, params = queue_sql(request)
        plans[name] = " | ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    return plans


def test_every_sla_queue_is_a_range_scan_of_one_index_in_due_order(tmp_path: Path) -> None:
    path = tmp_path / "plan.sqlite3"
    open_store(str(path)).close()
    with closing(sqlite3.connect(path)) as db:
        plans = _queue_plans(db)
    index = {
        "overdue now": "ticket_sla_by_due ((due_us,ticket_id)>(?,?) AND due_us<?)",
        "at risk now": "ticket_sla_by_due ((due_us,ticket_id)>(?,?))",
        "due today": "ticket_sla_by_due ((due_us,ticket_id)>(?,?) AND due_us<?)",
        "without responsible": "ticket_sla_by_assignee (assignee=? AND (due_us,ticket_id)>(?,?))",
        "assignee's queue by due": "ticket_sla_by_assignee (assignee=? AND (due_us,ticket_id)>(?,?))",
        "assignee's overdue": "ticket_sla_by_assignee (assignee=? AND (due_us,ticket_id)>(?,?) AND due_us<?)",
        "company's at risk": "ticket_sla_by_company (company=? AND (due_us,ticket_id)>(?,?))",
    }
    ticket = "SEARCH t USING INDEX sqlite_autoindex_tickets_1 (id=?)"  # its version: stale or not
    assert plans == {name: f"SEARCH s USING INDEX {used} | {ticket}" for name, used in index.items()}, (
        "one index range each, then a probe per row: no SCAN, no TEMP B-TREE for the order"
    )


def test_the_scheduler_policy_counters_become_the_setting_on_migration(tmp_path: Path) -> None:
    """A store of issue 14 (schema 4) remembers its policy in force as counters:
    the digest whose counter equals the generation. After the migration the
    setting names it and the counters are gone; an empty SLA-state table waits."""
    path = tmp_path / "v4.sqlite3"
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        session = SqliteSession(db, "test")
        session.run("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for step in migrations("sqlite")[:4]:
            step.apply(session)
            session.run("INSERT INTO schema_version (version) VALUES (?)", (step.number,))
        session.run_many(
            "INSERT INTO sequences (name, value) VALUES (?, ?)",
            [("scheduler_policy", 3), ("scheduler_policy:aaa", 2), ("scheduler_policy:bbb", 3), ("tickets", 7)],
        )
    store = open_store(str(path))
    try:
        assert store.schema_version() == latest("sqlite") >= 5
        assert store.settings.get("scheduler.policy") == "bbb"
        with store.unit_of_work() as uow:
            assert uow.sequences.current("tickets") == 7
            assert uow.sequences.current("scheduler_policy") is None
            assert uow.sequences.current("scheduler_policy:bbb") is None
        assert store.sla_states.count() == 0
    finally:
        store.close()
