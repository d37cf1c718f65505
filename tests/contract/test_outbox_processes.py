"""Eight processes on one store, each appending out-box entries and taking
ticket numbers in units of work of its own (some rolled back), while a
consumer reads the out-box: positions 1..N and numbers 1001..1000+M come out
without a gap or a duplicate, each as the process that committed it was told,
the consumer never skips an entry that commits later with a smaller position,
and no "database is locked" escapes.

Real processes on a real SQLite file and a real PostgreSQL server.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk_core.storage import Store, open_store

PROCESSES = 8
ROUNDS = 12
"""Units of work per process; every third one is rolled back."""

WRITER = """
import json, sys, time
from datetime import timedelta
from helpdesk_core.model.domain_events import DomainEvent
from helpdesk_core.storage import open_store
from helpdesk_core.testing.contract import START

url, writer, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_store(url)
kept = []
for n in range(rounds):
    events = [
        DomainEvent(kind="comment_added", ticket=f"T-{writer}", at=START + timedelta(seconds=n), by=writer,
                    data={"writer": writer, "round": n, "part": part})
        for part in range(1 + n % 3)
    ]
    with store.unit_of_work() as uow:
        number = uow.sequences.next("tickets", start=1001)
        entries = uow.outbox.append(events)
        time.sleep(0.002)  # hold the counters a moment: the others queue behind
        if n % 3 == 2:
            uow.rollback()
            continue
        uow.commit()
    kept.append({"number": number, "positions": [e.position for e in entries], "round": n})
store.close()
print(json.dumps(kept))
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'outbox.sqlite3'}"
    else:
        url = str(request.getfixturevalue("postgres_url"))
    open_store(url).close()  # created and migrated before the race
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    try:
        yield opened
    finally:
        opened.close()


def _consume(store: Store, stop: threading.Event, seen: list[int], problems: list[str]) -> None:
    """Read the out-box as a consumer does: each read after the last position seen."""
    last = 0
    while True:
        finished = stop.is_set()
        for entry in store.outbox.entries(after=last, limit=50):
            if entry.position != last + 1:
                problems.append(f"after position {last} the consumer was given {entry.position}")
            last = entry.position
            seen.append(last)
        if finished:
            return


def test_eight_processes_get_gap_free_positions_and_numbers_in_commit_order(
    store_url: str, store: Store
) -> None:
    stop = threading.Event()
    seen: list[int] = []
    problems: list[str] = []
    consumer = threading.Thread(target=_consume, args=(store, stop, seen, problems))
    consumer.start()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, store_url, f"W{n}", str(ROUNDS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    outputs = [writer.communicate(timeout=300) for writer in writers]
    stop.set()
    consumer.join(timeout=60)
    for process, (_, err) in zip(writers, outputs, strict=True):
        assert "locked" not in err
        assert process.returncode == 0, err
    kept = {f"W{n}": json.loads(out) for n, (out, _) in enumerate(outputs)}

    committed_rounds = [n for n in range(ROUNDS) if n % 3 != 2]
    numbers = sorted(k["number"] for runs in kept.values() for k in runs)
    assert numbers == list(range(1001, 1001 + PROCESSES * len(committed_rounds))), "no gap, no duplicate"
    positions = sorted(p for runs in kept.values() for k in runs for p in k["positions"])
    total = PROCESSES * sum(1 + n % 3 for n in committed_rounds)
    assert positions == list(range(1, total + 1)), "no gap, no duplicate"

    entries = store.outbox.entries(limit=10 * total)
    assert [e.position for e in entries] == positions
    by_position = {e.position: e.event for e in entries}
    for writer, runs in kept.items():
        for run in runs:
            events = [by_position[p] for p in run["positions"]]
            assert [(e.by, e.data["round"], e.data["part"]) for e in events] == [
                (writer, run["round"], part) for part in range(len(run["positions"]))
            ], "each process was told the positions its entries hold"
    assert not problems, problems[:3]
    assert seen == positions, "the consumer saw every entry once, in order"
    with store.unit_of_work() as uow:
        assert uow.sequences.current("tickets") == numbers[-1]
