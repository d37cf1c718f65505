"""Two writers on one ticket at the same time: one commits, the other gets a
ConflictError, no event is lost, and the loser's retry succeeds.

Threads share an SQLite file (each unit of work has its own connection) or a
memory store; on PostgreSQL each unit of work holds its own pooled connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from helpdesk_core.errors import ConflictError
from helpdesk_core.model.ticket import Comment
from helpdesk_core.storage import Store, open_store
from helpdesk_core.testing.contract import START, add_tickets, sample_ticket

ROUNDS = 3
"""Races run per backend; each must end with exactly one winner."""
HOLD = 0.05
"""Seconds the first writer keeps its transaction open, so the race overlaps."""


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = open_store(url)
    try:
        yield opened
    finally:
        opened.close()


def _comment(n: int, writer: str) -> Comment:
    return Comment(at=START + timedelta(hours=n), author="employee", body=f"round {n}: {writer}", by=writer)


def test_two_writers_on_one_ticket_one_wins_and_the_retry_succeeds(store: Store) -> None:
    add_tickets(store, [sample_ticket()])
    for n in range(1, ROUNDS + 1):
        read_by_both = store.tickets.get("T-1")
        inside = threading.Barrier(2, timeout=30)
        outcome: dict[str, str] = {}

        def write(
            writer: str,
            *,
            n: int = n,
            version: int = read_by_both.version,
            inside: threading.Barrier = inside,
            outcome: dict[str, str] = outcome,
        ) -> None:
            try:
                with store.unit_of_work() as uow:
                    inside.wait()
                    uow.tickets.append("T-1", [_comment(n, writer)], expected_version=version)
                    time.sleep(HOLD)
                    uow.commit()
                outcome[writer] = "committed"
            except ConflictError:
                outcome[writer] = "conflict"

        threads = [threading.Thread(target=write, args=(w,)) for w in ("E-1", "E-2")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcome.values()) == ["committed", "conflict"], outcome
        loser = next(w for w, result in outcome.items() if result == "conflict")
        retry = store.tickets.get("T-1")
        assert retry.version == read_by_both.version + 1
        with store.unit_of_work() as uow:
            uow.tickets.append("T-1", [_comment(n, loser)], expected_version=retry.version)
            uow.commit()
    final = store.tickets.get("T-1")
    bodies = [c.body for c in final.value.comments if c.body.startswith("round")]
    assert sorted(bodies) == sorted(f"round {n}: {w}" for n in range(1, ROUNDS + 1) for w in ("E-1", "E-2"))
    assert final.version == 1 + 2 * ROUNDS, "every write bumped the version exactly once"
