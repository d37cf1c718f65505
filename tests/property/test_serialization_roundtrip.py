"""Any ticket history survives a trip through the ticket-history JSONL."""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.model.ticket import (
    Assignee,
    Assignment,
    Attachment,
    Comment,
    Event,
    ObserverChange,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
    TypeChange,
)
from helpdesk_core.serialization import ticket_from_json, ticket_to_json_line


def spelled(alphabet: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """``[alphabet]{min_size,max_size}`` without ``st.from_regex``, whose draws
    took half the time of these tests."""
    return st.text(st.sampled_from(alphabet), min_size=min_size, max_size=max_size)


LOWER, UPPER, DIGITS, HEX = string.ascii_lowercase, string.ascii_uppercase, string.digits, "0123456789abcdef"
ids: st.SearchStrategy[str] = st.builds("{}-{}".format, spelled(UPPER, 1, 3), spelled(DIGITS, 1, 5))
zones = st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))])
texts = st.text(max_size=40)
json_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=10)
extras = st.dictionaries(spelled(LOWER, 1, 6).map("x_{}".format), json_scalars, max_size=2)


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    naive = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)))
    return naive.replace(tzinfo=draw(zones))


ANCHOR = datetime(2000, 1, 1, tzinfo=UTC)
"""The instant events are drawn at; ``tickets`` moves each to its own instant."""


def _events() -> st.SearchStrategy[Event]:
    """Events at ``ANCHOR``, their later instants (``until``, ``resolution_due``)
    0 to 10,000 minutes after it. Built once: a strategy built per drawn event
    (for its own ``at``) cost more than drawing the ticket."""
    at = ANCHOR
    later = st.builds(lambda m: at + timedelta(minutes=m), st.integers(0, 10_000))
    attachment = st.builds(
        Attachment,
        name=spelled(LOWER, 1, 8).map("{}.pdf".format),
        size=st.integers(0, 10**9),
        sha256=st.none() | spelled(HEX, 64, 64),
    )
    return st.one_of(
        st.builds(StatusChange, at=st.just(at), to=ids, until=st.none() | later, by=st.none() | ids, extra=extras),
        st.builds(
            Comment,
            at=st.just(at),
            author=st.sampled_from(["employee", "contact"]),
            public=st.booleans(),
            body=texts,
            by=st.none() | ids,
            mentions=st.lists(ids, max_size=2).map(tuple),
            attachments=st.lists(attachment, max_size=2).map(tuple),
            headers=st.dictionaries(st.sampled_from(["From", "To", "Cc"]), texts, max_size=2),
            extra=extras,
        ),
        st.builds(PriorityChange, at=st.just(at), to=ids, by=st.none() | ids),
        st.builds(TypeChange, at=st.just(at), to=ids),
        st.builds(Assignment, at=st.just(at), to=st.none() | ids, group=st.booleans()),
        st.builds(SlaOverride, at=st.just(at), resolution_due=st.none() | later, rule=st.none() | texts),
        st.one_of(
            st.builds(ObserverChange, at=st.just(at), employee=ids, added=st.booleans(), by=st.none() | ids),
            st.builds(ObserverChange, at=st.just(at), group=ids, added=st.booleans(), extra=extras),
        ),
    )


EVENTS = _events()


def moved(event: Event, at: datetime) -> Event:
    """``event`` at ``at``: its other instants keep their distance from it and
    take ``at``'s offset, as if the event had been drawn at ``at``."""
    changes: dict[str, Any] = {"at": at}
    for field in attrs.fields(type(event)):
        value = getattr(event, field.name)
        if field.name != "at" and isinstance(value, datetime):
            changes[field.name] = at + (value - ANCHOR)
    return attrs.evolve(event, **changes)


@st.composite
def tickets(draw: st.DrawFn) -> Ticket:
    created = draw(instants())
    events: list[Event] = []
    at = created
    for _ in range(draw(st.integers(0, 6))):
        at = at + timedelta(seconds=draw(st.integers(0, 10**6)), microseconds=draw(st.integers(0, 999_999)))
        events.append(moved(draw(EVENTS), at))
    return Ticket(
        id=draw(ids),
        subject=draw(st.text(min_size=1, max_size=30).filter(str.strip)),
        created_at=created,
        description=draw(texts),
        initial_status=draw(st.sampled_from(["open", "new"])),
        initial_type=draw(st.none() | ids),
        initial_priority=draw(st.none() | ids),
        initial_assignee=draw(st.none() | st.builds(Assignee, id=ids, group=st.booleans())),
        channel=draw(st.none() | st.sampled_from(["email", "phone", "web"])),
        company=draw(st.none() | ids),
        contact=draw(st.none() | ids),
        observer_employees=frozenset(draw(st.lists(ids, max_size=3))),
        observer_groups=frozenset(draw(st.lists(ids, max_size=2))),
        attributes=draw(st.dictionaries(spelled(LOWER, 1, 6), json_scalars, max_size=3)),
        events=tuple(events),
        extra=draw(extras),
    )


@settings(max_examples=300, deadline=None)
@given(tickets())
def test_ticket_history_round_trips_through_jsonl(ticket: Ticket) -> None:
    line = ticket_to_json_line(ticket)
    assert "\n" not in line
    assert ticket_from_json(line) == ticket


@settings(max_examples=100, deadline=None)
@given(tickets())
def test_written_line_uses_the_fixed_keys(ticket: Ticket) -> None:
    data = json.loads(ticket_to_json_line(ticket))
    assert data["id"] == ticket.id and data["created_at"] == ticket.created_at.isoformat()
    assert [e["kind"] for e in data["events"]] == [e.kind for e in ticket.events]
    if ticket.initial_priority is not None:
        assert data["priority"] == ticket.initial_priority


def test_attributes_that_are_not_an_object_are_refused_clearly() -> None:
    import pytest

    from helpdesk_core.errors import ValidationError

    line = '{"id": "T-1", "subject": "x", "created_at": "2026-01-01T00:00:00Z", "attributes": null}'
    with pytest.raises(ValidationError, match=r"^ticket T-1: expected a JSON object, got None$"):
        ticket_from_json(line)


def test_a_comment_without_an_author_kind_names_the_field() -> None:
    import pytest

    from helpdesk_core.errors import ValidationError

    line = (
        '{"id": "T-1", "subject": "x", "created_at": "2026-01-01T00:00:00Z", "events": '
        '[{"kind": "comment", "at": "2026-01-01T00:00:00Z", "author": null}]}'
    )
    with pytest.raises(ValidationError) as caught:
        ticket_from_json(line)
    assert str(caught.value) == (
        "ticket T-1: events[0]: Comment.author: expected 'employee' or 'contact', got None"
    )
