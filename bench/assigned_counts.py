"""Benchmark: ``store.tickets.assigned_counts`` on SQLite — the
``tickets_by_assignee`` index against reading every ticket.

``--tickets`` tickets (default 200,000) are generated with the storage API in
transactions of 20,000: each registered to one of 100 employees, a group or
nobody, then given a comment, a reassignment (to an employee, a group or
nobody) and a status change for some; the statuses spread over the default
workflow's. Then, alternating, ``--rounds`` times each:

* **indexed** — ``store.tickets.assigned_counts(ten employees)``: one
  ``GROUP BY`` over the partial index, no document read;
* **every ticket** — what the groundwork did: stream every ticket
  (``iter_tickets``) and count in memory (``assigned_counts_of``).

Both must give the same counts. Printed: the medians and their ratio; also
``assigned_counts(None)`` (everybody holding a ticket, what ``helpdesk report
workload`` asks), and how long schema 7's migration takes to fill the
columns of the generated tickets (the columns and index dropped, the
migration run again by opening the store).

    .venv/bin/python bench/assigned_counts.py
    .venv/bin/python bench/assigned_counts.py --tickets 1000000 --rounds 3
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpdesk_core.model.ticket import Assignee, Assignment, Comment, Event, StatusChange, Ticket
from helpdesk_core.storage import open_store
from helpdesk_core.storage.documents import assigned_counts_of

START = datetime(2026, 1, 5, 8, tzinfo=UTC)
EMPLOYEES = [f"E-{n:03d}" for n in range(100)]
ASKED = EMPLOYEES[:10]
STATUSES = ("open", "in_progress", "postponed", "resolved", "closed")
BATCH = 20_000


def _assignee(n: int) -> Assignee | None:
    if n % 10 == 0:
        return None
    if n % 10 == 1:
        return Assignee(id=f"G-{n % 7}", group=True)
    return Assignee(id=EMPLOYEES[n % len(EMPLOYEES)])


def _ticket(n: int) -> Ticket:
    at = START + timedelta(seconds=n)
    ticket = Ticket.register(id=f"T-{n:07d}", subject=f"Ticket {n}", created_at=at, assignee=_assignee(n))
    events: list[Event] = [Comment(at=at + timedelta(minutes=1), author="contact", body="It is broken")]
    if n % 3 == 0:
        who = _assignee(n // 3 + 7)
        events.append(
            Assignment(at=at + timedelta(minutes=2), to=None if who is None else who.id,
                       group=who is not None and who.group)
        )  # fmt: skip
    status = STATUSES[n % len(STATUSES)]
    if status != "open":
        until = at + timedelta(days=3) if status == "postponed" else None
        events.append(StatusChange(at=at + timedelta(minutes=3), to=status, until=until))
    for event in events:
        ticket = ticket.with_event(event)
    return ticket


def generate(path: Path, tickets: int) -> float:
    began = time.perf_counter()
    store = open_store(str(path))
    try:
        for first in range(0, tickets, BATCH):
            with store.unit_of_work() as uow:
                for n in range(first, min(tickets, first + BATCH)):
                    uow.tickets.add(_ticket(n))
                uow.commit()
    finally:
        store.close()
    return time.perf_counter() - began


def timed(work: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    found = work()
    return time.perf_counter() - began, found


def migration_seconds(path: Path) -> float:
    """Schema 7's migration over ``path``'s tickets: its columns and index are
    dropped, its version forgotten, then the store is opened (and migrates)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("DROP INDEX tickets_by_assignee")
        db.execute("ALTER TABLE tickets DROP COLUMN assignee")
        db.execute("ALTER TABLE tickets DROP COLUMN assignee_group")
        db.execute("DELETE FROM schema_version WHERE version = 7")
    began = time.perf_counter()
    open_store(str(path)).close()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-assigned-") as folder:
        path = Path(folder) / "store.sqlite3"
        print(f"generating {args.tickets:,} tickets … {generate(path, args.tickets):.1f} s")
        store = open_store(str(path))
        indexed: list[float] = []
        every: list[float] = []
        everybody: list[float] = []
        try:
            for round in range(args.rounds):
                fast, by_index = timed(lambda: store.tickets.assigned_counts(ASKED))
                slow, by_reading = timed(
                    lambda: assigned_counts_of((s.value for s in store.tickets.iter_tickets()), ASKED)
                )
                assert by_index == by_reading, "the index and the tickets must agree"
                all_time, _ = timed(lambda: store.tickets.assigned_counts(None))
                indexed.append(fast)
                every.append(slow)
                everybody.append(all_time)
                print(f"round {round + 1}: indexed {fast * 1000:.2f} ms, every ticket {slow:.2f} s, "
                      f"everybody (None) {all_time * 1000:.1f} ms")  # fmt: skip
        finally:
            store.close()
        fast, slow = statistics.median(indexed), statistics.median(every)
        print(f"median: indexed {fast * 1000:.2f} ms, every ticket {slow:.2f} s: {slow / fast:,.0f}x; "
              f"everybody (None) {statistics.median(everybody) * 1000:.1f} ms")  # fmt: skip
        print(f"schema 7's migration over {args.tickets:,} tickets: {migration_seconds(path):.1f} s")
        check = open_store(str(path))
        try:
            held = assigned_counts_of((s.value for s in check.tickets.iter_tickets()), None)
            assert check.tickets.assigned_counts(None) == held, "the migration must fill what the writers do"
        finally:
            check.close()
        print("migrated columns agree with the tickets")


if __name__ == "__main__":
    main()
