"""The storage contract on SQLite, and what only a file can show: migrations
of an older file, refusal of a newer one."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from helpdesk_core.storage import open_store
from helpdesk_core.storage.sql_desk import DUE, NEXT_WAKEUP, STALE_US
from helpdesk_core.testing.contract import StoreContract


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
