"""What the trusted reading of stored tickets builds is an ordinary model
value — the class itself, frozen, equal, printable, picklable and evolvable
like one made by its constructor — and it takes exactly the documents the
validated reading would give the same ticket for (the ``extra`` key and the
registered assignee included, which it reads its own way).
"""

from __future__ import annotations

import json
import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_serialization_fast_paths import _outcome
from test_serialization_roundtrip import tickets
from test_serialization_stored import _stored

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.ticket import EVENT_KINDS, Assignee, Ticket
from helpdesk_core.serialization import (
    converter,
    ticket_from_json,
    ticket_from_stored,
    ticket_to_json,
    ticket_to_json_line,
)
from helpdesk_core.storage.documents import event_documents, ticket_from_documents, ticket_header


@settings(max_examples=100, deadline=None)
@given(tickets())
def test_a_decoded_ticket_behaves_as_one_made_by_its_constructor(ticket: Ticket) -> None:
    read = ticket_from_documents(ticket_header(ticket), event_documents(ticket.events))
    assert type(read) is Ticket
    assert [type(e) for e in read.events] == [type(e) for e in ticket.events]
    assert all(type(e) in EVENT_KINDS.values() for e in read.events)
    assert read == ticket
    assert repr(read) == repr(ticket_from_json(ticket_to_json_line(ticket)))  # fold and zone names are not stored
    assert pickle.loads(pickle.dumps(read)) == ticket
    assert ticket_to_json(read) == ticket_to_json(ticket)
    assert converter.unstructure(read.events) == converter.unstructure(ticket.events)
    if read.initial_assignee is not None:
        assert hash(read.initial_assignee) == hash(ticket.initial_assignee)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        read.subject = "changed"  # type: ignore[misc]
    for event in read.events:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            event.at = ticket.created_at  # type: ignore[misc]
    with pytest.raises(ValidationError):
        attrs.evolve(read, subject=" ")  # the validators still guard every change
    assert attrs.evolve(read, subject="Renamed") == attrs.evolve(ticket, subject="Renamed")


def test_defaults_are_not_shared_between_decoded_tickets() -> None:
    header = '{"id":"T-1","subject":"Printer","created_at":"2026-03-02T08:55:00+01:00"}'
    event = '{"kind":"status","at":"2026-03-02T09:00:00+01:00","to":"in_progress"}'
    first = ticket_from_documents(header, [event])
    second = ticket_from_documents(header, [event])
    assert first == second
    first.attributes["note"] = 1  # type: ignore[index]
    first.events[0].extra["note"] = 1  # type: ignore[index]
    assert second.attributes == {} and second.events[0].extra == {}


@pytest.mark.parametrize(
    "document",
    [
        _stored(extra={"x_note": 1}),
        _stored(extra=5),
        _stored(events=[{"kind": "status", "at": "2026-03-02T09:00:00+01:00", "to": "x", "extra": {}}]),
        _stored(kind="status"),
    ],
)
def test_a_key_kept_as_unknown_reads_as_the_validated_reading_reads_it(document: dict[str, Any]) -> None:
    """``extra`` is where unknown keys are kept, not a key of the document: a
    stored ``extra`` key is an unknown key like any other."""
    expected = ticket_from_json(json.loads(json.dumps(document)))
    read = ticket_from_stored(document)
    assert read == expected
    assert read.extra == expected.extra and read.events[0].extra == expected.events[0].extra


ASSIGNEES = [
    "E-1",
    "G-1",
    {"id": "G-1", "group": True},
    {"id": "E-1", "group": False},
    {"id": "E-1"},
    {"id": "E-1", "group": True, "x_note": 1},
    {"id": "E-1", "group": 1},
    {"id": "E-1", "group": None},
    {"group": True},
    {"id": None},
    {"id": 5},
    {"id": " E-1"},
    " E-1",
    "",
    5,
    None,
    [],
]


@pytest.mark.parametrize("assignee", ASSIGNEES, ids=repr)
def test_a_registered_assignee_reads_as_the_validated_reading_reads_it(assignee: object) -> None:
    document = _stored(assignee=assignee)
    validated = _outcome(ticket_from_json, json.loads(json.dumps(document)))
    for _ in range(2):  # read again once the value is known
        assert _outcome(ticket_from_stored, json.loads(json.dumps(document))) == validated


