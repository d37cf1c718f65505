"""Ticket ranges for parallel reports (memory and SQLite stores alike), and the
invariants the faster decoding keeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from helpdesk_core.errors import HistoryError, ValidationError
from helpdesk_core.model.ticket import Comment, Ticket
from helpdesk_core.serialization import ticket_from_json
from helpdesk_core.storage import Store, open_store

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = open_store("memory://" if request.param == "memory" else str(tmp_path / "r.sqlite3"))
    with opened.unit_of_work() as uow:
        for n in range(23):  # three share an instant: ids break the tie
            created = START + timedelta(minutes=n - n % 3 * (n < 3))
            uow.tickets.add(Ticket.register(id=f"T-{n:02}", subject="s", created_at=created,
                                            company="C-1" if n % 2 else "C-2"))
        uow.commit()
    yield opened
    opened.close()


def test_ranges_cover_the_stream_once_in_order(store: Store) -> None:
    everything = [s.value.id for s in store.tickets.iter_tickets()]
    for every in (1, 4, 5, 23, 40):
        positions = store.tickets.positions(every)
        assert len(positions) == 23 // every
        bounds = list(zip([None, *positions], [*positions, None], strict=True))
        pieces = [[s.value.id for s in store.tickets.iter_tickets(after=a, through=t)] for a, t in bounds]
        assert [i for piece in pieces for i in piece] == everything
        assert all(len(piece) == every for piece in pieces[:-1])


def test_ranges_of_one_company(store: Store) -> None:
    ids = [s.value.id for s in store.tickets.iter_tickets(company="C-1")]
    positions = store.tickets.positions(3, company="C-1")
    assert [p[1] for p in positions] == ids[2::3]
    first = [s.value.id for s in store.tickets.iter_tickets(company="C-1", through=positions[0])]
    assert first == ids[:3]


def test_positions_refuse_a_step_below_one(store: Store) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        store.tickets.positions(0)


def test_history_order_is_judged_by_instants_in_the_hour_repeated_when_dst_ends() -> None:
    prague = ZoneInfo("Europe/Prague")
    created = datetime(2025, 10, 26, 1, 0, tzinfo=prague)
    summer = datetime(2025, 10, 26, 2, 57, tzinfo=prague)  # +02:00, 00:57Z
    winter = datetime(2025, 10, 26, 2, 8, tzinfo=prague, fold=1)  # +01:00, 01:08Z
    ticket = Ticket(id="T-1", subject="s", created_at=created,
                    events=(Comment(at=summer, author="employee"), Comment(at=winter, author="employee")))
    assert len(ticket.events) == 2
    with pytest.raises(HistoryError, match="events\\[1\\]"):
        Ticket(id="T-1", subject="s", created_at=created,
               events=(Comment(at=winter, author="employee"), Comment(at=summer, author="employee")))


def _line(**event: object) -> dict[str, object]:
    return {"id": "T-9", "subject": "s", "created_at": "2026-03-02T09:00:00+01:00",
            "events": [{"kind": "comment", "at": "2026-03-02T09:10:00+01:00", "author": "employee", **event}]}


def test_ids_seen_valid_do_not_let_invalid_ones_through() -> None:
    for _ in range(3):
        assert ticket_from_json(_line(by="E-1")).events[0].by == "E-1"
    with pytest.raises(ValidationError, match=r"events\[0\]: Comment\.by: ' E-1' is not a valid id"):
        ticket_from_json(_line(by=" E-1"))
    with pytest.raises(ValidationError, match="is not a valid id"):
        ticket_from_json(_line(by="E\x01-1"))


def test_optional_texts_and_instants_structure_as_before() -> None:
    event = ticket_from_json(_line(by="17", channel=None)).events[0]
    assert isinstance(event, Comment) and event.by == "17" and event.channel is None
    with pytest.raises(ValidationError, match=r"events\[0\]\.by: expected a text or null, got the number 17"):
        ticket_from_json(_line(by=17))  # a number is not read as its text
    with pytest.raises(ValidationError, match="must be timezone-aware"):
        ticket_from_json({**_line(), "events": [{"kind": "status", "to": "open",
                                                 "at": "2026-03-02T09:10:00+01:00", "until": "2026-03-03T09:00"}]})
    with pytest.raises(ValidationError, match="is not an ISO-8601 date-time"):
        ticket_from_json(_line(at="tomorrow"))


def test_a_null_where_a_text_is_required_is_refused_not_read_as_none() -> None:
    with pytest.raises(ValidationError, match=r"^ticket: id: expected a text, got null$"):
        ticket_from_json({**_line(), "id": None})
    with pytest.raises(ValidationError, match=r"events\[0\]\.to: expected a text, got null"):
        ticket_from_json({**_line(), "events": [{"kind": "status", "at": "2026-03-02T09:10:00+01:00", "to": None}]})
    with pytest.raises(ValidationError, match=r"^ticket T-9: subject: expected a text, got the number 7$"):
        ticket_from_json({**_line(), "subject": 7})
