"""Reading tickets back from the library's own store skips the attrs
validators (the values were validated when saved), and must still give
exactly what the validated reading gives.

A document the trusted path does not take — unknown keys, a value of another
JSON type, a missing field, a date-time without an offset — goes the validated
way, so its errors are the usual ones.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_serialization_fast_paths import _outcome, maybe_broken
from test_serialization_roundtrip import tickets

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.ticket import Comment, StatusChange, Ticket
from helpdesk_core.serialization import ticket_from_json, ticket_from_stored, ticket_to_json_line
from helpdesk_core.storage.documents import event_documents, parse_json, ticket_from_documents, ticket_header


@settings(max_examples=150, deadline=None)
@given(tickets())
def test_a_stored_ticket_reads_back_equal(ticket: Ticket) -> None:
    read = ticket_from_documents(ticket_header(ticket), event_documents(ticket.events))
    assert read == ticket
    assert [type(e) for e in read.events] == [type(e) for e in ticket.events]


@settings(max_examples=150, deadline=None)
@given(tickets(), st.data())
def test_trusted_reading_agrees_with_the_validated_one(ticket: Ticket, data: st.DataObject) -> None:
    """Wherever the validated reading accepts a document the trusted one gives
    the same ticket; where it refuses one, the trusted reading refuses it with
    the same message — unless the value has the JSON type the store writes and
    only a validator would object (a blank subject, say), which a store never
    holds because every saved ticket was validated."""
    document = maybe_broken(json.loads(ticket_to_json_line(ticket)), data)
    validated = _outcome(ticket_from_json, json.loads(json.dumps(document)))
    trusted = _outcome(ticket_from_stored, document)
    if isinstance(validated, Ticket) or isinstance(trusted, str):
        assert trusted == validated


def _stored(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": "T-1",
        "subject": "Printer",
        "created_at": "2026-03-02T08:55:00+01:00",
        "events": [{"kind": "status", "at": "2026-03-02T09:00:00+01:00", "to": "in_progress"}],
    }
    document.update(changes)
    return document


def test_unknown_keys_of_a_stored_event_are_kept() -> None:
    document = _stored(
        events=[{"kind": "status", "at": "2026-03-02T09:00:00+01:00", "to": "in_progress", "x_bot": 1}]
    )
    ticket = ticket_from_stored(document)
    assert ticket.events == (
        StatusChange(
            at=datetime(2026, 3, 2, 8, tzinfo=UTC), to="in_progress", extra={"x_bot": 1}
        ),
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"created_at": "2026-03-02T08:55:00"}, "must be timezone-aware"),
        ({"id": None}, "ticket: id: expected a text, got null"),
        ({"events": [{"kind": "status", "at": "2026-03-02T09:00:00+01:00"}]}, "missing required field 'to'"),
        ({"events": [{"kind": "call", "at": "2026-03-02T09:00:00+01:00"}]}, "event kind 'call'"),
        ({"events": {"kind": "status"}}, "events must be a JSON array"),
    ],
)
def test_a_document_of_another_shape_gets_the_validated_error(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ticket_from_stored(_stored(**changes))


@pytest.mark.parametrize(
    "text",
    [
        '{"attributes": {"ratio": NaN, "big": 123456789012345678901234567890}}',
        '{"note": "\\ud800 half a surrogate pair"}',
        '{"name": "Kotel – „urgentní“", "nested": [1, 2.5, true, null, {"x": "\\u0007"}]}',
        # orjson reads these integers as floats without a word
        '{"priority": 18446744073709551617}',
        '{"priority": -9223372036854775809, "n": [99999999999999999999999]}',
        '{"largest": 18446744073709551615, "smallest": -9223372036854775808}',
        '{"phone": "+4201234567890123456789", "ratio": 0.1234567890123456789}',
    ],
)
def test_stored_json_reads_as_the_json_module_reads_it(text: str) -> None:
    expected = json.loads(text)
    read = parse_json(text)
    assert json.dumps(read) == json.dumps(expected)  # NaN != NaN: compare the texts


@settings(max_examples=300, deadline=None)
@given(st.integers() | st.integers(-(2**70), 2**70))
def test_every_integer_reads_exactly(number: int) -> None:
    read = parse_json(f'{{"n": {number}, "in": [{number}]}}')
    assert read == {"n": number, "in": [number]}
    assert type(read["n"]) is int


@settings(max_examples=100, deadline=None)
@given(tickets())
def test_stored_json_of_tickets_reads_as_the_json_module_reads_it(ticket: Ticket) -> None:
    text = ticket_to_json_line(ticket)
    assert parse_json(text) == json.loads(text)


def test_wide_integers_of_a_stored_ticket_read_back_exactly() -> None:
    created = datetime(2026, 3, 2, 9, tzinfo=UTC)
    ticket = Ticket.register(
        id="T-1", subject="s", created_at=created, attributes={"serial": 2**70, "small": -(2**63) - 1},
    ).with_event(Comment(at=created, author="contact", extra={"counter": 18446744073709551617}))
    for events in (event_documents(ticket.events), ",".join(event_documents(ticket.events))):
        read = ticket_from_documents(ticket_header(ticket), events)
        assert read == ticket
        assert read.attributes["serial"] == 2**70 and type(read.attributes["serial"]) is int
