"""Tickets streamed with their events joined by the database (one row per
ticket): every history comes back whole and in ``seq`` order — long ones, empty
ones, and ones whose aggregate SQLite did not deliver in order."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.model.ticket import Comment, StatusChange, Ticket
from helpdesk_core.storage import Store, open_store, sql
from helpdesk_core.storage.sql import events_in_seq_order

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MANY = 1_200
"""Events of the long history (more than any precomputed ``seq`` prefix)."""


def _ticket(id: str, minutes: int, events: int) -> Ticket:
    created = START + timedelta(minutes=minutes)
    return Ticket.register(
        id=id,
        subject=f"subject of {id}",
        created_at=created,
        company="C-1",
        events=tuple(
            Comment(at=created + timedelta(seconds=n), author="employee", body=f"note {n}, of {id}")
            for n in range(events)
        ),
    )


def _tickets() -> list[Ticket]:
    """In creation order: histories of 0, 1, a few and MANY events."""
    counts = [0, 3, MANY, 0, 1, 6, 0, 2, 7, 0, 5]
    return [_ticket(f"T-{n:02}", n, count) for n, count in enumerate(counts)]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = str(tmp_path / "s.sqlite3") if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    opened = open_store(url)
    with opened.unit_of_work() as uow:
        for ticket in _tickets():
            uow.tickets.add(ticket)
        uow.commit()
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[tuple[Store, Path]]:
    path = tmp_path / "s.sqlite3"
    opened = open_store(str(path))
    with opened.unit_of_work() as uow:
        for ticket in _tickets():
            uow.tickets.add(ticket)
        uow.commit()
    yield opened, path
    opened.close()


@pytest.mark.parametrize("batch_size", [1, 4, 1000])
def test_long_and_empty_histories_stream_whole_and_in_order(store: Store, batch_size: int) -> None:
    streamed = [s.value for s in store.tickets.iter_tickets(batch_size=batch_size)]
    assert streamed == _tickets()
    assert [len(t.events) for t in streamed].count(0) == 4
    assert [e.body for e in streamed[2].events] == [f"note {n}, of T-02" for n in range(MANY)]  # type: ignore[union-attr]


def test_appended_events_follow_the_earlier_ones(store: Store) -> None:
    last = _tickets()[2].events[-1].at
    appended = (StatusChange(at=last + timedelta(minutes=1), to="in_progress"),)
    for id in ("T-00", "T-02"):
        stored = store.tickets.get(id)
        with store.unit_of_work() as uow:
            uow.tickets.append(id, appended, expected_version=stored.version)
            uow.commit()
    by_id = {s.value.id: s.value for s in store.tickets.iter_tickets(batch_size=3)}
    assert by_id["T-00"].events == appended
    assert by_id["T-02"].events == (*_tickets()[2].events, *appended)


_OUT_OF_ORDER = (
    "CASE WHEN event_count <> 0 THEN (SELECT group_concat(seq) || ';' || group_concat(document, ',') "
    "FROM (SELECT seq, document FROM ticket_events WHERE ticket_id = tickets.id ORDER BY seq DESC)) END"
)
"""An aggregate SQLite delivers newest event first: what the store would get if
``group_concat`` followed another order than the primary key's."""


def test_an_aggregate_delivered_out_of_order_is_read_again_in_seq_order(
    sqlite_store: tuple[Store, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, path = sqlite_store
    with sqlite3.connect(path) as db:  # the simulation really reverses the histories
        reversed_seqs = db.execute(
            f"SELECT {_OUT_OF_ORDER} FROM tickets WHERE id = 'T-05'"
        ).fetchone()[0].partition(";")[0]
    assert reversed_seqs == "5,4,3,2,1,0"
    monkeypatch.setattr(sql, "_TICKET_COLUMNS", f"id, created_us, version, header, event_count, {_OUT_OF_ORDER}")
    assert [s.value for s in store.tickets.iter_tickets(batch_size=5)] == _tickets()


def test_a_history_with_a_missing_row_is_read_in_seq_order(sqlite_store: tuple[Store, Path]) -> None:
    store, path = sqlite_store
    with sqlite3.connect(path) as db:  # a damaged store: seq 1 of T-08 lost, event_count still 7
        db.execute("DELETE FROM ticket_events WHERE ticket_id = 'T-08' AND seq = 1")
    expected = _tickets()[8].events
    by_id = {s.value.id: s.value for s in store.tickets.iter_tickets()}
    assert by_id["T-08"].events == (expected[0], *expected[2:])


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=80).flatmap(lambda n: st.permutations(range(n))))
def test_only_seq_numbers_in_order_let_the_joined_documents_through(order: list[int]) -> None:
    documents = ",".join(f'{{"n":{n},"text":"a;b,c"}}' for n in order)
    aggregate = ",".join(map(str, order)) + ";" + documents
    joined = events_in_seq_order(len(order), aggregate)
    if order == sorted(order):
        assert joined == documents
    else:
        assert joined is None


@pytest.mark.parametrize(
    ("event_count", "aggregate"),
    [
        (3, None),  # no event row at all
        (3, "0,1;{},{}"),  # fewer rows than counted
        (2, "0,1,2;{},{},{}"),  # more rows than counted
        (3, "0,2,3;{},{},{}"),  # a gap
        (11, "0,1,2,3,4,5,6,7,8,9,1;" + ",".join(["{}"] * 11)),  # a prefix of the right text
    ],
)
def test_an_aggregate_that_is_not_the_whole_history_is_refused(event_count: int, aggregate: str | None) -> None:
    assert events_in_seq_order(event_count, aggregate) is None