def test_assignees_read_alike_however_many_a_store_names() -> None:
    names = [f"E-{n}" for n in range(5_000)]
    for name in names:
        read = ticket_from_stored(_stored(assignee=name))
        assert read.initial_assignee == Assignee(id=name)
    group = ticket_from_stored(_stored(assignee={"id": names[-1], "group": True}))
    assert group.initial_assignee == Assignee(id=names[-1], group=True)
    with pytest.raises(ValidationError, match="not a valid id"):
        ticket_from_stored(_stored(assignee=" E-1"))


ODD_VALUES: list[object] = [
    None, 5, True, "", " x", "E-1", "2026-01-01T00:00:00", "2026-01-01T00:00:00+01:00",
    [], ["E-1"], {}, {"x_note": 1}, {"id": "E-1"}, {"id": "G-1", "group": True}, {"id": "E-1", "group": 1},
]
ODD_KEYS = ["extra", "kind", "assignee", "group", "to", "public", "author", "x_note"]
EVERY_KIND = _stored(
    assignee={"id": "G-1", "group": True},
    events=[
        {"kind": "status", "at": "2026-03-02T09:00:00+01:00", "to": "postponed",
         "until": "2026-03-03T09:00:00+01:00", "by": "E-1"},
        {"kind": "comment", "at": "2026-03-02T09:01:00+01:00", "author": "employee", "public": False,
         "body": "On it", "by": "E-1", "mentions": ["E-2"], "headers": {"X-A": "1"}},
        {"kind": "priority", "at": "2026-03-02T09:02:00+01:00", "to": "high"},
        {"kind": "type", "at": "2026-03-02T09:03:00+01:00", "to": "incident"},
        {"kind": "assign", "at": "2026-03-02T09:04:00+01:00", "to": "G-1", "group": True},
        {"kind": "sla", "at": "2026-03-02T09:05:00+01:00", "resolution_due": "2026-03-04T09:00:00+01:00",
         "rule": "vip"},
    ],
)


def _agree(document: dict[str, Any]) -> None:
    """The differential rule of the stored reading (see test_serialization_stored)."""
    validated = _outcome(ticket_from_json, json.loads(json.dumps(document)))
    trusted = _outcome(ticket_from_stored, document)
    if isinstance(validated, Ticket) or isinstance(trusted, str):
        assert trusted == validated


@pytest.mark.parametrize("key", ODD_KEYS)
@pytest.mark.parametrize("where", [None, 0, 1, 2, 3, 4, 5], ids=lambda w: "ticket" if w is None else f"events[{w}]")
def test_trusted_reading_agrees_with_the_validated_one_on_odd_keys(where: int | None, key: str) -> None:
    """As the differential test of the stored reading, for each kind of event
    and the keys read in their own way: ``extra``, ``kind``, the assignee."""
    assert _outcome(ticket_from_stored, json.loads(json.dumps(EVERY_KIND))) == ticket_from_json(EVERY_KIND)
    for value in ODD_VALUES:
        document = json.loads(json.dumps(EVERY_KIND))
        target = document if where is None else document["events"][where]
        target[key] = json.loads(json.dumps(value))
        _agree(document)


@settings(max_examples=50, deadline=None)
@given(tickets(), st.data())
def test_trusted_reading_agrees_with_the_validated_one_on_odd_keys_of_any_ticket(
    ticket: Ticket, data: st.DataObject
) -> None:
    document = json.loads(ticket_to_json_line(ticket))
    target = document
    if document["events"] and data.draw(st.booleans()):
        target = document["events"][data.draw(st.integers(0, len(document["events"]) - 1))]
    target[data.draw(st.sampled_from(ODD_KEYS))] = data.draw(st.sampled_from(ODD_VALUES))
    _agree(document)


@pytest.mark.parametrize("author", ["staff", "", 5, None, ["contact"]], ids=repr)
def test_a_stored_comment_by_neither_employee_nor_contact_gets_the_validated_error(author: object) -> None:
    """Read from the store, a comment's author is one of the two kinds of
    author the model knows, or the document is read the validated way."""
    comment = {"kind": "comment", "at": "2026-03-02T09:00:00+01:00", "author": author, "body": "Hi"}
    with pytest.raises(ValidationError, match=r"Comment\.author: expected 'employee' or 'contact'"):
        ticket_from_stored(_stored(events=[comment]))
