"""Forgetting on a busy desk: writers keep appending comments to the tickets
the erasure rewrites. The erasure retries its whole transaction with a growing
pause and succeeds; nothing the writers committed is lost; and when conflicts
never stop, it gives up after a bounded number of tries saying so, having
changed nothing.

Real threads on a real SQLite file and a real PostgreSQL server.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from helpdesk_core.desk import privacy as desk_privacy
from helpdesk_core.errors import ConflictError, HistoryError
from helpdesk_core.model.ticket import Comment, Ticket
from helpdesk_core.storage import Store, open_store
from helpdesk_core.testing.contract import FORGET_AT, START, add_tickets, privacy_sample, sample_ticket

HER_TICKETS = [f"T-{n:03d}" for n in range(100, 220)]
WRITERS = 3
BUSY_FOR = 2.0
"""Seconds the writers keep writing after the erasure starts."""


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url").replace("pool_size=2", "pool_size=8")
    opened = open_store(url)
    try:
        yield opened
    finally:
        opened.close()


def _seed(store: Store) -> None:
    privacy_sample(store)
    add_tickets(
        store,
        [sample_ticket(id, description=f"Jana Nováková called ({id})", events=()) for id in HER_TICKETS],
    )


_instants = itertools.count(1)


def _write_until(store: Store, stop: threading.Event, committed: list[tuple[str, str]]) -> None:
    """Append comments to random tickets of hers, re-reading on a conflict, until ``stop``."""
    chance = random.Random()
    while not stop.is_set():
        id = chance.choice(HER_TICKETS)
        body = f"note {next(_instants)}"
        comment = Comment(
            at=START + timedelta(days=1, seconds=next(_instants)), author="employee", by="E-1", body=body
        )
        try:
            stored = store.tickets.get(id)
            with store.unit_of_work() as uow:
                uow.tickets.append(id, [comment], expected_version=stored.version)
                uow.commit()
            committed.append((id, body))
        except (ConflictError, HistoryError):
            # HistoryError: another writer appended a later instant between this
            # one's drawing its instant and appending; try again with a new one.
            continue


def test_forget_retries_while_writers_append_to_the_tickets_it_rewrites(store: Store) -> None:
    _seed(store)
    stop = threading.Event()
    committed: list[list[tuple[str, str]]] = [[] for _ in range(WRITERS)]
    writers = [threading.Thread(target=_write_until, args=(store, stop, c)) for c in committed]
    for writer in writers:
        writer.start()
    stopper = threading.Timer(BUSY_FOR, stop.set)
    stopper.start()
    try:
        time.sleep(0.2)
        result = desk_privacy.forget_contact(store, "crm-p-1", by="dpo", now=FORGET_AT)
    finally:
        stop.set()
        stopper.cancel()
        for writer in writers:
            writer.join(timeout=60)
    assert result.proof.clean and result.proof.scrubbed, result.proof.describe()
    written = [c for each in committed for c in each]
    assert len(written) > 20, "the desk was busy"
    tickets = {s.value.id: s.value for s in store.tickets.iter_tickets()}
    kept = {(t.id, c.body) for t in tickets.values() for c in t.comments if c.body.startswith("note ")}
    assert kept == set(written), "every comment a writer committed is there, once"
    for id in HER_TICKETS:
        assert tickets[id].description == f"{result.record.pseudonym} called ({id})"


class _AlwaysConflicting:
    """A store whose every ticket save meets a concurrent writer."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.attempts = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    @contextmanager
    def unit_of_work(self) -> Iterator[Any]:
        self.attempts += 1
        with self._store.unit_of_work() as uow:
            yield _ConflictingUnitOfWork(uow)


class _ConflictingUnitOfWork:
    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.tickets = _ConflictingTickets(inner.tickets)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _ConflictingTickets:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def save(self, value: Ticket, *, expected_version: int | None) -> int:
        raise ConflictError(f"ticket {value.id}: expected version {expected_version}, but it is now 9")


def test_forget_gives_up_after_bounded_tries_and_changes_nothing(store: Store) -> None:
    _seed(store)
    before = {s.value.id: s for s in store.tickets.iter_tickets()}
    busy = _AlwaysConflicting(store)
    started = time.monotonic()
    with pytest.raises(ConflictError) as raised:
        desk_privacy.forget_contact(busy, "crm-p-1", by="dpo", now=FORGET_AT)
    assert busy.attempts == desk_privacy.RETRY_ATTEMPTS
    assert time.monotonic() - started < 10
    assert str(raised.value) == (
        f"forget contact P-1: other writers changed the records it rewrites during each of "
        f"{desk_privacy.RETRY_ATTEMPTS} attempts (last: ticket T-1: expected version 1, but it is now 9); "
        "nothing was changed, run it again when the desk is quieter"
    )
    assert {s.value.id: s for s in store.tickets.iter_tickets()} == before
    assert store.contacts.get("P-1").value.display_name == "Jana Nováková"
    assert desk_privacy.unscrubbed_erasures(store) == []
