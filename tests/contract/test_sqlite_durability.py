"""What only a file shows: a writer killed half-way leaves all or nothing;
an older file is migrated on open; a newer one is refused."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from helpdesk_core.errors import StorageUnavailable
from helpdesk_core.model.domain_events import ScheduleEntry
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.serialization import ticket_to_json_line
from helpdesk_core.storage import SqliteStore, open_store, save_all
from helpdesk_core.storage.documents import utc_microseconds
from helpdesk_core.storage.migrations import latest
from helpdesk_core.storage.protocols import STALE_WAKEUP
from helpdesk_core.testing.contract import START, sample_ticket

BATCH = 50_000
"""Tickets in the batch the writer is killed in."""
MARKER_AFTER = 5_000
"""The writer touches its progress marker after saving this many tickets."""

WRITER = """
import sys
from datetime import timedelta
from pathlib import Path
from helpdesk_core.storage import SqliteStore, save_all
from helpdesk_core.model.domain_events import ScheduleEntry
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.testing.contract import START

path, marker, batch, marker_after = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def tickets():
    for n in range(batch):
        if n == marker_after:
            marker.touch()
        yield Ticket.register(id=f"T-{n:06d}", subject=f"ticket {n}", created_at=START + timedelta(seconds=n))
store = SqliteStore(path)
with store.unit_of_work() as uow:
    save_all(uow.tickets, tickets())
    uow.commit()
print("committed", flush=True)
"""


def _batch() -> list[Ticket]:
    return [
        Ticket.register(id=f"T-{n:06d}", subject=f"ticket {n}", created_at=START + timedelta(seconds=n))
        for n in range(BATCH)
    ]


def test_a_writer_killed_half_way_leaves_all_or_nothing_and_the_batch_saves_again(tmp_path: Path) -> None:
    path = tmp_path / "killed.sqlite3"
    marker = tmp_path / "started"
    SqliteStore(path).close()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(marker), str(BATCH), str(MARKER_AFTER)],
        stdout=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    wal = Path(f"{path}-wal")
    while not (marker.exists() and wal.exists() and wal.stat().st_size > 0):
        assert writer.poll() is None, "the writer ended before it was killed"
        assert time.monotonic() < deadline, "the writer never started writing"
        time.sleep(0.01)
    os.kill(writer.pid, signal.SIGKILL)
    output, _ = writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    assert "committed" not in output

    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store = SqliteStore(path)
    try:
        assert store.tickets.count() == 0, "nothing of the killed batch survives"
        with store.unit_of_work() as uow:
            summary = save_all(uow.tickets, _batch())
            uow.commit()
        assert (summary.created, summary.updated, summary.unchanged) == (BATCH, 0, 0)
        assert store.tickets.count() == BATCH
    finally:
        store.close()


V1_SCHEMA = (
    "CREATE TABLE schema_version (version INTEGER NOT NULL);"
    "INSERT INTO schema_version VALUES (1);"
    "CREATE TABLE tickets (id TEXT PRIMARY KEY, created_us INTEGER NOT NULL, status TEXT NOT NULL,"
    " version INTEGER NOT NULL, document TEXT NOT NULL);"
    "CREATE INDEX tickets_by_creation ON tickets (created_us, id);"
    "CREATE INDEX tickets_by_status ON tickets (status);"
)


def test_a_file_of_the_first_schema_is_migrated_on_open_keeping_tickets_and_versions(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    ticket = sample_ticket()
    with sqlite3.connect(path) as raw:
        raw.executescript(V1_SCHEMA)
        raw.execute(
            "INSERT INTO tickets VALUES (?, ?, ?, 3, ?)",
            (ticket.id, utc_microseconds(ticket.created_at), ticket.status, ticket_to_json_line(ticket)),
        )
    raw.close()
    store = open_store(str(path))
    try:
        assert store.schema_version() == latest("sqlite") >= 2
        stored = store.tickets.get("T-1")
        assert (stored.value, stored.version) == (ticket, 3)
        assert [s.value.id for s in store.tickets.iter_tickets(status="in_progress")] == ["T-1"]
        assert store.schedule.find("T-1") == ScheduleEntry(ticket="T-1", stale=True), (
            "a ticket stored before the live desk is looked at by the first scheduler run"
        )
        assert store.schedule.next_wakeup() == STALE_WAKEUP
        assert store.outbox.last_position() == 0
    finally:
        store.close()


def test_a_file_written_by_a_newer_version_is_refused_naming_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    SqliteStore(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO schema_version (version) VALUES (99)")
    raw.close()
    with pytest.raises(StorageUnavailable, match=rf"schema version 99, newer than .*\({latest('sqlite')}\)"):
        open_store(f"sqlite:///{path}")


def test_a_store_in_a_folder_that_does_not_exist_says_so(tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "desk.sqlite3"
    with pytest.raises(StorageUnavailable) as refused:
        open_store(str(path))
    assert str(refused.value) == (
        f"cannot open SQLite store {str(path)!r}: the folder {str(path.parent)!r} does not exist"
    )
    assert not path.parent.exists()
