"""Eight processes at one desk: they register tickets and comment on the same
three tickets at once, every use case wrapped in ``desk.retrying``, on SQLite
and on PostgreSQL.

Afterwards nothing may be lost or doubled: every comment a process was told is
done is in the history exactly once, ticket ids are unique and gap-free from
T-1001, each ticket's version counts its use cases, the out-box holds exactly
one entry per domain event a committed use case returned, in gap-free
positions; conflicts happened (the test would prove nothing otherwise), each
surfaced as ``ConflictError`` and was retried, and no "database is locked"
or any other error escaped.

Each worker is a separate Python process (``desk_worker.py``), started
together through a go-file, so SQLite's file locks and PostgreSQL's row locks
and sequences are exercised as a real deployment would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from helpdesk_core.desk import Desk, FixedClock
from helpdesk_core.model.domain_events import OutboxEntry
from helpdesk_core.model.staff import Employee
from helpdesk_core.storage import open_store

WORKERS = 8
ROUNDS = 4
"""Rounds per worker: register a ticket, comment on it, comment on two shared tickets."""
HOT = 3
"""Shared tickets every worker comments on."""
WORKER = Path(__file__).with_name("desk_worker.py")
TIMEOUT = 120.0


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    value: str = request.getfixturevalue("postgres_url")
    return value


def _event_key(entry: OutboxEntry) -> tuple[Any, ...]:
    event = entry.event
    return (event.kind, event.ticket, event.at.isoformat(), event.by, json.dumps(event.data, sort_keys=True))


def _outbox(desk: Desk) -> Iterator[OutboxEntry]:
    after = 0
    while batch := desk.store.outbox.entries(after=after, limit=500):
        yield from batch
        after = batch[-1].position


def _start_workers(url: str, hot: list[str], go: Path) -> list[subprocess.Popen[str]]:
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, str(n), str(ROUNDS), ",".join(hot), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(1, WORKERS + 1)
    ]
    deadline = time.monotonic() + TIMEOUT
    while len(list(go.parent.glob(f"{go.name}.ready-*"))) < WORKERS:
        assert all(w.poll() is None for w in workers), [w.communicate() for w in workers if w.poll()]
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.02)
    go.touch()
    return workers


@pytest.mark.slow
def test_eight_processes_lose_nothing_and_double_nothing(url: str, tmp_path: Path) -> None:
    with Desk.open(url) as desk:
        with desk.store.unit_of_work() as uow:
            for n in range(1, WORKERS + 1):
                uow.employees.add(
                    Employee(id=f"E-{n}", first_name="Agent", last_name=str(n), email=f"e{n}@desk.example")
                )
            uow.commit()
        hot = [desk.register_ticket(subject=f"shared {n}", by="E-1").ticket.id for n in range(HOT)]
        setup_events = Counter(_event_key(e) for e in _outbox(desk))

    workers = _start_workers(url, hot, tmp_path / "go")
    reports = []
    for worker in workers:
        out, err = worker.communicate(timeout=TIMEOUT)
        assert worker.returncode == 0, err
        assert "locked" not in err.lower(), err
        reports.append(json.loads(out.strip().splitlines()[-1]))

    errors = [e for r in reports for e in r["errors"]]
    assert errors == [], errors
    conflicts = sum(r["conflicts"] for r in reports)
    print(f"{url.split(':')[0]}: {conflicts} conflicts retried")
    assert conflicts >= 1, "no writer ever lost a race: the test proved nothing"

    registered = [t for r in reports for t in r["registered"]]
    assert len(registered) == WORKERS * ROUNDS
    every_id = hot + registered
    assert len(set(every_id)) == len(every_id), f"a ticket id was handed out twice: {sorted(every_id)}"
    assert sorted(every_id, key=lambda i: int(i[2:])) == [f"T-{1001 + n}" for n in range(len(every_id))], (
        "ticket ids are not gap-free from T-1001"
    )

    done: dict[str, Counter[str]] = {ticket: Counter() for ticket in every_id}
    for report in reports:
        for ticket, body in report["comments"]:
            done[ticket][body] += 1
    with Desk.open(url) as desk:
        assert desk.store.tickets.count() == len(every_id)
        for ticket in every_id:
            stored = desk.get(ticket)
            bodies = Counter(c.body for c in stored.value.comments)
            assert bodies == done[ticket], f"{ticket}: history {bodies} but reported done {done[ticket]}"
            assert stored.version == 1 + len(stored.value.comments), f"{ticket}: version {stored.version}"

        entries = list(_outbox(desk))
        assert [e.position for e in entries] == list(range(1, len(entries) + 1)), (
            "out-box positions have gaps"
        )
        committed = setup_events + Counter(tuple(e) for r in reports for e in r["events"])
        stored_events = Counter(_event_key(e) for e in entries)
        assert stored_events == committed, (
            f"out-box differs from the committed use cases' events: "
            f"missing {committed - stored_events}, extra {stored_events - committed}"
        )
        comments_added = sum(1 for e in entries if e.event.kind == "comment_added")
        assert comments_added == sum(sum(c.values()) for c in done.values())
        assert sum(1 for e in entries if e.event.kind == "ticket_registered") == len(every_id)


class _BusyClock:
    """The system clock as a use case sees it while another process writes:
    the first reading is taken, then (before the use case reads the ticket,
    if it reads the clock first) the other process commits a comment a moment
    later; every later reading is after that comment, as real time would be."""

    def __init__(self, at: datetime, other_writer: Callable[[datetime], object]) -> None:
        self.at = at
        self.other_writer = other_writer
        self.readings = 0

    def now(self) -> datetime:
        self.readings += 1
        if self.readings == 1:
            self.other_writer(self.at + timedelta(milliseconds=100))
            return self.at
        return self.at + timedelta(seconds=1)


def test_a_use_case_without_at_is_dated_after_the_ticket_it_read() -> None:
    """A use case called without ``at`` takes the clock's reading *after* it
    read the ticket: a writer that committed in between makes it a conflict
    (retried), never a "history only grows forward" refusal of a write the
    user made now."""
    store = open_store("memory://")
    with store.unit_of_work() as uow:
        uow.employees.add(Employee(id="E-1", first_name="Agent", email="e1@desk.example"))
        uow.commit()
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    other = Desk(store, clock=FixedClock(start))
    ticket = other.register_ticket(subject="Printer jams", by="E-1").ticket.id

    def other_process_comments(at: datetime) -> object:
        return other.comment(ticket, body="meanwhile", author="employee", by="E-1", at=at)

    desk = Desk(store, clock=_BusyClock(start + timedelta(minutes=1), other_process_comments))
    outcome = desk.retrying(lambda: desk.comment(ticket, body="now", author="employee", by="E-1"))
    assert [c.body for c in outcome.ticket.comments] == ["meanwhile", "now"]
    assert outcome.version == 3
